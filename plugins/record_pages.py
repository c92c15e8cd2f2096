"""What the session, speaker and room pages show: names where the tables hold ids.

Datasette's row pages for `sessions`, `speakers` and `rooms` use our templates
(`row-pycon-<table>.html`, an earlier edition's database too: plugins/edition_templates.py); this
plugin gives them the joined facts: for a session its room and floor, speakers, track, source, the
sessions at the same time, its parent and children, and calendar links; for a speaker their sessions
and their talks at the other editions (from the site's database, which holds every edition); for a
room its sessions. The `.json` of each row is Datasette's own, unchanged.
"""
import json
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

import nh3
from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup

from scripts.core.names import SITE, is_program_database

DESCRIPTION_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4"}
SESSION = "select * from calendar_events where id = :id"
SPEAKERS = """select s.id, s.name, s.profile_url from session_speakers ss join speakers s on s.id = ss.speaker_id
where ss.session_id = :id order by ss.position"""
ROOMS = """select r.id, r.name, r.floor from session_rooms sr join rooms r on r.id = sr.room_id
where sr.session_id = :id order by sr.position"""
# pycon_overlaps: the one overlap rule (scripts/core/times.py).
AT_THE_SAME_TIME = """select * from calendar_events where day = :day and id != :id and parent_id is null
and pycon_overlaps(start_local, end_local, :start, :end) order by start_iso, room"""
# Talks itemised from a recording in the recording's order; others (posters) by title.
CHILDREN = """select * from calendar_events where parent_id = :id
order by case when recording_from_s is not null or kind = 'lightning-talk' then id end, title"""
SOURCE = "select * from sources where id = (select source_id from sessions where id = :id)"
# calendar_events carries no description (feeds build their own): it is the sessions table's.
DESCRIPTION = "select description from sessions where id = :id"
RECORDING = """select r.watch_url, r.duration_s, r.title, r.start_s, r.part_of, r.match, r.video_url,
  (select min(n.start_s) from recordings n where n.part_of = r.part_of and n.id > r.id) as next_s,
  (select json_group_array(json_object('id', o.session_id, 'title', s.title)) from recordings o
     join sessions s on s.id = o.session_id where o.video_url = r.video_url and o.id != r.id) as shared_with
from recordings r where r.session_id = :id order by r.id"""
OF_SPEAKER = """select e.* from session_speakers ss join calendar_events e on e.id = ss.session_id
where ss.speaker_id = :id order by e.start_iso is null, e.start_iso, e.day"""
# A speaker's sessions at the other editions (scripts/database/people.py matched them by name), each with
# the database its page is in; read from the site's database, the one that holds every edition.
HISTORY = """select s.edition, e.database, s.id, s.title, s.subtitle, s.kind, s.day, s.url, s.recording_url,
  pe.name as named, pe.matched_by
from person_editions me
join person_editions pe on pe.person_id = me.person_id and pe.edition != me.edition
join edition_session_speakers ess on ess.edition = pe.edition and ess.speaker_id = pe.speaker_id
join edition_sessions s on s.edition = ess.edition and s.id = ess.session_id
join editions e on e.year = s.edition
where me.edition = (select year from editions where database = :database) and me.speaker_id = :id and s.kind != 'unfilled'
order by s.edition desc, s.start_iso is null, s.start_iso, s.id"""
IN_ROOM = """select e.* from session_rooms sr join calendar_events e on e.id = sr.session_id
where sr.room_id = :id order by e.day, e.start_iso is null, e.start_iso, e.title"""


def google_calendar_url(row):
    """A Google Calendar 'add event' link for one session."""
    if "T" in row["event_dtstart"]:  # the event's times (a talk of a slot: the slot's)
        start = datetime.fromisoformat(row["event_dtstart"]).astimezone(timezone.utc)
        end = datetime.fromisoformat(row["event_dtend"]).astimezone(timezone.utc) if row["event_dtend"] else start
        dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    else:
        day = date.fromisoformat(row["event_dtstart"])
        dates = f"{day:%Y%m%d}/{day + timedelta(days=1):%Y%m%d}"
    # The official page, then what the calendar feed says of it: speakers, room, and the recording's link.
    details = "\n".join(v for v in (row["event_url"], row.get("event_description")) if v)
    params = {"action": "TEMPLATE", "text": row["event_name"], "dates": dates, "details": details,
              "location": row["event_location"] or "", "ctz": row.get("event_tzid") or "UTC"}
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def safe_description(html):
    """The description's HTML, sanitised again here: a hand-edited source may hold anything."""
    if not html:
        return None
    return Markup(nh3.clean(html, tags=DESCRIPTION_TAGS, attributes={"a": {"href", "title"}},
                            url_schemes={"http", "https"}))


async def rows_of(db, sql, params):
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def session_facts(db, pk):
    found = await rows_of(db, SESSION, {"id": pk})
    if not found:
        return {}
    s = found[0]
    facts = {"session": s, "google_url": google_calendar_url(s),
             "speakers": await rows_of(db, SPEAKERS, {"id": pk}), "rooms": await rows_of(db, ROOMS, {"id": pk}),
             "children": await rows_of(db, CHILDREN, {"id": pk}), "description": safe_description((await rows_of(db, DESCRIPTION, {"id": pk}))[0]["description"]),
             "source": (await rows_of(db, SOURCE, {"id": pk}) or [None])[0], "concurrent": [], "parent": None,
             "recordings": [dict(r, shared_with=json.loads(r["shared_with"] or "[]"))
                            for r in await rows_of(db, RECORDING, {"id": pk})]}
    if s["start_local"] and s["end_local"]:
        facts["concurrent"] = await rows_of(db, AT_THE_SAME_TIME, {"day": s["day"], "id": pk, "start": s["start_local"],
                                                                   "end": s["end_local"]})
    if s["parent_id"]:
        facts["parent"] = (await rows_of(db, SESSION, {"id": s["parent_id"]}) or [None])[0]
        if not facts["rooms"] and not s["start_local"]:  # a talk of a slot: in the slot's rooms
            facts["rooms"] = await rows_of(db, ROOMS, {"id": s["parent_id"]})
    return facts


async def history(datasette, database, pk):
    """The speaker's sessions at the other editions, where the site's database holds the editions."""
    site = datasette.get_database(SITE) if SITE in datasette.databases else None
    if site is None or "person_editions" not in await site.table_names():
        return []
    return await rows_of(site, HISTORY, {"id": pk, "database": database})


async def facts_for(datasette, database, table, pk):
    db = datasette.get_database(database)
    if table == "sessions":
        return await session_facts(db, pk)
    if table == "speakers":
        return {"sessions": await rows_of(db, OF_SPEAKER, {"id": pk}), "history": await history(datasette, database, pk)}
    return {"sessions": await rows_of(db, IN_ROOM, {"id": pk})}


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    if (not is_program_database(database) or template != f"row-{database}-{table}.html"
            or table not in ("sessions", "speakers", "rooms")):
        return {}

    async def facts():
        pk = tilde_decode(request.url_vars.get("pks", ""))
        if table == "sessions":
            # Session ids are integers; anything else is no session.
            return await facts_for(datasette, database, table, int(pk)) if pk.isdigit() else {}
        return await facts_for(datasette, database, table, pk)

    return facts
