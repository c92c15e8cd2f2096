"""The day grids: which day /schedule opens, how sessions are laid out, what each page says."""
import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from plugins.schedule_grid import current_day, layout, sessions_of_day
from scripts.database.build import build

from .conftest import copy_data

DAYS = [f"2026-05-{d}" for d in range(13, 20)]
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize("now, day", [
    (datetime(2026, 3, 1, 12, 0, tzinfo=LA), "2026-05-13"),  # before: the first day
    (datetime(2026, 5, 16, 23, 59, tzinfo=LA), "2026-05-16"),  # during: today in Long Beach
    (datetime(2026, 5, 17, 6, 30, tzinfo=ZoneInfo("UTC")), "2026-05-16"),  # still Saturday there
    (datetime(2026, 11, 29, 9, 0, tzinfo=LA), "2026-05-19"),  # after: the last day
])
def test_the_day_that_is_on(now, day):
    assert current_day(DAYS, "America/Los_Angeles", now) == day


@pytest.mark.parametrize("now, day, seconds", [("2026-05-01T09:00", "2026-05-13", 300), ("2026-05-16T11:00", "2026-05-16", 300),
                                               ("2026-05-16T23:58", "2026-05-16", 120), ("2026-05-19T20:59", "2026-05-19", 60)])
async def test_schedule_goes_to_the_day_that_is_on_and_is_kept_until_it_changes(datasette, monkeypatch, now, day, seconds):
    monkeypatch.setenv("PYCON_NOW", now)
    datasette._response_cache.clear()
    response = await datasette.client.get("/schedule")
    assert response.status_code == 302
    assert response.headers["cache-control"] == f"public, max-age={seconds}, s-maxage={seconds}"
    assert response.headers["location"] == f"/schedule/{day}"
    datasette._response_cache.clear()


async def test_after_the_conference_schedule_says_so_and_leads_with_the_recordings(datasette, db, monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-12-03T09:00")
    datasette._response_cache.clear()
    response = await datasette.client.get("/schedule")
    html = " ".join(response.text.split())
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=300, s-maxage=300"
    recorded = db.execute("select count(distinct session_id) from recordings where session_id is not null").fetchone()[0]
    assert recorded == 113
    assert "<h1>PyCon US 2026 is over <span class=\"h1-sub\">it ended on Tuesday 19 May</span></h1>" in html
    assert f'href="/pycon/watch">Watch the recordings</a>: {recorded} sessions and lightning talks have one' in html
    assert html.index('href="/pycon/watch"') < html.index('href="/schedule/2026-05-13">Wednesday 13 May</a>')
    assert all(f'href="/schedule/2026-05-{d}"' in html for d in range(13, 20))
    datasette._response_cache.clear()


async def test_a_day_outside_the_conference_is_a_404_with_the_days(datasette):
    response = await datasette.client.get("/schedule/2026-06-01")
    assert response.status_code == 404
    assert 'href="/schedule/2026-05-15"' in response.text and "is not one of its days" in response.text


async def test_day_pages_are_cached_with_etags(datasette):
    first = await datasette.client.get("/schedule/2026-05-16")
    assert first.status_code == 200 and first.headers["etag"]
    again = await datasette.client.get("/schedule/2026-05-16", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def day_layout(datasette, day):
    """The grid of a day as the page lays it out, from the plugin's own queries."""
    db = datasette.get_database("pycon")
    rooms = {r["id"]: (r["name"], r["floor"]) for r in (await db.execute("select id, name, floor from rooms")).rows}
    return layout(await sessions_of_day(db, day), rooms)


def placed(grid):
    return {s["id"]: s for g in grid["groups"] for s in g["sessions"]}


async def test_a_parallel_hall_gets_a_lane_for_each_session_at_once(datasette):
    grid = await day_layout(datasette, "2026-05-17")
    hall = next(c for c in grid["columns"] if c["id"] == "hallab")
    sessions = placed(grid)
    job_fair, posters = sessions[1014], sessions[1015]  # both in Hall AB, 09:30/10:00-13:00
    assert hall["lanes"] >= 2 and job_fair["col"] != posters["col"]
    assert {job_fair["col"], posters["col"]} <= set(range(hall["first"], hall["first"] + hall["lanes"]))


async def test_breaks_that_overlap_nothing_are_bands_and_the_keynote_stage_comes_first(datasette):
    grid = await day_layout(datasette, "2026-05-15")
    sessions = placed(grid)
    assert grid["columns"][0]["name"] == "Pacific Ballroom - Arena"
    morning_break = next(s for s in sessions.values() if s["kind"] == "break" and s["start_local"].endswith("10:30"))
    assert morning_break["band"] and (morning_break["col"], morning_break["col_end"]) == (2, grid["last_column"])
    keynote = sessions[1005]
    assert (keynote["row_end"] - keynote["row"]) * 5 == 45 and not keynote["band"]


async def test_untimed_items_are_listed_apart(datasette):
    grid = await day_layout(datasette, "2026-05-14")
    assert {s["id"] for s in grid["untimed"]} >= {1031}  # the WebAssembly Summit: day known, time not
    assert all(not s["start_local"] or not s["end_local"] for s in grid["untimed"])


async def test_a_session_in_several_rooms_is_placed_in_its_first_room(tmp_path):
    """session_rooms' key orders 101a before 104ab; the session's own order (104ab first) must win."""
    from scripts.serve import make_datasette

    data = copy_data(tmp_path / "data")
    with (data / "sessions.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["other_rooms"] = "101a" if row["id"] == "102" else ""
    with (data / "sessions.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    build(data, tmp_path / "pycon.db")
    grid = await day_layout(make_datasette(tmp_path / "pycon.db", None), "2026-05-15")
    talk = placed(grid)[102]
    column = next(c for c in grid["columns"] if c["id"] == "104ab")
    assert talk["rooms"] == ["104ab", "101a"] and column["first"] <= talk["col"] < column["first"] + column["lanes"]


def session(sid, start, end, rooms, kind="talk"):
    return {"id": sid, "title": f"Session {sid}", "kind": kind, "start_local": f"2026-05-15 {start}",
            "end_local": f"2026-05-15 {end}", "room_ids": rooms}


def test_a_session_in_neighbouring_rooms_spans_their_columns_and_names_the_others():
    rooms = {r: (f"Room {r.upper()}", None) for r in ("a", "b", "c")}
    grid = layout([session(1, "10:00", "11:00", ["a"]), session(2, "10:00", "11:00", ["b"]),
                   session(3, "10:00", "11:00", ["c"]), session(4, "11:00", "12:00", ["a"]),
                   session(5, "12:00", "13:00", ["a", "b"]), session(6, "13:00", "14:00", ["a", "c"])], rooms)
    assert [c["id"] for c in grid["columns"]] == ["a", "b", "c"]  # a is used most
    sessions = placed(grid)
    assert (sessions[5]["col"], sessions[5]["col_end"]) == (2, 4) and sessions[5]["also"] == []
    assert (sessions[6]["col"], sessions[6]["col_end"]) == (2, 3) and sessions[6]["also"] == ["Room C"]


def blocks(html):
    """The session ids of a day page's blocks, and of its bands."""
    import re

    found = re.findall(r'<article class="block ([^"]*)" data-session="(\d+)"', html)
    return [int(i) for c, i in found if " band" not in f" {c}"], [int(i) for c, i in found if " band" in f" {c}"]


@pytest.mark.parametrize("query, sql", [
    ("track=ai", "track_id = 'ai'"),
    ("kind=talk", "kind = 'talk'"),
    ("language=es", "language = 'es'"),
    ("track=charlas&language=es", "track_id = 'charlas' and language = 'es'"),
])
async def test_grid_filters_show_the_sessions_chosen_in_the_rooms_that_hold_them(datasette, db, query, sql):
    """A filter shows the rooms holding a session it keeps, in the day's room order, and says how many it
    hides (#40, item 2: it kept every column, and a filtered 2025 Saturday opened on empty rooms)."""
    everything = (await datasette.client.get("/schedule/2026-05-15")).text
    page = await datasette.client.get(f"/schedule/2026-05-15?{query}")
    assert page.status_code == 200
    shown, bands = blocks(page.text)
    expected = {r[0] for r in db.execute(
        f"select id from calendar_events where day = '2026-05-15' and parent_id is null and start_local is not null "
        f"and end_local is not null and kind != 'break' and {sql}")}
    assert set(shown) - set(blocks(everything)[1]) == expected and expected
    assert bands == blocks(everything)[1]  # the breaks that concern everyone stay
    import re
    heads = lambda html: (re.findall(r'<div class="room-head"[^>]*>.*?</div>', html),
                          re.search(r'grid-template-columns: [^"]*', html).group(0))
    rooms_all, rooms_shown = heads(everything)[0], heads(page.text)[0]
    names = lambda found: [re.sub(r"<[^>]+>", " ", h).split() for h in found]  # noqa: E731
    assert names(rooms_shown) == [n for n in names(rooms_all) if n in names(rooms_shown)]  # the day's order
    held = {r[0] for r in db.execute(
        f"select distinct coalesce((select room_id from session_rooms sr where sr.session_id = e.id order by position limit 1), '') "
        f"from calendar_events e where day = '2026-05-15' and parent_id is null and start_local is not null "
        f"and end_local is not null and kind != 'break' and {sql}")}
    assert len(rooms_shown) == len(held) < len(rooms_all)
    hidden = len(rooms_all) - len(rooms_shown)
    assert f"{len(expected)} session{'s' if len(expected) != 1 else ''} shown" in page.text
    assert f"and so are {hidden} room{'s' if hidden != 1 else ''} with none of them" in page.text
    bar = page.text[page.text.index('class="grid-filters"'):page.text.index("</details>")]
    current = re.findall(r'<a href="([^"]*)" aria-current="true">([^<]*)', bar)
    assert len(current) == 3  # one choice per filter: the value chosen, or All
    for pair in query.split("&"):
        assert any(pair in href.replace("&amp;", "&") and label.strip() != "All" for href, label in current), pair


async def test_a_filter_that_matches_nothing_says_so(datasette):
    html = (await datasette.client.get("/schedule/2026-05-15?track=nope")).text
    assert blocks(html)[0] == [] and "0 sessions shown" in html
    assert "No session of this day matches" not in html or 'href="/schedule/2026-05-15">show everything' in html


async def test_under_each_start_time_the_phone_list_says_what_is_still_on(datasette, db):
    grid = await day_layout(datasette, "2026-05-16")
    group = next(g for g in grid["groups"] if g["time"] == "13:45")
    expected = {r[0] for r in db.execute(
        "select id from calendar_events where day = '2026-05-16' and parent_id is null and kind != 'break' "
        "and start_local < '2026-05-16 13:45' and end_local > '2026-05-16 13:45'")}
    assert {s["id"] for s in group["still_on"]} == expected and len(expected) >= 2
    html = (await datasette.client.get("/schedule/2026-05-16")).text
    line = html[html.index('id="at-1345"'):].split('<article')[0]
    assert '<p class="still-on"' in line and all(f'href="/pycon/sessions/{i}"' in line for i in expected)


async def test_a_sprint_day_is_a_list_with_the_sprint_projects(datasette, db):
    html = (await datasette.client.get("/schedule/2026-05-18")).text
    assert 'class="schedule-grid"' not in html and '<ul class="program-list long-day">' in html
    assert 'href="/pycon/sessions/1041"' in html
    projects = db.execute("select project, url from sprint_projects").fetchall()
    assert len(projects) == 13 and "Projects listed for the sprints (13)" in html
    for project, url in projects:
        assert (f'<a href="{url}">{project}</a>' if url else project) in html
    assert "sprint_projects" not in (await datasette.client.get("/schedule/2026-05-15")).text
    assert "Projects listed for the sprints" not in (await datasette.client.get("/schedule/2026-05-15")).text
