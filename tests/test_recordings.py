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
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def run(folder, data_dir):
    return CliRunner().invoke(cli, ["import-recordings", str(folder), "--data", str(data_dir)])


@needs_shared("sources", "pyvideo", "pycon-us-2026", "category.json")
def test_the_real_2026_recordings_match_as_counted_and_twice_changes_nothing(data_copy):
    expected = snapshot(data_copy)
    (data_copy / "recordings.csv").write_text((DATA / "recordings.csv").read_text().splitlines()[0] + "\n")
    first = run(PYVIDEO_2026, data_copy)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("recordings: 90 (0 by hand, 76 by url, 3 by title, 4 by title-contained, "
                                   "2 by lightning-slot, 3 by page, 0 by title-other-day, 0 by shared-video, 0 by speakers-title, "
                                   "0 by keynote-speaker, 0 by plenary-title, 2 unmatched); 114 added, 0 changed, 0 removed\n"
                                   "lightning talks itemised: 24; sessions added from recordings: 3\n")
    shutil.copy(DATA / "recordings.csv", data_copy / "recordings.csv")  # with the organiser's hand match
    again = run(PYVIDEO_2026, data_copy)
    assert ("(1 by hand, 76 by url, 3 by title, 4 by title-contained, 2 by lightning-slot, 3 by page, 0 by title-other-day, 0 by shared-video, "
            "0 by speakers-title, 0 by keynote-speaker, 0 by plenary-title, 1 unmatched); "
            "0 added, 0 changed, 0 removed\n") in again.output  # what is already there is not reported as changed
    assert ("  warning: pycon-us-2026/videos/lightning-talks-saturday-may-16-2026-pm.json: field 'description' line 1: "
            "9:00 is later than the next talk's 4:17; that talk's time is left empty") in again.output
    assert ("sessions with a recording, by kind: break 0 of 12; charla 13 of 16; event 0 of 7; keynote 2 of 4; "
            "lightning-talk 24 of 24; lightning-talks 2 of 4; plenary 6 of 8; poster 0 of 25; poster-session 0 of 1; "
            "presentation 3 of 3; sprint 0 of 2; summit 0 of 5; talk 63 of 75; tutorial 0 of 20; unfilled 0 of 1") in again.output
    # the hand-matched PSF update is a plenary: its recording names its speakers, which the first run lacked
    assert "files changed: session_speakers.csv, speakers.csv" in again.output and snapshot(data_copy) == expected


def test_every_recording_names_its_source_and_how_it_was_matched(db):
    rows = db.execute("select * from recordings").fetchall()
    assert len(rows) == 90 + 24 and {r["source_id"] for r in rows} == {"pyvideo-pycon-us-2026"}  # 24 lightning talks
    # 2026's dates are right, no two of its files give one video to two sessions, and its titles match the
    # program's (the methods for earlier years' near titles and keynote titles are tested on them)
    assert {r["match"] for r in rows if r["session_id"]} == set(METHODS) - {
        "title-other-day", "shared-video", "speakers-title", "keynote-speaker", "plenary-title"}
    assert all(r["match"] is None for r in rows if r["session_id"] is None)
    assert db.execute("select count(distinct session_id) from recordings").fetchone()[0] == 89 + 24  # one each
    assert [r["id"] for r in rows if r["session_id"] is None] == [
        "asegurando-y-protegiendo-aplicaciones-python-con-open-keycloak"]  # a charla the program does not list


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
    # hardening 4: each of these was a traceback, a number of minutes in the quintillions, or accepted
    (lambda d: Raw("[" * 100_000 + "]" * 100_000), "demystifying-the-gil.json is not one recording: its JSON is nested too deeply"),
    (lambda d: d.update(duration=2**63 - 1), "field 'duration': 9223372036854775807 seconds is longer than a day"),
    (lambda d: d["videos"][0].update(url="https://www.youtube.com/watch?v=x\n"), "field 'videos[0].url': "
     "'https://www.youtube.com/watch?v=x\\n' is not an http(s) URL"),
])
def test_bad_recordings_are_refused_by_file_and_field_and_data_is_kept(data_copy, tmp_path, change, message):
    before = snapshot(data_copy)
    result = run(bad_folder(tmp_path, change), data_copy)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a message, not an exception
    assert snapshot(data_copy) == before


@pytest.mark.parametrize("make, message", [
    (lambda videos, outside: (videos / "x.json").mkdir(), "videos/x.json is not a file (a directory or a pipe)"),
    (lambda videos, outside: __import__("os").mkfifo(videos / "x.json"), "videos/x.json is not a file (a directory or a pipe)"),
    (lambda videos, outside: (videos / "x.json").symlink_to(outside), "videos/x.json links out of the event folder"),
])
def test_what_is_not_a_recording_file_is_refused_by_name_before_anything_is_read(data_copy, tmp_path, make, message):
    """A directory named x.json was a traceback, a pipe made the importer wait for ever, and a link out of the
    folder was followed (hardening 4)."""
    folder = bad_folder(tmp_path, lambda d: None)
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"title": "Not from pyvideo"}))
    make(folder / "videos", outside)
    before = snapshot(data_copy)
    result = run(folder, data_copy)
    assert result.exit_code != 0 and message in result.output and isinstance(result.exception, SystemExit)
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
    assert len(rows) == expected and sum(r["recording_state"] == "published" for r in rows) == 89
    keynotes = (await datasette.client.get("/pycon/watch.json?_shape=array&kind=keynote")).json()
    assert [(r["id"], r["recording_state"]) for r in keynotes] == [(1005, "missing"), (1009, "published"),
                                                                    (1012, "published"), (1016, "missing")]
    assert {r["track_id"] for r in (await datasette.client.get("/pycon/watch.json?_shape=array&track=AI")).json()} == {"ai"}
    html = " ".join((await datasette.client.get("/pycon/watch")).text.split())
    assert f"89 of {expected} sessions have a published recording" in html
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
        # #40, item 7: the home page itself says what to watch, keynotes first, then each day's recordings
        watch = html[html.index(lead):html.index('class="program-search"')]
        assert "What to watch: 89 recorded sessions, by day." in watch
        keynote = re.search(r'<li><a href="/pycon/sessions/1009">(.*?)</li>', watch).group(0)
        assert 'class="watch-link" href="https://www.youtube.com/' in keynote and " min</span>" in keynote
        assert watch.index("Keynotes and plenaries") < watch.index("<summary>Friday 15 May: 36 recorded</summary>")
        days = re.findall(r"<summary>(\w+ \d+ May): (\d+) recorded</summary>", watch)
        assert [d for d, _ in days] == sorted({d for d, _ in days}, key=[d for d, _ in days].index) and len(days) >= 3
        assert sum(int(n) for _, n in days) + watch.count('<li><a href="/pycon/sessions/', 0, watch.index("<details")) == 89
        assert 'href="/pycon/sessions/1005"' not in watch  # Lin Qiao's keynote has no published recording
    else:
        assert "What to watch" not in html
    datasette._response_cache.clear()


def lightning_talks(db, slot):
    return db.execute("select s.id, s.title, s.parent_id, r.start_s, r.watch_url, r.video_url, r.part_of from sessions s "
                      "join recordings r on r.session_id = s.id where s.parent_id = ? order by s.id", (slot,)).fetchall()


def test_the_saturday_evening_lightning_talks_are_itemised_with_deep_links(db):
    talks = lightning_talks(db, 1010)
    assert len(talks) == 12 and {t["part_of"] for t in talks} == {"lightning-talks-saturday-may-16-2026-pm"}
    assert [t["title"] for t in talks][3:5] == ["Silence is Golden", "gh-profiler"]
    # The index gives the first talk 09:00, after the second's 04:17: that one time is left empty, not guessed.
    offsets = [t["start_s"] for t in talks]
    assert offsets[0] is None and offsets[1:] == sorted(offsets[1:]) and len(set(offsets[1:])) == 11
    assert offsets[1:4] == [4 * 60 + 17, 9 * 60 + 19, 14 * 60 + 31]
    for t in talks[1:]:
        assert t["watch_url"] == f"https://www.youtube.com/watch?v=VA3O7UxuZO4&t={t['start_s']}s"
    assert talks[0]["watch_url"] == "https://www.youtube.com/watch?v=VA3O7UxuZO4"  # from the start: the first talk
    friday = lightning_talks(db, 168)
    assert len(friday) == 12 and [t["start_s"] for t in friday][:2] == [80, 315] and all(t["start_s"] for t in friday)
    camila = db.execute("select group_concat(speaker_id, ';') from session_speakers where session_id = 16805 "
                        "order by position").fetchone()[0]
    assert camila == "camila-maia;maria-antonia-maia"  # "Camila Maia, Maria Antonia Maia": two speakers


def test_lightning_speakers_are_the_programs_where_the_name_is_the_same(db):
    def speakers_of(sid):
        return [r[0] for r in db.execute("select speaker_id from session_speakers where session_id = ? order by position", (sid,))]

    assert speakers_of(16804) == ["aayush-gauba"]  # also a poster presenter: one person, one page
    assert speakers_of(101012) == ["ariel-ortiz"]
    ned = db.execute("select name, source_id from speakers where id = 'ned-batchelder'").fetchone()
    assert tuple(ned) == ("Ned Batchelder", "pyvideo-pycon-us-2026")


def test_presentations_only_a_recording_shows_become_sessions_without_invented_facts(db):
    rows = db.execute("select id, kind, title, day, start_local, room_id, url, language from sessions "
                      "where id in (171, 172, 176) order by id").fetchall()
    assert [tuple(r) for r in rows] == [
        (171, "presentation", "The Art of Extending Python with other languages", "2026-05-15", None, None,
         "https://us.pycon.org/2026/schedule/presentation/171/", "en"),
        (172, "presentation", "Beyond the Hype: A Pragmatic Look at How Developers Actually Use AI Tools", "2026-05-15",
         None, None, "https://us.pycon.org/2026/schedule/presentation/172/", "en"),
        (176, "presentation", "Lazy imports and the art of interpreter procrastination", "2026-05-17", None, None,
         "https://us.pycon.org/2026/schedule/presentation/176/", "en")]
    assert db.execute("select count(*) from session_speakers where session_id = 172").fetchone()[0] == 6
    assert {r[0]: r[1] for r in db.execute("select id, match from recordings where session_id in (171, 172, 176)")} == {
        "the-art-of-extending-python-with-other-languages-cristian-maureira": "page",
        "beyond-the-hype-a-pragmatic-look-at-how-developers-actually-use-ai-tools": "page",
        "lazy-imports-and-the-art-of-interpreter-procrastination": "page"}


def test_reported_sessions_a_recording_confirms_point_to_the_session(db):
    assert [tuple(r) for r in db.execute("select id, session_id from reported_sessions order by id")] == [
        (1, 171), (2, 176), (3, 101003), (4, 101004), (5, None)]


async def test_search_finds_the_lightning_talks(datasette):
    for q, sid in (("Silence is Golden", 101004), ("gh-profiler", 101005), ("Simon Willison", 101003),
                   ("Hauntomation", 16807)):
        rows = (await datasette.client.get(f"/pycon/search.json?_shape=array&q={q}")).json()
        assert rows and rows[0]["id"] == sid, q
        assert rows[0]["during"] == "Lightning Talks" and rows[0]["room"] == "Pacific Ballroom - Arena"


async def test_a_lightning_slot_lists_its_talks_each_a_link_into_the_video(datasette):
    html = " ".join((await datasette.client.get("/pycon/sessions/1010")).text.split())
    items = re.findall(r'<li class="session talk" data-session="(\d+)">(.*?)</li>', html)
    assert [int(i) for i, _ in items] == list(range(101001, 101013))
    ned = dict(items)["101004"]
    assert ('<a class="talk-from" href="https://www.youtube.com/watch?v=VA3O7UxuZO4&amp;t=871s" '
            'aria-label="Watch Silence is Golden from 14:31">14:31</a> <a href="/pycon/sessions/101004">Silence is Golden</a>') in ned
    assert '<p class="session-meta">Ned Batchelder</p>' in ned
    assert '>start</a> <a href="/pycon/sessions/101001">' in dict(items)["101001"]  # its time is out of order
    talk = " ".join((await datasette.client.get("/pycon/sessions/101004")).text.split())
    assert ('<p class="record-recording"><a href="https://www.youtube.com/watch?v=VA3O7UxuZO4&amp;t=871s">Watch from 14:31</a>'
            ' in the recording of Lightning Talks</p>') in talk
    assert "Saturday 16 May, during Lightning Talks" in talk and 'href="/pycon/rooms/pacificballroomarena"' in talk
    first = " ".join((await datasette.client.get("/pycon/sessions/101001")).text.split())
    assert "(the index's time for this talk is out of order: it is before 4:17)" in first


def lightning_folder(tmp_path, description, duration=3533):
    folder = tmp_path / "pycon-us-2026"
    (folder / "videos").mkdir(parents=True)
    (folder / "category.json").write_text('{"title": "PyCon US 2026"}')
    doc = json.loads((PYVIDEO_2026 / "videos" / "lightning-talks-saturday-may-16-2026-pm.json").read_text())
    doc.update(description=description, duration=duration)
    (folder / "videos" / "lightning-talks-saturday-may-16-2026-pm.json").write_text(json.dumps(doc))
    return folder


@needs_shared("sources", "pyvideo", "pycon-us-2026", "category.json")
@pytest.mark.parametrize("description, duration, message", [
    ("00:10: A - One\n05:00: B - Two\n03:00: C - Three\n02:00: D - Four\n", 3533,
     "line 3: the index's times are out of order (0:10, 5:00, 3:00, 2:00); they must increase"),
    ("00:10: A - One\n59:40: B - Two\n", 600, "line 2: 59:40 is past the recording's end (10:00)"),
    ("00:10: A - One\nB talks about C\n", 3533, "line 2: 'B talks about C' is not 'mm:ss: Speaker[, Speaker] - Title'"),
    ("00:10: A - One\n04:75: B - Two\n", 3533, "line 2: 04:75 is not a time (minutes and seconds under 60)"),
])
def test_a_faulty_lightning_index_is_refused_and_data_is_kept(data_copy, tmp_path, description, duration, message):
    before = snapshot(data_copy)
    result = run(lightning_folder(tmp_path, description, duration), data_copy)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"lightning-talks-saturday-may-16-2026-pm.json: field 'description' {message}" in result.output
    assert snapshot(data_copy) == before


async def test_a_lightning_slots_export_lists_each_talks_recording_and_google_carries_it(datasette, db):
    """#40, item 5: the itemised lightning talks have no time of their own, so schedule.xml and schedule.json
    carried only their slots' whole videos; each talk's deep link is now among its slot's links. And "Add to
    Google Calendar" carries the recording link, as the .ics does."""
    import urllib.parse
    import xml.etree.ElementTree as ET

    talks = lightning_talks(db, 168)
    data = (await datasette.client.get("/pycon/schedule.json")).json()
    events = [e for d in data["schedule"]["conference"]["days"] for room in d["rooms"].values() for e in room]
    slot = next(e for e in events if e["id"] == 168)
    deep = [(l["title"], l["url"]) for l in slot["links"] if l["title"].startswith("Recording: ")]
    assert deep == [(f"Recording: {t['title']}", t["watch_url"]) for t in talks] and len(deep) == 12
    root = ET.fromstring((await datasette.client.get("/pycon/schedule.xml")).text)
    xml_links = [(l.text, l.get("href")) for l in root.find(".//event[@id='168']").find("links")]
    assert [x for x in xml_links if x[0].startswith("Recording: ")] == deep
    page = (await datasette.client.get("/pycon/sessions/105")).text
    google = re.search(r'class="calendar-google" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    details = urllib.parse.parse_qs(urllib.parse.urlparse(google).query)["details"][0]
    assert "Recording: https://www.youtube.com/watch?v=EKayPgbD6J0" in details and "Speakers: Paolo Melchiorre" in details


async def test_a_video_pyvideo_gives_two_sessions_is_neither_ones_and_both_pages_say_so(datasette, db):
    """#39: two pyvideo files of 2023 carry one YouTube id (a sponsor workshop and the Steering Council panel),
    and both sessions linked it: one was wrong. Neither shows it as its recording now, and both say why."""
    import html as html_lib
    import sqlite3

    edition = sqlite3.connect(str(db.execute("pragma database_list").fetchone()[2]).replace("pycon.db", "pycon2023.db"))
    shared = edition.execute("select session_id, match from recordings where video_url like '%fYXAbfHZmRg%' order by session_id").fetchall()
    assert shared == [(135, "shared-video"), (1039, "shared-video")]
    titles = dict(edition.execute("select id, title from sessions where id in (135, 1039)").fetchall())
    for sid, other in ((135, 1039), (1039, 135)):
        page = html_lib.unescape(" ".join((await datasette.client.get(f"/pycon2023/sessions/{sid}")).text.split()))
        assert f'<a href="/pycon2023/sessions/{other}">{titles[other]}</a>: it cannot be both' in page
        assert 'class="record-recording"' not in page and "Recording available." not in page
    rows = (await datasette.client.get("/pycon/edition_sessions.json?edition=2023&id__in=135,1039&_shape=array")).json()
    assert [r["recording_url"] for r in rows] == [None, None]


def test_an_index_in_any_of_pyvideos_formats_itemises_its_talks():
    """2022 indexes "- 00:50 - Speaker - Title" after prose, 2025 "2:05 - Speaker - Title", 2026 "1:20: Speaker -
    Title": each is read; a timed line naming no speaker is left out and said; one slip loses its time, whichever
    of the two is out of line."""
    from scripts.importers.recorded_program import read_index

    description = ("Lightning talks are 5 minutes long.\n\nSpeakers:\n\n"
                   "- 00:50 - Sameer Wagh - Data Science without Data?   \n"
                   "- 20:17 - Graham Waters -The grief cycle\n"
                   "- 30:45 - Jeff Weiss - Teaching Python (Note: Video begins at ~2:40:00)\n"
                   "- 40:18 - Alexa Lindberg - Generating recipes w/ GPT-2 & Python\n"
                   "- 20:53 - Srinivas Bontula - Managing transitive dependencies\n"
                   "- 50:25 - Adrian - When to rewrite in rust\n"
                   "- 55:00 - multiple speakers talking about Regional Python Conferences\n")
    entries, warnings = read_index(description, 3600, "x.json")
    assert [(e.offset_s, e.speakers, e.title, e.note) for e in entries] == [
        (50, ("Sameer Wagh",), "Data Science without Data?", ""),
        (1217, ("Graham Waters",), "The grief cycle", ""),
        (1845, ("Jeff Weiss",), "Teaching Python", "Video begins at ~2:40:00"),
        (2418, ("Alexa Lindberg",), "Generating recipes w/ GPT-2 & Python", ""),
        (None, ("Srinivas Bontula",), "Managing transitive dependencies", ""),
        (3025, ("Adrian",), "When to rewrite in rust", "")]
    assert warnings == [
        "x.json: field 'description' line 11: 'multiple speakers talking about Regional Python Conferences' names no "
        "speaker and title: not itemised as a talk",
        "x.json: field 'description' line 9: 20:53 is earlier than the last talk's 40:18; that talk's time is left empty"]
    assert read_index("1:20: Camila Maia, Maria Antonia Maia - Cumbuca Dev\n2:05 - A - B\n", 600, "y")[0][0].speakers == \
        ("Camila Maia", "Maria Antonia Maia")
    assert read_index("Lightning Talks", None, "z") == ([], ["z: its description indexes no talk: the recording is matched whole"])


PYVIDEO = SHARED / "sources" / "pyvideo"


def export(real_db, year, out, *extra):
    return CliRunner().invoke(cli, ["export-pyvideo", str(year), str(out), "--db", str(real_db), *extra])


@needs_shared("reference", "pyvideo-video.schema.json")
@needs_shared("sources", "pyvideo", "pycon-us-2022", "category.json")
@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_export_pyvideo_gives_pyvideo_its_files_back_with_what_the_site_established(real_db, tmp_path, year):
    """#39: one file a recording at pyvideo's own path, valid against pyvideo/data's schema; every field
    pyvideo has kept but the official page, the speakers (their names now) and the day of the session."""
    import jsonschema

    schema = json.loads((SHARED / "reference" / "pyvideo-video.schema.json").read_text())
    result = export(real_db, year, tmp_path, "--pyvideo", str(PYVIDEO))
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / f"pycon-us-{year}" / "videos").glob("*.json"))
    theirs = sorted((PYVIDEO / f"pycon-us-{year}" / "videos").glob("*.json"))
    assert [f.name for f in files] == [f.name for f in theirs]
    assert f"wrote {len(files)} recordings of {year}" in result.output
    for path, original in zip(files, theirs):
        doc, before = json.loads(path.read_text()), json.loads(original.read_text())
        # as pyvideo/data's own files pass it: its `recorded` is a day ("2022-04-29"), which the schema's
        # "date-time" format note does not fit, so formats are checked here one by one
        jsonschema.Draft4Validator(schema).validate(doc)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["recorded"]) and all(
            re.fullmatch(r"https?://\S+", u["url"]) for u in doc["videos"] + doc.get("related_urls", []))
        assert {k: v for k, v in doc.items() if k not in ("related_urls", "speakers", "recorded")} == \
            {k: v for k, v in before.items() if k not in ("related_urls", "speakers", "recorded")}, path.name
        assert path.read_text().endswith("}\n") and "\\u" not in path.read_text()  # pyvideo's own layout


@needs_shared("sources", "pyvideo", "pycon-us-2022", "category.json")
def test_export_pyvideo_corrects_pages_days_and_names(real_db, tmp_path):
    for year in (2022, 2025):
        assert export(real_db, year, tmp_path, "--pyvideo", str(PYVIDEO)).exit_code == 0
    read = lambda year, name: json.loads((tmp_path / f"pycon-us-{year}" / "videos" / f"{name}.json").read_text())
    iceberg = read(2025, "bridging-python-and-apache-iceberg")  # pyvideo names another talk's page, another day
    assert [u["url"] for u in iceberg["related_urls"] if u["label"] == "Presentation Webpage"] == \
        ["https://us.pycon.org/2025/schedule/presentation/124/"] and iceberg["recorded"] == "2025-05-16"
    talk = read(2022, "talk-moshe-zadka-best-practices-for-continuous-integration-in-python-v02")
    assert talk["recorded"] == "2022-04-29" and {"label": "Presentation Webpage",
                                                 "url": "http://us.pycon.org/2022/schedule/presentation/105/"} in talk["related_urls"]
    assert read(2022, "talk-amethyst-reese-open-source-on-easy-mode")["speakers"] == ["Amethyst Reese"]
    assert read(2022, "keynote-lukasz-langa")["recorded"] == "2022-04-29"
    assert read(2022, "typing-summit-at-pycon-us-2022") == json.loads(
        (PYVIDEO / "pycon-us-2022" / "videos" / "typing-summit-at-pycon-us-2022.json").read_text())  # on no session


def test_export_pyvideo_without_a_checkout_and_for_a_year_the_site_lacks(real_db, tmp_path):
    result = export(real_db, 2023, tmp_path)
    assert result.exit_code == 0 and "wrote 140 recordings of 2023" in result.output
    doc = json.loads((tmp_path / "pycon-us-2023" / "videos" / "lightning-talks-2.json").read_text())
    assert doc["title"] == "Lightning Talks - April 22, 5pm" and doc["recorded"] == "2023-04-22" and doc["videos"][0]["url"]
    refused = export(real_db, 2019, tmp_path)
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "the site has no edition 2019 (it has 2022, 2023, 2024, 2025, 2026)" in refused.output


@needs_shared("sources", "pyvideo", "pycon-us-2023", "category.json")
def test_export_pyvideo_names_a_checkout_file_it_cannot_read(real_db, tmp_path):
    checkout = tmp_path / "pyvideo-data"
    shutil.copytree(PYVIDEO / "pycon-us-2023", checkout / "pycon-us-2023")
    (checkout / "pycon-us-2023" / "videos" / "lightning-talks-2.json").write_text("{not json")
    result = export(real_db, 2023, tmp_path / "out", "--pyvideo", str(checkout))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "pycon-us-2023/videos/lightning-talks-2.json is not a pyvideo record (JSON)" in result.output
