"""The real server over real HTTP: start-up checks, immutability, settings."""
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .server import running_server

PYCON_DB = str(Path(sys.executable).parent / "pycon-db")


@pytest.fixture(scope="module")
def base(real_db):
    with running_server(real_db) as url:
        yield url


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_serves_home_and_json_over_http(base):
    status, _, body = fetch(base + "/")
    assert status == 200 and b"PyCon US 2026" in body
    status, headers, body = fetch(base + "/pycon/program_track.json?track=ai&_shape=array")
    assert headers["access-control-allow-origin"] == "*"
    assert [r["id"] for r in json.loads(body)] == [105, 66, 23, 138, 126, 81, 101]


def test_database_is_immutable_with_settings(base):
    _, _, body = fetch(base + "/-/databases.json")
    (db,) = [d for d in json.loads(body) if d["name"] == "pycon"]
    assert db["is_mutable"] is False
    _, _, body = fetch(base + "/-/settings.json")
    settings = json.loads(body)
    assert settings["sql_time_limit_ms"] == 1000 and settings["max_returned_rows"] == 1000


@pytest.mark.parametrize("content, message", [
    (None, "does not exist; run 'make build'"),
    (b"this is not a database at all" * 100, "is not a readable SQLite database"),
    (b"", "lacks the tables"),
])
def test_server_refuses_a_missing_or_corrupt_database_at_start(tmp_path, content, message):
    db = tmp_path / "pycon.db"
    if content is not None:
        db.write_bytes(content)
    result = subprocess.run([PYCON_DB, "serve", "--db", str(db), "--port", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr
