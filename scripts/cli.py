"""The command line: `pycon-db validate`, `build`, `import` (the official feed), `import-recordings` (pyvideo) and `serve`."""
import sqlite3
import shutil
import sys
import time
from pathlib import Path

import click

from .database.build import build as build_database
from .sources.checks import validate as validate_sources
from .sources.errors import ValidationFailed

DATA = Path("data")
OUT = Path("build/pycon.db")


@click.group()
def cli():
    """Build the site's SQLite databases from the sources in data/: its edition's and every earlier edition's."""


def _fail(exc: ValidationFailed):
    click.echo(exc.report(), err=True)
    click.echo(f"{len(exc.errors)} error(s); nothing was written.", err=True)
    sys.exit(1)


@cli.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Folder holding the CSV and YAML sources.")
def validate(data_dir):
    """Check every source file and every reference between them; write nothing."""
    try:
        ds = validate_sources(data_dir)
    except ValidationFailed as exc:
        _fail(exc)
    click.echo(f"{data_dir}: valid ({len(ds.tables['sessions'])} sessions, {len(ds.tables['speakers'])} speakers, "
               f"{len(ds.tables['rooms'])} rooms, {len(ds.tracks)} tracks, {len(ds.tables['hotels'])} hotels).")


@cli.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Folder holding the CSV and YAML sources.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=OUT, show_default=True,
              help="Database file to write; replaced only when the build succeeds.")
def build(data_dir, out):
    """Validate the sources, then write the SQLite database atomically."""
    started = time.perf_counter()
    try:
        ds = build_database(data_dir, out)
    except ValidationFailed as exc:
        _fail(exc)
    except (OSError, sqlite3.Error) as exc:
        click.echo(f"build failed: {exc}; {out} was left as it was.", err=True)
        sys.exit(1)
    for warning in ds.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"built {out}{editions_beside(out)} in {time.perf_counter() - started:.2f}s")


def editions_beside(db: Path):
    """' and beside it pycon2025.db, ...': the earlier editions' databases the site's lists, newest first."""
    from .databases import served_databases

    names = [p.name for p in served_databases(db)[1:]]
    return f" and beside it {', '.join(names)}" if names else ""


@cli.command("import")
@click.argument("feed")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Folder holding the CSV and YAML sources to update.")
@click.option("--timezone", "tz_name", default=None,
              help="IANA time zone of the feed's conference, when it differs from data/conference.yaml.")
@click.option("--trust-offsets", is_flag=True,
              help="The feed's UTC offsets are another zone's but its instants are right: show them at the conference's times.")
@click.option("--new-edition", is_flag=True,
              help="Start a new edition's folder (--data data/editions/<year>) from the feed, then import it; "
                   "needs --timezone and --city.")
@click.option("--city", default=None, help="The new edition's city, e.g. 'Long Beach, California'.")
@click.option("--with-prose", is_flag=True,
              help="Also write the feed's abstracts and speakers' bios (the speakers' prose: for your own deployment; "
                   "data/ as committed holds none). Without it they are left as they are.")
@click.option("--trust-wall-clock", is_flag=True,
              help="The feed's UTC offsets are wrong but its wall times are the conference's: read them at its time zone.")
@click.option("--allow-removals", is_flag=True,
              help="Accept a feed that removes more than a fifth of the sessions in data/ (a new year's program, say).")
@click.option("--source-url", default=None,
              help="URL to cite for the imported records (default: FEED when it is a URL, else the official "
                   "https://us.pycon.org/<year>/schedule/conference.json).")
def import_command(feed, data_dir, tz_name, new_edition, city, with_prose, trust_offsets, trust_wall_clock,
                   allow_removals, source_url):
    """Import the official schedule feed (URL or file) into the sources in data/."""
    from .importers.feed import FeedError, fetch, parse_feed
    from .importers.official import feed_kinds, import_feed

    # A new edition's folder (data/editions/<year>) takes its vocabulary from the data folder it is in.
    shared = data_dir.parent.parent if data_dir.parent.name == "editions" else DATA
    started = False
    try:
        if tz_name:
            from .importers.edition import check_zone

            check_zone(tz_name)
        parsed = parse_feed(fetch(feed), feed, feed_kinds(shared if new_edition else data_dir))
        if source_url is None:
            source_url = feed if feed.startswith(("http://", "https://")) else \
                f"https://us.pycon.org/{parsed.year}/schedule/conference.json"
        if new_edition:
            from .importers.edition import start_edition

            start_edition(data_dir, parsed, tz_name, city, shared)
            started = True
        if trust_offsets and trust_wall_clock:
            raise FeedError("--trust-offsets and --trust-wall-clock say opposite things: pass one")
        summary = import_feed(parsed, data_dir, source_url, tz_name, trust_offsets=trust_offsets,
                              allow_removals=allow_removals, trust_wall_clock=trust_wall_clock, with_prose=with_prose)
    except FeedError as exc:
        if started:  # the folder this run made, empty of a program: gone, so the build does not read it
            shutil.rmtree(data_dir)
        raise click.ClickException(str(exc)) from None
    click.echo(summary.report())


@cli.command("new-edition")
@click.argument("year", type=click.IntRange(2000, 2999))
@click.option("--city", required=True, help="Its city, e.g. 'Long Beach, California'.")
@click.option("--timezone", "tz_name", required=True, help="Its IANA time zone, e.g. America/Los_Angeles.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Its first day, once announced (YYYY-MM-DD).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Its last day, once announced (YYYY-MM-DD).")
@click.option("--url", default=None, help="Its site (default: https://us.pycon.org/YEAR/, PyCon US's address for a year).")
@click.option("--feed", default=None, help="Its official schedule feed (URL or file), once published: imported at once.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DATA, show_default=True)
@click.pass_context
def new_edition_command(ctx, year, city, tz_name, start, end, url, feed, data_dir):
    """Start the next edition (data/editions/YEAR/) and make it the one the site leads with (data/site.yaml).

    Every edition keeps its addresses: the site's database, /pycon/..., stays data/'s own edition's."""
    from .importers.edition import lead_with, new_edition
    from .importers.feed import FeedError

    if bool(start) != bool(end):
        raise click.ClickException("give both --start and --end, or neither while the dates are not announced")
    try:
        if feed:
            ctx.invoke(import_command, feed=feed, data_dir=data_dir / "editions" / str(year), tz_name=tz_name,
                       new_edition=True, city=city)
            lead_with(data_dir, year)
            folder = data_dir / "editions" / str(year)
        else:
            folder = new_edition(data_dir, year, tz_name, city, (start.date(), end.date()) if start else None, url)
    except FeedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"started PyCon US {year} in {folder}/, and the site leads with it (data/site.yaml); "
               "run 'make build' to see it")


@cli.command("import-recordings")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DATA, show_default=True,
              help="Folder holding the CSV and YAML sources to update.")
def import_recordings_command(folder, data_dir):
    """Import one event's recordings in pyvideo/data's format (FOLDER holds category.json and videos/)."""
    from .importers.feed import FeedError
    from .importers.recordings import import_recordings

    try:
        click.echo(import_recordings(folder, data_dir))
    except FeedError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("export-pyvideo")
@click.argument("year", type=int)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=OUT, show_default=True,
              help="The site's database, as built (the edition's is beside it).")
@click.option("--pyvideo", "pyvideo_root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A pyvideo/data checkout: each file starts from pyvideo's own, every field kept.")
def export_pyvideo_command(year, out_dir, db, pyvideo_root):
    """Write YEAR's recordings in pyvideo/data's format under OUT_DIR, with the official pages, speakers and
    days this site established, ready for a pull request to pyvideo/data."""
    from .exporters.pyvideo import ExportError, export_pyvideo

    try:
        written, changed = export_pyvideo(db, year, out_dir, pyvideo_root)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {written} recordings of {year} under {out_dir}/ ({changed} changed from "
               f"{'pyvideo' if pyvideo_root else 'what the site holds'})")


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=OUT, show_default=True,
              help="Database to serve (immutable).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--access-log", is_flag=True, help="Log every request (off: a proxy in front logs them, and it costs time).")
def serve(db, host, port, access_log):
    """Check the database, precompute its inspect file, and serve it with Datasette."""
    from .databases import DatabaseUnusable, check_database
    from .serve import run, write_inspect_file

    try:
        check_database(db)
    except DatabaseUnusable as exc:
        raise click.ClickException(str(exc)) from None
    inspect_file = db.with_name(db.stem + "-inspect.json")
    inspect_data = write_inspect_file(db, inspect_file)
    click.echo(f"Serving {db}{editions_beside(db)} at http://{host}:{port}/", err=True)
    run(db, inspect_data, host, port, access_log)


if __name__ == "__main__":
    cli()
