import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.database.build import build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
# The edition the tests read by name: 2026, the edition of data/ itself. A data/ rolled forward (pycon-db
# new-edition) is copied as of 2026: the editions up to it, the site leading with it.
EDITION = 2026


def copy_data(target: Path, editions=True) -> Path:
    """data/ as of EDITION, copied to `target` (without data/editions/ if `editions` is false)."""
    def ignore(folder, names):
        if not editions and Path(folder) == DATA:
            return ["editions"]
        if Path(folder) == DATA / "editions":
            return [n for n in names if n.isdigit() and int(n) > EDITION]
        return []

    shutil.copytree(DATA, target, ignore=ignore)
    if (target / "site.yaml").exists():  # data/ rolled forward: the site as it led with EDITION
        (target / "site.yaml").write_text(f"edition: {EDITION}\n", encoding="utf-8")
    return target


def needs_shared(*parts):
    """A mark for a test that reads ../shared/<parts>: other people's texts (schemas, the real feeds),
    kept beside the repository, never in it. See pytest_runtest_setup."""
    return pytest.mark.shared("/".join(parts))


def pytest_runtest_setup(item):
    """Outside CI a clone without ../shared skips what reads it, and the closing 'not run:' line says
    so; in CI (CI set, as .ci/run does) its absence fails."""
    for mark in item.iter_markers("shared"):
        if not (SHARED / mark.args[0]).exists():
            if os.environ.get("CI"):
                pytest.fail(f"CI must have ../shared beside the clone: ../shared/{mark.args[0]} is missing")
            pytest.skip(f"../shared/{mark.args[0]} is absent (a clone outside CI)")


@pytest.fixture(scope="session")
def real_db(tmp_path_factory):
    """The real database, built from data/ as `make build` does, as of 2026 (EDITION)."""
    root = tmp_path_factory.mktemp("real")
    out = root / "pycon.db"
    build(copy_data(root / "data"), out)
    return out


@pytest.fixture(scope="session")
def db(real_db):
    """A read connection to the real database, rows by column name."""
    import sqlite3

    conn = sqlite3.connect(real_db)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may break."""
    return copy_data(tmp_path / "data")


@pytest.fixture(scope="session")
def datasette(real_db):
    """The site as `pycon-db serve` configures it, for Datasette's own test client."""
    from scripts.serve import make_datasette, write_inspect_file

    inspect_data = write_inspect_file(real_db, real_db.with_name("pycon-inspect.json"))
    return make_datasette(real_db, inspect_data)


def built_from(root: Path, change=None, editions=True) -> Path:
    """A private copy of data/ in `root` (without the earlier editions if `editions` is false), changed by
    `change(data_dir)`, built into root/pycon.db as `make build` does: the database's path."""
    copy_data(root / "data", editions)
    if change is not None:
        change(root / "data")
    build(root / "data", root / "pycon.db")
    return root / "pycon.db"


def site_of(db: Path):
    """The site of `db` as `pycon-db serve` configures it, for Datasette's own test client."""
    from scripts.serve import make_datasette

    return make_datasette(db, None)


@pytest.fixture(scope="session")
def site_without_editions(tmp_path_factory):
    """The site built from data/ without its earlier editions: what 2026 was before the archive, for the
    tests that find 2026 unmoved by it."""
    return site_of(built_from(tmp_path_factory.mktemp("alone"), editions=False))


SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a closed network: without the background-networking ones Chromium keeps
# trying to reach Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def real_chromium():
    """A real headless Chromium, Debian's. While Playwright's sync API is started it holds an event loop
    of its own, and no async test can run its own: so one per module of browser tests (the `chromium`
    fixture), or one per test in a module with async tests."""
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium found: install it with `apt-get install chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def chromium():
    """One real Chromium for all the browser tests of a module."""
    with real_chromium() as browser:
        yield browser


# The moment the servers of the tests show the site at, unless a test says otherwise: after the
# conference, as the site is now (PYCON_NOW; never the machine's own today).
AFTER = "2026-06-01T12:00"


@pytest.fixture(scope="module")
def server(real_db):
    """The site as `make serve` runs it, one process per test module, after the conference: (base URL, pid)."""
    from deploy.harness import running_server

    info = {}
    with running_server(real_db, info=info, env={"PYCON_NOW": AFTER}) as url:
        yield url, info["pid"]


@pytest.fixture(scope="module")
def base(server):
    """The base URL of `server`."""
    return server[0]


def pytest_terminal_summary(terminalreporter):
    """One last line naming what did not run and why, so a skip is never silent."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons.setdefault(reason.removeprefix("Skipped: "), []).append(report.nodeid)
    if not reasons:
        terminalreporter.write_line("not run: nothing (every collected test ran)")
        return
    terminalreporter.write_line("not run: " + "; ".join(f"{len(ids)} test(s): {reason}" for reason, ids in reasons.items()))
