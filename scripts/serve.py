"""How the site is served: the Datasette settings shared by `pycon-db serve` and the tests."""
import json
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata.yml"
PLUGINS = ROOT / "plugins"

# A public site: a runaway query stops after a second; the whole program (under 200 rows)
# fits in one page of any canned query, so nothing is cut at max_returned_rows.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_page_size": 100,
    "facet_time_limit_ms": 500,
    "default_cache_ttl": 60,
}


class DatabaseUnusable(Exception):
    """The database file is missing or cannot serve; the message says what to do."""


def check_database(path: Path):
    """Fail before serving, with a clear message, if `path` is not a usable pycon database."""
    path = Path(path)
    if not path.exists():
        raise DatabaseUnusable(f"{path} does not exist; run 'make build' to create it.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("pragma quick_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(f"{path} is not a readable SQLite database ({exc}); run 'make clean build'.") from None
    if result != "ok":
        raise DatabaseUnusable(f"{path} is corrupt ({result}); run 'make clean build'.")
    missing = {"sessions", "speakers", "rooms", "hotels", "conference"} - tables
    if missing:
        raise DatabaseUnusable(f"{path} lacks the tables {', '.join(sorted(missing))}; run 'make clean build'.")


def datasette_args(db: Path, inspect_file: Path, host: str, port: int):
    """Arguments for `datasette serve`: immutable database, metadata, our plugins, CORS, settings."""
    args = ["serve", "--immutable", str(db), "--inspect-file", str(inspect_file),
            "--metadata", str(METADATA), "--plugins-dir", str(PLUGINS), "--cors",
            "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def write_inspect_file(db: Path, inspect_file: Path):
    """Precompute, with Datasette's own `inspect`, the hash and row counts it would count at start-up."""
    import asyncio

    from datasette.cli import inspect_

    data = asyncio.run(inspect_([str(db)], []))
    inspect_file.write_text(json.dumps(data, indent=2, sort_keys=True))
    return data
