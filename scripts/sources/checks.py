"""Checks across records: references, duplicates, time windows, overlaps, coordinates; and `validate`,
which loads data/ and runs every check."""
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from ..core.times import overlapping_pairs, parent_and_child
from .errors import ValidationFailed
from .load import PLAUSIBLE_BOX, Dataset, load_dataset


def check_dataset(ds: Dataset) -> list:
    """Every cross-record error of the dataset (field-level errors are already in ds.errors)."""
    errors = []
    t = ds.tables
    ids = {"source": check_unique(ds.sources, "id", errors), "room": check_unique(t["rooms"], "id", errors),
           "track": check_unique(ds.tracks, "id", errors), "speaker": check_unique(t["speakers"], "id", errors),
           "session": check_unique(t["sessions"], "id", errors), "kind": check_unique(ds.kinds, "id", errors)}
    for key in ("hotels", "sprint_projects", "reported_sessions", "recordings"):
        check_unique(t[key], "id", errors)
    check_unique(ds.synonyms, "id", errors)
    check_synonyms(ds.synonyms, errors)
    check_unique(t["rooms"], "name", errors)
    check_references(ds, ids, errors)
    check_speaker_links(t["session_speakers"], ids, errors)

    check_times(ds, errors)
    check_room_overlaps(t["sessions"], t["rooms"], errors)
    check_speaker_conflicts(t["sessions"], t["session_speakers"], errors)
    check_coordinates(ds, errors)
    return errors


def check_references(ds, ids, errors):
    """Every id that points at another record points at one that exists."""
    t = ds.tables
    for rec in t["sessions"]:
        if rec["kind"] is not None and rec["kind"] not in ids["kind"]:
            errors.append(rec.error("kind", f"{rec['kind']!r} is not one of the kinds of data/kinds.yaml: "
                                            f"{', '.join(k['id'] for k in ds.kinds if k['id'])}"))
    for rec in [ds.conference] + ([ds.conference.get("venue")] if ds.conference else []):
        if rec:
            check_ref(rec, "source", ids["source"], "source", errors)
    for group in (ds.tracks, t["sessions"], t["speakers"], t["rooms"], t["hotels"], t["sprint_projects"],
                  t["reported_sessions"], t["recordings"]):
        for rec in group:
            check_ref(rec, "source", ids["source"], "source", errors)
    for rec in ds.tracks:
        check_ref(rec, "room", ids["room"], "room", errors)
        for day in rec.get("days") or []:
            if not isinstance(day, date):
                errors.append(rec.error("days", f"{day!r} is not a date (YYYY-MM-DD)"))
    for rec in t["sessions"]:
        check_ref(rec, "room", ids["room"], "room", errors)
        for other in rec.get("other_rooms") or []:
            if other not in ids["room"]:
                errors.append(rec.error("other_rooms", f"unknown room {other!r}"))
        check_ref(rec, "track", ids["track"], "track", errors)
        check_ref(rec, "parent", ids["session"], "session", errors)
        if rec["parent"] is not None and rec["parent"] == rec["id"]:
            errors.append(rec.error("parent", "a session cannot be its own parent"))
    for rec in t["recordings"]:
        check_ref(rec, "session", ids["session"], "session", errors)
        check_ref(rec, "session_by_hand", ids["session"], "session", errors)


def check_speaker_links(links, ids, errors):
    """Each link names a known session and speaker, once, at a position from 1."""
    seen = {}
    for rec in links:
        check_ref(rec, "session", ids["session"], "session", errors)
        check_ref(rec, "speaker", ids["speaker"], "speaker", errors)
        key = (rec["session"], rec["speaker"])
        if None not in key and key in seen:
            errors.append(rec.error("speaker", f"speaker {rec['speaker']!r} is listed twice for session {rec['session']} (first at line {seen[key]})"))
        seen.setdefault(key, rec.line)
        if rec["position"] is not None and rec["position"] < 1:
            errors.append(rec.error("position", "must be 1 or more (1 = first speaker)"))


def check_synonyms(groups, errors):
    """Each group names two words at least, and a word is in one group only (search expands it to one)."""
    seen = {}
    for group in groups:
        words = group.get("words") or []
        if len(words) < 2:
            errors.append(group.error("words", "a group needs two words at least (a word and what else it is called)"))
        for word in words:
            key = " ".join(re.findall(r"\w+", str(word).lower()))
            if key in seen and seen[key] != group.get("id"):
                errors.append(group.error("words", f"{word!r} is already in the group {seen[key]!r}"))
            seen.setdefault(key, group.get("id"))


def check_unique(records, key, errors):
    """Report duplicate values of `key`; return the set of values."""
    first = {}
    for rec in records:
        value = rec.get(key)
        if value is None:
            continue
        if value in first:
            errors.append(rec.error(key, f"duplicate {key} {value!r} (first at line {first[value]})"))
        else:
            first[value] = rec.line
    return set(first)


def check_ref(rec, field, known, what, errors):
    value = rec.get(field)
    if value is not None and value not in known:
        errors.append(rec.error(field, f"unknown {what} {value!r}"))


def check_times(ds, errors):
    conf = ds.conference
    first, last = (conf.get("start_date"), conf.get("end_date")) if conf else (None, None)
    if first and last and last < first:
        errors.append(conf.error("end_date", "is before start_date"))
    if conf and bool(first) != bool(last) and not {"start_date", "end_date"} & conf.invalid:
        errors.append(conf.error("end_date" if first else "start_date", "give both dates, or neither while they are not announced"))
    if conf and not first and not conf.get("year") and not {"start_date", "year"} & conf.invalid:
        errors.append(conf.error("year", "is missing: an edition without its dates yet needs its year"))
    if conf and first and conf.get("year") and conf["year"] != first.year:
        errors.append(conf.error("year", f"{conf['year']} is not the year of start_date {first}"))
    for rec in ds.tables["sessions"]:
        start, end, day = rec["start"], rec["end"], rec["date"]
        # A start with no end is allowed (the schedule may give only when something begins);
        # an end with no start is not.
        if start is None and end is not None and not ({"start", "end"} & rec.invalid):
            errors.append(rec.error("start", "is empty while end is set; give the start too, or neither time"))
        # Only an informational item (e.g. "registration opens") may last no time at all, or an
        # item imported from the official feed, which is the source of truth (the importer notes it).
        point = rec["kind"] == "informational" or rec.get("feed_key")
        if start is not None and end is not None and (end < start or (end == start and not point)):
            errors.append(rec.error("end", f"{end:%H:%M} is not after start {start:%H:%M}"))
        if day and first and last and not (first <= day <= last):
            errors.append(rec.error("date", f"{day} is outside the conference days {first} .. {last}"))


def _span(rec):
    return (datetime.combine(rec["date"], rec["start"]), datetime.combine(rec["date"], rec["end"]))


def _timed(sessions):
    return [s for s in sessions if s["date"] and s["start"] and s["end"] and s["end"] > s["start"]]


def check_room_overlaps(sessions, rooms, errors):
    """Two sessions in one room at once, except in rooms declared `parallel` and in a session's own children."""
    parallel = {r["id"] for r in rooms if r["parallel"]}
    by_room = defaultdict(list)
    for s in _timed(sessions):
        if s.get("cancelled"):
            continue
        for room in [s["room"]] + list(s.get("other_rooms") or []):
            if room and room not in parallel:
                by_room[room].append((*_span(s), s))
    for room, items in sorted(by_room.items()):
        for a, b in overlapping_pairs(items):
            if parent_and_child(a, b):
                continue
            errors.append(b.error("start", f"session {b['id']} ({b['date']} {b['start']:%H:%M}-{b['end']:%H:%M}) overlaps session {a['id']} "
                                           f"({a['start']:%H:%M}-{a['end']:%H:%M}, line {a.line}) in room {room!r}; "
                                           "fix the times, or mark the room parallel=yes in data/rooms.csv if it holds parallel activities"))


def check_speaker_conflicts(sessions, links, errors):
    """A speaker in two sessions at once (a poster inside its poster session is not a conflict)."""
    by_id = {s["id"]: s for s in _timed(sessions) if not s.get("cancelled")}
    by_speaker = defaultdict(list)
    for link in links:
        s = by_id.get(link["session"])
        if s is not None and link["speaker"]:
            by_speaker[link["speaker"]].append((*_span(s), s, link))
    for speaker, items in sorted(by_speaker.items()):
        link_of = {id(i[2]): i[3] for i in items}
        for a, b in overlapping_pairs([i[:3] for i in items]):
            # A poster inside its poster session, or two posters of one person at the same session.
            if parent_and_child(a, b) or (a["parent"] is not None and a["parent"] == b["parent"]):
                continue
            if a.get("feed_key") and b.get("feed_key"):
                continue  # as the official feed gives it; the importer noted it on both sessions
            link = link_of[id(b)]
            errors.append(link.error("speaker", f"speaker {speaker!r} is in two places at once: session {a['id']} "
                                                f"({a['date']} {a['start']:%H:%M}-{a['end']:%H:%M}) and session {b['id']} "
                                                f"({b['start']:%H:%M}-{b['end']:%H:%M})"))


def check_coordinates(ds, errors):
    """Both coordinates or neither; the venue on the globe, and each hotel in the venue's surroundings."""
    venue = ds.conference.get("venue") if ds.conference else None
    box = plausible_box(venue)
    for rec in list(ds.tables["hotels"]) + ([venue] if venue else []):
        lat, lon = rec.get("latitude"), rec.get("longitude")
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            errors.append(rec.error(missing, "is empty while the other coordinate is set; give both or neither"))
        limits = GLOBE if rec is venue or box is None else box
        for key, value in (("latitude", lat), ("longitude", lon)):
            low, high = limits[key]
            if value is not None and not (low <= value <= high):
                where = "on the globe" if limits is GLOBE else "around the venue"
                errors.append(rec.error(key, f"{value} is outside the plausible box {where} ({low:g} .. {high:g})"))


GLOBE = {"latitude": (-90, 90), "longitude": (-180, 180)}


def plausible_box(venue):
    """The venue's surroundings (PLAUSIBLE_BOX's size, around it): a hotel outside is a typo (a swapped
    sign, a latitude pasted as longitude), not a hotel near the venue. None without a venue location."""
    if not venue or venue.get("latitude") is None or venue.get("longitude") is None:
        return None
    return {key: (round(venue[key] - half, 2), round(venue[key] + half, 2)) for key, half in PLAUSIBLE_BOX.items()}


def validate(data_dir: Path) -> Dataset:
    """Load and check everything; raise ValidationFailed with all errors at once."""
    ds = load_dataset(Path(data_dir))
    errors = list(ds.errors)
    # A file that cannot be read at all would make every reference to it look broken:
    # report it alone, and check the references once it reads.
    if not ds.unreadable:
        errors += check_dataset(ds)
    if errors:
        raise ValidationFailed(errors)
    return ds
