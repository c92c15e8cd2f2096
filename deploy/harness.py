"""Real servers for the tests and the benchmarks: `pycon-db serve` on a free loopback port, and the
means to wait for it and weigh it. Production serving is scripts/serve.py; nothing here runs the site."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
def running_server(db: Path, timeout: float = 30, info: dict = None, env: dict = None, args=()):
    """Run `pycon-db serve` on a free loopback port; yield its base URL (and in `info` its pid, and `log()`,
    what it has printed). `env`: more environment, e.g. PYCON_NOW to serve the site as at that moment;
    `args`: more options of the command."""
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "pycon-db"), "serve", "--db", str(db), "--port", str(port), *args]
    # The access log goes to a file: a pipe nobody reads would fill up and stall the server.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})))
    base = f"http://127.0.0.1:{port}"
    if info is not None:
        info["pid"] = proc.pid
        info["log"] = lambda: (log.flush(), log.seek(0), log.read())[-1]
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


def peak_memory_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
