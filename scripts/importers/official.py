"""Write the program from the official feed into data/, keeping ids stable and curated facts.

The feed is the source of truth for the program: sessions, their speakers and rooms are
replaced by the feed's. What it does not carry stays as it was: hotels, tracks and their
chairs, sources, room floors, and each matched session's notes, track and subtitle. Ids never
change: a session is matched by its feed key, then its official presentation id, then its
day and title; a new one gets the next free id. A session whose time or room changed gets
its `sequence` raised, so calendar apps update it. Nothing is written unless the result
validates.
"""
import csv
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml


from ..sources.checks import validate
from ..sources.errors import ValidationFailed
from ..core.times import overlapping_pairs, parent_and_child
from ..core.words import person_name, slug
from ..sources.load import load_yaml_list
from ..sources.schema import KINDS
from .changes import COLUMNS as CHANGE_COLUMNS, changes
from .feed import Feed, FeedError, one_day_only

SESSION_COLUMNS = ["id", "kind", "title", "subtitle", "date", "start", "end", "room", "other_rooms", "track",
                   "language", "level", "parent", "url", "description", "cancelled", "sequence", "feed_key",
                   "notes", "source"]
SPEAKER_COLUMNS = ["id", "name", "profile_id", "bio", "source", "notes"]
FIRST_LOCAL_ID = 1001  # ids below are official presentation ids


@dataclass
class Summary:
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    retitled: list = field(default_factory=list)
    speakers_added: list = field(default_factory=list)
    speakers_removed: list = field(default_factory=list)
    rooms_added: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    changed_files: list = field(default_factory=list)

    def report(self):
        lines = [f"sessions: {len(self.added)} added, {len(self.removed)} removed, {len(self.moved)} moved, "
                 f"{len(self.retitled)} retitled; speakers: {len(self.speakers_added)} added, "
                 f"{len(self.speakers_removed)} removed; rooms: {len(self.rooms_added)} added"]
        for label, items in (("added", self.added), ("removed", self.removed), ("moved", self.moved),
                             ("retitled", self.retitled), ("speaker added", self.speakers_added),
                             ("speaker removed", self.speakers_removed), ("room added", self.rooms_added)):
            lines += [f"  {label}: {item}" for item in items]
        lines += [f"  note: {n}" for n in self.notices]
        lines.append("files changed: " + (", ".join(self.changed_files) or "none"))
        return "\n".join(lines)


def slugify(text):
    return slug(text) or "x"


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def csv_text(columns, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c) if row.get(c) is not None else "" for c in columns})
    return out.getvalue()


def feed_kinds(data_dir: Path):
    """The kinds the official feed uses for a slot, as data/kinds.yaml lists them."""
    errors = []
    kinds = load_yaml_list(Path(data_dir), KINDS.file, KINDS.source_fields(), errors)
    if errors:
        raise FeedError(f"cannot import before {errors[0]} is fixed")
    return {k["id"] for k in kinds if k and k["in_feed"]}


def _merge_columns(existing, wanted):
    return existing + [c for c in wanted if c not in existing]


def zones_at(moment):
    """IANA zones whose offset at `moment` is the one `moment` carries, a few, best known first."""
    from zoneinfo import available_timezones

    offset = moment.utcoffset()
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))
                   and moment.astimezone(ZoneInfo(z)).utcoffset() == offset)
    return zones[:3]


def feed_timezone(feed: Feed, tz_name: str, trust_offsets: bool = False, trust_wall_clock: bool = False):
    """The conference's zone, once the feed's UTC offsets are found to be that zone's.

    A feed whose offsets are another zone's is refused, since either its times or the zone is
    wrong; with trust_offsets its instants are taken as right and shown at the conference's
    wall clock (an 18:00Z talk at 11:00 in Los Angeles); with trust_wall_clock its wall times
    are taken as right and its offsets as wrong (one year's feed labels Salt Lake City's 09:00 -07:00,
    when the city was at -06:00): each time is read at the conference's clock.
    """
    tz = ZoneInfo(tz_name)
    wrong = [s for s in feed.sessions if s.start.astimezone(tz).utcoffset() != s.start.utcoffset()]
    if wrong and trust_wall_clock:
        label = f"{wrong[0].start:%z}"
        for s in feed.sessions:
            s.start, s.end = s.start.replace(tzinfo=tz), s.end.replace(tzinfo=tz)
        feed.notices.append(f"{len(wrong)} items' times were labelled UTC{label}, not {tz_name}'s offset; "
                            f"their wall times are kept as {tz_name} times (--trust-wall-clock)")
        feed.clock = f"wall clock trusted: the feed labels its times UTC{label}, {tz_name} was at another offset"
        return tz
    if wrong and not trust_offsets:
        s = wrong[0]
        zones = zones_at(s.start)
        raise FeedError(f"the feed's times are at UTC{s.start:%z} (e.g. {s.title!r} at {s.start.isoformat()}), "
                        f"but the conference time zone {tz_name} is at UTC{s.start.astimezone(tz):%z} then. "
                        f"If the conference is elsewhere, pass --timezone with its zone"
                        + (f" (at UTC{s.start:%z} then: {', '.join(zones)})" if zones else "")
                        + f"; if the feed's instants are right, pass --trust-offsets to show them at {tz_name} times"
                        + "; if its wall times are right and its offsets wrong, pass --trust-wall-clock")
    if wrong:
        feed.clock = f"offsets trusted: the feed's instants kept, shown at {tz_name} times"
        feed.notices.append(f"{len(wrong)} items' times were at another zone's offset; their instants are kept and "
                            f"shown at {tz_name} times (--trust-offsets)")
    return tz


# A feed that would remove more than this share of the program is more likely a wrong or cut-off
# file than a new program: refused unless --allow-removals says it is meant.
MAX_REMOVED_SHARE = 0.2


def check_removals(summary, before, allow_removals):
    if allow_removals or len(summary.removed) <= max(5, MAX_REMOVED_SHARE * before):
        return
    raise FeedError(f"the feed would remove {len(summary.removed)} of the {before} sessions in data/ "
                    f"(e.g. {', '.join(summary.removed[:3])}); if that is meant, pass --allow-removals")


POINT_IN_TIME = "Starts and ends at {time} in the official feed: a point in time, not a slot."
DOUBLE_BOOKED = "The official feed also lists {name} in session {other} at the same time."


def import_feed(feed: Feed, data_dir: Path, source_url: str, tz_name: str = None, now: datetime = None,
                trust_offsets: bool = False, allow_removals: bool = False, trust_wall_clock: bool = False,
                with_prose: bool = False) -> Summary:
    """Merge the feed into data_dir; raise FeedError (nothing written) if the result would not validate,
    or would remove much of the program without allow_removals."""
    data_dir = Path(data_dir)
    conf_text = (data_dir / "conference.yaml").read_text(encoding="utf-8")
    conference = yaml.safe_load(conf_text)
    tz_name = tz_name or conference["timezone"]
    tz = feed_timezone(feed, tz_name, trust_offsets, trust_wall_clock)
    one_day_only(feed, tz)
    summary = Summary(notices=list(feed.notices))
    ctx = Context(feed=feed, data_dir=data_dir, summary=summary, tz=tz,
                  source_id=f"official-feed-{feed.year}",
                  # Presentation and speaker profile ids are per year: match by them only a program of the feed's year.
                  same_year=str(conference.get("start_date", ""))[:4] == str(feed.year), with_prose=with_prose)
    room_cols, rooms = read_rows(data_dir / "rooms.csv")
    room_id = RoomIndex(rooms, ctx)
    program_before = feed_program(data_dir, ctx.source_id)
    sp_cols, speakers, speaker_ids = merge_speakers(ctx)
    before = len(read_rows(data_dir / "sessions.csv")[1])
    s_cols, sessions, id_of_key = merge_sessions(ctx, room_id)
    links = speaker_links(feed, speaker_ids, id_of_key)
    mark_parallel_rooms(sessions, rooms, summary)
    note_double_bookings(sessions, links, speakers, summary)
    kept = keep_derived(ctx, sessions, speakers, links)
    check_removals(summary, before, allow_removals)
    files = program_files((s_cols, sessions), (sp_cols, speakers), links, kept)
    files.update({"rooms.csv": csv_text(room_cols, rooms),
                  "sources.yaml": sources_text(data_dir, ctx.source_id, feed.year, source_url, feed.clock)})
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    files.update(change_log(ctx, stamp, program_before, (sessions, links, {i: r["name"] for i, r in speakers.items()})))
    if (data_dir / "recordings.csv").exists():
        files["recordings.csv"] = unlinked_recordings(data_dir, {r["id"] for r in sessions + kept.sessions}, summary)
    changed = changed_files(data_dir, files, conf_text, conference_text(conf_text, conference, sessions, tz_name, summary),
                            stamp)
    write_validated(data_dir, changed)
    summary.changed_files = sorted(changed)
    return summary


@dataclass
class Context:
    feed: Feed
    data_dir: Path
    summary: Summary
    tz: ZoneInfo
    source_id: str
    same_year: bool
    with_prose: bool = False  # abstracts and bios too (an organiser's own deployment); data/ as committed has none


def room_key(name):
    """A room's name as compared: case, spacing and a leading "Room" aside ("151DEFG" is "Room 151DEFG")."""
    return re.sub(r"^rooms?\s+", "", " ".join(name.lower().split()))


class RoomIndex:
    """Rooms matched by name (or the app's label), however the feed spells it; a room the feed introduces is added."""

    def __init__(self, rooms, ctx):
        self.rooms, self.ctx, self.by_name = rooms, ctx, {}
        for r in rooms:
            for label in (r["name"], r.get("app_label") or ""):
                if label:
                    self.by_name.setdefault(room_key(label), r["id"])

    def __call__(self, name):
        if room_key(name) not in self.by_name:
            rid, n = slugify(name), 2
            while rid in {r["id"] for r in self.rooms}:
                rid, n = f"{slugify(name)}-{n}", n + 1
            self.rooms.append({"id": rid, "name": name, "floor": "", "parallel": "no", "source": self.ctx.source_id,
                               "notes": "Added from the official feed; floor unknown."})
            self.by_name[room_key(name)] = rid
            self.ctx.summary.rooms_added.append(f"{rid} ({name})")
        return self.by_name[room_key(name)]


def program_files(sessions, speakers, links, kept):
    """sessions.csv, speakers.csv and session_speakers.csv: the feed's rows in program order, then those the
    recordings established in the order their importer writes them. `sessions` and `speakers` are (columns, rows)."""
    (s_cols, rows), (sp_cols, people) = sessions, speakers
    return {
        "sessions.csv": csv_text(_merge_columns(s_cols, SESSION_COLUMNS),
                                 sorted(rows, key=lambda r: (r["date"], r["start"] or "99", r["room"], int(r["id"])))
                                 + sorted(kept.sessions, key=lambda r: int(r["id"]))),
        "speakers.csv": csv_text(_merge_columns(sp_cols, SPEAKER_COLUMNS), sorted(people.values(), key=lambda r: r["id"])
                                 + sorted(kept.speakers, key=lambda r: r["id"])),
        "session_speakers.csv": csv_text(link_columns(kept.links),
                                         sorted(links, key=link_order) + sorted(kept.links, key=link_order)),
    }


def change_log(ctx, stamp, before, after):
    """{"changes.csv": its text with this import's changes appended}, or {} when it changed nothing."""
    logged = changes(stamp, ctx.source_id, before, after)
    if not logged:
        return {}
    path = ctx.data_dir / "changes.csv"
    columns, history = read_rows(path) if path.exists() else ([], [])
    return {"changes.csv": csv_text(columns or CHANGE_COLUMNS, history + logged)}


def changed_files(data_dir, files, conf_text, conf_new, stamp):
    """The files whose text differs from data_dir's, and conference.yaml stamped `updated` when any does."""
    changed = {name: text for name, text in files.items()
               if not (data_dir / name).exists() or (data_dir / name).read_text(encoding="utf-8") != text}
    if conf_new != conf_text:
        changed["conference.yaml"] = conf_new
    if changed:
        changed["conference.yaml"] = re.sub(r"(?m)^updated: .*$", f"updated: {stamp}", changed.get("conference.yaml", conf_text))
    return changed


def feed_program(data_dir: Path, source_id):
    """(sessions, links, speaker names) of the feed's own sessions in data_dir, before an import."""
    sessions = [r for r in read_rows(data_dir / "sessions.csv")[1] if r["source"] == source_id]
    ids = {r["id"] for r in sessions}
    links = [l for l in read_rows(data_dir / "session_speakers.csv")[1] if l["session"] in ids and not l.get("source")]
    return sessions, links, {r["id"]: r["name"] for r in read_rows(data_dir / "speakers.csv")[1]}


def derived_sources(data_dir: Path):
    """The sources of the rows another importer derives (the recordings': data/recordings.csv names them)."""
    path = data_dir / "recordings.csv"
    return {r["source"] for r in read_rows(path)[1]} if path.exists() else set()


def link_order(link):
    return int(link["session"]), int(link["position"])


@dataclass
class Kept:
    sessions: list
    speakers: list
    links: list


def keep_derived(ctx, sessions, speakers, links):
    """The rows the recordings established (itemised lightning talks, a talk only its recording shows, a
    plenary's speakers), kept as they are while what they hang on is in the program; a session the feed now
    gives itself (the same id) is the feed's, and a person it names is its."""
    derived = derived_sources(ctx.data_dir)
    ids, day_of = {r["id"] for r in sessions}, {r["id"]: r["date"] for r in sessions}
    days = sorted(day_of.values()) or [""]

    def hangs_on(r):  # on the feed's days, and a talk on its slot's day
        return days[0] <= r["date"] <= days[-1] and (not r.get("parent") or day_of.get(r["parent"]) == r["date"])
    kept = [r for r in read_rows(ctx.data_dir / "sessions.csv")[1] if r["source"] in derived
            and r["id"] not in ids and hangs_on(r)]
    ids |= {r["id"] for r in kept}
    ctx.summary.removed = [r for r in ctx.summary.removed if r.split()[0] not in ids]
    people = {r["id"]: r for r in read_rows(ctx.data_dir / "speakers.csv")[1]
              if r["source"] in derived and r["id"] not in speakers}
    theirs, taken = {r["id"] for r in kept}, {(l["session"], l["speaker"]) for l in links}
    old_links = [l for l in read_rows(ctx.data_dir / "session_speakers.csv")[1]
                 if (l["session"] in theirs or l.get("source") in derived) and l["session"] in ids
                 and (l["speaker"] in speakers or l["speaker"] in people) and (l["session"], l["speaker"]) not in taken]
    people = [people[i] for i in sorted({l["speaker"] for l in old_links} & set(people))]
    ctx.summary.speakers_removed = [n for n in ctx.summary.speakers_removed if n not in {r["name"] for r in people}]
    return Kept(kept, people, old_links)


def merge_speakers(ctx):
    """The feed's people, matched to the curated ones by official id, then by name."""
    sp_cols, speakers = read_rows(ctx.data_dir / "speakers.csv")
    by_profile = {r["profile_id"]: r for r in speakers if r.get("profile_id")} if ctx.same_year else {}
    by_name = {person_name(r["name"]).lower(): r for r in speakers}  # "Dr. X" imported before is X: its id kept
    taken = {r["id"] for r in speakers}
    new_speakers, speaker_ids = {}, {}
    for session in ctx.feed.sessions:
        for official, name, bio in session.speakers:
            key = (official, name.lower())
            if key in speaker_ids:
                continue
            old = (by_profile.get(str(official)) if official else None) or by_name.get(name.lower())
            if old is not None:
                row = dict(old)
            else:
                sid = slugify(name)
                if sid in new_speakers or sid in taken:
                    sid = f"{sid}-{official}" if official else f"{sid}-{len(new_speakers)}"
                row = {"id": sid, "notes": ""}
                ctx.summary.speakers_added.append(name)
            row.update(name=name, source=ctx.source_id)
            if official:
                row["profile_id"] = str(official)
            if bio and ctx.with_prose:
                row["bio"] = bio
            new_speakers[row["id"]] = row
            speaker_ids[key] = row["id"]
    ctx.summary.speakers_removed = sorted(r["name"] for r in speakers if r["id"] not in new_speakers)
    return sp_cols, new_speakers, speaker_ids


class SessionMatcher:
    """Finds the curated row of a feed session: by feed key, official id, then day and title."""

    def __init__(self, sessions, same_year):
        self.same_year = same_year
        self.by_key = {r["feed_key"]: r for r in sessions if r.get("feed_key")}
        self.by_id = {int(r["id"]): r for r in sessions}
        self.by_title = {}
        for r in sessions:
            self.by_title.setdefault((r["date"], r["title"].strip().lower()), []).append(r)
        self.used, self.matched = set(), set()
        self.next_id = max([FIRST_LOCAL_ID - 1] + [i for i in self.by_id if i >= FIRST_LOCAL_ID]) + 1

    def find(self, s, date):
        old = self.by_key.get(s.key)
        if old is None and s.presentation_id is not None and self.same_year:
            old = self.by_id.get(s.presentation_id)
        if old is None and self.same_year:
            candidates = [r for r in self.by_title.get((date, s.title.lower()), []) if int(r["id"]) not in self.used]
            old = candidates[0] if len(candidates) == 1 else None
        return None if old is not None and int(old["id"]) in self.used else old

    def claim(self, s, old):
        """The id of the session: the matched row's, the official presentation id, or the next free one."""
        if old is not None:
            sid = int(old["id"])
            self.matched.add(sid)
        elif s.presentation_id is not None and s.presentation_id not in self.used:
            sid = s.presentation_id
        else:
            while self.next_id in self.used or self.next_id in self.by_id:
                self.next_id += 1
            sid = self.next_id
        self.used.add(sid)
        return sid


def merge_sessions(ctx, room_id):
    """The feed's sessions as rows of sessions.csv, keeping ids and what the feed does not carry."""
    s_cols, sessions = read_rows(ctx.data_dir / "sessions.csv")
    track_ids = {t["id"] for t in yaml.safe_load((ctx.data_dir / "tracks.yaml").read_text(encoding="utf-8")) or []}
    matcher = SessionMatcher(sessions, ctx.same_year)
    out, id_of_key = [], {}
    for s in sorted(ctx.feed.sessions, key=lambda s: (s.parent_key is not None, s.start, s.key)):
        start, end = s.start.astimezone(ctx.tz), s.end.astimezone(ctx.tz)
        old = matcher.find(s, start.strftime("%Y-%m-%d"))
        sid = matcher.claim(s, old)
        id_of_key[s.key] = sid
        row = session_row(s, sid, old, start, end, [room_id(r) for r in s.rooms], track_ids, ctx.source_id, ctx.with_prose)
        row["parent"] = str(id_of_key[s.parent_key]) if s.parent_key else ""
        record_change(ctx.summary, s, sid, old, row)
        out.append(row)
    ctx.summary.removed = [f"{r['id']} {r['title']!r}" for r in sessions if int(r["id"]) not in matcher.matched]
    return s_cols, out, id_of_key


def session_row(s, sid, old, start, end, rids, track_ids, source_id, with_prose=False):
    row = dict(old) if old else {"notes": "", "subtitle": "", "level": ""}
    track = row.get("track") or ("charlas" if s.kind == "charla" and "charlas" in track_ids else "")
    language = row.get("language") or ("es" if s.kind == "charla" else "en")
    row.update(
        id=str(sid), kind=s.kind, title=s.title, date=start.strftime("%Y-%m-%d"), start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"), room=rids[0] if rids else "", other_rooms=";".join(rids[1:]),
        track=track, language=language, url=s.url or "",
        # Facts only unless asked: without --with-prose an abstract is never written (one already there stays).
        description=(s.description or "") if with_prose else (row.get("description") or ""),
        cancelled="yes" if s.cancelled else "no", feed_key=s.key, source=source_id,
    )
    if s.subtitle:
        row["subtitle"] = s.subtitle
    for note in s.notes:
        add_note(row, note)
    if start == end:
        add_note(row, POINT_IN_TIME.format(time=row["start"]))
    return row


def add_note(row, note):
    """Add a note to a row once: importing the same feed again changes nothing."""
    if note not in (row.get("notes") or ""):
        row["notes"] = f"{row['notes']} {note}".strip() if row.get("notes") else note


def record_change(summary, s, sid, old, row):
    """Count the session in the summary and raise its calendar sequence when it moved."""
    sequence = int(old.get("sequence") or 0) if old else 0
    if old is None:
        summary.added.append(f"{sid} {s.title!r}")
    else:
        place = lambda r: (r.get("date"), r.get("start"), r.get("end"), r.get("room"), r.get("other_rooms") or "")  # noqa: E731
        if place(old) != place(row):
            sequence += 1
            summary.moved.append(f"{sid} {s.title!r}: {old['date']} {old['start']}-{old['end']} {old['room']} -> "
                                 f"{row['date']} {row['start']}-{row['end']} {row['room']}")
        if old["title"] != row["title"]:
            summary.retitled.append(f"{sid}: {old['title']!r} -> {row['title']!r}")
    if s.start == s.end:
        summary.notices.append(f"point in time: {sid} {s.title!r} ({s.kind}) starts and ends at {row['start']} "
                               f"on {row['date']}; kept as the feed gives it")
    row["sequence"] = str(sequence)


def link_columns(links):
    """session_speakers.csv's columns: `source` only when a link has one other than its session's."""
    return ["session", "speaker", "position"] + (["source"] if any(l.get("source") for l in links) else [])


def speaker_links(feed, speaker_ids, id_of_key):
    links = []
    for s in feed.sessions:
        seen = set()
        for official, name, _bio in s.speakers:
            spk = speaker_ids[(official, name.lower())]
            if spk not in seen:
                seen.add(spk)
                links.append({"session": str(id_of_key[s.key]), "speaker": spk, "position": str(len(seen))})
    return links


def note_double_bookings(sessions, links, speakers, summary):
    """A speaker the feed lists in two sessions at once: kept as the feed gives it, noted on both."""
    by_id = {r["id"]: r for r in sessions if r["start"] and r["end"] > r["start"] and r["cancelled"] != "yes"}
    held = {}
    for link in links:
        if link["session"] in by_id:
            held.setdefault(link["speaker"], []).append(by_id[link["session"]])
    for speaker, rows in sorted(held.items()):
        rows.sort(key=lambda r: (r["date"], r["start"], int(r["id"])))
        for a, b in overlapping_pairs([(r["date"] + r["start"], r["date"] + r["end"], r) for r in rows]):
            if not (parent_and_child(a, b) or (a.get("parent") and a.get("parent") == b.get("parent"))):
                name = speakers[speaker]["name"]
                add_note(a, DOUBLE_BOOKED.format(name=name, other=b["id"]))
                add_note(b, DOUBLE_BOOKED.format(name=name, other=a["id"]))
                summary.notices.append(f"speaker {name} is in sessions {a['id']} and {b['id']} at once in the feed; "
                                       "kept as the feed gives it, noted on both")


def conference_text(conf_text, conference, sessions, tz_name, summary):
    """conference.yaml with the program's span and time zone as the feed gives them."""
    days = sorted(r["date"] for r in sessions)
    for key, value in (("start_date", days[0]), ("end_date", days[-1]), ("timezone", tz_name)):
        if str(conference.get(key)) != value:
            summary.notices.append(f"conference {key}: {conference.get(key)} -> {value}")
            conf_text = set_yaml_key(conf_text, key, value)
    return conf_text


def set_yaml_key(text, key, value):
    """A top-level `key: value` of a YAML file's text, replaced where it is, else added before `timezone:` (a
    new edition's dates, which its organisers had not announced)."""
    if re.search(rf"(?m)^{key}: ", text):
        return re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
    return re.sub(r"(?m)^timezone: ", f"{key}: {value}\ntimezone: ", text, count=1)


def sources_text(data_dir, source_id, year, source_url, clock=None):
    """sources.yaml with the feed as a source; how its times were read (when the feed's offsets disagreed
    with the conference's zone) is in its notes, the edition's provenance."""
    text = (data_dir / "sources.yaml").read_text(encoding="utf-8")
    notes = f"\n  notes: {json.dumps(f'Times: {clock}.', ensure_ascii=False)}" if clock else ""  # quoted: YAML
    if re.search(rf"(?m)^- id: {re.escape(source_id)}$", text):
        return text
    return text.rstrip("\n") + (f"\n- id: {source_id}\n  title: Official schedule feed of PyCon US {year} "
                                 f"(conference.json)\n  url: {source_url}{notes}\n")


def unlinked_recordings(data_dir, session_ids, summary):
    """recordings.csv with every link to a session the program no longer has taken off, and said so."""
    columns, recordings = read_rows(data_dir / "recordings.csv")
    for rec in recordings:
        for col in ("session", "session_by_hand"):
            if rec.get(col) and rec[col] not in session_ids:
                summary.notices.append(f"recording {rec['id']} unlinked: session {rec[col]} is no longer in the program")
                rec[col] = ""
                if col == "session":
                    rec["match"] = ""
    return csv_text(columns, recordings)


def mark_parallel_rooms(sessions, rooms, summary):
    """A room where the feed itself holds overlapping sessions is a room with parallel activities."""
    spans = {}
    for s in sessions:
        for rid in [s["room"]] + [r for r in (s.get("other_rooms") or "").split(";") if r]:
            if rid and s["start"] and s["end"]:
                spans.setdefault(rid, []).append((s["date"] + s["start"], s["date"] + s["end"], s))
    for room in rooms:
        clash = any(not parent_and_child(a, b) for a, b in overlapping_pairs(spans.get(room["id"], [])))
        if clash and room.get("parallel") != "yes":
            room["parallel"] = "yes"
            summary.notices.append(f"room {room['id']} ({room['name']}) holds overlapping sessions in the feed: marked parallel")


def write_validated(data_dir: Path, changed: dict):
    """Write the changed files only if the whole dataset then validates."""
    if not changed:
        return
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data_dir, trial)
        for name, text in changed.items():
            (trial / name).write_text(text, encoding="utf-8")
        try:
            validate(trial)
        except ValidationFailed as exc:
            raise FeedError("the imported data would not validate; nothing was written:\n" + exc.report()) from None
        for name in changed:
            staged = data_dir / f".{name}.importing"
            shutil.copyfile(trial / name, staged)
            staged.replace(data_dir / name)
