"""The next edition: `pycon-db new-edition` starts it and the site leads with it, while every address 2026
published keeps its content. A scratch copy of data/ is rolled forward to PyCon US 2027, as an organiser
would, and read beside the site as it is (2026 leading)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import built_from, site_of

PYCON_DB = str(Path(sys.executable).parent / "pycon-db")
# What 2026 published for calendars, apps and data people: each must answer the same bytes after the switch.
PUBLISHED = ["/pycon/sessions/45.json", "/pycon/speakers/trey-hunner.json", "/pycon/rooms/hallab.json",
             "/pycon/program.ics", "/pycon/program_track.ics?track=ai", "/pycon/program.json?_shape=array",
             "/pycon/program_day.ics?day=2026-05-15", "/pycon/event.ics?id=45", "/pycon/agenda.ics?ids=105,66",
             "/pycon/watch.ics", "/pycon/schedule.xml", "/pycon/schedule.json", "/pycon/sessions.csv?_size=max",
             "/pycon/now_next.json?at=2026-05-15T11:10&_shape=array", "/pycon/search.json?q=asyncio&_shape=array"]
# 2026's pages: the same rows and facts, under the 2026 header (no longer the site's).
PAGES = {"/pycon/sessions/45": "Friday 15 May", "/pycon/speakers/trey-hunner": "Trey Hunner",
         "/schedule/2026-05-15": "Grand Ballroom A", "/pycon/rooms/hallab": "Hall AB"}


def roll_forward(data):
    result = subprocess.run([PYCON_DB, "new-edition", "2027", "--city", "Long Beach, California",
                             "--timezone", "America/Los_Angeles", "--data", str(data)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    """The site after `pycon-db new-edition 2027` and a build, as Datasette serves it."""
    return site_of(built_from(tmp_path_factory.mktemp("rolled"), change=roll_forward))


@pytest.mark.parametrize("path", PUBLISHED)
async def test_what_2026_published_answers_the_same_after_2027_leads(datasette, rolled, path):
    before, after = await datasette.client.get(path), await rolled.client.get(path)
    assert before.status_code == after.status_code == 200, path
    assert after.content == before.content, path


@pytest.mark.parametrize("path, fact", PAGES.items())
async def test_2026s_pages_keep_their_facts_under_2026s_own_header(rolled, path, fact):
    html = (await rolled.client.get(path)).text
    assert fact in html and '<a class="site-name" href="/pycon">PyCon US 2026</a>' in html, path


async def test_the_home_page_leads_with_2027_and_says_its_program_is_not_out(rolled):
    html = " ".join((await rolled.client.get("/")).text.split())
    assert "<title>PyCon US 2027</title>" in html
    assert "<strong>PyCon US 2027</strong>, Long Beach, California, <strong>dates not announced yet</strong>" in html
    assert "The program is not out yet" in html and "Its times will be local (America/Los_Angeles)." in html
    earlier = html.index("Earlier editions")
    assert html.index(">PyCon US 2026</a>") > earlier and 'href="/pycon/watch">Recordings' in html[earlier:]
    assert "2027-" not in html  # no day of 2027 is invented


async def test_schedule_and_my_schedule_follow_2027(rolled):
    schedule = await rolled.client.get("/schedule")
    assert schedule.status_code == 302 and schedule.headers["location"] == "/"  # no days yet: its home says so
    mine = await rolled.client.get("/schedule/mine?ids=105,66")
    assert mine.status_code == 200 and "Keynote" not in mine.text  # 2026's ids are not 2027's sessions
    assert 'data-edition="pycon-us-2027"' in mine.text  # stars are kept under 2027's own key


async def test_2027_has_its_own_addresses_and_empty_feeds(rolled):
    for path in ("/pycon2027", "/pycon2027/program", "/pycon2027/now_next", "/pycon2027/hotels_nearby"):
        assert (await rolled.client.get(path)).status_code == 200, path
    feed = await rolled.client.get("/pycon2027/program.ics")
    assert feed.status_code == 200 and "BEGIN:VEVENT" not in feed.text and "BEGIN:VTIMEZONE" in feed.text
    editions = (await rolled.client.get("/pycon/editions.json?_shape=array")).json()
    assert [(e["year"], e["is_site"], e["database"]) for e in editions][-2:] == [(2026, 0, "pycon"), (2027, 1, "pycon2027")]


def test_a_bad_time_zone_or_an_existing_year_writes_nothing(data_copy):
    before = sorted(p.relative_to(data_copy) for p in data_copy.rglob("*"))
    for args, message in ((["2027", "--timezone", "America/NewYork"], "'America/NewYork' is not an IANA time zone"),
                          (["2025", "--timezone", "America/New_York"], "holds PyCon US 2025: it is an edition already")):
        result = subprocess.run([PYCON_DB, "new-edition", *args, "--city", "X", "--data", str(data_copy)],
                                capture_output=True, text=True)
        assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.relative_to(data_copy) for p in data_copy.rglob("*")) == before


def test_the_setting_names_an_edition_that_exists(data_copy):
    from scripts.database.build import build
    from scripts.sources.errors import ValidationFailed

    (data_copy / "site.yaml").write_text("edition: 2031\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        build(data_copy, data_copy.parent / "pycon.db")
    assert "data/site.yaml:1: field 'edition': 2031 is not an edition here: one of 2022, 2023, 2024, 2025, 2026" in \
        failed.value.report()


def test_its_feed_imports_into_it_and_gives_it_its_days(data_copy, tmp_path):
    """Once the schedule is out: imported into the edition's folder, it gives the edition its dates and days."""
    from scripts.database.build import build

    roll_forward(data_copy)
    fixture = (Path(__file__).parent / "fixtures" / "feed_small.json").read_text(encoding="utf-8")
    feed = tmp_path / "conference.json"
    feed.write_text(fixture.replace("2026-05-", "2027-05-"), encoding="utf-8")  # the fixture's program, a year on
    result = subprocess.run([PYCON_DB, "import", str(feed), "--data", str(data_copy / "editions" / "2027"),
                             "--source-url", "https://us.pycon.org/2027/schedule/conference.json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    conference = (data_copy / "editions" / "2027" / "conference.yaml").read_text(encoding="utf-8")
    assert "year: 2027\nstart_date: 2027-05-13\nend_date: 2027-05-17\n" in conference
    build(data_copy, tmp_path / "pycon.db")
    import sqlite3

    with sqlite3.connect(tmp_path / "pycon2027.db") as conn:
        assert [r[0] for r in conn.execute("select day from conference_days")] == [f"2027-05-{d}" for d in range(13, 18)]


async def test_2026s_my_schedule_still_reads_after_2027_leads(rolled, datasette):
    """Stars are kept per edition: 2026's My schedule is /schedule/mine?edition=2026, its feed 2026's agenda."""
    mine = (await rolled.client.get("/schedule/mine?edition=2026&ids=105,66")).text
    before = (await datasette.client.get("/schedule/mine?ids=105,66")).text
    sessions = lambda html: list(dict.fromkeys(re.findall(r'data-session="(\d+)"', html)))  # noqa: E731
    assert sessions(mine) == sessions(before) and set(sessions(mine)) == {"105", "66"}
    assert 'data-edition="pycon-us-2026"' in mine and 'data-query="edition=2026&amp;"' in mine
    assert "/pycon/agenda.ics?ids=66,105" in mine
    own = (await rolled.client.get("/schedule/mine?edition=2026&own=1&ids=105,66")).text
    assert "/schedule/mine?edition=2026&amp;ids=66,105" in own  # the share link names its edition
    leading = (await rolled.client.get("/schedule/mine")).text
    assert 'href="/schedule/mine?edition=2026">your PyCon US 2026 schedule</a>' in leading
