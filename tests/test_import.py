"""The importer of the official feed: a hand-written fixture in the feed's real shape, and the real 2025 feed."""
import json
import re
import shutil
import sqlite3
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from scripts.database.build import build
from scripts.cli import cli
from scripts.importers.feed import FeedError, fetch
from scripts.importers.official import feed_kinds

from .conftest import DATA, SHARED, needs_shared

FIXTURE = Path(__file__).parent / "fixtures" / "feed_small.json"
FEED_2025 = SHARED / "reference" / "pycon-us-2025-conference.json"
# The real feed's facts (no abstracts, bios or contacts), made by tests/fixtures/facts_only.py.
FACTS_2025 = Path(__file__).parent / "fixtures" / "pycon-us-2025-facts.json"


def snapshot(data_dir):
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def run_import(data_dir, feed=FIXTURE, *extra, guarded=False):
    """`pycon-db import`; the fixture replaces most of the curated program, so removals are allowed
    unless a test is about that guard."""
    allow = [] if guarded else ["--allow-removals"]
    return CliRunner().invoke(cli, ["import", str(feed), "--data", str(data_dir), *extra, *allow])


@pytest.fixture
def imported(data_copy, tmp_path):
    result = run_import(data_copy, FIXTURE, "--with-prose")  # the fixture's prose is the test's own
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
    assert kinds == {"talk": 2, "tutorial": 1, "charla": 1, "keynote": 1, "plenary": 2, "lightning-talks": 1,
                     "sponsor-workshop": 1, "poster-session": 1, "poster": 2, "summit": 1, "event": 3, "break": 1,
                     "informational": 1, "open-space": 1, "unfilled": 1,
                     # what the recordings established stays while what it hangs on does: the talks of the
                     # slot of that day that the fixture gives too, and the talks only a recording shows
                     "lightning-talk": 12, "presentation": 3}
    slot = db.execute("select title, notes from sessions where kind = 'unfilled'").fetchone()
    assert slot["title"] == "Unfilled slot" and "A placeholder in the feed (kind 'blank'" in slot["notes"]
    assert "unknown kind 'hackathon' ('Night hack') imported as an event" in output
    assert "fields not imported: mood" in output
    assert "top-level keys not imported: job-listings" in output
    assert "room added: concourse-lobby (Concourse Lobby)" in output


async def test_a_zero_length_event_is_kept_as_a_point_in_time(imported, tmp_path):
    data_dir, db, output = imported
    lunch = db.execute("select * from sessions where title like 'Example members%'").fetchone()
    assert (lunch["kind"], lunch["start_local"], lunch["end_local"], lunch["duration_min"]) == \
        ("event", "2026-05-16 12:00", "2026-05-16 12:00", 0)
    assert "Starts and ends at 12:00 in the official feed: a point in time" in lunch["notes"]
    assert f"point in time: {lunch['id']} \"Example members' lunch (pre-registration required)\" (event) " \
           "starts and ends at 12:00 on 2026-05-16; kept as the feed gives it" in output
    import shutil

    from scripts.serve import make_datasette

    (tmp_path / "site").mkdir()
    for edition in tmp_path.glob("imported2*.db"):  # the earlier editions, beside it as the build wrote them
        shutil.copy(edition, tmp_path / "site" / edition.name)
    site = make_datasette(shutil.copy(tmp_path / "imported.db", tmp_path / "site" / "pycon.db"), None)
    body = (await site.client.get(f"/pycon/agenda.ics?ids={lunch['id']}")).text
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert "DTSTART;TZID=America/Los_Angeles:20260516T120000" in body
    assert event.decoded("DTEND") == event.decoded("DTSTART") and "DURATION" not in event  # a moment


def test_a_double_booked_speaker_is_kept_and_noted(imported):
    _, db, output = imported
    talk, panel = db.execute("select id, notes from sessions where title like 'Example%at the same time%' "
                             "or title = 'Example talk kept from the curated data' order by id").fetchall()
    assert f"also lists Paolo Melchiorre in session {panel['id']} at the same time" in talk["notes"]
    assert f"also lists Paolo Melchiorre in session {talk['id']} at the same time" in panel["notes"]
    assert f"speaker Paolo Melchiorre is in sessions {talk['id']} and {panel['id']} at once in the feed" in output


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


def test_without_with_prose_no_abstract_or_bio_is_written(data_copy):
    result = run_import(data_copy)
    assert result.exit_code == 0, result.output
    sessions = (data_copy / "sessions.csv").read_text(encoding="utf-8")
    speakers = (data_copy / "speakers.csv").read_text(encoding="utf-8")
    assert "Plain <strong>words</strong>" not in sessions and "[e-mail address removed]" not in speakers
    assert "Paolo Melchiorre" in speakers  # the facts come in


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


@pytest.mark.parametrize("feed", [
    pytest.param(FEED_2025, marks=needs_shared("reference", "pycon-us-2025-conference.json"), id="real"),
    pytest.param(FACTS_2025, id="facts-only"),
])
def test_real_2025_feed_imports_builds_and_matches_its_counts(data_copy, tmp_path, feed):
    """The same counts from the real feed and from its facts-only copy."""
    raw = json.loads(feed.read_text())
    kinds = Counter(s["kind"] for s in raw["schedule"])
    people = {sp["id"] for s in raw["schedule"] for sp in s.get("speakers", [])} | {
        sp["id"] for s in raw["schedule"] for c in s.get("sessions", []) for sp in c.get("speakers", [])}
    shutil.rmtree(data_copy / "editions")  # data/editions/2025 is this year: the site's edition cannot be one too
    (data_copy / "site.yaml").unlink(missing_ok=True)  # data/ becomes 2025 itself, and the site leads with it
    result = run_import(data_copy, feed, "--timezone", "America/New_York")
    assert result.exit_code == 0, result.output
    db_path = tmp_path / "pycon2025.db"
    build(data_copy, db_path)
    db = sqlite3.connect(db_path)
    got = dict(db.execute("select kind, count(*) from sessions group by kind").fetchall())
    assert got["talk"] == kinds["talk"] == 75
    assert got["tutorial"] == kinds["tutorial"] == 24
    assert got["open-space"] == len(raw["open-spaces"]) == 146
    assert got["poster"] == sum(len(s.get("sessions", [])) for s in raw["schedule"])
    groups = {sp["id"] for s in raw["schedule"] for sp in s.get("speakers", []) if sp["name"].startswith("Hosted by")}
    assert len(groups) == 1  # "Hosted by Abigail, Chris, Cristián, and Lorena": four people or none, not one
    assert db.execute("select count(*) from speakers").fetchone()[0] == len(people - groups)
    assert db.execute("select count(*) from speakers where profile_id is null").fetchone()[0] == 0
    assert db.execute("select min(day), max(day), timezone from sessions").fetchone() == ("2025-05-14", "2025-05-18", "America/New_York")
    before = snapshot(data_copy)
    again = run_import(data_copy, feed, "--timezone", "America/New_York")
    assert "files changed: none" in again.output and snapshot(data_copy) == before


def _mutated(tmp_path, change):
    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(feed)
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    return path


def _set(path, value):
    """A change that sets feed[path...] to value."""
    def change(feed):
        target = feed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


SLOT = "mutated.json: schedule[0]"
MALFORMED = [
    (_set(["schedule", 0, "rooms"], 5), f"{SLOT}: field 'rooms' is 5, not a list"),
    (_set(["open-spaces"], "abc"), "mutated.json: field 'open-spaces' is \"abc\", not a list"),
    (_set(["schedule", 7, "sessions"], "abc"), "mutated.json: schedule[7]: field 'sessions' is \"abc\", not a list"),
    (lambda f: (f["open-spaces"][0].pop("end"), f["open-spaces"][0].update(duration="abc")),
     "mutated.json: open-spaces[0]: field 'duration' is \"abc\", not a number of seconds in a day"),
    (_set(["schedule", 0, "start"], "0001-01-01T00:00+14:00"),
     f"{SLOT}: field 'start' is '0001-01-01T00:00+14:00', not an ISO 8601 date and time"),
    (lambda f: (f["open-spaces"][0].pop("end"), f["open-spaces"][0].update(duration=10**30)),
     "mutated.json: open-spaces[0]: field 'duration' is 1000000000000000000000000000000, not a number of seconds"),
    (_set(["schedule", 0, "speakers", 0, "name"], ["a"]), f"{SLOT}: speakers[0]: field 'name' is [\"a\"], not text"),
    (_set(["schedule", 0, "rooms"], [{"x": 1}]), f"{SLOT}: field 'rooms' is {{\"x\": 1}}, not text"),
    (_set(["schedule", 0, "end"], "2026-06-30T11:30:00-07:00"), f"{SLOT}: 'Example talk kept from the curated data' runs from"),
]


@pytest.mark.parametrize("change, message", MALFORMED, ids=[m[:40] for _, m in MALFORMED])
def test_malformed_feeds_get_a_clear_message_and_change_nothing(data_copy, tmp_path, change, message):
    before = snapshot(data_copy)
    result = run_import(data_copy, _mutated(tmp_path, change))
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert snapshot(data_copy) == before


def test_deep_nesting_and_a_byte_order_mark(data_copy, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"schedule": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = run_import(data_copy, deep)
    assert result.exit_code == 1 and "nested too deeply" in result.output
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    assert run_import(data_copy, bom).exit_code == 0


def test_a_slot_over_two_days_is_reported_not_cut(data_copy, tmp_path):
    path = _mutated(tmp_path, _set(["schedule", 0, "end"], "2026-05-16T01:30:00-07:00"))
    result = run_import(data_copy, path)
    assert result.exit_code == 0, result.output
    assert "not imported: 'Example talk kept from the curated data' spans several days" in result.output
    assert "Example talk kept from the curated data" not in (data_copy / "sessions.csv").read_text(encoding="utf-8")


def test_a_presentation_id_too_large_for_sqlite_is_dropped_with_a_note(data_copy, tmp_path):
    url = "https://us.pycon.org/2026/schedule/presentation/99999999999999999999/"
    result = run_import(data_copy, _mutated(tmp_path, _set(["schedule", 1, "conf_url"], url)))
    assert result.exit_code == 0 and "is too large to be an id: imported without it" in result.output
    build(data_copy, tmp_path / "ok.db")


def test_a_huge_title_is_refused_with_the_field_named(data_copy, tmp_path):
    before = snapshot(data_copy)
    result = run_import(data_copy, _mutated(tmp_path, _set(["schedule", 0, "name"], "x" * 5_000_000)))
    assert result.exit_code == 1 and "field 'title': is 5000000 characters long" in result.output
    assert snapshot(data_copy) == before


class _SlowFeed:
    """A loopback HTTP server that sends a valid start, then a byte every `gap` seconds, or without end."""

    def __init__(self, gap=None):
        import http.server
        import threading

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                try:
                    while not outer.stop:
                        self.wfile.write(b" " if outer.gap else b" " * 65536)
                        self.wfile.flush()
                        if outer.gap:
                            time.sleep(outer.gap)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.gap, self.stop = gap, False
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/conference.json"

    def close(self):
        self.stop = True
        self.server.shutdown()
        self.server.server_close()


def test_a_dripping_server_is_given_up_on(monkeypatch):
    from scripts.importers import feed

    monkeypatch.setattr(feed, "TOTAL_TIMEOUT", 2)
    slow = _SlowFeed(gap=0.5)
    try:
        with pytest.raises(FeedError, match="took longer than 2 s to send the feed"):
            fetch(slow.url)
    finally:
        slow.close()


def test_a_silent_server_is_given_up_on_at_the_first_read(monkeypatch):
    """Headers, then nothing: the per-read timeout ends it long before the whole download's."""
    from scripts.importers import feed

    monkeypatch.setattr(feed, "TIMEOUT", 1)
    silent = _SlowFeed(gap=30)  # one byte, then half a minute of silence
    try:  # it would send its next byte after 30 s: the 1 s read timeout ends it first
        with pytest.raises(FeedError, match=r"cannot reach http://127\.0\.0\.1:\d+/conference\.json: timed out"):
            fetch(silent.url)
    finally:
        silent.close()


def test_the_report_names_each_change(data_copy, tmp_path):
    assert run_import(data_copy).exit_code == 0
    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    talks = [s for s in feed["schedule"] if s["kind"] == "talk"]
    talks[0]["name"] = "A new title for the first talk"
    for edge in ("start", "end"):  # the second talk a quarter of an hour later
        talks[1][edge] = (datetime.fromisoformat(talks[1][edge]) + timedelta(minutes=15)).isoformat()
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    output = run_import(data_copy, path).output
    assert "sessions: 0 added, 0 removed, 1 moved, 1 retitled" in output
    assert re.search(r"^  retitled: .*A new title for the first talk", output, re.M)
    assert re.search(r"^  moved: ", output, re.M) and re.search(r"^files changed: .*sessions\.csv", output, re.M)


def test_an_endless_body_is_refused(monkeypatch):
    from scripts.importers import feed

    monkeypatch.setattr(feed, "MAX_FEED_BYTES", 3_000_000)
    endless = _SlowFeed(gap=None)
    try:
        with pytest.raises(FeedError, match="sent more than 3 MB"):
            fetch(endless.url)
    finally:
        endless.close()


def _damaged_feed(change):
    from scripts.importers.feed import parse_feed

    feed = json.loads((Path(__file__).parent / "fixtures" / "feed_small.json").read_text(encoding="utf-8"))
    text = change(feed)
    return lambda: parse_feed((text if isinstance(text, str) else json.dumps(feed)).encode(), "feed.json",
                              feed_kinds(DATA))


@pytest.mark.parametrize("change,message", [
    # Each was a traceback, or silently wrong, before (issue 19).
    (lambda f: json.dumps(f).replace(json.dumps(f["schedule"][0]["start"]), "1" + "0" * 5000, 1),
     "feed.json is not a usable feed: it holds a number of 5001 digits"),
    (lambda f: f["schedule"][0].update(name="x\ud800y"), "feed.json:1: \\ud800 is half of a character (a lone surrogate), not text"),
    (lambda f: f["schedule"][0].update(cancelled="maybe"), "feed.json: schedule[0]: field 'cancelled' is \"maybe\", not true or false"),
    (lambda f: f["schedule"][0].update(description={"a": 1}), "feed.json: schedule[0]: field 'description' is {\"a\": 1}, not text"),
    (lambda f: f["schedule"][0].update(description=["a"]), "feed.json: schedule[0]: field 'description' is [\"a\"], not text"),
])
def test_a_damaged_feed_is_named_not_a_traceback(change, message):
    with pytest.raises(FeedError) as info:
        _damaged_feed(change)()
    assert str(info.value) == message


def test_cancelled_false_as_text_is_not_cancelled():
    feed = _damaged_feed(lambda f: f["schedule"][0].update(cancelled="false"))()
    assert feed.sessions[0].cancelled is False  # bool("false") made it cancelled before


def _utc_feed(tmp_path):
    """The fixture with every time given as its instant in UTC ('Z'), as some exporters write them."""
    from datetime import datetime, timezone

    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for slot in feed["schedule"]:
        for key in ("start", "end"):
            if isinstance(slot.get(key), str):
                moment = datetime.fromisoformat(slot[key])
                slot[key] = moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    path = tmp_path / "utc.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    return path


def test_offsets_of_another_zone_are_refused_with_advice_that_fits(data_copy, tmp_path):
    before = snapshot(data_copy)
    result = run_import(data_copy, _utc_feed(tmp_path))
    assert result.exit_code != 0 and "the feed's times are at UTC+0000" in result.output
    # Before, the advice always named America/New_York; --timezone UTC then stored an 11:00 talk as 18:00.
    assert "America/New_York" not in result.output and "--trust-offsets" in result.output
    assert snapshot(data_copy) == before


def test_trusted_offsets_are_shown_at_the_conferences_wall_clock(data_copy, tmp_path):
    plain = data_copy.parent / "plain"
    shutil.copytree(data_copy, plain)
    assert run_import(plain, FIXTURE).exit_code == 0
    result = run_import(data_copy, _utc_feed(tmp_path), "--trust-offsets")
    assert result.exit_code == 0, result.output
    # The same instants as the feed in local time give the same rows, at Long Beach times.
    assert (data_copy / "sessions.csv").read_text(encoding="utf-8") == (plain / "sessions.csv").read_text(encoding="utf-8")
    assert "timezone: America/Los_Angeles" in (data_copy / "conference.yaml").read_text(encoding="utf-8")


def test_a_feed_that_would_empty_the_program_needs_allow_removals(data_copy, tmp_path):
    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    feed["schedule"] = [s for s in feed["schedule"] if s.get("kind") == "talk"][:1]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    before = snapshot(data_copy)
    result = run_import(data_copy, path, guarded=True)
    assert result.exit_code != 0 and "the feed would remove" in result.output and "--allow-removals" in result.output
    assert snapshot(data_copy) == before  # exit status 0 and 179 sessions gone, before
    assert run_import(data_copy, path).exit_code == 0


@needs_shared("reference", "pycon-us-2025-conference.json")
def test_the_facts_only_fixture_is_what_its_script_makes_of_the_real_feed():
    from .fixtures.facts_only import facts_only

    made = facts_only(json.loads(FEED_2025.read_text(encoding="utf-8")))
    assert made == json.loads(FACTS_2025.read_text(encoding="utf-8"))
    text = FACTS_2025.read_text(encoding="utf-8")
    assert '"description"' not in text and '"bio"' not in text and '"contact"' not in text


def test_recordings_of_sessions_the_feed_removes_are_unlinked_and_said_so(imported):
    data_dir, db, output = imported
    sessions = {r[0] for r in db.execute("select id from sessions")}
    linked = [r for r in db.execute("select id, session_id, match from recordings")]
    assert len(linked) == 90 + 24 and all(r[1] is None or r[1] in sessions for r in linked)  # 24 lightning talks
    assert all(r[2] is None for r in linked if r[1] is None)
    assert "  note: recording demystifying-the-gil unlinked: session 45 is no longer in the program" in output
    kept = db.execute("select session_id from recordings where id = 'ai-assisted-contributions-and-maintainer-load'")
    assert kept.fetchone()[0] == 105  # the fixture keeps session 105, and so its recording


def pycon_db(*args):
    """The command as an organiser runs it: its exit code, and what it printed (a traceback would show)."""
    import subprocess
    import sys

    result = subprocess.run([str(Path(sys.executable).parent / "pycon-db"), *args], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def test_a_new_edition_with_a_mistyped_zone_is_refused_and_nothing_is_written(data_copy):
    """Hardening 4 (M2): a traceback, and 12 files of a half edition that broke every later build."""
    before = sorted(p.relative_to(data_copy) for p in data_copy.rglob("*"))
    code, output = pycon_db("import", str(FIXTURE), "--new-edition", "--data", str(data_copy / "editions" / "2027"),
                            "--timezone", "America/NewYork", "--city", "Long Beach, California")
    assert code == 1 and "--timezone 'America/NewYork' is not an IANA time zone" in output and "Traceback" not in output
    assert sorted(p.relative_to(data_copy) for p in data_copy.rglob("*")) == before
    code, output = pycon_db("import", str(FIXTURE), "--data", str(data_copy), "--timezone", "Mars/Olympus")
    assert code == 1 and "'Mars/Olympus' is not an IANA time zone" in output and "Traceback" not in output


@needs_shared("reference", "pycon-us-2025-conference.json")
def test_a_new_edition_of_a_year_that_is_one_already_is_refused(data_copy):
    """Hardening 4: it succeeded, and only the next build refused the second 2025."""
    code, output = pycon_db("import", str(FEED_2025), "--new-edition", "--data", str(data_copy / "editions" / "2025b"),
                            "--timezone", "America/New_York", "--city", "Pittsburgh, Pennsylvania")
    assert code == 1 and "PyCon US 2025 is an edition already" in output and "Traceback" not in output
    assert not (data_copy / "editions" / "2025b").exists()
