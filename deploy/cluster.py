"""`make cluster`: several Datasette replicas of one database behind nginx, on loopback.

nginx (Debian's package) is the load balancer and the shared HTTP cache, configured from
`deploy/nginx.conf`; each replica is `pycon-db serve` on a port of its own. Ctrl-C stops
everything this started. The tests and `make loadtest` use `running_cluster` too.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from scripts.databases import check_database

from .harness import ROOT, free_port, running_server, wait_for

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
# A replica nginx cannot reach is taken out at once, and tried again after this (deploy/nginx.conf).
FAIL_TIMEOUT = "5s"


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def render_config(prefix: Path, port: int, replica_ports):
    """deploy/nginx.conf with its placeholders filled in."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT};" for p in replica_ports)
    # As root, nginx would run its workers as "nobody", who cannot write to this folder.
    user = "user root;" if os.geteuid() == 0 else ""
    text = NGINX_CONF.read_text(encoding="utf-8")
    for name, value in (("{user}", user), ("{prefix}", str(prefix)), ("{servers}", servers),
                        ("{listen}", f"127.0.0.1:{port}")):
        text = text.replace(name, value)
    return text


@contextmanager
def running_nginx(prefix: Path, port: int, replica_ports):
    binary = nginx_binary()
    if binary is None:
        raise click.ClickException("nginx is not installed: apt-get install nginx")
    (prefix / "cache").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render_config(prefix, port, replica_ports), encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", process=proc)
        yield proc
    finally:
        proc.send_signal(signal.SIGQUIT)  # finish the requests under way, then stop
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def running_cluster(db: Path, port: int = None, replicas: int = 2, prefix: Path = None, env: dict = None):
    """Yield (nginx URL, [{"url", "pid"} for each replica]) while the cluster runs; `env` as running_server's."""
    with ExitStack() as stack:
        if prefix is None:
            prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pycon-cluster-")))
        nodes = []
        for _ in range(replicas):
            info = {}
            url = stack.enter_context(running_server(db, info=info, env=env))
            nodes.append({"url": url, "pid": info["pid"], "port": int(url.rsplit(":", 1)[1])})
        port = port or free_port()
        stack.enter_context(running_nginx(prefix, port, [n["port"] for n in nodes]))
        yield f"http://127.0.0.1:{port}", nodes


@click.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/pycon.db"), show_default=True)
@click.option("--port", default=8001, show_default=True, type=int, help="Where nginx listens.")
@click.option("--replicas", default=2, show_default=True, type=click.IntRange(1, 16))
def main(db, port, replicas):
    """Serve the database from REPLICAS Datasette processes behind nginx until Ctrl-C."""
    check_database(db)
    prefix = ROOT / "build" / "cluster"
    prefix.mkdir(parents=True, exist_ok=True)
    with running_cluster(db.resolve(), port, replicas, prefix) as (base, nodes):
        click.echo(f"nginx at {base}/ in front of {len(nodes)} replicas: " + ", ".join(n["url"] for n in nodes))
        click.echo("Ctrl-C stops them all.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopping")


if __name__ == "__main__":
    main()
