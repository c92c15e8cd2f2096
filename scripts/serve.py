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
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

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


# A public site: an idle connection is closed after 5 s (uvicorn's keep-alive), and one that has
# not sent a whole request head within REQUEST_HEAD_TIMEOUT is closed too (uvicorn has no such
# timeout: a client sending a byte every few seconds would hold its connection for ever).
KEEP_ALIVE_TIMEOUT = 5
REQUEST_HEAD_TIMEOUT = 10


def make_datasette(db: Path, inspect_data: dict):
    """The site as it is served: the database immutable, metadata, our plugins, CORS, settings."""
    import yaml
    from datasette.app import Datasette

    return Datasette(immutables=[str(db)], metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8")),
                     plugins_dir=str(PLUGINS), template_dir=str(TEMPLATES), static_mounts=[("static", str(STATIC))],
                     settings=SETTINGS, cors=True,
                     inspect_data=inspect_data)


def timely_protocol():
    """uvicorn's h11 protocol, closing a connection that has no request under way for too long."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimelyH11Protocol(H11Protocol):
        deadline = None

        def connection_made(self, transport):
            super().connection_made(transport)
            self.arm()

        def on_response_complete(self):
            super().on_response_complete()
            self.arm()

        def connection_lost(self, exc):
            if self.deadline is not None:
                self.deadline.cancel()
            super().connection_lost(exc)

        def arm(self):
            if self.deadline is not None:
                self.deadline.cancel()
            if not self.transport.is_closing():
                self.deadline = self.loop.call_later(REQUEST_HEAD_TIMEOUT, self.expire)

        def expire(self):
            idle = self.cycle is None or self.cycle.response_complete
            if idle and not self.transport.is_closing():
                self.transport.close()

    return TimelyH11Protocol


def run(db: Path, inspect_data: dict, host: str, port: int):
    """Serve the site with uvicorn until interrupted."""
    import uvicorn

    app = make_datasette(db, inspect_data).app()
    config = uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="on",
                            http=timely_protocol(), timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
                            proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    uvicorn.Server(config).run()


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


def wait_for(url, timeout=30, process=None):
    """Return once `url` answers; fail if `process` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in time")
            time.sleep(0.2)


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
        try:
            wait_for(base + "/-/versions.json", timeout, proc)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}: {log.read()}") from None
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
