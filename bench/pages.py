"""Page benchmark: search (and the schedule pages) against the JSON of a program query, uncached.

Every request carries a new `_bench` parameter, so the response cache never answers it: each
one runs its SQL and renders. Medians of the same number of requests, side by side in one run
on the real server over loopback; every figure reported is a ratio, since this machine is noisy.
"""
import asyncio
import statistics
import tempfile
from pathlib import Path

import click

from deploy.harness import ROOT
from scripts.database.build import build

REQUESTS = 200
PAGES = [
    # (label, path, the JSON it is measured against, goal)
    ("search, one word (json)", "/pycon/search.json?q=security&_shape=array", "/pycon/program.json?_shape=array", 2),
    ("search, five words (json)", "/pycon/search.json?q=python+security+supply+chain+attacks&_shape=array",
     "/pycon/program.json?_shape=array", 2),
    ("search page, one word (html)", "/pycon/search?q=security", "/pycon/program.json?_shape=array", 2),
    ("day grid, Friday (html)", "/schedule/2026-05-15", "/pycon/program_day.json?day=2026-05-15&_shape=array", 3),
    ("session page (html)", "/pycon/sessions/1005", "/pycon/sessions/1005.json", 3),
    # a misspelled word: every way of matching is tried, then the nearest words (plugins/search_words.py)
    ("search, misspelled (json)", "/pycon/search.json?q=asyncronous+tasks&_shape=array", "/pycon/program.json?_shape=array", 2),
    ("search, a synonym (json)", "/pycon/search.json?q=LLM&_shape=array", "/pycon/program.json?_shape=array", 2),
    ("speakers index (html)", "/pycon/speaker_index", "/pycon/program.json?_shape=array", 3),
    ("hotels page (html)", "/pycon/hotels_nearby", "/pycon/program.json?_shape=array", 3),
    # five editions' programs searched against 2026's alone (#20's goal: side by side)
    ("search, five editions (json)", "/pycon/search_editions.json?q=security&_shape=array",
     "/pycon/search.json?q=security&_shape=array", 3),
    ("search page, five editions (html)", "/pycon/search_editions?q=security", "/pycon/search?q=security", 3),
    ("day grid, filtered (html)", "/schedule/2026-05-15?track=ai", "/pycon/program_day.json?day=2026-05-15&_shape=array", 3),
    # an earlier edition's pages, from its own database, against the same pages of 2026 (#20)
    ("2023 day grid, 14 rooms (html)", "/schedule/2023-04-21", "/schedule/2026-05-15", 3),
    ("2023 session page (html)", "/pycon2023/sessions/54", "/pycon/sessions/1005", 3),
    ("2023 schedule.xml", "/pycon2023/schedule.xml", "/pycon/schedule.xml", 3),
    ("2023 speaker page (html)", "/pycon2023/speakers/bruce-eckel", "/pycon/speakers/bruce-eckel", 3),
]


_run = iter(range(10**9))


def uncached(path):
    """A URL the response cache has never seen: a fresh `_bench` value on every call."""
    return lambda i: f"{path}{'&' if '?' in path else '?'}_bench={next(_run)}"


async def alternating(base, path, against):
    """Latencies of `path` and `against`, one request of each in turn, after one warm-up of each."""
    import time

    import httpx

    page, json = [], []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for warm in (path, against):
            (await client.get(uncached(warm)(-1))).raise_for_status()
        for i in range(REQUESTS):
            for target, out in ((path, page), (against, json)):
                started = time.perf_counter()
                response = await client.get(uncached(target)(i))
                response.raise_for_status()
                out.append(time.perf_counter() - started)
    return statistics.median(page), statistics.median(json)


async def compare(base, pages):
    for label, path, against, goal in pages:
        page, json = await alternating(base, path, against)
        ratio = page / json
        click.echo(f"{label:<30} {page * 1000:6.2f} ms; {against} {json * 1000:6.2f} ms; "
                   f"ratio {ratio:.2f} (goal < {goal}x): {'met' if ratio < goal else 'NOT met'}")


def bench_pages(pages=PAGES):
    from deploy.harness import running_server

    click.echo("== pages (uncached, against the JSON of a program query, real server on loopback)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "pycon.db"
        build(ROOT / "data", db)
        with running_server(db) as base:
            asyncio.run(compare(base, pages))
