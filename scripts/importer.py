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
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .build import validate
from .errors import ValidationFailed
from .feed import Feed, FeedError

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
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


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


def _merge_columns(existing, wanted):
    return existing + [c for c in wanted if c not in existing]


def feed_timezone(feed: Feed, tz_name: str):
    """Check that the feed's UTC offsets are those of the conference's time zone."""
    tz = ZoneInfo(tz_name)
    wrong = [s for s in feed.sessions if s.start.astimezone(tz).utcoffset() != s.start.utcoffset()]
    if wrong:
        s = wrong[0]
        raise FeedError(f"the feed's times are at UTC{s.start:%z} (e.g. {s.title!r} at {s.start.isoformat()}), "
                        f"but the conference time zone {tz_name} is at UTC{s.start.astimezone(tz):%z} then; "
                        f"pass --timezone with the feed's zone (e.g. America/New_York)")
    return tz


def import_feed(feed: Feed, data_dir: Path, source_url: str, tz_name: str = None, now: datetime = None) -> Summary:
    """Merge the feed into data_dir; raise FeedError (nothing written) if the result would not validate."""
    data_dir = Path(data_dir)
    summary = Summary(notices=list(feed.notices))
    conf_text = (data_dir / "conference.yaml").read_text(encoding="utf-8")
    conference = yaml.safe_load(conf_text)
    tz_name = tz_name or conference["timezone"]
    tz = feed_timezone(feed, tz_name)
    source_id = f"official-feed-{feed.year}"
    # Presentation and speaker profile ids are per year: match by them only a program of the feed's year.
    same_year = str(conference.get("start_date", ""))[:4] == str(feed.year)

    # Rooms: match by name (or the app's label); add the ones the feed introduces.
    room_cols, rooms = read_rows(data_dir / "rooms.csv")
    room_by_name = {}
    for r in rooms:
        for label in (r["name"], r.get("app_label") or ""):
            if label:
                room_by_name.setdefault(label.lower(), r["id"])

    def room_id(name):
        if name.lower() not in room_by_name:
            rid, n = slugify(name), 2
            while rid in {r["id"] for r in rooms}:
                rid, n = f"{slugify(name)}-{n}", n + 1
            rooms.append({"id": rid, "name": name, "floor": "", "parallel": "no", "source": source_id,
                          "notes": "Added from the official feed; floor unknown."})
            room_by_name[name.lower()] = rid
            summary.rooms_added.append(f"{rid} ({name})")
        return room_by_name[name.lower()]

    # Speakers: match by official id, then by name.
    sp_cols, speakers = read_rows(data_dir / "speakers.csv")
    by_profile = {r["profile_id"]: r for r in speakers if r.get("profile_id")} if same_year else {}
    by_name = {r["name"].lower(): r for r in speakers}
    new_speakers, speaker_ids = {}, {}
    for session in feed.sessions:
        for official, name, bio in session.speakers:
            key = (official, name.lower())
            if key in speaker_ids:
                continue
            old = by_profile.get(str(official)) if official else None
            old = old or by_name.get(name.lower())
            if old is not None:
                row = dict(old)
            else:
                sid = slugify(name)
                if sid in new_speakers or (sid in {r["id"] for r in speakers} and by_name.get(name.lower()) is None):
                    sid = f"{sid}-{official}" if official else f"{sid}-{len(new_speakers)}"
                row = {"id": sid, "notes": ""}
                summary.speakers_added.append(name)
            row.update(name=name, source=source_id)
            if official:
                row["profile_id"] = str(official)
            if bio:
                row["bio"] = bio
            new_speakers[row["id"]] = row
            speaker_ids[key] = row["id"]
    summary.speakers_removed = sorted(r["name"] for r in speakers if r["id"] not in new_speakers)

    # Sessions: match by feed key, official id, then day and title.
    s_cols, sessions = read_rows(data_dir / "sessions.csv")
    old_by_key = {r["feed_key"]: r for r in sessions if r.get("feed_key")}
    old_by_id = {int(r["id"]): r for r in sessions}
    old_by_title = {}
    for r in sessions:
        old_by_title.setdefault((r["date"], r["title"].strip().lower()), []).append(r)
    track_ids = {t["id"] for t in yaml.safe_load((data_dir / "tracks.yaml").read_text(encoding="utf-8")) or []}
    used, matched = set(), set()
    next_id = max([FIRST_LOCAL_ID - 1] + [i for i in old_by_id if i >= FIRST_LOCAL_ID]) + 1
    out, id_of_key = [], {}
    ordered = sorted(feed.sessions, key=lambda s: (s.parent_key is not None, s.start, s.key))
    for s in ordered:
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        date = start.strftime("%Y-%m-%d")
        old = old_by_key.get(s.key)
        if old is None and s.presentation_id is not None and same_year:
            old = old_by_id.get(s.presentation_id)
        if old is None and same_year:
            candidates = [r for r in old_by_title.get((date, s.title.lower()), []) if int(r["id"]) not in used]
            old = candidates[0] if len(candidates) == 1 else None
        if old is not None and int(old["id"]) in used:
            old = None
        if old is not None:
            sid = int(old["id"])
            matched.add(sid)
        elif s.presentation_id is not None and s.presentation_id not in used:
            sid = s.presentation_id
        else:
            while next_id in used or next_id in old_by_id:
                next_id += 1
            sid = next_id
        used.add(sid)
        id_of_key[s.key] = sid
        rids = [room_id(r) for r in s.rooms]
        row = dict(old) if old else {"notes": "", "subtitle": "", "level": ""}
        track = row.get("track") or ("charlas" if s.kind == "charla" and "charlas" in track_ids else "")
        language = row.get("language") or ("es" if s.kind == "charla" else "en")
        row.update(
            id=str(sid), kind=s.kind, title=s.title, date=date, start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"), room=rids[0] if rids else "", other_rooms=";".join(rids[1:]),
            track=track, language=language, url=s.url or "", description=s.description or "",
            cancelled="yes" if s.cancelled else "no", feed_key=s.key, source=source_id,
            parent=str(id_of_key[s.parent_key]) if s.parent_key else "",
        )
        sequence = int(old.get("sequence") or 0) if old else 0
        if old is not None:
            place = lambda r: (r.get("date"), r.get("start"), r.get("end"), r.get("room"), r.get("other_rooms") or "")
            if place(old) != place(row):
                sequence += 1
                summary.moved.append(f"{sid} {s.title!r}: {old['date']} {old['start']}-{old['end']} {old['room']} -> "
                                     f"{row['date']} {row['start']}-{row['end']} {row['room']}")
            if old["title"] != row["title"]:
                summary.retitled.append(f"{sid}: {old['title']!r} -> {row['title']!r}")
        else:
            summary.added.append(f"{sid} {s.title!r}")
        row["sequence"] = str(sequence)
        out.append(row)
    summary.removed = [f"{r['id']} {r['title']!r}" for r in sessions if int(r["id"]) not in matched]

    links = []
    for s in feed.sessions:
        seen = set()
        for official, name, _bio in s.speakers:
            spk = speaker_ids[(official, name.lower())]
            if spk not in seen:
                seen.add(spk)
                links.append({"session": str(id_of_key[s.key]), "speaker": spk, "position": str(len(seen))})
    mark_parallel_rooms(out, rooms, summary)

    # conference.yaml: the program's span and, when anything changed, the time of this change.
    days = sorted(r["date"] for r in out)
    conf_new = conf_text
    for key, value in (("start_date", days[0]), ("end_date", days[-1]), ("timezone", tz_name)):
        if str(conference.get(key)) != value:
            summary.notices.append(f"conference {key}: {conference.get(key)} -> {value}")
            conf_new = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", conf_new)
    sources_text = (data_dir / "sources.yaml").read_text(encoding="utf-8")
    if not re.search(rf"(?m)^- id: {re.escape(source_id)}$", sources_text):
        sources_text = sources_text.rstrip("\n") + (
            f"\n- id: {source_id}\n  title: Official schedule feed of PyCon US {feed.year} (conference.json)\n"
            f"  url: {source_url}\n")

    files = {
        "sessions.csv": csv_text(_merge_columns(s_cols, SESSION_COLUMNS),
                                 sorted(out, key=lambda r: (r["date"], r["start"] or "99", r["room"], int(r["id"])))),
        "speakers.csv": csv_text(_merge_columns(sp_cols, SPEAKER_COLUMNS), sorted(new_speakers.values(), key=lambda r: r["id"])),
        "session_speakers.csv": csv_text(["session", "speaker", "position"],
                                         sorted(links, key=lambda l: (int(l["session"]), int(l["position"])))),
        "rooms.csv": csv_text(room_cols, rooms),
        "sources.yaml": sources_text,
    }
    changed = {name: text for name, text in files.items() if (data_dir / name).read_text(encoding="utf-8") != text}
    if conf_new != conf_text:
        changed["conference.yaml"] = conf_new
    if changed:
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed["conference.yaml"] = re.sub(r"(?m)^updated: .*$", f"updated: {stamp}", changed.get("conference.yaml", conf_text))
    write_validated(data_dir, changed)
    summary.changed_files = sorted(changed)
    return summary


def mark_parallel_rooms(sessions, rooms, summary):
    """A room where the feed itself holds overlapping sessions is a room with parallel activities."""
    spans = {}
    for s in sessions:
        for rid in [s["room"]] + [r for r in (s.get("other_rooms") or "").split(";") if r]:
            if rid and s["start"] and s["end"]:
                spans.setdefault(rid, []).append((s["date"] + s["start"], s["date"] + s["end"], s["id"], s.get("parent")))
    for room in rooms:
        items = sorted(spans.get(room["id"], []))
        clash = any(b[0] < a[1] and b[3] != a[2] and a[3] != b[2] for a, b in zip(items, items[1:]))
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
