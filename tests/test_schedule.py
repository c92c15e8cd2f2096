"""The day grids: which day /schedule opens, how sessions are laid out, what each page says."""
import csv
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from plugins.schedule_grid import current_day, layout, sessions_of_day
from scripts.database.build import build

from .conftest import DATA

CONF = {"start_date": "2026-05-13", "end_date": "2026-05-19", "timezone": "America/Los_Angeles"}
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize("now, day", [
    (datetime(2026, 3, 1, 12, 0, tzinfo=LA), "2026-05-13"),  # before: the first day
    (datetime(2026, 5, 16, 23, 59, tzinfo=LA), "2026-05-16"),  # during: today in Long Beach
    (datetime(2026, 5, 17, 6, 30, tzinfo=ZoneInfo("UTC")), "2026-05-16"),  # still Saturday there
    (datetime(2026, 11, 29, 9, 0, tzinfo=LA), "2026-05-19"),  # after: the last day
])
def test_the_day_that_is_on(now, day):
    assert current_day(CONF, now) == day


@pytest.mark.parametrize("now, day", [("2026-05-01T09:00", "2026-05-13"), ("2026-05-16T11:00", "2026-05-16"),
                                      ("2026-05-19T20:59", "2026-05-19")])
async def test_schedule_goes_to_the_day_that_is_on_and_is_kept_briefly(datasette, monkeypatch, now, day):
    monkeypatch.setenv("PYCON_NOW", now)
    datasette._response_cache.clear()
    response = await datasette.client.get("/schedule")
    assert response.status_code == 302 and response.headers["cache-control"] == "public, max-age=30, s-maxage=30"
    assert response.headers["location"] == f"/schedule/{day}"
    datasette._response_cache.clear()


async def test_after_the_conference_schedule_says_so_and_leads_with_the_recordings(datasette, db, monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-12-03T09:00")
    datasette._response_cache.clear()
    response = await datasette.client.get("/schedule")
    html = " ".join(response.text.split())
    assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=30, s-maxage=30"
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

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
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
