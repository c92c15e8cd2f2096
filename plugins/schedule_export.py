"""`/pycon/schedule.xml` and `/pycon/schedule.json`: the program for conference apps; an earlier
edition's at its own database's (`/pycon2023/schedule.xml`), with its own name, zone and rooms.

The frab/pentabarf XML (Giggity, EventFahrplan, signage, recording pipelines) and the same
schedule as JSON (as pretalx emits it, the c3voc schema). Both are built from the `program`
canned query, so they list the same events as the site and the calendar feeds. Items with
no known time (summits whose time was never captured) cannot be placed in a timetable and
are left out; events with no room are placed at the venue.
"""
import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from datasette import hookimpl
from datasette.utils.asgi import Response

from scripts.core.names import PROGRAM_DATABASE_PATTERN
from scripts.core.times import minute_label
from scripts.core.words import slug

GENERATOR = {"name": "pycon-us-datasette", "version": "1"}


def event_guid(uid):
    """A UUIDv5 of the session's calendar UID: stable across rebuilds, unique across systems."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uid))


async def load_schedule(datasette, database):
    """The conference, its tracks and rooms, and the program's timed events grouped by day and room."""
    db = datasette.get_database(database)
    conference = dict((await db.execute("select * from conference")).first())
    program = await datasette.get_canned_query(database, "program", None)
    rows = [dict(r) for r in (await db.execute(program["sql"], {})).rows]
    people = {}
    for r in (await db.execute(
            "select ss.session_id, s.id, s.name, s.profile_id, s.profile_url from session_speakers ss "
            "join speakers s on s.id = ss.speaker_id order by ss.session_id, ss.position")).rows:
        people.setdefault(r["session_id"], []).append(dict(r))
    tracks = [dict(r) for r in (await db.execute("select id, name from tracks order by id")).rows]
    venue_room = conference["venue_name"] or conference["city"]  # a feed may name no venue: its city
    # A slot's talks have no time of their own (a lightning talk is known by its place in the slot's video):
    # the slot's event lists each one's recording, from its start in the video (#40).
    parts = {}
    for r in rows:
        if r["parent_id"] is not None and r.get("recording_url"):
            parts.setdefault(r["parent_id"], []).append({"title": r["title"], "url": r["recording_url"]})
    days = {}
    for r in rows:
        if not (r["start_iso"] and r["end_iso"]):  # a timetable needs a start and an end
            continue
        start = datetime.fromisoformat(r["start_iso"])
        end = datetime.fromisoformat(r["end_iso"])
        event = {
            "id": r["id"], "guid": event_guid(r["event_uid"]), "title": r["title"], "subtitle": r["subtitle"],
            "type": r["kind"], "track": r["track"], "language": r["language"],
            "room": r["room"] or venue_room, "start": start, "end": end, "duration": minute_label(r["duration_min"]),
            "slug": f"{conference['acronym']}-{r['id']}-{slug(r['title'])}"[:80].rstrip("-"),
            "url": r["url"] or conference["schedule_url"], "official_url": r["url"], "recording_url": r.get("recording_url"),
            "parts": parts.get(r["id"], []),
            "abstract": "", "description": r["notes"] or "",
            "persons": people.get(r["id"], []),
        }
        day = days.setdefault(r["day"], {"start": start, "end": end, "rooms": {}})
        day["start"], day["end"] = min(day["start"], start), max(day["end"], end)
        day["rooms"].setdefault(event["room"], []).append(event)
    return conference, tracks, days


def person_guid(person, base_url):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}speaker/{person['id']}"))


def person_json(person, base_url):
    """A person as pretalx writes one: name, public_name (what pyfahrplan reads) and guid, and the
    official profile page where known.

    No integer `id` (the schema marks it deprecated): with name, public_name and id a person is
    both of the schema's FrabPerson and PretalxPerson, which its oneOf forbids. The XML keeps it.
    """
    out = {"name": person["name"], "public_name": person["name"], "guid": person_guid(person, base_url)}
    if person["profile_url"]:  # an earlier edition knows its speakers' profile ids, not their pages' address
        out["url"] = person["profile_url"]
    return out


def room_guid(name, base_url):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}room/{slug(name)}"))


def render_xml(conference, tracks, days, version):
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR["name"], version=GENERATOR["version"])
    ET.SubElement(root, "version").text = version
    conf = ET.SubElement(root, "conference")
    for tag, value in (("title", conference["name"]), ("acronym", conference["acronym"]),
                       ("start", conference["start_date"]), ("end", conference["end_date"]),
                       ("days", str(conference["days"])), ("timeslot_duration", "00:05"),
                       ("base_url", conference["url"]), ("url", conference["schedule_url"]),
                       ("time_zone_name", conference["timezone"])):
        ET.SubElement(conf, tag).text = value
    for t in tracks:
        ET.SubElement(conf, "track", name=t["name"], slug=t["id"])
    for index, (date, day) in enumerate(sorted(days.items()), 1):
        day_el = ET.SubElement(root, "day", date=date, start=day["start"].isoformat(), end=day["end"].isoformat(),
                               index=str(index))
        for room_name, events in day["rooms"].items():
            room_el = ET.SubElement(day_el, "room", name=room_name, guid=room_guid(room_name, conference["url"]))
            for e in events:
                ev = ET.SubElement(room_el, "event", id=str(e["id"]), guid=e["guid"])
                for tag, value in (("room", e["room"]), ("title", e["title"]), ("subtitle", e["subtitle"] or ""),
                                   ("type", e["type"]), ("date", e["start"].isoformat()),
                                   ("start", e["start"].strftime("%H:%M")), ("duration", e["duration"]),
                                   ("abstract", e["abstract"]), ("slug", e["slug"]), ("track", e["track"] or ""),
                                   ("language", e["language"]), ("description", e["description"]),
                                   ("url", e["url"])):
                    ET.SubElement(ev, tag).text = value
                persons = ET.SubElement(ev, "persons")
                for p in e["persons"]:
                    ids = {"id": str(p["profile_id"])} if p["profile_id"] else {}
                    ET.SubElement(persons, "person", guid=person_guid(p, conference["url"]), **ids).text = p["name"]
                links = ET.SubElement(ev, "links")
                for link in event_links(e):
                    ET.SubElement(links, "link", href=link["url"], type=link["type"]).text = link["title"]
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def event_links(e):
    """The official page and the recording, as both formats list links (the recording as `media`, the
    c3voc schema's type for it; frab's <recording> element describes licence and opt-out, not a URL)."""
    return ([{"url": e["official_url"], "title": "Official page", "type": "web"}] if e["official_url"] else []) + \
        ([{"url": e["recording_url"], "title": "Recording", "type": "media"}] if e["recording_url"] else []) + \
        [{"url": p["url"], "title": f"Recording: {p['title']}", "type": "media"} for p in e.get("parts", [])]


def render_json(conference, tracks, days, version):
    rooms = {}
    out_days = []
    for index, (date, day) in enumerate(sorted(days.items()), 1):
        day_rooms = {}
        for room_name, events in day["rooms"].items():
            rooms.setdefault(room_name, {"name": room_name, "guid": room_guid(room_name, conference["url"]), "slug": slug(room_name)})
            day_rooms[room_name] = [{
                "guid": e["guid"], "id": e["id"], "date": e["start"].isoformat(), "start": e["start"].strftime("%H:%M"),
                "end": e["end"].isoformat(), "duration": e["duration"], "room": e["room"], "slug": e["slug"],
                "url": e["url"], "title": e["title"], "subtitle": e["subtitle"], "track": e["track"], "type": e["type"],
                "language": e["language"], "abstract": e["abstract"], "description": e["description"],
                "persons": [person_json(p, conference["url"]) for p in e["persons"]],
                "links": event_links(e),
            } for e in events]
        out_days.append({"index": index, "date": date, "day_start": day["start"].isoformat(),
                         "day_end": day["end"].isoformat(), "rooms": day_rooms})
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": GENERATOR,
        "schedule": {
            "version": version,
            "base_url": conference["url"],
            "conference": {
                # The c3voc JSON schema allows hyphens in an acronym only in a "-YYYY-name"
                # suffix, so the JSON spells pycon-us-<year> with underscores.
                "acronym": conference["acronym"].replace("-", "_"),
                "title": conference["name"], "start": conference["start_date"], "end": conference["end_date"],
                "daysCount": conference["days"], "timeslot_duration": "00:05",
                "time_zone_name": conference["timezone"], "url": conference["schedule_url"],
                "tracks": [{"name": t["name"], "slug": t["id"]} for t in tracks],
                "rooms": list(rooms.values()),
                "days": out_days,
            },
        },
    }


async def schedule_version(datasette, database, schedule):
    """When the program last changed, and a digest of the schedule itself: a change elsewhere in the
    database (another edition, a hotel) does not make apps fetch an unchanged schedule again."""
    db = datasette.get_database(database)
    updated = (await db.execute("select updated from conference")).first()["updated"]
    digest = hashlib.sha256(json.dumps(schedule, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{updated} {digest}"


def served(datasette, request):
    """The database the request names, if it is one of the site's (else the route answers 404)."""
    database = request.url_vars["database"]
    return database if database in datasette.databases else None


async def schedule_xml(datasette, request):
    database = served(datasette, request)
    if database is None:
        return Response.text("Not found\n", status=404)
    conference, tracks, days = schedule = await load_schedule(datasette, database)
    body = render_xml(conference, tracks, days, await schedule_version(datasette, database, schedule))
    return Response(body, content_type="application/xml; charset=utf-8")


async def schedule_json(datasette, request):
    database = served(datasette, request)
    if database is None:
        return Response.text("Not found\n", status=404)
    conference, tracks, days = schedule = await load_schedule(datasette, database)
    body = json.dumps(render_json(conference, tracks, days, await schedule_version(datasette, database, schedule)),
                      ensure_ascii=False, indent=1)
    return Response(body, content_type="application/json; charset=utf-8")


@hookimpl
def register_routes():
    return [(rf"^/(?P<database>{PROGRAM_DATABASE_PATTERN})/schedule\.xml$", schedule_xml),
            (rf"^/(?P<database>{PROGRAM_DATABASE_PATTERN})/schedule\.json$", schedule_json)]
