"""Recordings benchmark: the import of pyvideo's files and the recordings page, each beside the program JSON.

The import runs on a temporary copy of data/ (never data/ itself), as a re-import of the same
files: what an organiser runs when pyvideo publishes more. The recordings page is measured
uncached against /pycon/program.json in alternation on the real server, as the other pages are.
"""
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import click

from deploy.harness import ROOT
from scripts.database.build import build
from scripts.importers.recordings import import_recordings

from .pages import alternating

PYVIDEO = ROOT.parent / "shared" / "sources" / "pyvideo" / "pycon-us-2026"
PROGRAM_JSON = "/pycon/program.json?_shape=array"
RUNS = 5


def _median_seconds(action, runs=RUNS):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_import(tmp: Path):
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    files = len(list((PYVIDEO / "videos").glob("*.json")))
    seconds = _median_seconds(lambda: import_recordings(PYVIDEO, data))
    unchanged = all((data / p.name).read_bytes() == p.read_bytes() for p in (ROOT / "data").iterdir() if p.is_file())
    return files, seconds, unchanged


def bench_recordings():
    from deploy.harness import running_server

    click.echo("== recordings (import of pyvideo's files and /pycon/watch, beside the program JSON)")
    if not PYVIDEO.is_dir():
        click.echo(f"skipped: {PYVIDEO} is not here")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files, imported, unchanged = time_import(tmp)
        db = tmp / "pycon.db"
        built = _median_seconds(lambda: build(ROOT / "data", db), runs=3)
        with running_server(db) as base:
            page, json = asyncio.run(alternating(base, "/pycon/watch", PROGRAM_JSON))
    click.echo(f"import of {files} files: {imported * 1000:.0f} ms (median of {RUNS}); data/ unchanged by a "
               f"re-import: {'yes' if unchanged else 'NO'}; build of the database {built * 1000:.0f} ms: "
               f"import/build {imported / built:.2f}; import/program JSON request {imported / json:.2f}")
    click.echo(f"recordings page (html) {page * 1000:6.2f} ms; {PROGRAM_JSON} {json * 1000:6.2f} ms; "
               f"ratio {page / json:.2f} (goal < 3x): {'met' if page / json < 3 else 'NOT met'}")
