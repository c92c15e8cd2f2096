"""`make loadtest`: the real site under load from loopback only: one replica, then nginx and two.

A realistic mix: table and facet pages, JSON canned queries, calendar feeds with and without
If-None-Match, searches, what's-on-now and the schedule exports. The load comes from wrk
(Debian's `wrk` package): a Python client cannot send more than about 300 requests a second
on this machine, which measures the client, not the site. Bounded in time; wrk stops by
itself. Reports throughput, p50 and p99 latency, errors, and the server's peak memory.
"""
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import click

from scripts.database.build import build
from scripts.databases import edition_databases
from deploy.harness import peak_memory_mb, running_server

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["python", "security", "data", "typing", "async", "rust", "testing", "django", "llm", "agents", "free",
         "threading", "packaging", "pandas", "polars", "performance", "web", "sql", "cli", "gil", "memory",
         "profiler", "sbom", "charla", "datos", "notebooks", "cpython", "jit", "wasm", "pyodide"]


def request_mix(db_path, rng):
    """A function that returns the next (path, headers, kind) of the mix, and the ETags it may send."""
    conn = sqlite3.connect(db_path)
    ids = [r[0] for r in conn.execute("select id from sessions where kind != 'unfilled'")]
    days = [r[0] for r in conn.execute("select distinct day from sessions order by day")]
    rooms = [r[0] for r in conn.execute("select name from rooms where session_count > 0")]
    speakers = [r[0] for r in conn.execute("select id from speakers")]
    conn.close()
    archive = [archive_pages(path, path.stem) for path in edition_databases(Path(db_path))]
    etags = {}

    def pick():
        roll = rng.random()
        if roll < 0.25:
            path = rng.choice([
                f"/pycon/sessions?day={rng.choice(days)}", "/pycon/sessions?_facet=track_id&_facet=room_id",
                "/pycon/speakers", "/pycon/hotels", f"/pycon/sessions/{rng.choice(ids)}", "/pycon/rooms",
                f"/pycon/program_day?day={rng.choice(days)}", "/", f"/schedule/{rng.choice(days)}",
                f"/schedule/{rng.choice(days)}", f"/pycon/search?q={rng.choice(WORDS)}",
                *([rng.choice(rng.choice(archive))] if archive else []),  # an earlier edition's grid or session
            ])
            return path, None, "html"
        if roll < 0.55:
            path = rng.choice([
                f"/pycon/program_day.json?day={rng.choice(days)}",
                f"/pycon/program_track.json?track={rng.choice(['ai', 'security', 'charlas'])}",
                f"/pycon/program_room.json?room={rng.choice(rooms)}",
                f"/pycon/program_speaker.json?speaker={rng.choice(speakers)}",
                f"/pycon/agenda.json?ids={','.join(str(i) for i in rng.sample(ids[:40], 3))}",
                "/pycon/program.json?_shape=array",
            ])
            return path, None, "json"
        if roll < 0.75:
            path = rng.choice(["/pycon/program.ics", "/pycon/program_track.ics?track=ai",
                               "/pycon/program_track.ics?track=security", f"/pycon/program_day.ics?day={rng.choice(days)}"])
            if path in etags and rng.random() < 0.5:
                return path, {"If-None-Match": etags[path]}, "ics-304"
            return path, None, "ics"
        if roll < 0.90:
            return f"/pycon/search.json?q={rng.choice(WORDS)}+{rng.choice(WORDS)}", None, "search"
        path = rng.choice(["/pycon/now_next.json", "/pycon/schedule.xml", "/pycon/schedule.json"])
        return path, None, "other"

    return pick, etags


def archive_pages(db_path, name):
    """An earlier edition's day grids and session pages (its database beside the site's)."""
    conn = sqlite3.connect(db_path)
    days = [f"/schedule/{r[0]}" for r in conn.execute("select day from conference_days")]
    sessions = [f"/{name}/sessions/{r[0]}" for r in conn.execute("select id from sessions where kind != 'unfilled'")]
    conn.close()
    return days + sessions


def warm_up(base, paths):
    """Request every URL of the mix once (as the first visitors would: accepting gzip, as the mix does, since
    nginx keeps a copy for each), returning the latencies."""
    import concurrent.futures
    import time

    def get(path):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"}),
                                        timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise click.ClickException(f"warm-up: {path} answered {exc.code}") from None
        return time.perf_counter() - started

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(get, paths))


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


LUA = """
local requests = %s
local i = 0
init = function(args)
  i = math.random(#requests)
end
request = function()
  i = i %% #requests + 1
  local r = requests[i]
  return wrk.format("GET", r[1], r[2])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d duration_us=%%d p50_us=%%d p99_us=%%d non2xx3xx=%%d "
    .. "connect=%%d read=%%d write=%%d timeout=%%d status=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
"""


UNIQUE_LUA = ("""
local n = 0
init = function(args)
  n = math.random(1000000000)
end
request = function()
  n = n + 1
  return wrk.format("GET", "/pycon/sessions.json?_size=" .. (n %% 50 + 1) .. "&_r=" .. n)
end
""" + LUA[LUA.index("done = function"):]) % ()  # LUA's %% are for Python's % formatting


def lua_table(requests):
    """The request list as a Lua table literal of {path, {header = value}}."""
    def quote(text):
        return json.dumps(text)  # a JSON string is a valid Lua string for this ASCII content

    items = []
    for path, headers in requests:
        hdrs = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in (headers or {}).items())
        items.append("{" + quote(path) + ", {" + hdrs + "}}")
    return "{\n" + ",\n".join(items) + "\n}"


def run_wrk(base, script, clients, seconds):
    """One wrk run of the mix: its counts, latencies and errors as a dict."""
    out = subprocess.run([shutil.which("wrk"), f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "--latency",
                          "-s", str(script), base], capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"RESULT (.*)", out.stdout)
    if not match:
        raise click.ClickException("wrk failed:\n" + out.stdout + out.stderr)
    r = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    r["errors"] = r["non2xx3xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    r["rate"] = r["requests"] / (r["duration_us"] / 1e6)
    r["clients"] = clients
    return r


def describe(label, r, memory=None):
    return (f"{label}: {r['requests']} requests in {r['duration_us'] / 1e6:.1f} s from {r['clients']} clients: "
            f"{r['rate']:.0f} req/s; p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms; errors {r['errors']} "
            f"(non-2xx/3xx {r['non2xx3xx']}, socket {r['connect'] + r['read'] + r['write']}, timeouts {r['timeout']})"
            + (f"; server peak memory {memory:.0f} MB" if memory else ""))


def draw(db, mix_size, seed, tmp):
    """The request mix as a wrk script: (script path, distinct URLs, share of each kind)."""
    pick, etags = request_mix(db, random.Random(seed))
    with running_server(db) as base:
        for path in ("/pycon/program.ics", "/pycon/program_track.ics?track=ai", "/pycon/program_track.ics?track=security"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                etags[path] = response.headers["etag"]  # the same on every replica: ETags follow the bytes
    # wrk sends the path as it is: encode what a browser would (spaces in room names); and like every
    # browser and most apps, accept gzip.
    drawn = [(urllib.parse.quote(path, safe="/?=&,+%"), {**(headers or {}), "Accept-Encoding": "gzip"}, kind)
             for path, headers, kind in (pick() for _ in range(mix_size))]
    script = tmp / "mix.lua"
    script.write_text(LUA % lua_table([(path, headers) for path, headers, _ in drawn]))
    kinds = Counter(kind for _, _, kind in drawn)
    return script, sorted({path for path, _, _ in drawn}), {k: v * 100 // mix_size for k, v in kinds.items()}


def one_replica(db, script, paths, clients, seconds):
    info = {}
    with running_server(db, info=info) as base:
        cold = warm_up(base, paths)
        r = run_wrk(base, script, clients, seconds)
        return r, cold, peak_memory_mb(info["pid"])


def through_nginx(db, script, paths, client_counts, seconds):
    """The same mix through nginx and two replicas, at each client count, then with a replica killed halfway."""
    import threading

    from deploy.cluster import running_cluster

    results = []
    with running_cluster(db, replicas=2) as (base, nodes):
        warm_up(base, paths)
        for clients in client_counts:
            results.append(run_wrk(base, script, clients, seconds))
    with running_cluster(db, replicas=2) as (base, nodes):
        warm_up(base, paths)
        killer = threading.Timer(seconds / 2, lambda: os.kill(nodes[0]["pid"], signal.SIGKILL))
        killer.start()
        dying = run_wrk(base, script, client_counts[0], seconds)
        killer.join()
    return results, dying


def overload(db, script, paths, crowd, seconds, tmp):
    """500 clients through nginx, one request in 20 a unique URL no cache holds: refused fast, or served."""
    import concurrent.futures

    from deploy.cluster import running_cluster

    unique = tmp / "unique.lua"
    unique.write_text(UNIQUE_LUA)
    misses = max(1, crowd // 20)
    with running_cluster(db, replicas=2) as (base, nodes):
        warm_up(base, paths)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            cached = pool.submit(run_wrk, base, script, crowd - misses, seconds)
            uncached = pool.submit(run_wrk, base, unique, misses, seconds)
            return cached.result(), uncached.result()


ATTACKS = {
    "printf %c": "/pycon.json?sql=" + urllib.parse.quote("select length(printf('%.*c', -900000000, 'x'))"),
    "instr": "/pycon.json?sql=" + urllib.parse.quote("select instr(hex(zeroblob(500000)), hex(zeroblob(250000))||'1')"),
    "3,500-word search": "/pycon/search?q=" + "+".join(list("abcdefghijklmnop") + ["0"] * 3500),
    "14 MB result": "/pycon.json?sql=" + urllib.parse.quote(
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 14) "
        "select replace(zeroblob(1000000), x'00', char(1)) as x from n"),
}


def probe(base, stop, label):
    """Latencies of a simple uncached request (a URL of its own each time), every 50 ms until `stop`."""
    import time

    latencies, n = [], 0
    while time.monotonic() < stop:
        started = time.perf_counter()
        path = f"/pycon/sessions.json?_size=5&_r={urllib.parse.quote(label)}-{n}"
        with urllib.request.urlopen(base + path, timeout=30) as response:
            response.read()
        latencies.append(time.perf_counter() - started)
        n += 1
        time.sleep(0.05)
    return latencies


def under_attack(db, seconds):
    """A probe's p99 on a quiet server, and while each attack runs from three clients at once."""
    import concurrent.futures
    import time

    def attack(base, path, stop):
        n = 0
        while time.monotonic() < stop:
            try:
                with urllib.request.urlopen(f"{base}{path}&_r={n}", timeout=30) as response:
                    response.read()
            except OSError:
                pass  # a refusal (400, 503) is the point
            n += 1

    results = {}
    with running_server(db) as base:
        results["quiet"] = probe(base, time.monotonic() + seconds, "quiet")
        for name, path in ATTACKS.items():
            stop = time.monotonic() + seconds
            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                for _ in range(3):
                    pool.submit(attack, base, path, stop)
                results[name] = pool.submit(probe, base, stop, name).result()
    return results


@click.command()
@click.option("--clients", default=50, show_default=True)
@click.option("--crowd", default=500, show_default=True, help="Clients for the crowd run through nginx.")
@click.option("--seconds", default=20, show_default=True, help="Length of each run.")
@click.option("--mix-size", default=5000, show_default=True, help="Requests drawn from the mix, replayed in a loop.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--cluster/--no-cluster", default=True, show_default=True, help="Also run through nginx and two replicas.")
def main(clients, crowd, seconds, mix_size, seed, cluster):
    """Drive the real site on loopback, one replica and then nginx with two, in one run."""
    if not shutil.which("wrk"):
        raise click.ClickException("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "pycon.db"
        build(ROOT / "data", db)
        script, paths, kinds = draw(db, mix_size, seed, tmp)
        click.echo(f"mix of {len(paths)} distinct URLs: " + ", ".join(f"{k} {v}%" for k, v in sorted(kinds.items())))
        direct, cold, memory = one_replica(db, script, paths, clients, seconds)
        click.echo(describe("one replica, direct", direct, memory))
        click.echo(f"warm-up before each run: each of the {len(cold)} URLs once, 4 at a time: p50 "
                   f"{percentile(cold, 0.5) * 1000:.1f} ms, p99 {percentile(cold, 0.99) * 1000:.1f} ms, "
                   f"max {max(cold) * 1000:.1f} ms (the cost of a miss in the response cache)")
        click.echo(f"goal one replica (zero errors, p99 under 200 ms): "
                   f"{'met' if direct['errors'] == 0 and direct['p99_us'] < 200_000 else 'NOT met'}")
        for name, latencies in under_attack(db, min(seconds, 10)).items():
            click.echo(f"probe (sessions.json, uncached) {'on a quiet server' if name == 'quiet' else 'while ' + name + ' runs x3'}: "
                       f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
                       f"max {max(latencies) * 1000:.1f} ms ({len(latencies)} probes)")
        if not cluster:
            return
        (near, far), dying = through_nginx(db, script, paths, [clients, crowd], seconds)
        cached, uncached = overload(db, script, paths, crowd, seconds, tmp)
    click.echo(describe("nginx + 2 replicas", near))
    click.echo(describe("nginx + 2 replicas", far))
    click.echo(describe("nginx + 2 replicas, one killed halfway", dying))
    click.echo(describe(f"overload: cached mix through nginx ({crowd} clients in all)", cached))
    click.echo(describe("overload: unique uncached URLs, 1 client in 20 (non-2xx are fast 503 refusals)", uncached))
    click.echo(f"goal overload (cached p99 under 100 ms, no timeouts): "
               f"{'met' if cached['p99_us'] < 100_000 and cached['timeout'] == uncached['timeout'] == 0 else 'NOT met'}")
    held = far["p99_us"] < 100_000 and near["errors"] == far["errors"] == dying["errors"] == 0
    click.echo(f"goal cluster (p99 under 100 ms at {crowd} clients, zero errors, also while a replica dies): "
               f"{'met' if held else 'NOT met'}")
    ratio = near["rate"] / direct["rate"]
    click.echo(f"through the cache / one replica direct, {clients} clients each: {ratio:.1f}x; goal >= 5x: "
               f"{'met' if ratio >= 5 else 'NOT met'} (nginx serving static files is the cluster's ceiling: "
               "make bench's serving part measures it on the same machine)")


if __name__ == "__main__":
    main()
