"""Write the validated dataset to SQLite: deterministic bytes, atomic replacement."""
import json
import math
import os
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from ..core.names import SITE, edition_path
from ..sources.checks import validate
from ..sources.load import Dataset
from ..sources.schema import (CHANGES, CONFERENCE, HOTELS, KINDS, RECORDINGS, REPORTED_SESSIONS, ROOMS, SYNONYMS, SESSION_ROOMS, SESSION_SPEAKERS, SESSIONS,
                              SOURCES, SPEAKERS, SPRINT_PROJECTS, TRACKS)
from .editions import edition_year, site_year, validated_editions, write_editions
from .people import check_reviewed
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


def speaker_names(ds: Dataset):
    """Each session's speakers' names, in their order."""
    names = {s["id"]: s["name"] for s in ds.tables["speakers"]}
    by_session = {}
    for link in sorted(ds.tables["session_speakers"], key=lambda l: (l["session"], l["position"], l["speaker"])):
        by_session.setdefault(link["session"], []).append(names[link["speaker"]])
    return by_session


def session_times(day, start, end, tz):
    """The derived time columns of one session (an item the schedule gives no end for keeps its end empty)."""
    times = {"start_local": None, "end_local": None, "start_iso": None, "end_iso": None, "duration_min": None}
    if start:
        begin = datetime.combine(day, start, tz)
        times.update(start_local=begin.strftime("%Y-%m-%d %H:%M"), start_iso=begin.isoformat())
    if start and end:
        finish = datetime.combine(day, end, tz)
        times.update(end_local=finish.strftime("%Y-%m-%d %H:%M"), end_iso=finish.isoformat(),
                     duration_min=int((finish - begin).total_seconds() // 60))
    return times


def session_rows(ds: Dataset):
    zone = ds.conference["timezone"]
    tz = ZoneInfo(zone)
    speakers = speaker_names(ds)
    return [{**SESSIONS.stored(s), "weekday": s["date"].strftime("%A"), "timezone": zone,
             **session_times(s["date"], s["start"], s["end"], tz),
             "speakers": ", ".join(speakers.get(s["id"], [])) or None}
            for s in sorted(ds.tables["sessions"], key=lambda s: s["id"])]


def write_table(db, table, rows):
    """Create `table` as its schema says, then insert its rows."""
    db[table.name].create(table.db_columns(), pk=table.pk, foreign_keys=table.foreign_keys())
    db[table.name].insert_all(rows)


def write_database(ds: Dataset, path: Path, earlier=None, name=None, leading=None):
    """Create every table, index, view and FTS index in a new database file at `path`. The site's database
    (served as `name`) has the editions' tables too, from `earlier`: the earlier editions, (folder,
    Dataset, database name, its written file) each (scripts/database/editions.py); an earlier edition's
    own database (earlier=None) is a site of its own, without them."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN")
    for write in (write_sources_and_conference, write_rooms_and_tracks, write_speakers_and_sessions,
                  write_hotels, write_other_tables, write_indexes_and_views):
        write(db, ds)
    conn.execute("COMMIT")
    if earlier is not None:
        write_editions(db, ds, name, earlier, leading)  # a transaction of its own: it attaches the editions' databases
    conn.execute("VACUUM")
    conn.close()


def by_id(records):
    return sorted(records, key=lambda r: r["id"])


def write_sources_and_conference(db, ds):
    conf = ds.conference
    write_table(db, SOURCES, [SOURCES.stored(s) for s in by_id(ds.sources)])
    venue = {f"venue.{k}": v for k, v in conf["venue"].values.items()}
    days = (conf["end_date"] - conf["start_date"]).days + 1 if conf["start_date"] and conf["end_date"] else None
    write_table(db, CONFERENCE, [{**CONFERENCE.stored({**conf.values, **venue}), "year": edition_year(ds), "days": days}])


def session_counts(ds):
    """How many sessions each room (any of a session's rooms) and each track holds: the sessions their pages
    and calendars list, so an unfilled slot (a placeholder, not a session) is not counted."""
    counts = {}
    for s in ds.tables["sessions"]:
        if s["kind"] == "unfilled":
            continue
        for key in [("room", r) for r in [s["room"]] + list(s.get("other_rooms") or [])] + [("track", s["track"])]:
            if key[1]:
                counts[key] = counts.get(key, 0) + 1
    return counts


def write_rooms_and_tracks(db, ds):
    counts = session_counts(ds)
    write_table(db, ROOMS, [{**ROOMS.stored(r), "session_count": counts.get(("room", r["id"]), 0)}
                            for r in by_id(ds.tables["rooms"])])
    write_table(db, TRACKS, [{**TRACKS.stored(r), "session_count": counts.get(("track", r["id"]), 0)}
                             for r in by_id(ds.tracks)])


def write_speakers_and_sessions(db, ds):
    sessions = session_rows(ds)
    write_speakers(db, ds, sessions)
    write_sessions(db, ds, sessions)


def speaker_program(ds, sessions):
    """For each speaker: the kinds and tracks of their sessions, and how many they have."""
    kinds_of, tracks_of, counts = {}, {}, {}
    kind_track = {s["id"]: (s["kind"], s["track_id"]) for s in sessions}
    for link in ds.tables["session_speakers"]:
        kind, track = kind_track[link["session"]]
        kinds_of.setdefault(link["speaker"], set()).add(kind)
        if track:
            tracks_of.setdefault(link["speaker"], set()).add(track)
        counts[link["speaker"]] = counts.get(link["speaker"], 0) + 1
    return kinds_of, tracks_of, counts


def write_speakers(db, ds, sessions):
    """Speakers, with the kinds and tracks of their sessions derived from the program."""
    kinds_of, tracks_of, counts = speaker_program(ds, sessions)
    speaker_url = ds.conference.get("speaker_url")
    write_table(db, SPEAKERS, [{
        **SPEAKERS.stored(s),
        "profile_url": speaker_url.format(id=s["profile_id"]) if speaker_url and s["profile_id"] else None,
        "roles": json.dumps(sorted(kinds_of.get(s["id"], ()))), "tracks": json.dumps(sorted(tracks_of.get(s["id"], ()))),
        "session_count": counts.get(s["id"], 0),
    } for s in by_id(ds.tables["speakers"])])


def write_sessions(db, ds, sessions):
    t = ds.tables
    write_table(db, SESSIONS, sessions)
    write_table(db, SESSION_SPEAKERS, [SESSION_SPEAKERS.stored(l) for l in sorted(
        t["session_speakers"], key=lambda l: (l["session"], l["position"], l["speaker"]))])
    write_table(db, SESSION_ROOMS, [
        {"session_id": s["id"], "room_id": room, "position": i}
        for s in by_id(t["sessions"])
        for i, room in enumerate([s["room"]] + list(s.get("other_rooms") or []), 1) if room])


def hotel_row(h, venue):
    """A hotel with its address in one line and its distance from the venue, when it has a location."""
    dist = walk = None
    if h["latitude"] is not None and h["longitude"] is not None:
        dist = round(haversine_km(venue["latitude"], venue["longitude"], h["latitude"], h["longitude"]), 3)
        walk = walking_minutes(dist)
    address = ", ".join(p for p in (h["street_address"], h["city"], f"{h['state']} {h['zip'] or ''}".strip()) if p)
    return {**HOTELS.stored(h), "address": address, "distance_km": dist, "walking_min": walk,
            "popup": hotel_popup(h, address, dist, walk, venue.get("entrance") or "venue")}


def write_hotels(db, ds):
    hotels = [hotel_row(h, ds.conference["venue"]) for h in by_id(ds.tables["hotels"])]
    # nearness: 1 for the nearest on foot; hotels with no sourced location rank after all the others.
    ranked = sorted(hotels, key=lambda h: (h["walking_min"] is None, h["distance_km"] or 0, h["walking_min"] or 0, h["id"]))
    for rank, h in enumerate(ranked, 1):
        h["nearness"] = rank
    write_table(db, HOTELS, hotels)


def write_other_tables(db, ds):
    for table in (SPRINT_PROJECTS, REPORTED_SESSIONS):
        write_table(db, table, [table.stored(r) for r in by_id(ds.tables[table.name])])
    write_table(db, KINDS, [KINDS.stored(k) for k in ds.kinds])
    write_table(db, SYNONYMS, [SYNONYMS.stored(g) for g in by_id(ds.synonyms)])
    write_table(db, RECORDINGS, [{**RECORDINGS.stored(r), "watch_url": watch_url(r["video_url"], r.get("start_s"))}
                                 for r in by_id(ds.tables["recordings"])])
    write_table(db, CHANGES, [CHANGES.stored(r) for r in ds.tables[CHANGES.name]])


def watch_url(video_url, start_s):
    """The video from the session's second (YouTube and most players read `t`), or from its start."""
    if not start_s:
        return video_url
    return f"{video_url}{'&' if '?' in video_url else '?'}t={start_s}s"


# The views every page and feed read, as SQL files beside this one (SQLite keeps their text as
# written). session_details is named apart from the `program` canned query, which would hide a
# table or view of the same name; calendar_events adds the columns our calendar and export
# renderers read (event_*), and leaves out unfilled slots, which are placeholders, not events.
VIEWS_DIR = Path(__file__).parent / "views"
VIEWS = ("certain_recordings", "session_details", "calendar_events", "conference_clock", "conference_days")


def write_indexes_and_views(db, ds):
    for table, columns in (
        ("sessions", ["day"]), ("sessions", ["kind"]), ("sessions", ["track_id"]), ("sessions", ["room_id"]),
        ("sessions", ["start_iso"]), ("sessions", ["parent_id"]), ("sessions", ["language"]),
        ("sessions", ["source_id"]), ("session_speakers", ["speaker_id"]), ("session_rooms", ["room_id"]),
        ("speakers", ["name"]), ("recordings", ["session_id", "id"]),
        ("rooms", ["floor"]), ("rooms", ["name"]), ("hotels", ["walking_min"]),
    ):
        db[table].create_index(columns)
    write_search_index(db.conn)
    db["speakers"].enable_fts(["name"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
    db["hotels"].enable_fts(["name", "street_address"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
    db["recordings"].enable_fts(["title", "speakers"], fts_version="FTS5", tokenize="porter unicode61 remove_diacritics 2")
    for name in VIEWS:
        db.create_view(name, (VIEWS_DIR / f"{name}.sql").read_text())


def hotel_popup(h, address, distance_km, walking_min, entrance):
    """The map popup datasette-cluster-map shows for a hotel (JSON with title, description, link)."""
    parts = [address]
    if distance_km is not None:
        parts.append(f"{distance_km:.2f} km from the {entrance}, about {walking_min} min on foot")
    if h["status"]:
        parts.append(h["status"])
    return json.dumps({"title": h["name"], "description": " · ".join(parts),
                       "link": h["website"] or f"/{SITE}/hotels/{h['id']}"}, ensure_ascii=False)


def build(data_dir: Path, out: Path) -> Dataset:
    """Validate data_dir and its editions, then replace each earlier edition's database beside `out`, and
    `out` (the site's database, which copies theirs into its editions' tables), only if every one of them
    is written."""
    ds = validate(data_dir)
    earlier = validated_editions(data_dir, ds)
    ds.warnings = check_reviewed(ds, [e for _folder, e in earlier])
    leading = site_year(data_dir, [edition_year(ds)] + [edition_year(e) for _folder, e in earlier])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    editions = [(folder, e, edition_path(out, edition_year(e))) for folder, e in earlier]
    # The search's synonyms are the field's words, not an edition's: an edition folder without its own
    # synonyms.yaml searches with data/'s.
    writes = [(path, lambda target, e=e: write_database(replace(e, synonyms=e.synonyms or ds.synonyms), target))
              for _folder, e, path in editions]
    written = [(folder, e, path.stem, partial_of(path)) for folder, e, path in editions]
    writes.append((out, lambda target: write_database(ds, target, written, out.stem, leading)))
    write_atomically(writes)
    return ds


def partial_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def write_atomically(writes):
    """Each (path, write), in order, writes its path's partial file; all are renamed over their paths only
    when every one has been written, and none is left behind on failure."""
    partials = [(path, partial_of(path), write) for path, write in writes]
    try:
        for _path, partial, write in partials:
            partial.unlink(missing_ok=True)  # left behind by a killed build
            write(partial)
            fd = os.open(partial, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for path, partial, _write in partials:
            os.replace(partial, path)
    except BaseException:
        for _path, partial, _write in partials:
            partial.unlink(missing_ok=True)
        raise
