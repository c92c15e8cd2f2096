"""Import one event's recordings in pyvideo/data's format (`category.json`, `videos/<slug>.json`)
into data/recordings.csv, each matched to its session with no wrong match (the methods: matching.py).
What fits none stays unmatched and is listed. Facts only: no description is copied.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.words import ascii_folded, fold
from ..sources.schema import MATCH_METHODS as METHODS
from .feed import FeedError
from .matching import PLENARY_KINDS, match, without_speaker
from .official import csv_text, link_columns, read_rows, write_validated  # the feed importer's all-or-nothing writing
from .recorded_program import Additions, is_lightning, presentation_id, read_index

MAX_DURATION = 24 * 3600  # no recording of one session is longer than a day
COLUMNS = ["id", "session", "match", "session_by_hand", "title", "speakers", "recorded", "duration_s", "language",
           "video_url", "thumbnail_url", "presentation_url", "part_of", "start_s", "file", "source"]


@dataclass
class Recording:
    slug: str
    file: str
    title: str
    speakers: list
    recorded: date
    duration_s: int
    language: str
    video_url: str
    thumbnail_url: str
    presentation_url: str
    index: list = field(default_factory=list)  # a lightning-talk recording's talks (recorded_program.Entry)


@dataclass
class Report:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    methods: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    added_sessions: list = field(default_factory=list)  # sessions only a recording shows
    talks: int = 0  # lightning talks itemised from the indexes
    coverage: str = ""

    def text(self, total):
        counts = ", ".join(f"{self.methods.get(m, 0)} by {m}" for m in METHODS if m != "index")
        lines = [f"recordings: {total} ({counts}, {len(self.unmatched)} unmatched); "
                 f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed",
                 f"lightning talks itemised: {self.talks}; sessions added from recordings: {len(self.added_sessions)}",
                 f"sessions with a recording, by kind: {self.coverage}"]
        for label, items in (("warning", self.warnings), ("session added", self.added_sessions),
                             ("added", self.added), ("changed", self.changed), ("removed", self.removed),
                             ("unmatched", self.unmatched)):
            lines += [f"  {label}: {item}" for item in items]
        return "\n".join(lines)


def _fail(name, field_name, message):
    raise FeedError(f"{name}: field '{field_name}': {message}" if field_name else f"{name}: {message}")


def _http(value, name, field_name):
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/]+\.\S+", value):  # no newline at the end
        _fail(name, field_name, f"{value!r} is not an http(s) URL")
    return value


def _text(doc, key, name, required=True):
    value = doc.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        _fail(name, key, "is missing or not text" if value is None else f"{value!r} is not text")
    return value.strip()


def _duration(doc, name):
    value = doc.get("duration")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _fail(name, "duration", f"{value!r} is not a number of seconds (0 or more)")
    if value > MAX_DURATION:
        _fail(name, "duration", f"{value} seconds is longer than a day: not the length of one recording")
    return value


def _recorded(doc, name):
    try:
        return date.fromisoformat(_text(doc, "recorded", name))
    except ValueError:
        _fail(name, "recorded", f"{doc.get('recorded')!r} is not a date (YYYY-MM-DD)")


def _video_url(doc, name):
    videos = doc.get("videos")
    if not isinstance(videos, list) or not videos or not all(isinstance(v, dict) for v in videos):
        _fail(name, "videos", "should be a list of {type, url}, with at least one")
    return _http(videos[0].get("url"), name, "videos[0].url")


def _presentation_url(doc, name):
    related = doc.get("related_urls") or []
    if not isinstance(related, list):
        _fail(name, "related_urls", "should be a list of {label, url}")
    pages = [r.get("url") for r in related if isinstance(r, dict) and r.get("label") == "Presentation Webpage"]
    return _http(pages[0], name, "related_urls") if pages else ""


def read_recording(path: Path, name: str):
    """One pyvideo file as a Recording, and its warnings; a faulty file is a FeedError naming the file and field."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name} is not JSON: {exc}") from None
    except RecursionError:
        raise FeedError(f"{name} is not one recording: its JSON is nested too deeply to read") from None
    if not isinstance(doc, dict):
        _fail(name, None, "should be a JSON object (one recording)")
    speakers = doc.get("speakers") or []
    if not isinstance(speakers, list) or not all(isinstance(s, str) for s in speakers):
        _fail(name, "speakers", "should be a list of names")
    thumbnail = doc.get("thumbnail_url")
    title, duration = _text(doc, "title", name), _duration(doc, name)
    index, warnings = read_index(_text(doc, "description", name, False), duration, name) if is_lightning(title) \
        else ([], [])
    return Recording(slug=ascii_id(path.stem), file=name, title=title, speakers=[s.strip() for s in speakers],
                     recorded=_recorded(doc, name), duration_s=duration,
                     language=_text(doc, "language", name, required=False), video_url=_video_url(doc, name),
                     thumbnail_url=_http(thumbnail, name, "thumbnail_url") if thumbnail else "",
                     presentation_url=_presentation_url(doc, name), index=index), warnings


def read_event(folder: Path):
    """Every recording of one event folder of pyvideo/data, in file order, and the warnings reading them."""
    folder = Path(folder)
    if not (folder / "category.json").is_file() or not (folder / "videos").is_dir():
        raise FeedError(f"{folder} is not an event folder of pyvideo/data (category.json and videos/)")
    read = [read_recording(p, f"{folder.name}/videos/{p.name}") for p in recording_files(folder)]
    return [r for r, _ in read], [w for _, warnings in read for w in warnings]


def recording_files(folder: Path):
    """The folder's videos/*.json, each a regular file inside the folder: a directory, a pipe (reading it
    would wait for ever) or a link out of the folder is refused by name before anything is read."""
    inside = folder.resolve()
    paths = sorted((folder / "videos").glob("*.json"))
    for path in paths:
        name = f"{folder.name}/videos/{path.name}"
        if not path.resolve().is_relative_to(inside):
            raise FeedError(f"{name} links out of the event folder: copy the file in instead")
        if not path.is_file():
            raise FeedError(f"{name} is not a file (a directory or a pipe): remove it or rename it")
    return paths


def ascii_id(stem):
    """A file name as an id: accents folded and anything else but letters, digits and '-' a '-'
    ('cambiando-el-guión' is cambiando-el-guion, 'a bout' a-bout); `file` keeps the name."""
    return re.sub(r"[^a-z0-9-]+", "-", ascii_folded(stem)).strip("-")


def recording_row(r, found, hand, source_id):
    session, method = found.get(r.slug, ("", ""))
    return {"id": r.slug, "session": session, "match": method, "session_by_hand": hand.get(r.slug, ""),
            "title": r.title, "speakers": "; ".join(r.speakers), "recorded": r.recorded.isoformat(),
            "duration_s": "" if r.duration_s is None else str(r.duration_s), "language": r.language,
            "video_url": r.video_url, "thumbnail_url": r.thumbnail_url, "presentation_url": r.presentation_url,
            "file": r.file, "source": source_id}


def part_row(source_id):
    """The row of one talk of a lightning-talk recording: a part of it, starting at the talk's second."""
    def row(r, entry, place, session_id):
        return {**recording_row(r, {r.slug: (session_id, "index")}, {}, source_id), "id": f"{r.slug}-talk-{place:02d}",
                "title": entry.title, "speakers": "; ".join(entry.speakers), "duration_s": "",
                "presentation_url": "", "part_of": r.slug,
                "start_s": "" if entry.offset_s is None else str(entry.offset_s)}
    return row


def compare(old_rows, new_rows, report):
    old = {r["id"]: r for r in old_rows}
    new = {r["id"]: r for r in new_rows}
    report.added = sorted(set(new) - set(old))
    report.removed = sorted(set(old) - set(new))
    as_written = lambda row: {c: str(row.get(c, "")) for c in COLUMNS}  # as the CSV holds it: ids as text
    report.changed = sorted(k for k in set(new) & set(old) if as_written(old[k]) != as_written(new[k]))


def sources_text(data_dir: Path, source_id: str, folder: Path):
    text = (data_dir / "sources.yaml").read_text(encoding="utf-8")
    if re.search(rf"(?m)^- id: {re.escape(source_id)}$", text):
        return text
    title = json.loads((folder / "category.json").read_text(encoding="utf-8")).get("title", folder.name)
    return text.rstrip("\n") + (f"\n- id: {source_id}\n  title: {title} recordings in pyvideo/data "
                                f"(folder {folder.name}/, CC0)\n  url: https://github.com/pyvideo/data\n")


@dataclass
class Program:
    """data/'s program files as the importer reads and rewrites them: the rows of other sources, and ours."""
    data_dir: Path
    source_id: str
    files: dict = field(default_factory=dict)  # name -> (columns, rows of other sources)

    def __post_init__(self):
        for name in ("sessions.csv", "speakers.csv", "session_speakers.csv", "reported_sessions.csv"):
            self.files[name] = read_rows(self.data_dir / name)
        ours = {r["id"] for r in self.files["sessions.csv"][1] if r["source"] == self.source_id}
        for name in ("sessions.csv", "speakers.csv"):
            columns, rows = self.files[name]
            self.files[name] = (columns, [r for r in rows if r["source"] != self.source_id])
        columns, links = self.files["session_speakers.csv"]
        self.files["session_speakers.csv"] = (columns, [r for r in links if r["session"] not in ours
                                                        and r.get("source") != self.source_id])

    def rows(self, name):
        return self.files[name][1]

    def people(self):
        """{session id: its speakers' folded names}."""
        names = {s["id"]: fold(s["name"]) for s in self.rows("speakers.csv")}
        out = {}
        for link in self.rows("session_speakers.csv"):
            out.setdefault(str(link["session"]), set()).add(names.get(link["speaker"], ""))
        return out

    def texts(self, additions, found):
        """Each file with our rows after the others', and each reported session a recording confirms."""
        new = {"sessions.csv": sorted(additions.sessions, key=lambda s: int(s["id"])),
               "speakers.csv": sorted(additions.speakers, key=lambda s: s["id"]),
               "session_speakers.csv": sorted(additions.links, key=lambda l: (int(l["session"]), l["position"]))}
        texts = {name: csv_text(self.files[name][0], self.rows(name) + rows) for name, rows in new.items()}
        links = self.rows("session_speakers.csv") + new["session_speakers.csv"]
        texts["session_speakers.csv"] = csv_text(link_columns(links), links)
        columns, reported = self.files["reported_sessions.csv"]
        columns = columns if "session" in columns else columns[:1] + ["session"] + columns[1:]
        confirmed = confirmations(reported, self.rows("sessions.csv") + additions.sessions,
                                  self.rows("session_speakers.csv") + additions.links,
                                  {s["id"]: s["name"] for s in self.rows("speakers.csv") + additions.speakers},
                                  {str(sid) for sid, _ in found.values()} | {str(p["session"]) for p in additions.parts})
        texts["reported_sessions.csv"] = csv_text(columns, [{**r, "session": confirmed.get(r["id"], "")}
                                                            for r in reported])
        return texts


def confirmations(reported, sessions, links, names, recorded):
    """{reported id: session id} where a recorded session is the reported one: on its day, the same title,
    or the reported speaker's only lightning talk of that day when the report is of a lightning talk."""
    people = {}
    for link in links:
        people.setdefault(str(link["session"]), set()).add(fold(names.get(link["speaker"], "")))
    found = {}
    for rep in reported:
        day = [s for s in sessions if s["date"] == rep["date"] and str(s["id"]) in recorded]
        same = [s for s in day if fold(s["title"]) == fold(rep["title"])]
        if not same and fold(rep["kind"]) == "lightning talk":
            same = [s for s in day if s["kind"] == "lightning-talk" and fold(rep["speaker"]) in people.get(str(s["id"]), ())]
        if len(same) == 1:
            found[rep["id"]] = str(same[0]["id"])
    return found


def add_from_recordings(recordings, found, program, conference_template, source_id):
    """The lightning talks the indexes itemise, and the sessions only a recording shows (matched 'page')."""
    additions = Additions(program.rows("speakers.csv"), source_id)
    sessions = {str(s["id"]): s for s in program.rows("sessions.csv")}
    spoken = {str(link["session"]) for link in program.rows("session_speakers.csv")}
    for r in recordings:
        session_id, method = found.get(r.slug, ("", ""))
        slot = sessions.get(str(session_id))
        if r.index and slot and slot["kind"] == "lightning-talks":
            additions.itemise(r, slot, part_row(source_id))
        elif slot and slot["kind"] in PLENARY_KINDS and str(session_id) not in spoken and method != "shared-video":
            additions.credit(r, session_id)
        sid = presentation_id(r.presentation_url, conference_template)
        if r.slug not in found and sid and str(sid) not in sessions:
            additions.presentation(r, sid, without_speaker(r.title, r.speakers))
            found[r.slug] = (sid, "page")
    return additions


def coverage(sessions, recorded):
    """'kind: with of all' for every kind, children included."""
    counts = {}
    for s in sessions:
        have, total = counts.get(s["kind"], (0, 0))
        counts[s["kind"]] = (have + (str(s["id"]) in recorded), total + 1)
    return "; ".join(f"{kind} {have} of {total}" for kind, (have, total) in sorted(counts.items()))


def presentation_template(data_dir: Path):
    m = re.search(r"(?m)^presentation_url:\s*(\S+)", (data_dir / "conference.yaml").read_text(encoding="utf-8"))
    return m[1] if m else ""


def import_recordings(folder: Path, data_dir: Path):
    """Read the event folder, match its recordings, write data/ (recordings and what they add) if valid."""
    folder, data_dir = Path(folder), Path(data_dir)
    recordings, warnings = read_event(folder)
    source_id = "pyvideo-" + re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-")
    old_rows = read_rows(data_dir / "recordings.csv")[1] if (data_dir / "recordings.csv").exists() else []
    hand = {r["id"]: r["session_by_hand"] for r in old_rows if r.get("session_by_hand")}
    program = Program(data_dir, source_id)
    found = match(recordings, program.rows("sessions.csv"), hand, program.people())
    additions = add_from_recordings(recordings, found, program, presentation_template(data_dir), source_id)
    rows = [recording_row(r, found, hand, source_id) for r in sorted(recordings, key=lambda r: r.slug)]
    rows = sorted(rows + additions.parts, key=lambda r: r["id"])
    report = Report(unmatched=[f"{r.file} ({r.title})" for r in recordings if r.slug not in found], warnings=warnings)
    for _, method in found.values():
        report.methods[method] = report.methods.get(method, 0) + 1
    report.added_sessions = [f"{s['id']} {s['title']}" for s in additions.sessions if s["kind"] != "lightning-talk"]
    report.talks = len(additions.parts)
    report.coverage = coverage(program.rows("sessions.csv") + additions.sessions, {str(r["session"]) for r in rows})
    compare(old_rows, rows, report)
    texts = {"recordings.csv": csv_text(COLUMNS, rows), "sources.yaml": sources_text(data_dir, source_id, folder),
             **program.texts(additions, found)}
    changed = {name: text for name, text in texts.items()
               if not (data_dir / name).exists() or (data_dir / name).read_text(encoding="utf-8") != text}
    write_validated(data_dir, changed)
    return report.text(len(recordings)) + "\nfiles changed: " + (", ".join(sorted(changed)) or "none")
