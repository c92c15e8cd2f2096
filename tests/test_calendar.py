"""Calendar feeds: valid RFC 5545, parsed by two independent parsers, equal to the query's JSON."""
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo
from urllib.parse import quote

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

import plugins.calendar_feed as calendar_feed
from plugins.calendar_feed import escape_text, fold_line, render_calendar

FEEDS = [
    "/pycon/program.ics",
    "/pycon/program_day.ics?day=2026-05-15",
    "/pycon/program_track.ics?track=security",
    "/pycon/program_track.ics?track=ai",
    "/pycon/program_room.ics?room=Room+104C",
    "/pycon/program_speaker.ics?speaker=Lin+Qiao",
    "/pycon/agenda.ics?ids=105,66,1031",
    "/pycon/event.ics?id=45",
]


async def get(datasette, path, **headers):
    return await datasette.client.get(path, headers=headers)


def instants(cal):
    out = []
    for ev in cal.walk("VEVENT"):
        start = ev.decoded("DTSTART")
        out.append(start.astimezone(timezone.utc).isoformat() if isinstance(start, datetime) else start.isoformat())
    return out


def json_instants(rows):
    """Each row's event_dtstart (the contract's column) as an instant in UTC, or the day of an all-day event."""
    return [datetime.fromisoformat(r["event_dtstart"]).astimezone(timezone.utc).isoformat()
            if "T" in r["event_dtstart"] else r["event_dtstart"] for r in rows]


async def test_our_renderer_is_in_effect(datasette):
    # Datasette loads plugins/ as its own module objects: compare the source file.
    assert datasette.renderers["ics"][0].__code__.co_filename == calendar_feed.render_ics.__code__.co_filename
    body = (await get(datasette, "/pycon/program.ics")).text
    assert f"PRODID:{calendar_feed.PRODID}\r\n" in body


async def test_a_session_download_is_one_event_to_add_not_a_calendar_to_subscribe_to(datasette):
    response = await get(datasette, "/pycon/event.ics?id=45")
    assert response.headers["content-disposition"] == 'attachment; filename="demystifying-the-gil.ics"'
    cal = icalendar.Calendar.from_ical(response.text)
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Demystifying the GIL"]
    assert not {"NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"} & set(cal.keys())
    # the UID every feed gives the session: a later subscription updates it instead of adding a second
    program = icalendar.Calendar.from_ical((await get(datasette, "/pycon/program.ics")).text)
    assert str(events[0]["UID"]) in {str(e["UID"]) for e in program.walk("VEVENT")}
    feed = icalendar.Calendar.from_ical((await get(datasette, "/pycon/agenda.ics?ids=45")).text)
    assert "REFRESH-INTERVAL" in feed and "X-WR-CALNAME" in feed  # a feed stays a feed
    none = icalendar.Calendar.from_ical((await get(datasette, "/pycon/event.ics?id=nothing")).text)
    assert none.walk("VEVENT") == []


@pytest.mark.parametrize("path", FEEDS)
async def test_feed_parses_and_matches_json_one_for_one(datasette, path):
    response = await get(datasette, path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.text
    json_path = path.replace(".ics", ".json") + ("&" if "?" in path else "?") + "_shape=array"
    rows = (await get(datasette, json_path)).json()
    assert rows, path
    # icalendar
    cal = icalendar.Calendar.from_ical(body)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(rows)
    assert [str(e["UID"]) for e in events] == [r["event_uid"] for r in rows]
    assert instants(cal) == json_instants(rows)
    assert [str(e["SUMMARY"]) for e in events] == [r["event_name"] for r in rows]
    # ical (strict, pydantic-validated) and vobject: independent parsers
    strict = IcsCalendarStream.calendar_from_ics(body)
    assert [e.uid for e in strict.events] == [r["event_uid"] for r in rows]
    assert [e.dtstart.isoformat() if not isinstance(e.dtstart, datetime) else e.dtstart.astimezone(timezone.utc).isoformat()
            for e in strict.events] == json_instants(rows)
    vcal = vobject.readOne(io.StringIO(body))
    assert len(vcal.vevent_list) == len(rows)
    # Form: CRLF everywhere, no line over 75 octets
    assert "\n" not in body.replace("\r\n", "")
    assert max(len(line.encode("utf-8")) for line in body.split("\r\n")) <= 75


async def test_event_content(datasette):
    body = (await get(datasette, "/pycon/program_speaker.ics?speaker=Lin+Qiao")).text
    cal = icalendar.Calendar.from_ical(body)
    (ev,) = cal.walk("VEVENT")
    assert ev.decoded("DTSTART") == datetime.fromisoformat("2026-05-15T09:45:00-07:00")
    assert ev["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert "DTSTART;TZID=America/Los_Angeles:20260515T094500\r\n" in body
    assert str(ev["SUMMARY"]) == "Keynote — Lin Qiao: Your AI Product Doesn’t Have a Moat… Yet"
    assert str(ev["LOCATION"]).startswith("Pacific Ballroom - Arena, Long Beach Convention & Entertainment Center")
    assert str(ev["URL"]) == "https://us.pycon.org/2026/schedule/"
    assert "Speakers: Lin Qiao" in str(ev["DESCRIPTION"])
    assert ev.decoded("DTSTAMP") == datetime(2026, 11, 28, tzinfo=timezone.utc)
    assert int(ev["SEQUENCE"]) == 0
    assert [str(c) for c in ev["CATEGORIES"].cats] == ["keynote"]
    assert str(cal["X-WR-CALNAME"]) == "PyCon US 2026: The sessions of one speaker (speaker=Lin Qiao)" == str(cal["NAME"])
    assert str(cal["X-WR-TIMEZONE"]) == "America/Los_Angeles"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "America/Los_Angeles"
    changes = {(c.name, c.decoded("DTSTART").isoformat(), c["RRULE"].to_ical().decode()) for c in tz.subcomponents}
    # The RRULE form of Google, Outlook and Apple, starting the year before the earliest event.
    assert changes == {("DAYLIGHT", "2025-03-09T02:00:00", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
                       ("STANDARD", "2025-11-02T02:00:00", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11")}
    assert "METHOD" not in cal


def _vobject_utc(body, summary_part):
    """vobject builds its tzinfo from the feed's own VTIMEZONE, not from a zone database."""
    vcal = vobject.readOne(io.StringIO(body))
    (event,) = [e for e in vcal.vevent_list if summary_part in e.summary.value]
    start = event.dtstart.value
    assert type(start.tzinfo).__name__ == "_tzicalvtz"  # built from the VTIMEZONE's rules, not from zoneinfo
    return start.astimezone(timezone.utc)


@pytest.mark.parametrize("zone, local, utc", [
    ("America/Los_Angeles", "20260515T094500", "2026-05-15T16:45:00+00:00"),
    ("America/Los_Angeles", "20261220T094500", "2026-12-20T17:45:00+00:00"),
    ("Europe/Berlin", "20260329T120000", "2026-03-29T10:00:00+00:00"),
    ("Australia/Sydney", "20260515T094500", "2026-05-14T23:45:00+00:00"),
    ("America/Sao_Paulo", "20190115T120000", "2019-01-15T14:00:00+00:00"),
    ("America/Sao_Paulo", "20200115T120000", "2020-01-15T15:00:00+00:00"),
    ("Asia/Tokyo", "20260515T094500", "2026-05-15T00:45:00+00:00"),
])
def test_the_vtimezone_alone_places_events_right(zone, local, utc):
    row = {"event_name": "x", "event_dtstart": datetime.strptime(local, "%Y%m%dT%H%M%S").isoformat(),
           "event_tzid": zone, "event_uid": "u"}
    body, skipped = render_calendar([row], list(row), "t")
    assert skipped == 0 and _vobject_utc(body, "x").isoformat() == utc


async def test_the_feed_read_through_its_vtimezone(datasette):
    body = (await get(datasette, "/pycon/program_speaker.ics?speaker=Lin+Qiao")).text
    assert _vobject_utc(body, "Lin Qiao").isoformat() == "2026-05-15T16:45:00+00:00"


RUBY = shutil.which("ruby")
RUBY_READER = """
require "stringio"
require "icalendar"
cal = Icalendar::Calendar.parse(STDIN.read).first
cal.events.each do |e|
  v = e.dtstart
  puts "#{e.uid} #{v.is_a?(Icalendar::Values::Date) ? v.strftime('%Y-%m-%d') : v.to_time.utc.strftime('%Y-%m-%dT%H:%M:%SZ')}"
end
"""


@pytest.mark.parametrize("path", ["/pycon/program.ics", "/pycon/program_speaker.ics?speaker=Nobody"])
async def test_rubys_icalendar_reads_every_feed(datasette, path):
    """Debian's ruby-icalendar 2.8 resolves TZID through the VTIMEZONE; it crashed on the old form."""
    if not RUBY or subprocess.run([RUBY, "-e", 'require "icalendar"'], capture_output=True).returncode:
        if os.environ.get("CI"):
            pytest.fail("ruby and ruby-icalendar are required in CI")
        pytest.skip("install ruby and ruby-icalendar (apt-get install ruby ruby-icalendar) to run this reader")
    body = (await get(datasette, path)).text
    result = subprocess.run([RUBY, "-e", RUBY_READER], input=body, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    got = dict(line.split(" ") for line in result.stdout.splitlines())
    expected = {str(e["UID"]): e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert got.keys() == expected.keys()
    for uid, start in expected.items():
        want = start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(start, datetime) \
            else start.isoformat()
        assert got[uid] == want, uid
    if "program.ics" in path:
        assert got["pycon-us-2026-session-1005@us.pycon.org"] == "2026-05-15T16:45:00Z"


KHAL_CONFIG = """[calendars]
[[unused]]
path = {path}
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = America/Los_Angeles
local_timezone = America/Los_Angeles
"""
KHAL_LINE = re.compile(r"^(\d{4}-\d\d-\d\d(?: \d\d:\d\d)?)-(\d{4}-\d\d-\d\d(?: \d\d:\d\d)?) (.*?) :: ", re.M)


async def test_khal_shows_every_event_of_the_program_as_long_as_it_is(datasette, tmp_path):
    """khal (a terminal calendar) shows each event from its start to its end; an item with no end known
    (Sunday's 10:00 Break) is a moment, not the 24 hours khal showed when the feed left DTEND out."""
    (tmp_path / "cal").mkdir()
    (tmp_path / "config").write_text(KHAL_CONFIG.format(path=tmp_path / "cal"))
    body = (await get(datasette, "/pycon/program.ics")).text
    (tmp_path / "program.ics").write_text(body)
    khal = Path(sys.executable).parent / "khal"
    result = subprocess.run([str(khal), "-c", str(tmp_path / "config"), "printics", str(tmp_path / "program.ics")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    shown = sorted(KHAL_LINE.findall(result.stdout))
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")

    def local(value, end=False):
        if isinstance(value, datetime):
            return value.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%d %H:%M")
        return (value - timedelta(days=1) if end else value).isoformat()  # khal shows the last day, not the next

    wanted = sorted((local(e.decoded("DTSTART")), local(e.decoded("DTEND"), end=True), str(e["SUMMARY"])) for e in events)
    assert len(events) > 200 and shown == wanted
    assert ("2026-05-17 10:00", "2026-05-17 10:00", "Break") in shown


async def test_an_empty_feed_is_a_valid_calendar(datasette):
    response = await get(datasette, "/pycon/program_speaker.ics?speaker=Nobody")
    cal = icalendar.Calendar.from_ical(response.text)
    cal.validate()
    assert cal.walk("VEVENT") == [] and [str(t["TZID"]) for t in cal.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    IcsCalendarStream.calendar_from_ics(response.text)


async def test_untimed_sessions_are_all_day_events(datasette):
    body = (await get(datasette, "/pycon/agenda.ics?ids=1031")).text
    assert "DTSTART;VALUE=DATE:20260514\r\n" in body and "DTEND;VALUE=DATE:20260515\r\n" in body


async def test_feeds_are_stable_across_requests(datasette):
    first = (await get(datasette, "/pycon/program.ics")).content
    datasette._response_cache.clear()
    assert (await get(datasette, "/pycon/program.ics")).content == first


async def test_http_caching(datasette):
    first = await get(datasette, "/pycon/program_track.ics?track=ai")
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)  # weak: sent gzipped, as the test client asks
    assert first.headers["cache-control"] == "public, max-age=3600, s-maxage=300, stale-while-revalidate=300, stale-if-error=86400"
    assert first.headers["access-control-allow-origin"] == "*"
    again = await get(datasette, "/pycon/program_track.ics?track=ai", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert again.headers["access-control-allow-origin"] == "*"
    other = await get(datasette, "/pycon/program_track.ics?track=security")
    assert other.headers["etag"] != etag
    stale = await get(datasette, "/pycon/program_track.ics?track=ai", **{"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content == first.content


async def test_now_next_feed_at_a_moment_is_a_feed_like_any_other(datasette):
    response = await get(datasette, "/pycon/now_next.ics?at=2026-05-15T11:10")
    assert response.status_code == 200 and response.headers["etag"]
    assert response.headers["cache-control"].startswith("public, max-age=3600, s-maxage=300")
    assert len(icalendar.Calendar.from_ical(response.text).walk("VEVENT")) == 10


def sql_feed(sql):
    return "/pycon.ics?sql=" + quote(sql)


async def test_hostile_text_cannot_inject_a_property(datasette):
    sql = ("select 'Talk' || char(13) || char(10) || 'END:VEVENT' || char(10) || 'BEGIN:VEVENT' || char(10) "
           "|| 'SUMMARY:evil; a, b \\ c' as event_name, '2026-05-15T09:00:00-07:00' as event_dtstart, "
           "'2026-05-15T10:00:00-07:00' as event_dtend, 'x1' as event_uid, "
           "'<script>alert(1)</script>' || char(10) || 'ATTENDEE:mailto:x' as event_description")
    body = (await get(datasette, sql_feed(sql))).text
    cal = icalendar.Calendar.from_ical(body)
    (ev,) = cal.walk("VEVENT")
    assert str(ev["SUMMARY"]) == "Talk\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:evil; a, b \\ c"
    assert "ATTENDEE" not in ev and str(ev["DESCRIPTION"]) == "<script>alert(1)</script>\nATTENDEE:mailto:x"
    assert [line for line in body.split("\r\n") if line.startswith(("BEGIN:VEVENT", "END:VEVENT", "ATTENDEE"))] == [
        "BEGIN:VEVENT", "END:VEVENT"]


async def test_one_bad_row_does_not_break_the_feed(datasette):
    sql = ("select 'good' as event_name, '2026-05-15T09:00:00-07:00' as event_dtstart, 'g' as event_uid "
           "union all select 'bad', 'not a time', 'b' "
           "union all select 'good too', '2026-05-15T10:00:00-07:00', 'g2'")
    response = await get(datasette, sql_feed(sql))
    assert response.status_code == 200 and response.headers["x-skipped-rows"] == "1"
    assert [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.text).walk("VEVENT")] == ["good", "good too"]


MANY_EVENTS = ("with recursive n(i) as (select 1 union all select i + 1 from n where i < 1500) "
               "select 'event ' || i as event_name, '2026-05-15T09:00:00-07:00' as event_dtstart, "
               "'n' || i as event_uid from n")


async def test_canned_query_feed_is_never_truncated(real_db):
    """A named canned query's size is bounded by the data: its feed carries every row."""
    from scripts.serve import make_datasette

    site = make_datasette(real_db, None)
    site._metadata_local["databases"]["pycon"]["queries"]["many"] = {"sql": MANY_EVENTS}
    body = (await get(site, "/pycon/many.ics")).text
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    assert len(uids) == 1500 and uids[0] == "n1" and uids[-1] == "n1500"


async def test_arbitrary_sql_feed_keeps_datasettes_cap(datasette):
    response = await get(datasette, sql_feed(MANY_EVENTS))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(response.text).walk("VEVENT")]
    assert len(uids) == 1000 and uids[-1] == "n1000"
    assert response.headers["x-truncated"] == "1000 events: the first 1000 rows of the query"


async def test_missing_uid_gets_a_stable_one(datasette):
    sql = "select 'no uid' as event_name, '2026-05-15T09:00:00Z' as event_dtstart"
    one = (await get(datasette, sql_feed(sql))).text
    datasette._response_cache.clear()
    two = (await get(datasette, sql_feed(sql))).text
    uid = re.search(r"UID:(.*)\r\n", one).group(1)
    assert uid == re.search(r"UID:(.*)\r\n", two).group(1) and uid.endswith("@datasette")
    # No time zone column: the instant is written in UTC, not shifted.
    assert "DTSTART:20260515T090000Z\r\n" in one


async def test_subscribe_links_on_query_pages(datasette):
    html = (await get(datasette, "/pycon/program_track?track=security")).text
    assert "webcal://localhost/pycon/program_track.ics?track=security" in html
    assert ("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Flocalhost%2Fpycon%2Fprogram_track.ics"
            "%3Ftrack%3Dsecurity") in html
    assert '"/pycon/program_track.ics?track=security"' in html
    assert "calendar-subscribe" not in (await get(datasette, "/pycon/hotels_nearby")).text


@pytest.mark.parametrize("path, feed", [
    ("/pycon/program_track?track=security", "/pycon/program_track.ics?track=security"),
    ("/pycon/search?q=typing", "/pycon/search.ics?q=typing"),
    ("/pycon/now_next?at=2026-05-15T11:10", "/pycon/now_next.ics?at=2026-05-15T11%3A10"),
    ("/pycon/watch", "/pycon/watch.ics"),
])
async def test_calendar_links_are_in_the_html_for_a_browser_without_javascript(datasette, path, feed):
    html = (await get(datasette, path)).text
    links = re.search(r'<p class="calendar-links">Calendar:(.*?)</p>', html, re.S)
    assert links, path
    assert f'<a href="webcal://localhost{feed}" class="calendar-subscribe">Subscribe</a>' in links.group(1)
    assert f'<a href="{feed}" class="calendar-download">Download .ics</a>' in links.group(1)
    assert 'class="calendar-google">Add to Google Calendar</a>' in links.group(1)
    nothing = (await get(datasette, "/pycon/search?q=zzzzqqq")).text
    assert 'class="calendar-links"' not in nothing  # an empty result is nothing to subscribe to


def test_escape_and_fold_units():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "é" * 60
    folded = fold_line(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "").rstrip("\r\n") == line


def test_render_calendar_orders_events_as_given():
    rows = [{"event_name": n, "event_dtstart": d, "event_uid": n} for n, d in
            (("b", "2026-05-16T10:00:00-07:00"), ("a", "2026-05-15T10:00:00-07:00"), ("b", "2026-05-16T10:00:00-07:00"))]
    body, skipped = render_calendar(rows, ["event_name", "event_dtstart", "event_uid"], "t")
    assert skipped == 0
    assert re.findall(r"SUMMARY:(\w)", body) == ["b", "a", "b"]


async def test_our_renderer_wins_over_another_ics_plugin(real_db):
    """datasette-ics registers `ics` too; trylast makes ours the one Datasette keeps."""
    from datasette import hookimpl
    from datasette.app import Datasette
    from datasette.plugins import pm

    from scripts.serve import PLUGINS

    class OtherIcs:
        __name__ = "other_ics"

        @staticmethod
        @hookimpl
        def register_output_renderer(datasette):
            return {"extension": "ics", "render": lambda: None, "can_render": lambda columns: True}

    pm.register(OtherIcs, name="other_ics")
    try:
        ds = Datasette(immutables=[str(real_db)], plugins_dir=str(PLUGINS))
        await ds.invoke_startup()
        assert ds.renderers["ics"][0].__code__.co_filename == calendar_feed.render_ics.__code__.co_filename
    finally:
        pm.unregister(name="other_ics")


async def test_an_item_with_no_known_end_is_a_moment_and_says_so(datasette):
    """The Sunday 10:00 break: the schedule gives no end, so the feed invents none: it is a moment at its
    start (DTEND = DTSTART; with no DTEND khal showed it as 24 hours), and its description says why."""
    body = (await get(datasette, "/pycon/agenda.ics?ids=1043")).text
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert "DTSTART;TZID=America/Los_Angeles:20260517T100000\r\nDTEND;TZID=America/Los_Angeles:20260517T100000\r\n" in body
    assert event.decoded("DTEND") == event.decoded("DTSTART") and "DURATION" not in event
    assert "Ends: not announced (shown at its start)" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("track", ["ai", "security", "charlas"])
async def test_a_tracks_session_count_is_what_its_calendar_holds(datasette, db, track):
    """One definition: the AI track counted its unfilled slot (8) while its calendar had 7 events."""
    (count,) = db.execute("select session_count from tracks where id = ?", [track]).fetchone()
    body = (await get(datasette, f"/pycon/program_track.ics?track={track}")).text
    assert count == len(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    page = (await get(datasette, f"/pycon/program_track?track={track}")).text
    assert f"{count} sessions" in page


async def test_a_rooms_session_count_is_what_its_page_lists(datasette, db):
    for room, count in db.execute("select id, session_count from rooms"):
        listed = db.execute("select count(*) from session_rooms sr join calendar_events e on e.id = sr.session_id "
                            "where sr.room_id = ?", [room]).fetchone()[0]
        assert count == listed, room


@pytest.mark.parametrize("database", ["pycon", "pycon2022", "pycon2023", "pycon2024", "pycon2025"])
async def test_a_table_pages_calendar_links_give_every_event_it_selects(datasette, database):
    """#40, item 4: the calendar_events table page's Subscribe, Google and Download links gave the first page
    of 100 rows (100 of 206 events for 2026; 158, 225, 235 and 370 in the other editions): a subscriber
    silently missed the rest."""
    import json as json_lib

    page = (await datasette.client.get(f"/{database}/calendar_events")).text
    config = json_lib.loads(re.search(r"window\.PYCON_CALENDAR_LINKS = (\{.*?\});", page).group(1))
    download = next(link["href"] for link in config["links"] if link["cls"] == "calendar-download")
    assert download == f"/{database}/calendar_events.ics?_size=max"
    events = icalendar.Calendar.from_ical((await get(datasette, download)).text).walk("VEVENT")
    every = (await datasette.client.get(f"/{database}/calendar_events.json?_size=0")).json()["filtered_table_rows_count"]
    assert every > 100 and len(events) == every
    talks = json_lib.loads(re.search(r"window\.PYCON_CALENDAR_LINKS = (\{.*?\});",
                                     (await datasette.client.get(f"/{database}/calendar_events?kind=talk")).text).group(1))
    assert talks["links"][2]["href"] == f"/{database}/calendar_events.ics?kind=talk&_size=max"


async def test_a_recorded_session_known_only_by_its_day_is_in_the_calendars_with_its_recording(datasette, db):
    """#40, item 5: 171, 172 and 176 are known from their recordings (day, title, speakers, page), not their time
    or room. The calendars carry each as an all-day event of its day with its recording; schedule.xml and
    schedule.json, whose events need a room and a start, leave them out rather than invent them."""
    days = dict(db.execute("select id, day from sessions where id in (171, 172, 176) and start_iso is null").fetchall())
    recordings = dict(db.execute("select session_id, watch_url from certain_recordings where session_id in (171, 172, 176)"))
    assert sorted(days) == sorted(recordings) == [171, 172, 176]
    cal = icalendar.Calendar.from_ical((await get(datasette, "/pycon/program.ics")).text)
    events = {int(str(e["UID"]).split("-session-")[1].split("@")[0]): e for e in cal.walk("VEVENT")}
    for sid, day in days.items():
        event = events[sid]
        assert event.decoded("DTSTART").isoformat() == day and "TZID" not in event["DTSTART"].params  # all day
        assert f"Recording: {recordings[sid]}" in str(event["DESCRIPTION"])
    xml = (await get(datasette, "/pycon/schedule.xml")).text
    assert not any(f'id="{sid}"' in xml for sid in days)
