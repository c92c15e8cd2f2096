"""`make bench`: build time for the real data and for synthetic programs 10x and 100x its size.

The synthetic programs are written to a temporary folder, never into data/: each copy k of the
program gets its own rooms, speakers and hotels (ids suffixed with -kN), so it stays valid.
"""
import csv
import io
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import click

from scripts.database.build import build

DATA = Path("data")
SUFFIXED = {  # file -> columns holding ids that each copy must make its own
    "rooms.csv": ("id", "name"),
    "speakers.csv": ("id",),
    "hotels.csv": ("id",),
    "sprint_projects.csv": (),
    "reported_sessions.csv": (),
}


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _write(path, fields, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def scaled_copy(factor: int, target: Path):
    """Write data/ scaled `factor` times into target."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*(p for p in DATA.glob("*.yaml") if p.name != "site.yaml"), DATA / "recordings.csv", DATA / "changes.csv"]:  # as they are: the first copy keeps the ids
        shutil.copy(path, target / path.name)
    fields, sessions = _rows(DATA / "sessions.csv")
    id_step = max(int(s["id"]) for s in sessions) + 1
    out_sessions, out_links = [], []
    lfields, links = _rows(DATA / "session_speakers.csv")
    for k in range(factor):
        suffix = "" if k == 0 else f"-k{k}"
        for s in sessions:
            s = dict(s, id=str(int(s["id"]) + k * id_step))
            if k:
                s["room"] = s["room"] + suffix if s["room"] else ""
                s["parent"] = str(int(s["parent"]) + k * id_step) if s["parent"] else ""
            out_sessions.append(s)
        for link in links:
            out_links.append(dict(link, session=str(int(link["session"]) + k * id_step), speaker=link["speaker"] + suffix))
    _write(target / "sessions.csv", fields, out_sessions)
    _write(target / "session_speakers.csv", lfields, out_links)
    for name, columns in SUFFIXED.items():
        fields, rows = _rows(DATA / name)
        out = []
        for k in range(factor):
            for i, row in enumerate(rows):
                row = dict(row)
                if k:
                    for col in columns:
                        row[col] = row[col] + f"-k{k}" if col == "id" else f"{row[col]} (copy {k})"
                    if not columns:
                        row["id"] = str(int(row["id"]) + k * len(rows) * 10)
                out.append(row)
        _write(target / name, fields, out)
    return len(out_sessions)


def time_build(data_dir: Path, out: Path, repeat: int):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        build(data_dir, out)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@click.command()
@click.option("--repeat", default=3, show_default=True, help="Builds per size; the median is reported.")
@click.option("--part", type=click.Choice(["all", "build", "feeds", "pages", "recordings", "serving"]), default="all",
              show_default=True)
def main(repeat, part):
    """Build time at 1x/10x/100x, feed throughput against JSON, then search, pages and recordings against JSON, and
    serving against nginx static and plain Datasette, in one run."""
    if part in ("all", "build"):
        bench_build(repeat)
    if part in ("all", "feeds"):
        from .feeds import bench_feeds

        bench_feeds()
    if part in ("all", "pages"):
        from .pages import bench_pages

        bench_pages()
    if part in ("all", "recordings"):
        from .recordings import bench_recordings

        bench_recordings()
    if part in ("all", "serving"):
        from .serving import bench_serving

        bench_serving()


def bench_build(repeat):
    click.echo("== build")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results = []
        # Like with like: every row is data/'s own edition alone, copied `factor` times (the earlier
        # editions, built beside it by `make build`, are measured apart below).
        click.echo(f"(each row: {DATA}/'s own edition alone, copied 1, 10 and 100 times; no earlier edition)")
        for factor in (1, 10, 100):
            data_dir = tmp / f"x{factor}"
            scaled_copy(factor, data_dir)
            out = tmp / f"x{factor}.db"
            seconds = time_build(data_dir, out, repeat)
            conn = sqlite3.connect(out)
            rows = sum(conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in
                       ("sessions", "speakers", "session_speakers", "rooms", "hotels"))
            conn.close()
            results.append((factor, rows, seconds))
            click.echo(f"{factor:>4}x  {rows:>8} rows  {seconds:8.3f} s  {rows / seconds:>10.0f} rows/s")
        (_, r10, t10), (_, r100, t100) = results[1], results[2]
        per_row = (t100 / r100) / (t10 / r10)
        click.echo(f"100x/10x time ratio: {t100 / t10:.2f} for {r100 / r10:.1f}x the rows; time per row "
                   f"100x/10x: {per_row:.2f} ({'linear' if per_row <= 1.25 else 'WORSE than linear'}; sorting "
                   f"makes a little growth normal); 100x within 10 s: {'yes' if t100 < 10 else 'NO'}")
        bench_editions(tmp, repeat)


def bench_editions(tmp, repeat):
    """The build of all five editions (data/ with data/editions/) against 2026 alone (data/ without them),
    alternated, so both see the same machine."""
    alone = tmp / "alone"
    shutil.copytree(DATA, alone, ignore=shutil.ignore_patterns("editions", "site.yaml"))
    every, only = [], []
    for _ in range(max(repeat, 3)):
        every.append(time_build(DATA, tmp / "every.db", 1))
        only.append(time_build(alone, tmp / "alone.db", 1))
    t_every, t_only = statistics.median(every), statistics.median(only)
    click.echo(f"five editions {t_every:.3f} s; 2026 alone {t_only:.3f} s; ratio {t_every / t_only:.2f} "
               f"(goals: under 10 s: {'met' if t_every < 10 else 'NOT met'}; under 5x: {'met' if t_every / t_only < 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
