"""The importer of the official feed: a hand-written fixture in the feed's real shape, and the real 2025 feed."""
import json
import sqlite3
from collections import Counter
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from scripts.build import build
from scripts.cli import cli
from scripts.feed import FeedError, fetch

from .conftest import SHARED

FIXTURE = Path(__file__).parent / "fixtures" / "feed_small.json"
FEED_2025 = SHARED / "reference" / "pycon-us-2025-conference.json"


def snapshot(data_dir):
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())}


def run_import(data_dir, feed=FIXTURE, *extra):
    return CliRunner().invoke(cli, ["import", str(feed), "--data", str(data_dir), *extra])


@pytest.fixture
def imported(data_copy, tmp_path):
    result = run_import(data_copy)
    assert result.exit_code == 0, result.output
    db = tmp_path / "imported.db"
    build(data_copy, db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield data_copy, conn, result.output
    conn.close()


def test_fixture_import_covers_every_kind(imported):
    _, db, output = imported
    kinds = dict(db.execute("select kind, count(*) from sessions group by kind").fetchall())
    assert kinds == {"talk": 2, "tutorial": 1, "charla": 1, "keynote": 1, "plenary": 1, "lightning-talks": 1,
                     "sponsor-workshop": 1, "poster-session": 1, "poster": 2, "summit": 1, "event": 2, "break": 1,
                     "informational": 1, "open-space": 1}
    assert "unknown kind 'hackathon' ('Night hack') imported as an event" in output
    assert "fields not imported: mood" in output
    assert "top-level keys not imported: job-listings" in output
    assert "room added: concourse-lobby (Concourse Lobby)" in output


def test_one_slot_in_several_rooms_is_one_session(imported):
    _, db, _ = imported
    (lunch,) = db.execute("select * from sessions where title = 'Lunch'").fetchall()
    rooms = [r[0] for r in db.execute("select room_id from session_rooms where session_id = ? order by position", [lunch["id"]])]
    assert rooms == ["grandballroomb", "104ab", "104c"]


def test_open_space_duration_is_seconds(imported):
    _, db, _ = imported
    space = db.execute("select * from sessions where kind = 'open-space'").fetchone()
    assert (space["start_local"], space["end_local"], space["duration_min"]) == ("2026-05-16 16:00", "2026-05-16 16:55", 55)
    assert space["room_id"] == "102c"  # the room the feed displays, not "Elsewhere"


def test_posters_nest_in_their_session_and_keep_speaker_order(imported):
    _, db, _ = imported
    parent = db.execute("select id from sessions where kind = 'poster-session'").fetchone()[0]
    posters = db.execute("select id, parent_id, speakers from sessions where kind = 'poster' order by id").fetchall()
    assert [tuple(p) for p in posters] == [(9006, parent, "Pia Poster"), (9007, parent, "Pia Poster, Ada Example")]


def test_speakers_keep_official_ids_and_no_contact_data(imported):
    _, db, _ = imported
    ada = db.execute("select * from speakers where name = 'Ada Example'").fetchone()
    assert ada["profile_id"] == 902 and ada["profile_url"] == "https://us.pycon.org/2026/speaker/profile/902/"
    paolo = db.execute("select * from speakers where name = 'Paolo Melchiorre'").fetchone()
    assert paolo["id"] == "paolo-melchiorre"  # the curated id is kept
    assert "@" not in paolo["bio"] and "[e-mail address removed]" in paolo["bio"]


def test_html_is_sanitised(imported):
    _, db, _ = imported
    description = db.execute("select description from sessions where id = 105").fetchone()[0]
    assert description == '<p>Plain <strong>words</strong>.</p><a rel="noopener noreferrer">link</a>'


def test_cancelled_kept_and_marked(imported):
    _, db, _ = imported
    talk = db.execute("select cancelled, url from sessions where title = 'A cancelled talk'").fetchone()
    assert tuple(talk) == (1, "https://us.pycon.org/2026/schedule/presentation/9008/")


def test_ids_stay_and_curated_facts_survive(imported):
    data_dir, db, _ = imported
    talk = db.execute("select * from sessions where id = 105").fetchone()
    assert (talk["track_id"], talk["source_id"]) == ("ai", "official-feed-2026")
    lunch = db.execute("select id, notes from sessions where title = 'Lunch'").fetchone()
    assert lunch["id"] == 1024 and lunch["notes"].startswith("The site grid repeats")
    assert db.execute("select url from sources where id = 'official-feed-2026'").fetchone()[0] == \
        "https://us.pycon.org/2026/schedule/conference.json"
    # What the feed does not carry is untouched.
    for name in ("hotels.csv", "tracks.yaml", "sprint_projects.csv", "reported_sessions.csv"):
        assert (data_dir / name).read_bytes() == (Path(__file__).parent.parent / "data" / name).read_bytes()


def test_import_is_idempotent(imported):
    data_dir, _, _ = imported
    before = snapshot(data_dir)
    result = run_import(data_dir)
    assert result.exit_code == 0 and "files changed: none" in result.output
    assert "sessions: 0 added, 0 removed, 0 moved, 0 retitled" in result.output
    assert snapshot(data_dir) == before


async def test_a_moved_session_raises_its_calendar_sequence(imported, tmp_path, datasette):
    data_dir, _, _ = imported
    feed = json.loads(FIXTURE.read_text())
    talk = feed["schedule"][0]
    talk["start"], talk["end"] = "2026-05-15T16:30:00-07:00", "2026-05-15T17:00:00-07:00"
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(feed))
    result = run_import(data_dir, moved)
    assert "moved: 105 'Example talk kept from the curated data': 2026-05-15 11:00-11:30 grandballrooma -> " \
           "2026-05-15 16:30-17:00 grandballrooma" in result.output
    db = tmp_path / "pycon.db"
    build(data_dir, db)
    from datasette.app import Datasette

    from scripts.serve import PLUGINS

    ds = Datasette(immutables=[str(db)], metadata=datasette.metadata(), plugins_dir=str(PLUGINS))
    body = (await ds.client.get("/pycon/agenda.ics?ids=105")).text
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == "pycon-us-2026-session-105@us.pycon.org"
    assert "DTSTART;TZID=America/Los_Angeles:20260515T163000" in body


@pytest.mark.parametrize("content, message", [
    (b"<html>not json</html>", "is not JSON"),
    (b'{"conference": {}}', "lacks the 'schedule' list of slots"),
    (b'{"schedule": []}', "has an empty 'schedule'"),
    (b'{"schedule": [{"kind": "talk", "name": "x", "start": "soon", "end": "later", "rooms": ["A"]}]}',
     "schedule[0]: field 'start' is 'soon', not an ISO 8601 date and time"),
    (b'{"schedule": [{"kind": "talk", "name": "x", "end": "2026-05-15T10:00:00-07:00"}]}', "schedule[0] lacks the key 'start'"),
])
def test_bad_feeds_are_refused_and_nothing_is_written(data_copy, tmp_path, content, message):
    before = snapshot(data_copy)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run_import(data_copy, bad)
    assert result.exit_code != 0 and message in result.output
    assert snapshot(data_copy) == before


def test_wrong_time_zone_is_refused(data_copy):
    before = snapshot(data_copy)
    result = run_import(data_copy, FIXTURE, "--timezone", "Europe/Berlin")
    assert result.exit_code != 0 and "the feed's times are at UTC-0700" in result.output
    assert snapshot(data_copy) == before


def test_unreachable_url_says_so_quickly():
    with pytest.raises(FeedError, match=r"cannot reach http://127\.0\.0\.1:9/conference\.json"):
        fetch("http://127.0.0.1:9/conference.json")


def test_missing_file_says_so():
    with pytest.raises(FeedError, match="no such file"):
        fetch("/nonexistent/conference.json")


@pytest.mark.skipif(not FEED_2025.exists(), reason="../shared/reference is absent (clone outside CI)")
def test_real_2025_feed_imports_builds_and_matches_its_counts(data_copy, tmp_path):
    raw = json.loads(FEED_2025.read_text())
    kinds = Counter(s["kind"] for s in raw["schedule"])
    people = {sp["id"] for s in raw["schedule"] for sp in s.get("speakers", [])} | {
        sp["id"] for s in raw["schedule"] for c in s.get("sessions", []) for sp in c.get("speakers", [])}
    result = run_import(data_copy, FEED_2025, "--timezone", "America/New_York")
    assert result.exit_code == 0, result.output
    db_path = tmp_path / "pycon2025.db"
    build(data_copy, db_path)
    db = sqlite3.connect(db_path)
    got = dict(db.execute("select kind, count(*) from sessions group by kind").fetchall())
    assert got["talk"] == kinds["talk"] == 75
    assert got["tutorial"] == kinds["tutorial"] == 24
    assert got["open-space"] == len(raw["open-spaces"]) == 146
    assert got["poster"] == sum(len(s.get("sessions", [])) for s in raw["schedule"])
    assert db.execute("select count(*) from speakers").fetchone()[0] == len(people)
    assert db.execute("select count(*) from speakers where profile_id is null").fetchone()[0] == 0
    assert db.execute("select min(day), max(day), timezone from sessions").fetchone() == ("2025-05-14", "2025-05-18", "America/New_York")
    before = snapshot(data_copy)
    again = run_import(data_copy, FEED_2025, "--timezone", "America/New_York")
    assert "files changed: none" in again.output and snapshot(data_copy) == before
