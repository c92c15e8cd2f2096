"""Recordings from pyvideo/data: the importer on the real 2026 folder, its matches, its refusals, the pages."""
import json
import re
import shutil

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from scripts.importers.recordings import METHODS

from .conftest import DATA, SHARED, needs_shared

PYVIDEO_2026 = SHARED / "sources" / "pyvideo" / "pycon-us-2026"


def snapshot(data_dir):
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())}


def run(folder, data_dir):
    return CliRunner().invoke(cli, ["import-recordings", str(folder), "--data", str(data_dir)])


@needs_shared("sources", "pyvideo", "pycon-us-2026", "category.json")
def test_the_real_2026_recordings_match_as_counted_and_twice_changes_nothing(data_copy):
    (data_copy / "recordings.csv").write_text((DATA / "recordings.csv").read_text().splitlines()[0] + "\n")
    first = run(PYVIDEO_2026, data_copy)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("recordings: 90 (0 by hand, 76 by url, 3 by title, 4 by title-contained, "
                                   "2 by lightning-slot, 5 unmatched); 90 added, 0 changed, 0 removed")
    shutil.copy(DATA / "recordings.csv", data_copy / "recordings.csv")  # with the organiser's hand match
    again = run(PYVIDEO_2026, data_copy)
    assert "(1 by hand, 76 by url, 3 by title, 4 by title-contained, 2 by lightning-slot, 4 unmatched)" in again.output
    assert "files changed: none" in again.output and snapshot(data_copy) == snapshot(DATA)


def test_every_recording_names_its_source_and_how_it_was_matched(db):
    rows = db.execute("select * from recordings").fetchall()
    assert len(rows) == 90 and {r["source_id"] for r in rows} == {"pyvideo-pycon-us-2026"}
    assert {r["match"] for r in rows if r["session_id"]} <= set(METHODS)
    assert all(r["match"] is None for r in rows if r["session_id"] is None)
    assert db.execute("select count(distinct session_id) from recordings").fetchone()[0] == 86  # one session, one recording


def test_demystifying_the_gil_links_its_video(db):
    row = db.execute("select * from recordings where session_id = 45").fetchone()
    assert row["title"] == "Demystifying the GIL" and row["match"] == "url"
    assert row["video_url"] == "https://www.youtube.com/watch?v=MC1PQ7ZgUeU"


async def test_a_session_page_offers_its_recording(datasette, db):
    minutes = round(db.execute("select duration_s from recordings where session_id = 45").fetchone()[0] / 60)
    html = (await datasette.client.get("/pycon/sessions/45")).text
    assert (f'<p class="record-recording"><a href="https://www.youtube.com/watch?v=MC1PQ7ZgUeU">'
            f"Watch the recording ({minutes} min)</a></p>") in html
    assert html.index("record-recording") < html.index("record-calendar")
    assert "record-recording" not in (await datasette.client.get("/pycon/sessions/2")).text  # a tutorial: none


class Raw(str):
    """A file's text as it is, not a change to the JSON."""


def bad_folder(tmp_path, change):
    """An event folder holding one recording (the GIL talk's facts) with one fault."""
    folder = tmp_path / "pycon-us-2026"
    (folder / "videos").mkdir(parents=True)
    (folder / "category.json").write_text('{"title": "PyCon US 2026"}')
    doc = {"title": "Demystifying the GIL", "speakers": ["Someone"], "recorded": "2026-05-16", "duration": 1800,
           "language": "eng", "videos": [{"type": "youtube", "url": "https://www.youtube.com/watch?v=MC1PQ7ZgUeU"}],
           "related_urls": [{"label": "Presentation Webpage", "url": "https://us.pycon.org/2026/schedule/presentation/45/"}]}
    raw = change(doc)
    (folder / "videos" / "demystifying-the-gil.json").write_text(raw if isinstance(raw, Raw) else json.dumps(doc))
    return folder


@pytest.mark.parametrize("change, message", [
    (lambda d: Raw("{not json"), "pycon-us-2026/videos/demystifying-the-gil.json is not JSON"),
    (lambda d: d.pop("title"), "demystifying-the-gil.json: field 'title': is missing or not text"),
    (lambda d: d.pop("videos"), "field 'videos': should be a list of {type, url}, with at least one"),
    (lambda d: d["videos"][0].update(url="javascript:alert(1)"), "field 'videos[0].url': 'javascript:alert(1)' is not an http(s) URL"),
    (lambda d: d.update(duration=-5), "field 'duration': -5 is not a number of seconds (0 or more)"),
    (lambda d: d.update(recorded="16 May"), "field 'recorded': '16 May' is not a date (YYYY-MM-DD)"),
])
def test_bad_recordings_are_refused_by_file_and_field_and_data_is_kept(data_copy, tmp_path, change, message):
    before = snapshot(data_copy)
    result = run(bad_folder(tmp_path, change), data_copy)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert snapshot(data_copy) == before


def test_a_folder_that_is_not_an_event_is_refused(data_copy, tmp_path):
    result = run(tmp_path, data_copy)
    assert result.exit_code != 0 and "is not an event folder of pyvideo/data (category.json and videos/)" in result.output


async def test_calendar_events_carry_the_recording(datasette):
    import icalendar

    body = (await datasette.client.get("/pycon/agenda.ics?ids=45")).text
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert "Recording: https://www.youtube.com/watch?v=MC1PQ7ZgUeU" in str(event["DESCRIPTION"]).splitlines()
    row = (await datasette.client.get("/pycon/agenda.json?_shape=array&ids=45")).json()[0]
    assert row["recording_url"] == "https://www.youtube.com/watch?v=MC1PQ7ZgUeU" and row["recording_s"] > 0


async def test_grids_and_lists_mark_what_has_a_recording(datasette, db):
    recorded = {r[0] for r in db.execute(
        "select s.id from sessions s join recordings r on r.session_id = s.id where s.day = '2026-05-15' "
        "and s.parent_id is null and s.start_iso is not null and s.end_iso is not null")}
    html = (await datasette.client.get("/schedule/2026-05-15")).text
    blocks = re.findall(r'<article class="block[^"]*" data-session="(\d+)".*?</article>', html, re.S)
    marked = {int(b) for b in re.findall(r'<article class="block[^"]*" data-session="(\d+)"(?:(?!</article>).)*'
                                        r'class="block-recording"', html, re.S)}
    assert blocks and marked == recorded and len(recorded) > 20
    speaker = (await datasette.client.get("/pycon/speakers/bruce-eckel")).text
    assert 'class="session-recording" href="https://www.youtube.com/watch?v=MC1PQ7ZgUeU">Watch the recording (' in speaker


async def test_the_schedule_exports_link_the_recording(datasette):
    import xml.etree.ElementTree as ET

    root = ET.fromstring((await datasette.client.get("/pycon/schedule.xml")).text)
    event = root.find(".//event[@id='45']")
    assert [(l.get("type"), l.get("href"), l.text) for l in event.find("links")] == [
        ("web", "https://us.pycon.org/2026/schedule/presentation/45/", "Official page"),
        ("media", "https://www.youtube.com/watch?v=MC1PQ7ZgUeU", "Recording")]
    data = (await datasette.client.get("/pycon/schedule.json")).json()
    events = [e for d in data["schedule"]["conference"]["days"] for room in d["rooms"].values() for e in room]
    gil = next(e for e in events if e["id"] == 45)
    assert {"url": "https://www.youtube.com/watch?v=MC1PQ7ZgUeU", "title": "Recording", "type": "media"} in gil["links"]
    assert sum(any(l["type"] == "media" for l in e["links"]) for e in events) == len(
        [r for r in (await datasette.client.get("/pycon/calendar_events.json?_shape=array&_size=max&recording_url__notblank=1")).json()
         if r["start_iso"] and r["end_iso"]])


async def test_the_watch_page_lists_recorded_kinds_and_names_the_missing(datasette, db):
    expected = db.execute("select count(*) from calendar_events e join kinds k on k.id = e.kind "
                          "where k.recorded and e.parent_id is null").fetchone()[0]
    rows = (await datasette.client.get("/pycon/watch.json?_shape=array")).json()
    assert len(rows) == expected and sum(r["recording_state"] == "published" for r in rows) == 86
    keynotes = (await datasette.client.get("/pycon/watch.json?_shape=array&kind=keynote")).json()
    assert [(r["id"], r["recording_state"]) for r in keynotes] == [(1005, "missing"), (1009, "published"),
                                                                    (1012, "published"), (1016, "missing")]
    assert {r["track_id"] for r in (await datasette.client.get("/pycon/watch.json?_shape=array&track=AI")).json()} == {"ai"}
    html = " ".join((await datasette.client.get("/pycon/watch")).text.split())
    assert f"86 of {expected} sessions have a published recording" in html
    lin_qiao = re.search(r'<li class="session" data-session="1005">.*?</li>', html).group(0)
    assert "recording not yet published" in lin_qiao and "session-recording" not in lin_qiao
    assert 'href="/pycon/watch"' in (await datasette.client.get("/")).text


@pytest.mark.parametrize("now, over", [("2026-05-15T11:10", False), ("2026-05-19T20:59", False),
                                       ("2026-05-19T21:01", True), ("2026-12-02T09:00", True)])
async def test_after_the_conference_the_home_page_leads_with_the_recordings(datasette, monkeypatch, now, over):
    monkeypatch.setenv("PYCON_NOW", now)
    datasette._response_cache.clear()
    html = " ".join((await datasette.client.get("/")).text.split())
    lead = '<h2 id="after-heading">PyCon US 2026 is over: it ended on Tuesday 19 May</h2>'
    assert (lead in html) is over
    if over:
        assert html.index('class="after-watch" href="/pycon/watch"') < html.index('class="program-search"')
    datasette._response_cache.clear()
