import os
import shutil
from pathlib import Path

import pytest

from scripts.database.build import build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"


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
    """The real database, built from data/ exactly as `make build` does."""
    out = tmp_path_factory.mktemp("real") / "pycon.db"
    build(DATA, out)
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
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def datasette(real_db):
    """The site as `pycon-db serve` configures it, for Datasette's own test client."""
    from scripts.serve import make_datasette, write_inspect_file

    inspect_data = write_inspect_file(real_db, real_db.with_name("pycon-inspect.json"))
    return make_datasette(real_db, inspect_data)


@pytest.fixture(scope="session")
def site_without_editions(tmp_path_factory):
    """The site built from data/ without its earlier editions, as `pycon-db serve` configures it: what 2026
    was before the archive, for the tests that find 2026 unmoved by it."""
    from scripts.serve import make_datasette

    root = tmp_path_factory.mktemp("alone")
    shutil.copytree(DATA, root / "data", ignore=shutil.ignore_patterns("editions"))
    build(root / "data", root / "pycon.db")
    return make_datasette(root / "pycon.db", None)


@pytest.fixture(scope="module")
def server(real_db):
    """The site as `make serve` runs it, one process per test module: (base URL, pid)."""
    from deploy.harness import running_server

    info = {}
    with running_server(real_db, info=info) as url:
        yield url, info["pid"]


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
