import shutil
from pathlib import Path

import pytest

from scripts.build import build

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def real_db(tmp_path_factory):
    """The real database, built from data/ exactly as `make build` does."""
    out = tmp_path_factory.mktemp("real") / "pycon.db"
    build(DATA, out)
    return out


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
