"""Feed benchmark: the calendar feed against the same query as JSON, on the real server over loopback.

Every figure is a ratio of two measurements taken in the same run, since this machine is noisy.
Requests are bounded in count and in time.
"""
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click
import httpx

from scripts.database.build import build

ROOT = Path(__file__).resolve().parent.parent
TIME_CAP = 20.0  # seconds per measurement, whatever the count


async def throughput(base, path_for, clients, requests, headers=None):
    """Requests per second and latencies for `requests` GETs spread over `clients` workers."""
    latencies, statuses = [], []
    counter = iter(range(requests))
    deadline = time.perf_counter() + TIME_CAP

    async def worker(client):
        for i in counter:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            response = await client.get(path_for(i), headers=headers)
            await response.aread()
            latencies.append(time.perf_counter() - started)
            statuses.append(response.status_code)

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, statuses


def p99(values):
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def render_vs_sqlite(db_path):
    """A cold render of the full program (query + calendar) against the raw SQLite time of its query."""
    import yaml

    sys.path.insert(0, str(ROOT))
    from plugins.calendar_feed import render_calendar

    sql = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["pycon"]["queries"]["program"]["sql"]
    conn = sqlite3.connect(db_path)
    raw, rendered = [], []
    for _ in range(50):
        started = time.perf_counter()
        cursor = conn.execute(sql)
        rows = cursor.fetchall()
        raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        cursor = conn.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, r)) for r in cursor.fetchall()]
        render_calendar(rows, columns, "The whole program")
        rendered.append(time.perf_counter() - started)
    return statistics.median(raw), statistics.median(rendered), len(rows)


def bench_feeds():
    from deploy.harness import running_server  # the same launcher the tests use

    click.echo("== feeds (program: .ics against .json, real server on loopback)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "pycon.db"
        build(ROOT / "data", db)
        raw, rendered, n = render_vs_sqlite(db)
        click.echo(f"cold render of {n} events: {rendered * 1000:.2f} ms; raw SQLite query: {raw * 1000:.2f} ms; "
                   f"ratio {rendered / raw:.1f}x (goal < 20x)")
        with running_server(db) as base:
            asyncio.run(_http(base))


async def _http(base):
    json_path = lambda i: "/pycon/program.json?_shape=array"
    ics_path = lambda i: "/pycon/program.ics"
    # A new cache key each time: the full query and render, for both formats.
    cold_json = lambda i: f"/pycon/program.json?_shape=array&_bench={i}"
    cold_path = lambda i: f"/pycon/program.ics?_bench={i}"
    async with httpx.AsyncClient(base_url=base) as client:  # warm up every path once
        for path in (json_path(0), ics_path(0)):
            (await client.get(path)).raise_for_status()
        etag = (await client.get(ics_path(0))).headers["etag"]
    for clients, count in ((1, 300), (10, 600)):
        rj, lj, sj = await throughput(base, json_path, clients, count)
        ri, li, si = await throughput(base, ics_path, clients, count)
        rcj, lcj, scj = await throughput(base, cold_json, clients, count)
        rc, lc, sc = await throughput(base, cold_path, clients, count)
        errors = sum(1 for s in sj + si + scj + sc if s != 200)
        click.echo(f"{clients:>2} client(s), as served (cached): json {rj:6.1f} req/s, ics {ri:6.1f} req/s, "
                   f"ratio {ri / rj:.2f} | uncached: json {rcj:6.1f} req/s (p99 {p99(lcj) * 1000:6.1f} ms), "
                   f"ics {rc:6.1f} req/s (p99 {p99(lc) * 1000:6.1f} ms), ratio {rc / rcj:.2f} (goal >= 1) | "
                   f"errors {errors}")
    r304, l304, s304 = await throughput(base, ics_path, 1, 300, headers={"If-None-Match": etag})
    rc, lc, _ = await throughput(base, cold_path, 1, 300)
    assert set(s304) == {304}, set(s304)
    click.echo(f"304 revalidation: {statistics.median(l304) * 1000:.2f} ms; full render: "
               f"{statistics.median(lc) * 1000:.2f} ms; ratio {statistics.median(l304) / statistics.median(lc):.2f} "
               f"(goal <= 0.2)")
