"""Serving benchmark (#38): each of our answers against a peer serving the same thing, side by side.

- A cached answer against nginx serving the same bytes as a static file: identity against plain
  static, gzip against `gzip_static` (the .gz written beside it), for the program's JSON and ICS, a
  day grid and a session page.
- A cache miss against plain Datasette (the same version, no plugins, the same database file) running
  the same SQL, each request a URL of its own; and an uncached `.ics` against the same query's JSON.

Each pair is measured in turn with wrk (Debian's package), 5 rounds; reported as the ratio ours / peer,
min / median / max over the rounds, since this machine is noisy. Loopback only.
"""
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import click

from deploy.cluster import nginx_binary, running_cluster
from deploy.harness import ROOT, free_port, running_server, wait_for
from scripts.database.build import build

from .loadtest import LUA, run_wrk

ROUNDS = 5
SECONDS = 3
PROGRAM_SQL = "select * from calendar_events order by day, start_iso is null, start_iso, room, id"

STATIC_CONF = """
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy_temp;
    fastcgi_temp_path {prefix}/fastcgi_temp;
    uwsgi_temp_path {prefix}/uwsgi_temp;
    scgi_temp_path {prefix}/scgi_temp;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip_static on;
    }}
}}
"""

UNIQUE_LUA = """
local n = 0
init = function(args) n = math.random(1000000000) end
request = function()
  n = n + 1
  return wrk.format("GET", "%s&_bench=" .. n)
end
"""


def fetch(url, gzip=False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), response.headers


@contextmanager
def running(command, ready_path):
    """A server process on a free loopback port (`command` takes the port), until the block ends."""
    port = free_port()
    proc = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready_path}", process=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def static_nginx(root: Path, prefix: Path):
    """nginx serving `root` as static files, .gz beside each for gzip_static."""
    def command(port):
        conf = prefix / "static.conf"
        conf.write_text(STATIC_CONF.format(prefix=prefix, port=port, root=root))
        user = "user root;" if __import__("os").geteuid() == 0 else ""
        return [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-g", f"daemon off; {user}"]

    return running(command, "/program.ics")


def plain_datasette(db: Path):
    """Datasette as installed, no plugins of ours, no metadata: the same database file, immutable."""
    return running(lambda port: [str(Path(sys.executable).parent / "datasette"), "serve", "-i", str(db), "-p", str(port),
                                 "--setting", "sql_time_limit_ms", "1000", "--setting", "max_returned_rows", "1000"], "/")


def wrk_script(tmp: Path, name: str, path: str, headers=None):
    """A wrk script asking for one path (with headers) or, with `{unique}` in it, a new URL each time."""
    script = tmp / f"{name}.lua"
    head = ", ".join(f'["{k}"] = "{v}"' for k, v in (headers or {}).items())
    if "{unique}" in path:
        script.write_text(UNIQUE_LUA % path.replace("{unique}", "") + DONE)
    else:
        script.write_text(f'request = function() return wrk.format("GET", "{path}", {{{head}}}) end\n' + DONE)
    return script


DONE = LUA[LUA.index("done = function"):] % ()  # the load test's report, its %% written for Python's %


def pair(ours, peer, clients):
    """Ratios ours/peer of requests a second, ROUNDS rounds of one run each in turn; errors of both."""
    ratios, errors = [], 0
    for _ in range(ROUNDS):
        a, b = run_wrk(ours[0], ours[1], clients, SECONDS), run_wrk(peer[0], peer[1], clients, SECONDS)
        ratios.append(a["rate"] / b["rate"])
        errors += a["errors"] + b["errors"]
        rates = (a["rate"], b["rate"])
    return ratios, errors, rates


def report(label, ratios, errors, rates, goal):
    low, mid, high = min(ratios), statistics.median(ratios), max(ratios)
    click.echo(f"{label}: {low:.2f} / {mid:.2f} / {high:.2f}x (last round {rates[0]:.0f} against {rates[1]:.0f} req/s)"
               f"; errors {errors}; goal >= {goal}: {'met' if mid >= goal else 'NOT met'}")


def static_copies(base, root: Path, paths):
    """Our bytes for each path, written as nginx would serve them: identity, and .gz for gzip_static."""
    for name, path in paths.items():
        body, _ = fetch(base + path)
        zipped, headers = fetch(base + path, gzip=True)
        assert headers.get("Content-Encoding") == "gzip", path
        (root / name).write_bytes(body)
        (root / (name + ".gz")).write_bytes(zipped)


def bench_serving():
    if not shutil.which("wrk") or nginx_binary() is None:
        raise click.ClickException("wrk and nginx are needed: apt-get install wrk nginx")
    click.echo(f"== serving (wrk, 10 clients, {SECONDS} s a run, {ROUNDS} rounds in turn: ours / peer, min / median / max)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "pycon.db"
        build(ROOT / "data", db)
        root, prefix = tmp / "static", tmp / "nginx"
        root.mkdir()
        prefix.mkdir()
        with running_server(db) as base:
            day = fetch(base + "/pycon/conference_days.json?_shape=array")[0]
            first_day = __import__("json").loads(day)[0]["day"]
            paths = {"program.json": "/pycon/program.json?_shape=array", "program.ics": "/pycon/program.ics",
                     "day.html": f"/schedule/{first_day}", "session.html": "/pycon/sessions/1005"}
            static_copies(base, root, paths)
            with static_nginx(root, prefix) as static:
                cached_against_static(base, static, paths, tmp)
                with running_cluster(db, replicas=2, prefix=tmp / "cluster") as (cluster, _):
                    cluster_against_static(cluster, static, paths, tmp)
            with plain_datasette(db) as plain:
                misses_against_plain(base, plain, tmp)


def cached_against_static(base, static, paths, tmp):
    click.echo("-- a cached answer against nginx serving the same bytes as a static file (goal: within 3x, >= 0.33)")
    for name, path in paths.items():
        for encoding, headers in (("identity", {}), ("gzip", {"Accept-Encoding": "gzip"})):
            ours = (base, wrk_script(tmp, f"ours-{name}-{encoding}", path, headers))
            peer = (static, wrk_script(tmp, f"static-{name}-{encoding}", "/" + name, headers))
            report(f"{name:<13} {encoding:<8}", *pair(ours, peer, 10), goal=0.33)


def cluster_against_static(cluster, static, paths, tmp):
    click.echo("-- through nginx and two replicas (its cache holds the replicas' gzip copy) against the same bytes "
               "as a static file (goal: as fast, >= 0.9)")
    for name, path in paths.items():
        for encoding, headers in (("gzip", {"Accept-Encoding": "gzip"}), ("identity", {})):
            fetch(cluster + path, gzip=bool(headers))  # in nginx's cache
            ours = (cluster, wrk_script(tmp, f"cluster-{name}-{encoding}", path, headers))
            peer = (static, wrk_script(tmp, f"static-{name}-{encoding}", "/" + name, headers))
            report(f"{name:<13} {encoding:<8}", *pair(ours, peer, 10), goal=0.9)


def misses_against_plain(base, plain, tmp):
    click.echo("-- a cache miss (a new URL each request) against plain Datasette on the same SQL (goal >= 1)")
    sql = "/pycon.json?sql=" + urllib.parse.quote(PROGRAM_SQL) + "&_shape=array{unique}"
    for clients in (1, 10):
        ours, peer = (base, wrk_script(tmp, "miss-ours", sql)), (plain, wrk_script(tmp, "miss-plain", sql))
        report(f"program SQL as JSON, {clients:>2} client(s)", *pair(ours, peer, clients), goal=1)
    click.echo("-- an uncached .ics against the same query's JSON, both ours (goal >= 1)")
    ics = (base, wrk_script(tmp, "ics", "/pycon/program.ics?{unique}"))
    json_ = (base, wrk_script(tmp, "json", "/pycon/program.json?_shape=array{unique}"))
    report("program.ics / program.json, 1 client", *pair(ics, json_, 1), goal=1)
