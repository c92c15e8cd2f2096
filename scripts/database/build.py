"""Write the validated dataset to SQLite: deterministic bytes, atomic replacement."""
import json
import math
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from ..sources.checks import validate
from ..sources.load import Dataset
from .search_index import write_search_index

# Walking estimate: streets are not straight lines. A detour factor of 1.3 over the
# straight-line distance at 5 km/h is a common planning rule for city grids.
WALK_DETOUR = 1.3
WALK_KMH = 5.0
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def walking_minutes(distance_km):
    return round(distance_km * WALK_DETOUR / WALK_KMH * 60)


def _clean(value):
    """YAML mappings carry line bookkeeping; drop it before the value reaches the database."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def session_rows(ds: Dataset):
    conf = ds.conference
    tz = ZoneInfo(conf["timezone"])
    names = {s["id"]: s["name"] for s in ds.tables["speakers"]}
    by_session = {}
    for link in sorted(ds.tables["session_speakers"], key=lambda l: (l["session"], l["position"], l["speaker"])):
        by_session.setdefault(link["session"], []).append(names[link["speaker"]])
    rows = []
    for s in sorted(ds.tables["sessions"], key=lambda s: s["id"]):
        day = s["date"]
        row = {
            "id": s["id"], "title": s["title"], "subtitle": s["subtitle"], "kind": s["kind"],
            "track_id": s["track"], "room_id": s["room"], "parent_id": s["parent"],
            "day": day.isoformat(), "weekday": day.strftime("%A"),
            "start_local": None, "end_local": None, "timezone": conf["timezone"],
            "start_iso": None, "end_iso": None, "duration_min": None,
            "language": s["language"], "level": s["level"],
            "speakers": ", ".join(by_session.get(s["id"], [])) or None,
            "url": s["url"], "description": s.get("description"),
            "cancelled": 1 if s.get("cancelled") else 0, "sequence": s.get("sequence") or 0,
            "notes": s["notes"], "source_id": s["source"],
        }
        if s["start"]:
            start = datetime.combine(day, s["start"], tz)
            row.update(start_local=start.strftime("%Y-%m-%d %H:%M"), start_iso=start.isoformat())
        if s["start"] and s["end"]:  # an item the schedule gives no end for keeps its end empty
            end = datetime.combine(day, s["end"], tz)
            row.update(end_local=end.strftime("%Y-%m-%d %H:%M"), end_iso=end.isoformat(),
                       duration_min=int((end - start).total_seconds() // 60))
        rows.append(row)
    return rows


def write_database(ds: Dataset, path: Path):
    """Create every table, index, view and FTS index in a new database file at `path`."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN")
    for write in (write_sources_and_conference, write_rooms_and_tracks, write_speakers_and_sessions,
                  write_hotels, write_other_tables, write_indexes_and_views):
        write(db, ds)
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.close()


def write_sources_and_conference(db, ds):
    conf, venue = ds.conference, ds.conference["venue"]
    db["sources"].insert_all(
        ({"id": s["id"], "title": s["title"], "url": s["url"], "original_url": s["original_url"], "notes": s["notes"]}
         for s in sorted(ds.sources, key=lambda s: s["id"])),
        pk="id", columns={"id": str, "title": str, "url": str, "original_url": str, "notes": str},
    )
    db["conference"].insert({
        "id": conf["id"], "name": conf["name"], "acronym": conf["acronym"],
        "start_date": conf["start_date"].isoformat(), "end_date": conf["end_date"].isoformat(),
        "days": (conf["end_date"] - conf["start_date"]).days + 1, "timezone": conf["timezone"],
        "url": conf["url"], "schedule_url": conf["schedule_url"], "city": conf["city"],
        "updated": conf["updated"].isoformat(),
        "venue_name": venue["name"], "venue_address": venue["street_address"], "venue_entrance": venue["entrance"],
        "latitude": venue["latitude"], "longitude": venue["longitude"],
        "venue_source_id": venue["source"], "notes": venue["notes"], "source_id": conf["source"],
    }, pk="id", foreign_keys=[("source_id", "sources", "id"), ("venue_source_id", "sources", "id")])


def write_rooms_and_tracks(db, ds):
    t = ds.tables
    session_count = {}
    for s in t["sessions"]:
        for key, value in [("room", r) for r in [s["room"]] + list(s.get("other_rooms") or [])] + [("track", s["track"])]:
            if value:
                session_count[(key, value)] = session_count.get((key, value), 0) + 1

    db["rooms"].insert_all(
        ({"id": r["id"], "name": r["name"], "app_label": r["app_label"], "floor": r["floor"], "usage": r["usage"],
          "parallel": int(r["parallel"]), "session_count": session_count.get(("room", r["id"]), 0),
          "map_x_pct": r["map_x_pct"], "map_y_pct": r["map_y_pct"], "source_id": r["source"], "notes": r["notes"]}
         for r in sorted(t["rooms"], key=lambda r: r["id"])),
        pk="id", foreign_keys=[("source_id", "sources", "id")],
        columns={"app_label": str, "usage": str, "map_x_pct": float, "map_y_pct": float, "notes": str},
    )
    db["tracks"].insert_all(
        ({"id": r["id"], "name": r["name"], "full_name": r["full_name"], "description": r["description"],
          "days": json.dumps([d.isoformat() for d in r["days"]]), "room_id": r["room"],
          "chairs_role": r["chairs_role"],
          "chairs": ", ".join(c["name"] + (f" ({c['affiliation']})" if c.get("affiliation") else "")
                              for c in _clean(r["chairs"] or [])) or None,
          "session_count": session_count.get(("track", r["id"]), 0), "url": r["url"],
          "source_id": r["source"], "notes": r["notes"]}
         for r in sorted(ds.tracks, key=lambda r: r["id"])),
        pk="id", foreign_keys=[("room_id", "rooms", "id"), ("source_id", "sources", "id")],
        columns={"full_name": str, "description": str, "chairs_role": str, "chairs": str, "url": str, "notes": str},
    )


def write_speakers_and_sessions(db, ds):
    sessions = session_rows(ds)
    write_speakers(db, ds, sessions)
    write_sessions(db, ds, sessions)


def write_speakers(db, ds, sessions):
    """Speakers, with the kinds and tracks of their sessions derived from the program."""
    t, conf = ds.tables, ds.conference
    kinds_of = {}
    tracks_of = {}
    by_id = {s["id"]: s for s in sessions}
    for link in t["session_speakers"]:
        s = by_id[link["session"]]
        kinds_of.setdefault(link["speaker"], set()).add(s["kind"])
        if s["track_id"]:
            tracks_of.setdefault(link["speaker"], set()).add(s["track_id"])
    counts = {}
    for link in t["session_speakers"]:
        counts[link["speaker"]] = counts.get(link["speaker"], 0) + 1
    speaker_url = conf.get("speaker_url")
    db["speakers"].insert_all(
        ({"id": s["id"], "name": s["name"], "profile_id": s["profile_id"],
          "profile_url": speaker_url.format(id=s["profile_id"]) if speaker_url and s["profile_id"] else None,
          "roles": json.dumps(sorted(kinds_of.get(s["id"], ()))),
          "tracks": json.dumps(sorted(tracks_of.get(s["id"], ()))),
          "session_count": counts.get(s["id"], 0), "bio": s.get("bio"), "source_id": s["source"], "notes": s["notes"]}
         for s in sorted(t["speakers"], key=lambda s: s["id"])),
        pk="id", foreign_keys=[("source_id", "sources", "id")],
        columns={"profile_id": int, "profile_url": str, "bio": str, "notes": str},
    )


def write_sessions(db, ds, sessions):
    t = ds.tables
    db["sessions"].create({
        "id": int, "title": str, "subtitle": str, "kind": str, "track_id": str, "room_id": str, "parent_id": int,
        "day": str, "weekday": str, "start_local": str, "end_local": str, "timezone": str,
        "start_iso": str, "end_iso": str, "duration_min": int, "language": str, "level": str,
        "speakers": str, "url": str, "description": str, "cancelled": int, "sequence": int,
        "notes": str, "source_id": str,
    }, pk="id", foreign_keys=[("track_id", "tracks", "id"), ("room_id", "rooms", "id"),
                              ("parent_id", "sessions", "id"), ("source_id", "sources", "id")])
    db["sessions"].insert_all(sessions)
    db["session_speakers"].insert_all(
        ({"session_id": l["session"], "speaker_id": l["speaker"], "position": l["position"]}
         for l in sorted(t["session_speakers"], key=lambda l: (l["session"], l["position"], l["speaker"]))),
        pk=("session_id", "speaker_id"),
        foreign_keys=[("session_id", "sessions", "id"), ("speaker_id", "speakers", "id")],
        columns={"session_id": int, "speaker_id": str, "position": int},
    )

    db["session_rooms"].insert_all(
        ({"session_id": s["id"], "room_id": room, "position": i}
         for s in sorted(t["sessions"], key=lambda s: s["id"])
         for i, room in enumerate([s["room"]] + list(s.get("other_rooms") or []), 1) if room),
        pk=("session_id", "room_id"),
        foreign_keys=[("session_id", "sessions", "id"), ("room_id", "rooms", "id")],
        columns={"session_id": int, "room_id": str, "position": int},
    )


def write_hotels(db, ds):
    t, venue = ds.tables, ds.conference["venue"]
    hotels = []
    for h in sorted(t["hotels"], key=lambda h: h["id"]):
        dist = walk = None
        if h["latitude"] is not None and h["longitude"] is not None:
            dist = round(haversine_km(venue["latitude"], venue["longitude"], h["latitude"], h["longitude"]), 3)
            walk = walking_minutes(dist)
        address = ", ".join(p for p in (h["street_address"], h["city"], f"{h['state']} {h['zip'] or ''}".strip()) if p)
        hotels.append({
            "id": h["id"], "name": h["name"], "address": address, "street_address": h["street_address"],
            "city": h["city"], "state": h["state"], "zip": h["zip"],
            "latitude": h["latitude"], "longitude": h["longitude"], "distance_km": dist, "walking_min": walk,
            "rooms": h["rooms"], "rooms_source": h["rooms_source"], "website": h["website"],
            "in_official_block": None if h["in_official_block"] is None else int(h["in_official_block"]),
            "status": h["status"], "popup": hotel_popup(h, address, dist, walk),
            "coordinates_source": h["coordinates_source"],
            "address_source": h["address_source"], "source_id": h["source"], "notes": h["notes"],
        })
    # nearness: 1 for the nearest on foot; hotels with no sourced location rank after all the others.
    ranked = sorted(hotels, key=lambda h: (h["walking_min"] is None, h["distance_km"] or 0, h["walking_min"] or 0, h["id"]))
    for rank, h in enumerate(ranked, 1):
        h["nearness"] = rank
    db["hotels"].insert_all(hotels, pk="id", foreign_keys=[("source_id", "sources", "id")], columns={
        "zip": str, "latitude": float, "longitude": float, "distance_km": float, "walking_min": int,
        "rooms": int, "rooms_source": str, "website": str, "in_official_block": int, "status": str, "popup": str,
        "coordinates_source": str, "address_source": str, "notes": str, "nearness": int})


def write_other_tables(db, ds):
    t = ds.tables
    db["sprint_projects"].insert_all(
        ({"id": p["id"], "project": p["project"], "url": p["url"], "submitted_by": p["submitted_by"],
          "source_id": p["source"], "notes": p["notes"]} for p in sorted(t["sprint_projects"], key=lambda p: p["id"])),
        pk="id", foreign_keys=[("source_id", "sources", "id")], columns={"url": str, "submitted_by": str, "notes": str},
    )
    db["reported_sessions"].insert_all(
        ({"id": r["id"], "title": r["title"], "speaker": r["speaker"], "day": r["date"].isoformat(),
          "kind": r["kind"], "source_id": r["source"], "notes": r.get("notes")}
         for r in sorted(t["reported_sessions"], key=lambda r: r["id"])),
        pk="id", foreign_keys=[("source_id", "sources", "id")], columns={"speaker": str, "notes": str},
    )


def write_indexes_and_views(db, ds):
    for table, columns in (
        ("sessions", ["day"]), ("sessions", ["kind"]), ("sessions", ["track_id"]), ("sessions", ["room_id"]),
        ("sessions", ["start_iso"]), ("sessions", ["parent_id"]), ("sessions", ["language"]),
        ("sessions", ["source_id"]), ("session_speakers", ["speaker_id"]), ("session_rooms", ["room_id"]),
        ("speakers", ["name"]),
        ("rooms", ["floor"]), ("rooms", ["name"]), ("hotels", ["walking_min"]),
    ):
        db[table].create_index(columns)
    write_search_index(db.conn)
    db["speakers"].enable_fts(["name"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
    db["hotels"].enable_fts(["name", "street_address"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
    db.create_view("session_details", SESSION_DETAILS_VIEW)
    db.create_view("calendar_events", CALENDAR_VIEW)


# Named apart from the `program` canned query, which would hide a table or view of the same name.
SESSION_DETAILS_VIEW = """
select
  sessions.id, sessions.day, sessions.weekday, sessions.start_local, sessions.end_local,
  sessions.start_iso, sessions.end_iso, sessions.duration_min, sessions.timezone,
  sessions.title, sessions.subtitle, sessions.kind, sessions.track_id, tracks.name as track,
  sessions.room_id, rooms.name as room, rooms.floor, sessions.speakers, sessions.language,
  sessions.level, sessions.url, sessions.parent_id, sessions.cancelled, sessions.sequence, sessions.notes
from sessions
  left join rooms on rooms.id = sessions.room_id
  left join tracks on tracks.id = sessions.track_id
order by sessions.start_iso is null, sessions.start_iso, sessions.day, rooms.name, sessions.id
"""


# The program as calendar events: the columns datasette-ics (and our own renderers) read,
# beside the human-readable ones. Unfilled slots are placeholders, not events.
CALENDAR_VIEW = """
select
  p.id, p.day, p.weekday, p.start_local, p.end_local, p.start_iso, p.end_iso, p.duration_min,
  p.title, p.subtitle, p.speakers, p.kind, p.track_id, p.track, p.room_id, p.room, p.floor,
  p.language, p.url, p.parent_id, p.cancelled, p.sequence, p.notes,
  p.title || coalesce(': ' || p.subtitle, '') as event_name,
  coalesce(p.start_iso, p.day) as event_dtstart,
  p.end_iso as event_dtend,
  p.timezone as event_tzid,
  c.id || '-session-' || p.id || '@us.pycon.org' as event_uid,
  coalesce('Speakers: ' || p.speakers || char(10), '')
    || coalesce('Track: ' || p.track || char(10), '')
    || 'Kind: ' || p.kind || char(10)
    || coalesce('Room: ' || p.room || coalesce(' (' || p.floor || ')', '') || char(10), '')
    || coalesce('Note: ' || p.notes || char(10), '')
    || coalesce(p.url, c.schedule_url) as event_description,
  coalesce(p.room || ', ', '') || c.venue_name || ', ' || c.venue_address as event_location,
  coalesce(p.url, c.schedule_url) as event_url,
  p.kind || coalesce(',' || p.track, '') as event_categories,
  p.sequence as event_sequence,
  case when p.cancelled then 'CANCELLED' else 'CONFIRMED' end as event_status,
  c.updated as event_dtstamp
from session_details p, conference c
where p.kind != 'unfilled'
"""


def hotel_popup(h, address, distance_km, walking_min):
    """The map popup datasette-cluster-map shows for a hotel (JSON with title, description, link)."""
    parts = [address]
    if distance_km is not None:
        parts.append(f"{distance_km:.2f} km from the Pine Ave entrance, about {walking_min} min on foot")
    if h["status"]:
        parts.append(h["status"])
    return json.dumps({"title": h["name"], "description": " · ".join(parts),
                       "link": h["website"] or f"/pycon/hotels/{h['id']}"}, ensure_ascii=False)


def build(data_dir: Path, out: Path) -> Dataset:
    """Validate data_dir and replace `out` with a fresh database, only if everything succeeds."""
    ds = validate(data_dir)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)  # left behind by a killed build
    try:
        write_database(ds, partial)
        fd = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return ds
