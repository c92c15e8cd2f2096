"""The agenda behind "my schedule", and now_next on the conference's own clock (injected, never today's date)."""
import re

import icalendar
import pytest


@pytest.mark.parametrize("ids", ["105 66", "105+66", "105;66;66;", "66,105", " 105 ,, 66 ", "105%2066"])
async def test_agenda_ids_however_separated(datasette, ids):
    response = await datasette.client.get(f"/pycon/agenda.json?_shape=array&ids={ids}")
    assert [r["id"] for r in response.json()] == [105, 66]  # in time order: 11:00, then 11:45


async def test_ids_do_not_merge(datasette):
    rows = (await datasette.client.get("/pycon/agenda.json?_shape=array&ids=1+5")).json()
    assert {r["id"] for r in rows} == {1, 5}  # not session 15


async def test_unknown_ids_are_named_on_the_page_and_left_out_elsewhere(datasette):
    html = (await datasette.client.get("/pycon/agenda?ids=105,999999")).text
    assert "Not found in the program: 999999" in html
    assert (await datasette.client.get("/pycon/agenda.json?_shape=array&ids=105,999999")).json()[0]["id"] == 105
    body = (await datasette.client.get("/pycon/agenda.ics?ids=105,999999")).text
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 1


async def test_an_empty_agenda_shows_how_to_build_one(datasette):
    html = (await datasette.client.get("/pycon/agenda")).text
    assert "This agenda is empty." in html and 'href="/schedule/mine"' in html  # no links: test_browser


@pytest.mark.parametrize("now, status, ids", [
    ("2026-03-01T10:00", "has not started yet: it opens on Wednesday 13 May at 09:00", None),
    ("2026-05-15T11:10", None, {"now": {105, 167, 15, 102, 41}}),
    ("2026-05-15T18:10:00+00:00", None, {"now": {105, 167, 15, 102, 41}}),  # the same moment in UTC
    ("2026-11-29T09:00", "is over: it ended on Tuesday 19 May at 21:00", {}),
])
async def test_now_next_on_a_fixed_clock(datasette, monkeypatch, now, status, ids):
    monkeypatch.setenv("PYCON_NOW", now)
    html = " ".join((await datasette.client.get("/pycon/now_next")).text.split())
    rows = (await datasette.client.get("/pycon/now_next.json?_shape=array")).json()
    if status:
        assert status in html
    else:
        assert "conference-status" not in html
    if ids is None:  # before: the first items, as next
        assert rows and {r["status"] for r in rows} == {"next"} and rows[0]["start_local"] == "2026-05-13 09:00"
    elif ids:
        assert {r["id"] for r in rows if r["status"] == "now"} == ids["now"]
    else:
        assert rows == []
    assert 'type="datetime-local"' in html


async def test_schedule_opens_on_the_day_of_the_fixed_clock(datasette, monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-05-16T08:30")
    assert (await datasette.client.get("/schedule")).headers["location"] == "/schedule/2026-05-16"
    monkeypatch.setenv("PYCON_NOW", "2026-01-01T08:30")
    assert (await datasette.client.get("/schedule")).headers["location"] == "/schedule/2026-05-13"


async def test_a_shared_schedule_reads_without_javascript(datasette):
    """The page renders the sessions of ?ids= itself: clashes, floor changes, its feed, in time order."""
    html = (await datasette.client.get("/schedule/mine?ids=70,15,105,167")).text
    text = " ".join(html.split())
    assert "<h1 id=\"mine-heading\">A shared schedule</h1>" in html and "4 sessions in this shared selection" in text
    order = [int(i) for i in re.findall(r'<li class="session[^"]*" data-session="(\d+)"', html)]
    assert order == [15, 105, 167, 70]  # 11:00 (by id), then 11:45
    assert ('Clash: “Mind the gap! Why static typing requires more than just adding annotations” (11:00–11:30) and '
            '“AI-Assisted Contributions and Maintainer Load” (11:00–11:30) overlap on Friday 15 May.') in text
    assert ("Change floors after “Container-enabled Asyncio is All You Need (to Build Pythonic AI Workflows at Scale)”: "
            "from Grand Ballroom B (Upper Level) to Room 103ABC (Concourse Level)") in text
    assert 'href="/pycon/agenda.ics?ids=15,70,105,167"' in html and 'class="add-shared" hidden' in html


async def test_my_schedule_renders_this_browsers_stars_with_the_same_partial(datasette, monkeypatch):
    monkeypatch.setenv("PYCON_NOW", "2026-05-15T11:10")  # during: no "watched" mark (see below)
    own = (await datasette.client.get("/schedule/mine?own=1&ids=105")).text
    assert "1 session starred in this browser" in own and 'class="share-link"' in own and "add-shared" not in own
    item = re.search(r'<li class="session" data-session="105">.*?</li>', own, re.S).group(0)
    listed = (await datasette.client.get("/pycon/program_speaker?speaker=paolo-melchiorre")).text
    assert item in listed  # the speaker's list, grouped by day like My schedule: the very same markup
    empty = (await datasette.client.get("/schedule/mine?own=1&ids=")).text
    assert "No session starred yet." in empty and "calendar-links" not in empty


@pytest.mark.parametrize("now, over", [("2026-05-15T11:10", False), ("2026-12-03T09:00", True)])
async def test_after_the_conference_my_schedule_is_a_list_to_watch(datasette, monkeypatch, now, over):
    monkeypatch.setenv("PYCON_NOW", now)
    datasette._response_cache.clear()
    html = " ".join((await datasette.client.get("/schedule/mine?own=1&ids=45,1005,101004")).text.split())
    marks = re.findall(r'<button type="button" class="watched" data-session="(\d+)"', html)
    if over:  # the GIL talk and a lightning talk have recordings; Lin Qiao's keynote has none yet
        assert "3 sessions starred in this browser: 2 with a recording to watch, 1 without one yet" in html
        assert marks == ["45", "101004"] and "As a calendar:" in html
        assert 'href="https://www.youtube.com/watch?v=VA3O7UxuZO4&amp;t=871s">Watch from 14:31</a>' in html
        keynote = re.search(r'<li class="session" data-session="1005">.*?</li>', html).group(0)
        assert "recording not yet published" in keynote
    else:
        assert marks == [] and "Your calendar of these 3 sessions:" in html
        assert "Sessions you star later are not in it: subscribe with the new link" in html
        assert '<p class="mine-resubscribe message-warning" role="status" hidden></p>' in html
    shared = (await datasette.client.get("/schedule/mine?ids=45,1005")).text
    assert 'class="watched"' not in shared  # marks are this browser's, not a shared list's
    datasette._response_cache.clear()


async def test_the_qr_code_of_a_share_link(datasette, db):
    """The share link of the sessions asked that the program has, in order, naming its edition; none: a 404.
    Every session of 2025 (its 146 open spaces too) still fits one QR code."""
    small = await datasette.client.get("/schedule/mine/qr.svg?ids=105,66,999999")
    assert small.status_code == 200 and small.headers["content-type"] == "image/svg+xml"
    assert "<title>QR code of http://localhost/schedule/mine?edition=2026&amp;ids=66,105</title>" in small.text
    assert (await datasette.client.get("/schedule/mine/qr.svg?ids=999999")).status_code == 404
    ids = ",".join(str(r[0]) for r in db.execute("select id from edition_sessions where edition = 2025"))
    assert (await datasette.client.get(f"/schedule/mine/qr.svg?edition=2025&ids={ids}")).status_code == 200
