"""Every earlier edition is a site of its own: its database beside the site's (pycon2023), served with the
site's pages, grids, feeds and exports, each with its own name, zone, rooms and venue."""
import json
import sqlite3
import xml.etree.ElementTree as ET

import icalendar
import jsonschema
import pytest
import xmlschema

from .conftest import SHARED, needs_shared

REFERENCE = SHARED / "reference"
# Each edition: its database, name, zone, a day, a session on it and where its calendar events are.
EDITIONS = {
    2022: ("pycon2022", "PyCon US 2022", "America/Denver", "2022-04-29", "Salt Lake City, Utah"),
    2023: ("pycon2023", "PyCon US 2023", "America/Denver", "2023-04-21",
           "Salt Palace Convention Center, 100 S W Temple St, Salt Lake City, UT 84101, USA"),
    2024: ("pycon2024", "PyCon US 2024", "America/New_York", "2024-05-17",
           "David L. Lawrence Convention Center, 1000 Fort Duquesne Boulevard, Pittsburgh, PA 15222"),
    2025: ("pycon2025", "PyCon US 2025", "America/New_York", "2025-05-16",
           "David L. Lawrence Convention Center, 1000 Fort Duquesne Boulevard, Pittsburgh, PA 15222"),
}


def edition_db(real_db, year):
    conn = sqlite3.connect(real_db.with_name(f"pycon{year}.db"))
    conn.row_factory = sqlite3.Row
    return conn


def test_the_build_writes_each_edition_as_a_site_database_beside_the_sites(real_db, db):
    listed = db.execute("select year, database, is_site from editions order by year").fetchall()
    assert [tuple(r) for r in listed] == [(2022, "pycon2022", 0), (2023, "pycon2023", 0), (2024, "pycon2024", 0),
                                          (2025, "pycon2025", 0), (2026, "pycon", 1)]
    for year, (name, title, zone, _day, _where) in EDITIONS.items():
        conn = edition_db(real_db, year)
        assert tuple(conn.execute("select name, timezone from conference").fetchone()) == (title, zone)
        # the same program as the site's database holds for that edition
        here = conn.execute("select count(*) from sessions where kind != 'unfilled'").fetchone()[0]
        assert here == db.execute("select sessions from editions where year = ?", [year]).fetchone()[0]
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        assert {"sessions", "speakers", "rooms", "session_rooms", "recordings", "search_words"} <= tables
        assert "editions" not in tables  # questions across editions are the site's database's


@pytest.mark.parametrize("year", sorted(EDITIONS))
async def test_every_day_of_every_edition_is_a_grid(datasette, real_db, year):
    name, title, _zone, _day, _where = EDITIONS[year]
    conn = edition_db(real_db, year)
    for (day,) in conn.execute("select day from conference_days"):
        response = await datasette.client.get(f"/schedule/{day}")
        assert response.status_code == 200, day
        html = response.text
        assert f'<span class="h1-sub">{title} schedule</span>' in html
        assert f'<a class="site-name" href="/{name}">{title}</a>' in html  # the header is the edition's
        ids = [r[0] for r in conn.execute(
            "select id from calendar_events where day = ? and parent_id is null and start_local is not null", [day])]
        for session_id in ids:
            assert f'href="/{name}/sessions/{session_id}"' in html, (day, session_id)
        assert 'class="star"' not in html and "My schedule" not in html  # stars hold the site's sessions


async def test_a_day_of_no_edition_is_a_404_and_2026_is_as_it_was(datasette):
    assert (await datasette.client.get("/schedule/2021-05-01")).status_code == 404
    assert (await datasette.client.get("/schedule/2023-04-24")).status_code == 404  # the day after 2023's last
    friday = (await datasette.client.get("/schedule/2026-05-15")).text
    assert '<a class="site-name" href="/">PyCon US 2026</a>' in friday and 'class="star"' in friday


async def test_a_day_with_more_rooms_than_a_screen_scrolls_in_its_own_box(datasette):
    wide = (await datasette.client.get("/schedule/2023-04-21")).text
    assert '<div class="grid-scroll" role="region" tabindex="0" aria-label="The grid of Friday 21 April: 14 rooms' in wide
    assert 'class="grid-scroll"' not in (await datasette.client.get("/schedule/2026-05-15")).text  # 9 rooms fit


@pytest.mark.parametrize("year", sorted(EDITIONS))
async def test_each_editions_calendar_is_its_own(datasette, real_db, year):
    name, title, zone, _day, where = EDITIONS[year]
    response = await datasette.client.get(f"/{name}/program.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.text)
    assert str(calendar["X-WR-CALNAME"]) == f"{title}: The whole program"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]
    events = calendar.walk("VEVENT")
    rows = edition_db(real_db, year).execute("select * from calendar_events").fetchall()
    assert len(events) == len(rows)
    by_uid = {str(e["UID"]): e for e in events}
    for r in rows:
        event = by_uid[f"pycon-us-{year}-session-{r['id']}@us.pycon.org"]
        assert event.decoded("DTSTART").isoformat() == r["event_dtstart"]  # a lightning talk: its slot's start
        assert str(event["DTSTART"].params["TZID"]) == zone
        assert str(event["LOCATION"]).endswith(where), r["id"]
    assert "Long Beach" not in response.text


@needs_shared("reference", "frab-schedule.xml.xsd")
@pytest.mark.parametrize("year", sorted(EDITIONS))
async def test_each_editions_schedule_xml_validates_and_is_its_own(datasette, real_db, year):
    name, title, zone, _day, _where = EDITIONS[year]
    response = await datasette.client.get(f"/{name}/schedule.xml")
    assert response.status_code == 200
    xmlschema.XMLSchema(str(REFERENCE / "frab-schedule.xml.xsd")).validate(response.text)
    root = ET.fromstring(response.content)
    assert (root.findtext("conference/title"), root.findtext("conference/acronym"),
            root.findtext("conference/time_zone_name")) == (title, f"pycon-us-{year}", zone)
    rows = edition_db(real_db, year).execute(
        "select id from calendar_events where start_iso is not null and end_iso is not null").fetchall()
    assert sorted(int(e.get("id")) for e in root.iter("event")) == sorted(r[0] for r in rows)


@needs_shared("reference", "c3voc-schedule.schema.json")
@pytest.mark.parametrize("year", sorted(EDITIONS))
async def test_each_editions_schedule_json_validates_and_is_its_own(datasette, year):
    name, title, zone, day, _where = EDITIONS[year]
    schema = json.loads((REFERENCE / "c3voc-schedule.schema.json").read_text())
    body = (await datasette.client.get(f"/{name}/schedule.json")).json()
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
    assert sorted(validator.iter_errors(body), key=str) == []
    conference = body["schedule"]["conference"]
    assert (conference["title"], conference["acronym"], conference["time_zone_name"]) == (title, f"pycon_us_{year}", zone)
    assert day in [d["date"] for d in conference["days"]]


async def test_an_edition_has_the_sites_queries_but_not_the_sites_own(datasette):
    metadata = datasette.metadata()
    site = metadata["databases"]["pycon"]["queries"]
    own = {name for name, q in site.items() if q.get("site_only") or q.get("across_editions")}
    assert own == {"editions_overview", "speakers_by_edition", "recordings_by_edition", "kinds_by_edition",
                   "search_editions", "topic_by_edition", "topic_sessions", "agenda", "now_next", "hotels_nearby"}
    params = {"program_day": "?day=2023-04-21", "program_track": "?track=x", "program_room": "?room=355ABC",
              "program_speaker": "?speaker=Eric Snow", "event": "?id=54", "search": "?q=subinterpreters"}
    for query in set(site) - own:  # each answers from the edition's own tables
        response = await datasette.client.get(f"/pycon2023/{query}.json{params.get(query, '')}")
        assert response.status_code == 200, query
    for query in own:
        assert (await datasette.client.get(f"/pycon2023/{query}")).status_code == 404, query
    room = (await datasette.client.get("/pycon2023/program_room.json?room=355ABC&_shape=array")).json()
    assert 54 in [r["id"] for r in room] and {r["day"][:4] for r in room} == {"2023"}


async def test_an_editions_session_page_is_its_own(datasette):
    html = (await datasette.client.get("/pycon2023/sessions/54")).text
    assert "<h1>A Per-Interpreter GIL: Concurrency and Parallelism with Subinterpreters" in html
    assert "<dd>Friday 21 April, 15:15–15:45 MDT</dd>" in html
    assert '<a href="/pycon2023/rooms/355abc">355ABC</a>' in html and '<a href="/pycon2023/speakers/eric-snow">Eric Snow</a>' in html
    assert 'href="/pycon2023/event.ics?id=54"' in html and "<title>A Per-Interpreter GIL" in html
    assert "· PyCon US 2023</title>" in html and 'class="star"' not in html
    event = icalendar.Calendar.from_ical((await datasette.client.get("/pycon2023/event.ics?id=54")).text).walk("VEVENT")[0]
    assert str(event["UID"]) == "pycon-us-2023-session-54@us.pycon.org"


async def test_an_editions_speaker_page_shows_every_other_edition(datasette):
    html = (await datasette.client.get("/pycon2023/speakers/bruce-eckel")).text
    history = html[html.index('id="history-heading"'):html.index("</section>", html.index('id="history-heading"'))]
    assert "At PyCon US in other years</h2>" in history and "3 other editions" in history
    assert [h.split("</h3>")[0] for h in history.split("<h3>")[1:]] == ["PyCon US 2026", "PyCon US 2024", "PyCon US 2022"]
    assert '<a href="/pycon/sessions/' in history and '<a href="/pycon2024/sessions/23">Functional Error Handling</a>' in history


async def test_an_edition_searches_with_its_own_words(datasette):
    """A misspelling is spelled by the edition's own index: 2023 knows subinterpreters, 2026 does not."""
    found = (await datasette.client.get("/pycon2023/search.json?q=subinterpeters&_shape=array")).json()
    assert [r["id"] for r in found][:1] == [54] and found[0]["matched"] == "spelled"
    assert found[0]["searched"] == "subinterpreters"
    site = (await datasette.client.get("/pycon/search.json?q=subinterpeters&_shape=array")).json()
    assert all(r["matched"] != "spelled" or r["searched"] != "subinterpreters" for r in site)
    page = (await datasette.client.get("/pycon2023/search?q=typing")).text
    assert "In other editions of PyCon US:" in page and 'href="/pycon/search?q=typing">2026 (' in page


async def test_the_home_page_lists_the_earlier_editions_with_their_days(datasette, db):
    html = (await datasette.client.get("/")).text
    section = html[html.index('id="editions"'):html.index('class="data-intro"')]
    headings = [h.split("</a></h3>")[0].split(">")[-1] for h in section.split("<h3")[1:]]
    assert headings == ["PyCon US 2025", "PyCon US 2024", "PyCon US 2023", "PyCon US 2022"]
    for year, (name, _title, _zone, _day, _where) in EDITIONS.items():
        start, end = db.execute("select start_date, end_date from editions where year = ?", [year]).fetchone()
        part = section[section.index(f'id="edition-{year}"'):]
        part = part[:part.index("</section>")]
        days = [d.split('"')[0] for d in part.split('href="/schedule/')[1:]]
        assert days[0] == start and days[-1] == end and len(days) == 5
        assert f'href="/{name}/watch">Recordings' in part
    assert "Salt Lake City, Utah, 19–23 April 2023, Salt Palace Convention Center" in section
    assert "Salt Lake City, Utah, 27 April – 1 May 2022</p>" in section  # 2022's feed names no venue


async def test_an_editions_own_page_leads_to_its_days_feeds_and_tables(datasette):
    html = (await datasette.client.get("/pycon2024")).text
    assert '<h1>PyCon US 2024 <span class="h1-sub">Pittsburgh, Pennsylvania, 15–19 May 2024, David L. Lawrence Convention Center</span></h1>' in html
    for href in ("/schedule/2024-05-15", "/schedule/2024-05-19", "/pycon2024/watch", "/pycon2024/program.ics",
                 "/pycon2024/schedule.xml", "/pycon2024/schedule.json", "/pycon2024/sessions", "/pycon2024.db"):
        assert f'href="{href}"' in html, href
    assert "codemirror" not in html.lower()  # a page people read loads no SQL editor
    assert "America/New_York, EDT" in html
    table = (await datasette.client.get("/pycon2024/sessions")).text  # a table page cites the edition's sources
    assert "Data source: <a href=\"https://us.pycon.org/2024/schedule/conference.json\">" in " ".join(table.split())
    assert "PyCon US 2024 official schedule feed, and pyvideo&#39;s recordings" in table and "mobile app" not in table


async def test_2026s_pages_are_the_same_with_or_without_the_earlier_editions(datasette, site_without_editions):
    """What 2026's attendees read does not move: only the home page, a speaker's other editions and the
    search's count of other editions' matches name the archive."""
    without = site_without_editions
    for path in ("/schedule/2026-05-15", "/schedule/2026-05-16?track=security", "/schedule/2026-05-18",
                 "/pycon/sessions/1005", "/pycon/sessions/105", "/pycon/speakers/aayush-gauba", "/pycon/rooms/hallab",
                 "/pycon/program", "/pycon/program_track?track=ai", "/pycon/watch", "/pycon/speaker_index",
                 "/pycon/search?q=asyncronous", "/pycon/hotels_nearby", "/pycon/now_next?at=2026-05-15T11:10",
                 "/pycon/agenda?ids=105,66", "/schedule/mine?ids=105,66"):
        a, b = await datasette.client.get(path), await without.client.get(path)
        assert a.status_code == b.status_code == 200 and a.text == b.text, path


async def test_an_editions_recordings_page_lists_what_pyvideo_has(datasette, real_db):
    """2023 recorded its tutorials and sponsor workshops, which 2026 did not: they are listed with the rest."""
    conn = edition_db(real_db, 2023)
    recorded = conn.execute("select count(distinct session_id) from certain_recordings where session_id is not null").fetchone()[0]
    rows = (await datasette.client.get("/pycon2023/watch.json?_shape=array")).json()
    assert sum(1 for r in rows if r["recording_url"]) == recorded == 138  # 140 matched, 2 to one shared video
    assert {r["kind"] for r in rows if r["recording_url"]} >= {"tutorial", "sponsor-workshop", "talk", "charla"}
    html = (await datasette.client.get("/pycon2023/watch")).text
    assert f"{recorded} of {len(rows)} sessions have a published recording; pyvideo lists none for the others." in html
    assert "no recording on pyvideo" in html and "not yet published" not in html
    home = (await datasette.client.get("/")).text
    assert f'<a href="/pycon2023/watch">Recordings<span class="visually-hidden"> of PyCon US 2023</span></a> ({recorded} sessions)' in home


async def test_a_page_reads_the_same_whatever_was_served_before(real_db):
    """Datasette 0.65 writes inherited metadata into what a table or database page is shown, in place: a
    session page's footer read differently once the hotels had been served, and replicas differed."""
    from .conftest import site_of

    fresh, used = site_of(real_db), site_of(real_db)
    for path in ("/pycon", "/pycon/hotels", "/pycon/hotels_nearby", "/pycon2023/sessions", "/pycon2023"):
        assert (await used.client.get(path)).status_code == 200
    for path in ("/pycon/sessions/1005", "/pycon2023/sessions/54", "/pycon/speakers/trey-hunner", "/pycon/sessions"):
        assert (await fresh.client.get(path)).text == (await used.client.get(path)).text, path
    assert "CC BY 4.0" in (await fresh.client.get("/pycon/sessions/1005")).text
