"""The real build from data/: content counts and exact facts."""
import csv
import json
import re
import sqlite3

import pytest

from .conftest import SHARED, needs_shared


def one(db, sql, *params):
    rows = db.execute(sql, params).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_required_tables_and_view(db):
    names = {r[0] for r in db.execute("select name from sqlite_master where type in ('table', 'view')")}
    for name in ("sessions", "speakers", "session_speakers", "rooms", "tracks", "hotels", "sources",
                 "conference", "sprint_projects", "session_details", "sessions_fts", "speakers_fts"):
        assert name in names


def test_foreign_keys_hold(db):
    assert db.execute("pragma foreign_key_check").fetchall() == []
    fks = {(r["table"], r["from"]) for r in db.execute("select 'sessions' as tbl, * from pragma_foreign_key_list('sessions')")}
    assert {("rooms", "room_id"), ("tracks", "track_id"), ("sessions", "parent_id"), ("sources", "source_id")} <= fks


def test_112_presentations_with_official_urls(db):
    rows = db.execute("select id, url, source_id from sessions where url like 'https://us.pycon.org/2026/schedule/presentation/%'").fetchall()
    assert len(rows) == 112 + 3  # 3 only their recordings show (171, 172, 176)
    assert [r["id"] for r in rows if r["source_id"] == "pyvideo-pycon-us-2026"] == [171, 172, 176]
    for r in rows:
        assert r["url"] == f"https://us.pycon.org/2026/schedule/presentation/{r['id']}/"


def test_counts(db):
    # 147 from the schedule, 5 D&I panelists from the recap, 37 known from recordings (7 of them the plenaries'
    # speakers: the welcome, the Steering Council panel, the PSF's updates and the closing)
    assert one(db, "select count(*) from speakers where source_id not like 'pyvideo-%'")[0] == 152
    assert one(db, "select count(*) from speakers where source_id = 'pyvideo-pycon-us-2026'")[0] == 37
    assert one(db, "select count(*) from rooms where floor is not null and floor != ''")[0] == 52
    assert one(db, "select count(*) from sprint_projects")[0] == 13
    assert one(db, "select count(*) from hotels")[0] == 27
    assert one(db, "select count(*) from hotels where latitude is not null")[0] == 24
    assert one(db, "select count(*) from sessions where kind = 'tutorial'")[0] == 20
    assert one(db, "select count(*) from sessions where kind = 'charla'")[0] == 16


def test_every_speaker_has_a_session(db):
    assert one(db, "select count(*) from speakers where id not in (select speaker_id from session_speakers)")[0] == 0


def test_25_posters_with_presenters_inside_the_poster_session(db):
    parent = one(db, "select * from sessions where kind = 'poster-session'")
    assert (parent["day"], parent["start_local"], parent["end_local"], parent["room_id"]) == (
        "2026-05-17", "2026-05-17 10:00", "2026-05-17 13:00", "hallab")
    posters = db.execute("select id, parent_id, (select count(*) from session_speakers where session_id = sessions.id) as n "
                         "from sessions where kind = 'poster'").fetchall()
    assert len(posters) == 25
    assert all(p["parent_id"] == parent["id"] and p["n"] >= 1 for p in posters)
    two = one(db, "select group_concat(speaker_id, '|') from (select speaker_id from session_speakers ss join sessions s "
                  "on s.id = ss.session_id where s.title like 'What Broke When Our AI Agents%' order by position)")[0]
    assert two == "satyam-soni|rudraksh-karpe"


def test_lin_qiao_keynote(db):
    row = one(db, "select s.* , r.name as room from sessions s join rooms r on r.id = s.room_id "
                  "join session_speakers ss on ss.session_id = s.id join speakers p on p.id = ss.speaker_id "
                  "where p.name = 'Lin Qiao' and s.kind = 'keynote'")
    assert (row["day"], row["weekday"], row["start_local"], row["end_local"], row["room"]) == (
        "2026-05-15", "Friday", "2026-05-15 09:45", "2026-05-15 10:30", "Pacific Ballroom - Arena")
    assert (row["start_iso"], row["end_iso"], row["duration_min"], row["timezone"]) == (
        "2026-05-15T09:45:00-07:00", "2026-05-15T10:30:00-07:00", 45, "America/Los_Angeles")
    assert row["subtitle"] == "Your AI Product Doesn’t Have a Moat… Yet"


def test_ai_track(db):
    track = one(db, "select * from tracks where id = 'ai'")
    assert track["chairs"] == "Silona Bonewald (CitableAI), Zac Hatfield-Dodds (Anthropic)"
    assert track["chairs_role"] == "Organised by"
    talks = db.execute("select * from session_details where track_id = 'ai' and kind = 'talk' order by start_iso").fetchall()
    assert len(talks) == 7
    assert {(t["day"], t["room"]) for t in talks} == {("2026-05-15", "Grand Ballroom A")}
    assert [t["id"] for t in talks] == [105, 66, 23, 138, 126, 81, 101]


def test_security_track_in_order(db):
    track = one(db, "select * from tracks where id = 'security'")
    assert track["chairs"] == "Juanita Gomez, Seth Larson"
    talks = db.execute("select * from session_details where track_id = 'security' order by start_iso").fetchall()
    assert [(t["start_local"][11:], t["title"]) for t in talks] == [
        ("10:30", "FastAPI Security Patterns: OAuth 2.0, JWTs, and API Keys Done Right"),
        ("11:15", "Anatomy of a Phishing Campaign"),
        ("12:00", "Zero Trust in 200ms: Implementing Identity-Per-Transaction with Python and Serverless"),
        ("13:45", "Rust for CPython: Making Python Safer and More Robust for Everyone"),
        ("14:30", "Asleep at the Wheel: Getting your SBOMs to pay attention to Python Builds"),
        ("15:15", "Post-Incident Runtime SBOM Generation from Python Memory"),
        ("16:15", "GitHub Actions Security in Python Packages"),
        ("17:00", "Breaking Bad (Packages): Why Traditional Vulnerability Tracking Fails Supply Chain Attacks"),
    ]
    assert {(t["day"], t["room"]) for t in talks} == {("2026-05-16", "Room 103ABC")}


def test_rooms_and_floors(db):
    assert one(db, "select floor from rooms where name = 'Room 101A'")[0] == "Concourse Level"
    assert one(db, "select floor from rooms where name = 'Grand Ballroom A'")[0] == "Upper Level"
    assert one(db, "select app_label from rooms where name = 'Room 103ABC'")[0] == "Room 103"


def test_fanned_out_meal_is_one_row_at_its_real_place(db):
    lunches = db.execute("select * from session_details where day = '2026-05-15' and kind = 'break' and title = 'Lunch'").fetchall()
    assert len(lunches) == 1
    assert (lunches[0]["room"], lunches[0]["start_local"], lunches[0]["end_local"]) == ("Hall AB", "2026-05-15 13:00", "2026-05-15 14:00")
    assert "Grand Ballroom A 13:15-14:00" in lunches[0]["notes"]


def test_languages(db):
    spanish = db.execute("select kind, count(*) from sessions where language = 'es' group by kind order by kind").fetchall()
    assert [tuple(r) for r in spanish] == [("charla", 16), ("keynote", 1)]
    assert one(db, "select title from sessions where language = 'es' and kind = 'keynote'")[0] == "Keynote — Pablo Galindo Salgado, En Español"


def test_venue(db):
    conf = one(db, "select * from conference")
    assert (conf["venue_name"], conf["venue_address"]) == (
        "Long Beach Convention & Entertainment Center", "300 E Ocean Blvd, Long Beach, CA 90802")
    assert (conf["latitude"], conf["longitude"]) == (33.764444, -118.191722)
    assert (conf["start_date"], conf["end_date"], conf["days"], conf["timezone"]) == (
        "2026-05-13", "2026-05-19", 7, "America/Los_Angeles")


def test_hotels_distance_and_walking_time(db):
    h = one(db, "select * from hotels where name = 'Hyatt Regency Long Beach'")
    # The research notes give 0.112 km, computed independently.
    assert h["distance_km"] == pytest.approx(0.112, abs=0.002)
    assert h["walking_min"] == round(h["distance_km"] * 1.3 / 5 * 60)
    marriott = one(db, "select * from hotels where name = 'Long Beach Marriott'")
    assert marriott["distance_km"] == pytest.approx(7.182, abs=0.005)
    assert marriott["walking_min"] == 112
    no_coords = db.execute("select name, distance_km, walking_min from hotels where latitude is null order by name").fetchall()
    assert [tuple(r) for r in no_coords] == [("Avon Hotel", None, None), ("Club Hotel", None, None), ("La Pasada Hotel", None, None)]
    assert one(db, "select count(*) from hotels where in_official_block is not null")[0] == 0


def test_every_record_has_provenance(db):
    for table in ("sessions", "speakers", "rooms", "tracks", "hotels", "sprint_projects", "conference"):
        assert one(db, f"select count(*) from {table} where source_id is null or source_id = ''")[0] == 0, table
    assert one(db, "select count(*) from sources")[0] >= 10


def test_no_contact_data_anywhere(db):
    email = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    phone = re.compile(r"\(?\b\d{3}\)?[ .-]\d{3}[-.]\d{4}\b")
    tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table' and name not like '%_fts%'")]
    for table in tables:
        cols = [r[1] for r in db.execute(f"pragma table_info([{table}])")]
        assert not [c for c in cols if re.search("mail|phone", c, re.I)], table
        for row in db.execute(f"select * from [{table}]"):
            for value in row:
                if isinstance(value, str):
                    assert not email.search(value), (table, value)
                    assert not phone.search(value), (table, value)


def test_full_text_search(db):
    hits = db.execute("select s.id, s.kind from sessions_fts f join sessions s on s.rowid = f.rowid "
                      "where sessions_fts match 'galindo' order by s.id").fetchall()
    assert {tuple(h) for h in hits} >= {(31, "talk")}
    assert any(h["kind"] == "keynote" for h in hits)
    assert one(db, "select count(*) from speakers_fts where speakers_fts match 'hunner'")[0] == 1
    # Accents are folded: "Hervas" finds "Daniel Hervás".
    assert one(db, "select count(*) from speakers_fts where speakers_fts match 'hervas'")[0] == 1


def test_speaker_roles_are_derived(db):
    trey = one(db, "select * from speakers where name = 'Trey Hunner'")
    assert json.loads(trey["roles"]) == ["talk", "tutorial"] and trey["session_count"] == 2
    ian = one(db, "select * from speakers where name = 'Ian'")
    assert json.loads(ian["tracks"]) == ["security"]


@needs_shared("sources", "schedule_2026.csv")
def test_every_captured_slot_is_represented(db):
    sessions = db.execute("select s.*, r.name as room from sessions s left join rooms r on r.id = s.room_id").fetchall()
    by_id = {s["id"]: s for s in sessions}
    with open(SHARED / "sources" / "schedule_2026.csv", encoding="utf-8") as f:
        slots = list(csv.DictReader(f))
    assert len(slots) == 150
    for slot in slots:
        start, end = f"{slot['date']} {slot['start_local']}", f"{slot['date']} {slot['end_local']}"
        if slot["presentation_id"]:
            s = by_id[int(slot["presentation_id"])]
            assert (s["start_local"], s["end_local"], s["room"], s["title"]) == (start, end, slot["room"], slot["title"])
            continue
        place = re.search(r"\(([^)]*)\)", slot["title"])
        rooms = {slot["room"]} | ({place.group(1)} if place else set())
        matches = [s for s in sessions if s["day"] == slot["date"] and s["start_local"] and s["room"] in rooms
                   and s["start_local"] <= start and s["end_local"] >= end and s["parent_id"] is None]
        # The job fair really starts at 9:30; the grid shows 10:00.
        assert matches, slot


def test_the_d_and_i_panelists_from_the_recap(db):
    rows = db.execute("select s.name, s.source_id from session_speakers ss join speakers s on s.id = ss.speaker_id "
                      "where ss.session_id = 1008 order by ss.position").fetchall()
    assert [tuple(r) for r in rows] == [(n, "recap-michel") for n in (
        "Débora Azevedo", "Alla Barbalat", "Georgi Ker", "Theresa Seyram Agbenyegah", "Abhijeet Mote")]
    assert "not found" not in one(db, "select notes from sessions where id = 1008")[0]


def test_the_sunday_break_with_no_end_or_room(db):
    brk = one(db, "select * from sessions where day = '2026-05-17' and kind = 'break' and start_local = '2026-05-17 10:00'")
    assert (brk["title"], brk["room_id"], brk["end_local"], brk["end_iso"], brk["duration_min"], brk["source_id"]) == \
        ("Break", None, None, None, None, "site-talks")


CITATION = re.compile(r"^(https?://|github\.com/)\S+")


def test_hotel_citations_are_clean(db):
    """Every *_source of a hotel is a list of citations, each opening with a URL or a repository."""
    for h in db.execute("select id, rooms_source, coordinates_source, address_source from hotels").fetchall():
        for field in ("rooms_source", "coordinates_source", "address_source"):
            if h[field]:
                parts = re.split(r";\s+(?=https?://|github\.com/|public GitHub)", h[field])
                assert all(CITATION.match(p) or p.startswith("public GitHub") for p in parts), (h["id"], field, h[field])
    maya = one(db, "select rooms, notes from hotels where id = 'hotel-maya-a-doubletree-by-hilton'")
    assert maya["rooms"] == 199 and "199 (Meetings & Conventions, Oct 2009 and Oct 2013) and 197 (Convene, Nov 2011" in maya["notes"]


def test_reported_sessions_cite_sources(db):
    rows = db.execute("select r.id, r.source_id, r.notes, s.id as known from reported_sessions r "
                      "left join sources s on s.id = r.source_id order by r.id").fetchall()
    assert all(r["known"] for r in rows) and len(rows) == 5
    assert [r["source_id"] for r in rows] == ["recap-michel"] * 4 + ["fedidevs-pycon26"]
    assert all("(recap section)" in rows[i]["notes"] for i in (2, 3))


def test_the_benchmarks_scaled_copy_of_data_builds(tmp_path):
    """bench/ copies data/ at a scale; a source it forgets to copy breaks `make bench` (twice so far)."""
    from bench.__main__ import scaled_copy
    from scripts.database.build import build

    sessions = scaled_copy(3, tmp_path / "data")
    build(tmp_path / "data", tmp_path / "scaled.db")
    db = sqlite3.connect(tmp_path / "scaled.db")
    assert db.execute("select count(*) from sessions").fetchone()[0] == sessions == 3 * (180 + 3 + 24)
