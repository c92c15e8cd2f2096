"""PyCon's own feeds of 2022-2025 (../shared/sources/official-feeds/), imported as they are into an empty
edition folder: their titles come without markup, placeholders are unfilled slots, pseudo-rooms are not
rooms, a room spelled two ways is one, posters keep their poster session, 2025's open spaces come in, 2022's
wrong offsets are read at Salt Lake City's clock when told to, and a second import changes no byte."""
import csv
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, ROOT, copy_data, needs_shared

pytestmark = needs_shared("sources", "official-feeds")

FEEDS = ROOT.parent / "shared" / "sources" / "official-feeds"
EDITIONS = {  # year: (zone, city, first day, last day) as PROVENANCE.md and each feed give them
    2022: ("America/Denver", "Salt Lake City, Utah", "2022-04-27", "2022-05-05"),
    2023: ("America/Denver", "Salt Lake City, Utah", "2023-04-19", "2023-04-27"),
    2024: ("America/New_York", "Pittsburgh, Pennsylvania", "2024-05-15", "2024-05-23"),
    2025: ("America/New_York", "Pittsburgh, Pennsylvania", "2025-05-14", "2025-05-22"),
}
MARKUP = re.compile(r"<[a-z/!]|\]\(|&[a-z]+;|&#\d+;|[\r\n]", re.I)


def empty_edition(folder: Path, year: int):
    """An edition's data folder with no program yet: its conference (the venue here is the test's own
    stand-in, not a fact), the shared vocabulary, and each CSV with its header only."""
    folder.mkdir(parents=True)
    zone, city, first, last = EDITIONS[year]
    for name in ("kinds.yaml", "synonyms.yaml"):
        shutil.copy(DATA / name, folder / name)
    for path in DATA.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        (folder / path.name).write_text(header + "\n", encoding="utf-8")
    (folder / "tracks.yaml").write_text("[]\n", encoding="utf-8")
    (folder / "sources.yaml").write_text("- id: test-stand-in\n  title: A stand-in for this test's venue\n", encoding="utf-8")
    (folder / "conference.yaml").write_text(f"""id: pycon-us-{year}
acronym: pycon-us-{year}
name: PyCon US {year}
start_date: {first}
end_date: {last}
timezone: {zone}
url: https://us.pycon.org/{year}/
city: {city}
updated: {year}-01-01T00:00:00Z
source: test-stand-in
venue:
  name: The test's stand-in venue
  street_address: unknown
  latitude: 40.0
  longitude: -100.0
  source: test-stand-in
""", encoding="utf-8")


def run_import(folder, year, *extra):
    zone = EDITIONS[year][0]
    return subprocess.run([str(Path(sys.executable).parent / "pycon-db"), "import", str(FEEDS / f"pycon-us-{year}-conference.json"),
                           "--data", str(folder), "--timezone", zone, "--allow-removals", *extra],
                          capture_output=True, text=True, timeout=300)


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Each feed imported once into its own empty edition folder, built: {year: (folder, db, output)}."""
    from scripts.database.build import build

    out = {}
    for year in EDITIONS:
        folder = tmp_path_factory.mktemp(f"edition-{year}") / "data"
        empty_edition(folder, year)
        result = run_import(folder, year, *(["--trust-wall-clock"] if year == 2022 else []))
        assert result.returncode == 0, result.stderr[-3000:]
        build(folder, folder.parent / "pycon.db")
        db = sqlite3.connect(folder.parent / "pycon.db")
        db.row_factory = sqlite3.Row
        out[year] = (folder, db, result.stdout)
    return out


@pytest.mark.parametrize("year", sorted(EDITIONS))
def test_no_title_holds_markup(editions, year):
    _, db, _ = editions[year]
    titles = [r[0] for r in db.execute("select title from sessions union all select coalesce(subtitle, '') from sessions")]
    assert [t for t in titles if MARKUP.search(t)] == []
    assert db.execute("select count(*) from sessions where title = 'Slot'").fetchone()[0] == 0


def test_a_keynote_title_becomes_its_text_and_its_subtitle(editions):
    _, db, _ = editions[2023]
    row = db.execute("select title, subtitle from sessions where title = 'Margaret Mitchell'").fetchone()
    assert tuple(row) == ("Margaret Mitchell", "Keynote")
    row = db.execute("select title, subtitle from sessions where title like 'Community Service Awards%'").fetchone()
    assert tuple(row) == ("Community Service Awards & Python Software Foundation Update", "Deb Nicholson")
    _, db, _ = editions[2022]
    assert tuple(db.execute("select title, subtitle from sessions where title = 'Welcome'").fetchone()) == \
        ("Welcome", "Emily Morehouse")
    assert db.execute("select count(*) from sessions where title = 'Keynote - Łukasz Langa'").fetchone()[0] == 1


def test_a_struck_cancelled_title_is_a_cancelled_session(editions):
    _, db, _ = editions[2025]
    row = db.execute("select title, cancelled from sessions where title like '%Sprints Workshop%'").fetchone()
    assert tuple(row) == ("Introduction to Sprints Workshop", 1)


@pytest.mark.parametrize("year, slots", [(2022, 4), (2023, 7), (2024, 1), (2025, 0)])
def test_placeholders_are_unfilled_slots(editions, year, slots):
    """`blank` slots and slots titled "Slot": none is a session, each an unfilled slot kept with its note."""
    import json

    feed = json.loads((FEEDS / f"pycon-us-{year}-conference.json").read_text(encoding="utf-8"))
    expected = sum(1 for s in feed["schedule"] if s["kind"] == "blank" or (s.get("name") or "").strip() == "Slot")
    _, db, _ = editions[year]
    found = db.execute("select count(*) from sessions where kind = 'unfilled'").fetchone()[0]
    assert found == expected == slots
    assert db.execute("select count(*) from calendar_events where kind = 'unfilled'").fetchone()[0] == 0


def test_pseudo_rooms_are_not_rooms_and_one_room_spelled_two_ways_is_one(editions):
    _, db, _ = editions[2023]
    names = [r[0] for r in db.execute("select name from rooms")]
    assert not [n for n in names if re.match(r"(all rooms|see open spaces board|stretch your legs)", n, re.I)]
    assert [n for n in names if "151DEFG" in n] == ["151DEFG"]  # and "Room 151DEFG" is the same room
    noted = db.execute("select count(*) from sessions where notes like '%gives the room as ''All rooms''%'").fetchone()[0]
    assert noted == 4


@pytest.mark.parametrize("year, posters", [(2023, 24), (2024, 27), (2025, 19)])
def test_posters_keep_their_poster_session(editions, year, posters):
    _, db, _ = editions[year]
    rows = db.execute("select p.parent_id, s.kind from sessions p join sessions s on s.id = p.parent_id "
                      "where p.kind = 'poster'").fetchall()
    assert len(rows) == posters and {r["kind"] for r in rows} == {"poster-session"}


def test_2025s_open_spaces_come_in_as_open_spaces(editions):
    _, db, _ = editions[2025]
    assert db.execute("select count(*) from sessions where kind = 'open-space'").fetchone()[0] == 146


def test_2022s_wrong_offsets_are_read_at_salt_lake_citys_clock(editions, tmp_path):
    folder, db, output = editions[2022]
    first = db.execute("select min(start_local), min(start_iso) from sessions where kind = 'tutorial'").fetchone()
    assert first[0] == "2022-04-27 09:00" and first[1] == "2022-04-27T09:00:00-06:00"  # at 09:00, as the feed's wall time
    assert "(--trust-wall-clock)" in output
    source = (folder / "sources.yaml").read_text(encoding="utf-8")
    assert "Times: wall clock trusted: the feed labels its times UTC-0700" in source
    refused = tmp_path / "data"
    empty_edition(refused, 2022)
    result = run_import(refused, 2022)
    assert result.returncode != 0 and "pass --trust-wall-clock" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("year", sorted(EDITIONS))
def test_a_second_import_changes_no_byte(editions, year):
    folder, _, _ = editions[year]
    before = snapshot(folder)
    result = run_import(folder, year, *(["--trust-wall-clock"] if year == 2022 else []))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "files changed: none" in result.stdout
    assert snapshot(folder) == before


@pytest.mark.parametrize("year", sorted(EDITIONS))
def test_the_edition_holds_no_prose(editions, year):
    """Abstracts and bios stay in the feeds: an imported edition's data, like data/, holds facts only."""
    folder, _, _ = editions[year]
    sessions = list(csv.DictReader((folder / "sessions.csv").open(encoding="utf-8")))
    speakers = list(csv.DictReader((folder / "speakers.csv").open(encoding="utf-8")))
    assert len(sessions) > 100 and all(not s.get("description") for s in sessions)
    assert len(speakers) > 100 and all(not s.get("bio") for s in speakers)


@pytest.mark.parametrize("year", sorted(EDITIONS))
def test_the_committed_edition_is_what_its_feed_gives(tmp_path, year):
    """data/editions/<year> was written by `pycon-db import --new-edition`: importing the feed again changes nothing."""
    folder = tmp_path / "editions" / str(year)
    shutil.copytree(DATA / "editions" / str(year), folder)
    before = snapshot(folder)
    result = run_import(folder, year, *(["--trust-wall-clock"] if year == 2022 else []))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "files changed: none" in result.stdout and snapshot(folder) == before


def test_a_new_edition_is_started_from_its_feed_and_refused_twice(tmp_path):
    root = tmp_path / "data"
    copy_data(root, editions=False)
    folder = root / "editions" / "2024"
    args = ["--new-edition", "--city", "Pittsburgh, Pennsylvania"]
    result = run_import(folder, 2024, *args)
    assert result.returncode == 0, result.stderr[-2000:]
    conference = (folder / "conference.yaml").read_text(encoding="utf-8")
    assert 'name: "David L. Lawrence Convention Center"' in conference and "timezone: America/New_York" in conference
    assert (folder / "sessions.csv").read_text(encoding="utf-8") == (DATA / "editions" / "2024" / "sessions.csv").read_text(encoding="utf-8")
    again = run_import(folder, 2024, *args)
    assert again.returncode != 0 and "already holds an edition" in again.stderr and folder.exists()
    missing = run_import(root / "editions" / "2023", 2023, "--new-edition")  # no --city
    assert missing.returncode != 0 and "--city" in missing.stderr and not (root / "editions" / "2023").exists()
