"""How the site is served: the Datasette settings shared by `pycon-db serve` and the tests."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
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
    # Suggesting facets runs a query per column on every table page: too dear for a public site.
    "suggest_facets": False,
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(db: Path, timeout: float = 30, info: dict = None):
    """Run `pycon-db serve` on a free loopback port; yield its base URL (and its pid in `info`)."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "pycon-db"), "serve", "--db", str(db), "--port", str(port)]
    # The access log goes to a file: a pipe nobody reads would fill up and stall the server.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    base = f"http://127.0.0.1:{port}"
    if info is not None:
        info["pid"] = proc.pid
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited with {proc.returncode}: {log.read()}")
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start in time")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
