"""Every table and canned query through Datasette's own client, with the site's real configuration."""
import hashlib
import json
import re

import pytest

ISO = re.compile(r"^2026-05-1\dT\d\d:\d\d:00-07:00$")
CALENDAR_COLUMNS = {"id", "event_name", "event_dtstart", "event_dtend", "event_tzid", "event_uid",
                    "event_description", "event_location", "event_url"}


async def get_json(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


async def rows(datasette, path):
    sep = "&" if "?" in path else "?"
    return await get_json(datasette, f"{path}{sep}_shape=array")


async def test_home_page_greets_a_newcomer(datasette):
    response = await datasette.client.get("/")
    assert response.status_code == 200
    html = response.text
    # The site's edition as data/conference.yaml and the program give it (2026 here).
    assert "PyCon US 2026" in html and "13–19 May 2026" in html and "Long Beach Convention" in html
    text = " ".join(html.split())
    assert "Tutorials Wednesday and Thursday, talks Friday to Sunday, sprints Monday and Tuesday." in text
    assert "All times are local (America/Los_Angeles, UTC-7 during the conference)." in text
    for link in ("/schedule/2026-05-15", "/schedule", "/pycon/program_track?track=ai",
                 "/pycon/program_track?track=security", "/pycon/hotels_nearby", "/pycon/program.ics",
                 "/pycon/now_next", "/pycon/search", "/pycon/speaker_index", "https://us.pycon.org/2026/schedule/"):
        assert f'href="{link}' in html, link
    assert 'href="/pycon"' in html  # the SQL editor


@pytest.mark.parametrize("table", ["sessions", "speakers", "session_speakers", "rooms", "tracks", "hotels",
                                   "sources", "conference", "sprint_projects", "reported_sessions",
                                   "session_details", "calendar_events"])
async def test_every_table_serves_all_its_rows(datasette, db, table):
    expected = db.execute(f"select count(*) from [{table}]").fetchone()[0]
    data = await get_json(datasette, f"/pycon/{table}.json?_size=max&_shape=objects")
    assert len(data["rows"]) == expected > 0
    assert data.get("next") is None


async def test_tables_have_descriptions_and_fts_is_hidden(datasette):
    data = await get_json(datasette, "/pycon.json")
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["sessions_fts"]["hidden"] and tables["speakers_fts"]["hidden"]
    meta = datasette.metadata(database="pycon")
    for name, t in tables.items():
        if not t["hidden"]:
            assert meta["tables"][name]["description"], name


async def test_sessions_default_sort_and_facets(datasette):
    data = await get_json(datasette, "/pycon/sessions.json?_size=max")
    starts = [r[data["columns"].index("start_iso")] for r in data["rows"] if r[data["columns"].index("start_iso")]]
    assert starts == sorted(starts)
    assert {"day", "kind", "track_id", "room_id", "language"} <= set(data["facet_results"])
    kinds = {f["value"]: f["count"] for f in data["facet_results"]["kind"]["results"]}
    assert kinds["tutorial"] == 20 and kinds["charla"] == 16 and kinds["poster"] == 25


async def test_friday_in_grand_ballroom_a(datasette):
    data = await rows(datasette, "/pycon/sessions.json?day=2026-05-15&room_id=grandballrooma&_sort=start_iso")
    assert [r["id"] for r in data] == [105, 66, 23, 138, 126, 1006, 81, 101]
    assert data[5]["kind"] == "unfilled"


async def test_program_is_whole_in_time_order_with_calendar_columns(datasette, db):
    data = await get_json(datasette, "/pycon/program.json?_shape=objects")
    assert data["truncated"] is False
    expected = db.execute("select count(*) from sessions where kind != 'unfilled'").fetchone()[0]
    assert len(data["rows"]) == expected
    keys = [(r["day"], r["start_iso"] is None, r["start_iso"] or "") for r in data["rows"]]
    assert keys == sorted(keys)
    by_id = {r["id"]: r for r in data["rows"]}
    for r in data["rows"]:
        assert CALENDAR_COLUMNS <= set(r)
        assert r["event_uid"] == f"pycon-us-2026-session-{r['id']}@us.pycon.org"
        assert r["event_tzid"] == "America/Los_Angeles"
        if r["start_iso"]:
            assert ISO.match(r["event_dtstart"])
            assert ISO.match(r["event_dtend"]) if r["end_iso"] else r["event_dtend"] is None
        elif r["during"]:  # a talk of a slot (a lightning talk) is an event during the slot
            slot = by_id[r["parent_id"]]
            assert (r["event_dtstart"], r["event_dtend"]) == (slot["start_iso"], slot["end_iso"]) != (None, None)
        else:
            assert r["event_dtstart"] == r["day"] and r["event_dtend"] is None
    assert sum(bool(r["during"]) for r in data["rows"]) == 24


async def test_program_track_ai(datasette):
    data = await rows(datasette, "/pycon/program_track.json?track=ai")
    assert [r["id"] for r in data] == [105, 66, 23, 138, 126, 81, 101]
    assert {(r["weekday"], r["room"], r["kind"]) for r in data} == {("Friday", "Grand Ballroom A", "talk")}
    assert data[0]["event_location"] == ("Grand Ballroom A, Long Beach Convention & Entertainment Center, "
                                         "300 E Ocean Blvd, Long Beach, CA 90802")
    assert "Track: AI" in data[0]["event_description"] and "Speakers: Paolo Melchiorre" in data[0]["event_description"]
    assert await rows(datasette, "/pycon/program_track.json?track=AI") == data


async def test_program_track_security_and_charlas(datasette):
    security = await rows(datasette, "/pycon/program_track.json?track=security")
    assert [r["start_local"][11:] for r in security] == ["10:30", "11:15", "12:00", "13:45", "14:30", "15:15", "16:15", "17:00"]
    charlas = await rows(datasette, "/pycon/program_track.json?track=charlas")
    assert len(charlas) == 16 and {r["language"] for r in charlas} == {"es"}


async def test_program_day(datasette, db):
    friday = await rows(datasette, "/pycon/program_day.json?day=2026-05-15")
    expected = db.execute("select count(*) from sessions where day = '2026-05-15' and kind != 'unfilled'").fetchone()[0]
    assert len(friday) == expected and {r["day"] for r in friday} == {"2026-05-15"}
    assert [r["id"] for r in await rows(datasette, "/pycon/program_day.json?day=friday")] == [r["id"] for r in friday]
    starts = [r["start_iso"] for r in friday if r["start_iso"]]
    assert starts == sorted(starts)


async def test_program_room(datasette):
    data = await rows(datasette, "/pycon/program_room.json?room=Room+104C")
    assert len(data) == 16 and {r["room"] for r in data} == {"Room 104C"}
    assert [r["id"] for r in await rows(datasette, "/pycon/program_room.json?room=104c")] == [r["id"] for r in data]


async def test_program_speaker_by_name_or_id(datasette):
    lin = await rows(datasette, "/pycon/program_speaker.json?speaker=Lin+Qiao")
    assert [(r["kind"], r["start_local"], r["end_local"], r["room"]) for r in lin] == [
        ("keynote", "2026-05-15 09:45", "2026-05-15 10:30", "Pacific Ballroom - Arena")]
    trey = await rows(datasette, "/pycon/program_speaker.json?speaker=trey-hunner")
    assert [r["id"] for r in trey] == [83, 25]
    assert await rows(datasette, "/pycon/program_speaker.json?speaker=TREY+HUNNER") == trey


async def test_agenda(datasette):
    data = await rows(datasette, "/pycon/agenda.json?ids=66,105")
    assert [r["id"] for r in data] == [105, 66]
    assert [r["id"] for r in await rows(datasette, "/pycon/agenda.json?ids=1,,x")] == [1]
    assert await rows(datasette, "/pycon/agenda.json?ids=") == []


async def test_now_next(datasette):
    data = await rows(datasette, "/pycon/now_next.json?at=2026-05-15T11:10")
    now = [r["id"] for r in data if r["status"] == "now"]
    nxt = [r["id"] for r in data if r["status"] == "next"]
    assert 105 in now and len(now) == 5
    assert set(nxt) == {66, 36, 70, 119, 139}
    assert {r["start_local"] for r in data if r["status"] == "next"} == {"2026-05-15 11:45"}
    # The same moment given in UTC.
    assert await rows(datasette, "/pycon/now_next.json?at=2026-05-15T18:10:00%2B00:00") == data
    assert await rows(datasette, "/pycon/now_next.json?at=garbage") == []
    assert (await datasette.client.get("/pycon/now_next.json")).status_code == 200


@pytest.mark.parametrize("path", [
    "/pycon/program_track.json?track=nope", "/pycon/program_day.json?day=notaday",
    "/pycon/search.json?q=", "/pycon/search.json?q=%22unbalanced", "/pycon/search.json?q=NEAR(",
    "/pycon/search.json?q=a+AND", "/pycon/agenda.json?ids=1,,x", "/pycon/now_next.json?at=garbage",
    "/pycon/program_speaker.json?speaker=%27;drop+table+sessions", "/pycon/program_room.json?room=",
])
async def test_bad_parameters_never_500(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert isinstance(response.json()["rows"], list)


async def test_hotels_nearby_by_walking_time(datasette):
    data = await rows(datasette, "/pycon/hotels_nearby.json")
    assert len(data) == 24
    walks = [r["walking_min"] for r in data]
    assert walks == sorted(walks) and walks[0] == 2
    assert data[0]["name"] == "Hyatt Regency Long Beach"
    popup = json.loads(data[0]["popup"])
    assert popup["title"] == "Hyatt Regency Long Beach"
    assert "200 S Pine Ave" in popup["description"] and "about 2 min on foot" in popup["description"]


async def test_hotels_page_filters_by_walking_time(datasette, db):
    near = await rows(datasette, "/pycon/hotels_nearby.json?within=10")
    expected = db.execute("select name from hotels where walking_min <= 10 order by walking_min, distance_km").fetchall()
    assert [r["name"] for r in near] == [n for (n,) in expected] and len(near) == 6
    assert len(await rows(datasette, "/pycon/hotels_nearby.json?within=soon")) == 24  # not a number: every hotel
    html = (await datasette.client.get("/pycon/hotels_nearby?within=10")).text
    assert "6 hotels within a 10-minute walk" in html and "Long Beach Marriott" not in html
    assert '<a href="?within=10" aria-current="page">10 min</a>' in html
    assert "Run SQL" not in html and "Custom SQL" not in html and "Yelp" not in html  # no provenance essays
    everything = (await datasette.client.get("/pycon/hotels_nearby")).text
    marriott = everything[everything.index(">Long Beach Marriott<"):]
    assert "112 min" in marriott[:900] and "too far to walk" in marriott[:900]
    assert "Not downtown: next to Long Beach Airport." in marriott[:900]
    assert "no known location" in everything and ">Avon Hotel</a>" in everything


async def test_speaker_index_lists_everyone_a_to_z_with_their_sessions(datasette, db):
    pairs = await rows(datasette, "/pycon/speaker_index.json")
    expected = db.execute("select count(*) from session_speakers ss join calendar_events e on e.id = ss.session_id").fetchone()[0]
    assert len(pairs) == expected
    names = list(dict.fromkeys(r["speaker"] for r in pairs))
    assert len(names) == 189 and names == sorted(names, key=str.lower)
    html = (await datasette.client.get("/pycon/speaker_index")).text
    assert html.count('class="speaker-name"') == 189 and 'href="#letter-Z"' in html
    # amanda casari is listed under A, beside the capitalised names
    a_section = html[html.index('id="letter-A"'):html.index('id="letter-B"')]
    assert ">amanda casari</a>" in a_section and ">Aayush Gauba</a>" in a_section
    assert "Custom SQL" not in html and "Run SQL" not in html


@pytest.mark.parametrize("q, found", [("hun", ["Trey Hunner"]), ("hervas", ["Daniel Hervás"]), ("Müller", ["Mike Müller"]),
                                      ("x\"y", []), ("", None)])
async def test_speaker_index_finds_by_name(datasette, q, found):
    pairs = await rows(datasette, f"/pycon/speaker_index.json?q={q}")
    names = list(dict.fromkeys(r["speaker"] for r in pairs))
    assert names == found if found is not None else len(names) == 189
    if found == []:
        html = (await datasette.client.get(f"/pycon/speaker_index?q={q}")).text
        assert "No speaker is named" in html and "/pycon/search?q=x%22y" in html


async def test_json_has_cors_and_times_with_offset(datasette):
    response = await datasette.client.get("/pycon/program.json?_shape=array")
    assert response.headers["access-control-allow-origin"] == "*"
    assert ISO.match(response.json()[0]["start_iso"])


async def test_map_pages(datasette):
    for path in ("/pycon/hotels", "/pycon/hotels_nearby"):
        html = (await datasette.client.get(path)).text
        assert "datasette-cluster-map.js" in html, path
        script = re.search(r'<script src="(/static/venue-marker\.js\?v=[0-9a-f]{12})"', html)
        assert script and "window.PYCON_VENUE = " in html and "33.764444" in html, path
        assert "pycon-venue-marker" in (await datasette.client.get(script.group(1))).text
    assert "venue-marker.js" not in (await datasette.client.get("/pycon/sessions")).text


async def test_our_static_files_are_versioned_and_kept_for_a_year(datasette):
    html = (await datasette.client.get("/pycon/sessions/105")).text
    css = re.search(r'href="(/static/site\.css\?v=([0-9a-f]{12}))"', html)
    assert css and ".record-facts {" not in html  # our rules come from the stylesheet, not inlined
    kept = await datasette.client.get(css.group(1))
    assert kept.status_code == 200 and kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashlib.sha256(kept.content).hexdigest()[:12] == css.group(2)
    stale = await datasette.client.get("/static/site.css?v=000000000000")
    assert stale.headers["cache-control"] == "public, max-age=300"
    assert (await datasette.client.get("/static/nothing.css?v=1")).status_code == 404


async def test_referrer_policy_lets_map_tiles_load(datasette):
    html = await datasette.client.get("/pycon/hotels")
    assert html.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_session_pages_link_room_and_track(datasette):
    row = (await datasette.client.get("/pycon/sessions/105")).text
    assert "<h1>AI-Assisted Contributions and Maintainer Load</h1>" in row
    assert '<a href="/pycon/speakers/paolo-melchiorre">Paolo Melchiorre</a>' in row
    assert '<a href="/pycon/rooms/grandballrooma">Grand Ballroom A</a>, Upper Level' in row
    assert '<a href="/pycon/tracks/ai">AI</a>' in row
    table = (await datasette.client.get("/pycon/sessions?id=105")).text
    assert 'href="/pycon/rooms/grandballrooma">Grand Ballroom A</a>' in table
    assert 'href="/pycon/tracks/ai">AI</a>' in table


@pytest.mark.parametrize("path", ["/", "/pycon/sessions?day=2026-05-15", "/pycon/program_track.json?track=ai"])
async def test_pages_get_etags_and_304(datasette, path):
    first = await datasette.client.get(path)
    assert first.status_code == 200
    again = await datasette.client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert (await datasette.client.get(path)).content == first.content


async def test_clock_dependent_query_is_kept_only_until_its_minute_ends(datasette, monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-05-15T11:10:45")
    response = await datasette.client.get("/pycon/now_next.json")
    assert response.headers["cache-control"] == "public, max-age=15, s-maxage=15"


async def test_tables_read_as_people_read(datasette):
    speaker = (await datasette.client.get("/pycon/speakers?name=Trey+Hunner")).text
    assert '<td class="col-roles type-str">talk, tutorial</td>' in speaker and "[&#34;talk&#34;" not in speaker
    hotels = await datasette.client.get("/pycon/hotels")
    assert 'data-column="popup"' not in hotels.text and "col-popup" not in hotels.text
    order = (await datasette.client.get("/pycon/hotels.json?_shape=array&_col=walking_min")).json()
    walks = [h["walking_min"] for h in order]
    assert walks[-3:] == [None, None, None] and walks[:-3] == sorted(walks[:-3])
    assert "popup" in (await datasette.client.get("/pycon/hotels.json")).json()["columns"]  # the map still reads it
    sessions = (await datasette.client.get("/pycon/sessions")).text
    day_facet = sessions[sessions.index('id="facet-day"'):]
    days = [d for d in ("2026-05-13", "2026-05-14", "2026-05-15", "2026-05-16", "2026-05-17") if d in day_facet[:3000]]
    assert days == sorted(days, key=day_facet.index) and len(days) == 5  # in date order, not by count


@pytest.mark.parametrize("path, title", [("/pycon/sessions.json?_search=phishing", "Anatomy of a Phishing Campaign"),
                                         ("/pycon2023/sessions.json?_search=subinterpreters", "A Per-Interpreter GIL")])
async def test_a_sessions_table_searches_with_its_own_box(datasette, path, title):
    """#40: ?_search on sessions was ignored (all 207 rows), the index not linked as Datasette finds one."""
    rows = (await datasette.client.get(path + "&_shape=array")).json()
    assert len(rows) == 1 and rows[0]["title"].startswith(title)
    page = (await datasette.client.get(path.replace(".json", ""))).text
    assert 'name="_search"' in page and "1 row where search matches" in " ".join(page.split())


async def test_a_table_longer_than_its_page_offers_a_csv_of_every_row(datasette, db):
    """#40: edition_sessions' CSV link gave 1,000 of 1,207 rows and lost all of 2026, shown as text."""
    import csv
    import html
    import io

    page = (await datasette.client.get("/pycon/edition_sessions")).text
    link = html.unescape(re.search(r'<a href="([^"]+)">CSV of every row</a>', page).group(1))
    response = await datasette.client.get(link)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["content-disposition"] == 'attachment; filename="edition_sessions.csv"'
    assert len(rows) == db.execute("select count(*) from edition_sessions").fetchone()[0] > 1000
    assert {r["edition"] for r in rows} == {"2022", "2023", "2024", "2025", "2026"}


async def test_an_empty_agenda_offers_no_subscription_anywhere(datasette):
    """#40: /pycon/agenda?ids= showed no link but carried a Subscribe link in its script data."""
    empty = (await datasette.client.get("/pycon/agenda?ids=")).text
    assert "agenda.ics" not in empty and "PYCON_CALENDAR_LINKS" not in empty
    full = (await datasette.client.get("/pycon/agenda?ids=105,66")).text
    assert 'href="webcal://localhost/pycon/agenda.ics?ids=105%2C66"' in full  # drawn by the page itself
    table = (await datasette.client.get("/pycon/calendar_events")).text  # Datasette's own page: the script adds them
    assert "window.PYCON_CALENDAR_LINKS = " in table and "calendar-links.js" in table


async def test_each_page_describes_itself_for_search_results_and_link_previews(datasette):
    """#40, item 8: no page had a meta description, so a shared link or a search result showed no summary."""
    import html as html_lib

    def meta(page, attribute, name):
        found = re.search(rf'<meta {attribute}="{name}" content="([^"]*)">', page)
        return html_lib.unescape(found.group(1)) if found else None

    session = (await datasette.client.get("/pycon/sessions/105")).text
    description = meta(session, "name", "description")
    assert description.startswith("Talk by Paolo Melchiorre: Friday") or "Paolo Melchiorre" in description, description
    assert "Grand Ballroom A" in description and "PyCon US 2026" in description
    assert meta(session, "property", "og:title").startswith("AI-Assisted Contributions and Maintainer Load")
    assert meta(session, "property", "og:description") == description
    assert description.endswith("Recording available.")  # 105 has one
    keynote = meta((await datasette.client.get("/pycon/sessions/1005")).text, "name", "description")
    assert keynote == "Keynote by Lin Qiao: Friday 15 May, 09:45–10:30 PDT, Pacific Ballroom - Arena, PyCon US 2026."
    day = (await datasette.client.get("/schedule/2026-05-15")).text
    assert meta(day, "name", "description").startswith("The schedule of Friday 15 May at PyCon US 2026, Long Beach")
    home = (await datasette.client.get("/")).text
    assert meta(home, "name", "description").startswith("PyCon US 2026, Long Beach")
    table = (await datasette.client.get("/pycon/hotels")).text
    assert meta(table, "name", "description") and meta(table, "property", "og:site_name") == "PyCon US 2026"


async def test_a_program_querys_parameters_are_choices_where_the_edition_lists_them(datasette):
    """#40, item 9: the AI track's page showed a raw `track` text field; a track, a day or a kind is now chosen
    from the edition's own list, named as people read it, the value in the address kept."""
    track = " ".join((await datasette.client.get("/pycon/program_track?track=ai")).text.split())
    assert '<label for="param-track">Track</label> <select id="param-track" name="track">' in track
    assert '<option value="ai" selected>AI</option>' in track and '<option value="security">Security</option>' in track
    day = " ".join((await datasette.client.get("/pycon/program_day?day=Saturday")).text.split())
    assert '<option value="Saturday" selected>Saturday</option>' in day  # a weekday in the URL stays chosen
    assert '<option value="2026-05-16">Saturday 16 May</option>' in day
    room = " ".join((await datasette.client.get("/pycon/program_room?room=Hall+AB")).text.split())
    assert '<input id="param-room" type="text" name="room" value="Hall AB">' in room  # no list: a text box


async def test_now_next_leads_with_what_is_on_and_keeps_the_line_for_apps_below(datasette):
    """#40, item 9: the line for apps sat right under the picker, before what is on."""
    page = (await datasette.client.get("/pycon/now_next?at=2026-05-15T11:10")).text
    assert page.index('id="status-now"') < page.index('class="now-apps"')
    assert page.index('now-picker') < page.index('id="status-now"')


async def test_long_tables_open_on_a_search_box_and_their_rows_not_their_column_notes(datasette):
    """#40, items 6 and 9: the sessions table's column descriptions filled a screen before its rows, and the
    long tables (edition_sessions, 120 screens on a phone) needed a way in."""
    for path in ("/pycon/sessions", "/pycon/edition_sessions", "/pycon/speakers", "/pycon/edition_speakers"):
        page = (await datasette.client.get(path)).text
        search, rows = page.index('name="_search"'), page.index('class="rows-and-columns')
        assert search < rows, path
        if 'class="column-descriptions"' in page:
            assert page.index('<details class="column-descriptions-box"><summary>') < page.index('class="column-descriptions"')
            assert '<details class="column-descriptions-box" open' not in page


@pytest.mark.parametrize("path", ["/pycon/program_track?track=ai", "/pycon/search?q=security", "/pycon/speaker_index",
                                  "/pycon/program", "/pycon2023/program_day?day=2023-04-21", "/pycon/rooms"])
async def test_a_pages_csv_link_downloads_every_row_as_a_file(datasette, path):
    """#40, item 4: CSV offered as a download opened as text in the browser; it holds every row the page has."""
    import csv
    import io

    page = (await datasette.client.get(path)).text
    link = re.search(r'<a href="([^"]*\.csv[^"]*)">CSV[^<]*</a>', page).group(1).replace("&amp;", "&")
    answer = await datasette.client.get(link)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    json_path = path.replace("?", ".json?", 1) if "?" in path else path + ".json"
    every = (await datasette.client.get(json_path + ("&" if "?" in json_path else "?") + "_shape=array&_size=max")).json()
    assert len(list(csv.reader(io.StringIO(answer.text)))) - 1 == len(every) > 0
