"""Import one event's recordings in pyvideo/data's format (`category.json`, `videos/<slug>.json`)
into data/recordings.csv, each matched to its session with no wrong match.

A recording is matched, in this order:
- `hand`: the organiser set `session_by_hand` in data/recordings.csv (kept across imports);
- `url`: its "Presentation Webpage" is the session's official page (a page two recordings
  share, such as the keynote speakers' page, identifies neither);
- `title`: its title is the session's, once both are folded (case, accents, quotes, dashes and
  spaces) and a trailing " - Speaker Name" is dropped, on the day it was recorded;
- `title-contained`: on that day, the words of one title hold all the words of the other,
  and no other session or recording fits either way;
- `lightning-slot`: "Lightning Talks - <day> ... PM" is that day's afternoon lightning talks.
What fits none stays unmatched and is listed. Facts only: no description is copied.
"""
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..sources.schema import MATCH_METHODS as METHODS
from .feed import FeedError
from .official import csv_text, read_rows, write_validated  # the feed importer's all-or-nothing writing

COLUMNS = ["id", "session", "match", "session_by_hand", "title", "speakers", "recorded", "duration_s", "language",
           "video_url", "thumbnail_url", "presentation_url", "file", "source"]


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


@dataclass
class Report:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    methods: dict = field(default_factory=dict)

    def text(self, total):
        counts = ", ".join(f"{self.methods.get(m, 0)} by {m}" for m in METHODS)
        lines = [f"recordings: {total} ({counts}, {len(self.unmatched)} unmatched); "
                 f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"]
        for label, items in (("added", self.added), ("changed", self.changed), ("removed", self.removed),
                             ("unmatched", self.unmatched)):
            lines += [f"  {label}: {item}" for item in items]
        return "\n".join(lines)


def _fail(name, field_name, message):
    raise FeedError(f"{name}: field '{field_name}': {message}" if field_name else f"{name}: {message}")


def _http(value, name, field_name):
    if not isinstance(value, str) or not re.match(r"https?://[^\s/]+\.[^\s]+$", value):
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


def read_recording(path: Path, name: str) -> Recording:
    """One pyvideo file as a Recording; a faulty file is a FeedError naming the file and field."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name} is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        _fail(name, None, "should be a JSON object (one recording)")
    speakers = doc.get("speakers") or []
    if not isinstance(speakers, list) or not all(isinstance(s, str) for s in speakers):
        _fail(name, "speakers", "should be a list of names")
    thumbnail = doc.get("thumbnail_url")
    return Recording(slug=path.stem, file=name, title=_text(doc, "title", name), speakers=[s.strip() for s in speakers],
                     recorded=_recorded(doc, name), duration_s=_duration(doc, name),
                     language=_text(doc, "language", name, required=False), video_url=_video_url(doc, name),
                     thumbnail_url=_http(thumbnail, name, "thumbnail_url") if thumbnail else "",
                     presentation_url=_presentation_url(doc, name))


def read_event(folder: Path):
    """Every recording of one event folder of pyvideo/data, in file order."""
    folder = Path(folder)
    if not (folder / "category.json").is_file() or not (folder / "videos").is_dir():
        raise FeedError(f"{folder} is not an event folder of pyvideo/data (category.json and videos/)")
    return [read_recording(p, f"{folder.name}/videos/{p.name}") for p in sorted((folder / "videos").glob("*.json"))]


def fold(text):
    """A title as compared: accents, case, quotes, dashes, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def without_speaker(title, speakers):
    """'Talk title - Speaker Name' without the trailing name, when it starts a speaker's name."""
    head, sep, tail = title.rpartition(" - ")
    if sep and any(fold(s).startswith(fold(tail)) for s in speakers) and fold(tail):
        return head
    return title


def words(title):
    return set(fold(title).split())


class Matcher:
    """Claims sessions for recordings, one method after the other, never one session twice."""

    def __init__(self, sessions, recordings):
        self.sessions, self.recordings = sessions, recordings
        self.found, self.claimed = {}, set()

    def claim(self, recording, session_id, method):
        self.found[recording.slug] = (session_id, method)
        self.claimed.add(session_id)

    def open(self):
        return [r for r in self.recordings if r.slug not in self.found]

    def on_day(self, day):
        return [s for s in self.sessions if s["date"] == day.isoformat() and s["id"] not in self.claimed]

    def by_hand(self, hand):
        for r in self.open():
            if hand.get(r.slug):
                self.claim(r, hand[r.slug], "hand")

    def by_url(self):
        shared = {u for u in (r.presentation_url for r in self.recordings)
                  if u and sum(x.presentation_url == u for x in self.recordings) > 1}
        pages = {s["url"].rstrip("/"): s["id"] for s in self.sessions if s["url"]}
        for r in self.open():
            sid = pages.get(r.presentation_url.rstrip("/")) if r.presentation_url not in shared else None
            if sid and sid not in self.claimed:
                self.claim(r, sid, "url")

    def by_title(self):
        for r in self.open():
            titles = {fold(r.title), fold(without_speaker(r.title, r.speakers))}
            fits = [s for s in self.on_day(r.recorded) if fold(s["title"]) in titles]
            if len(fits) == 1:
                self.claim(r, fits[0]["id"], "title")

    def by_contained_title(self):
        def fit(r, s):
            a, b = words(without_speaker(r.title, r.speakers)), words(s["title"])
            return s["kind"] != "lightning-talks" and a and b and (a <= b or b <= a)

        for r in self.open():
            fits = [s for s in self.on_day(r.recorded) if fit(r, s)]
            rivals = [x for x in self.open() if x is not r and x.recorded == r.recorded and fits and fit(x, fits[0])]
            if len(fits) == 1 and not rivals:
                self.claim(r, fits[0]["id"], "title-contained")

    def by_lightning_slot(self):
        for r in self.open():
            if not fold(r.title).startswith("lightning talks") or not fold(r.title).endswith(" pm"):
                continue
            fits = [s for s in self.on_day(r.recorded) if s["kind"] == "lightning-talks" and s["start"] >= "12:00"]
            if len(fits) == 1:
                self.claim(r, fits[0]["id"], "lightning-slot")


def match(recordings, sessions, hand):
    """{slug: (session id, method)} for every recording that can be matched with confidence."""
    matcher = Matcher(sessions, recordings)
    matcher.by_hand(hand)
    matcher.by_url()
    matcher.by_title()
    matcher.by_contained_title()
    matcher.by_lightning_slot()
    return matcher.found


def recording_row(r, found, hand, source_id):
    session, method = found.get(r.slug, ("", ""))
    return {"id": r.slug, "session": session, "match": method, "session_by_hand": hand.get(r.slug, ""),
            "title": r.title, "speakers": "; ".join(r.speakers), "recorded": r.recorded.isoformat(),
            "duration_s": "" if r.duration_s is None else str(r.duration_s), "language": r.language,
            "video_url": r.video_url, "thumbnail_url": r.thumbnail_url, "presentation_url": r.presentation_url,
            "file": r.file, "source": source_id}


def compare(old_rows, new_rows, report):
    old = {r["id"]: r for r in old_rows}
    new = {r["id"]: r for r in new_rows}
    report.added = sorted(set(new) - set(old))
    report.removed = sorted(set(old) - set(new))
    report.changed = sorted(k for k in set(new) & set(old) if {c: old[k].get(c, "") for c in COLUMNS} != new[k])


def sources_text(data_dir: Path, source_id: str, folder: Path):
    text = (data_dir / "sources.yaml").read_text(encoding="utf-8")
    if re.search(rf"(?m)^- id: {re.escape(source_id)}$", text):
        return text
    title = json.loads((folder / "category.json").read_text(encoding="utf-8")).get("title", folder.name)
    return text.rstrip("\n") + (f"\n- id: {source_id}\n  title: {title} recordings in pyvideo/data "
                                f"(folder {folder.name}/, CC0)\n  url: https://github.com/pyvideo/data\n")


def import_recordings(folder: Path, data_dir: Path):
    """Read the event folder, match its recordings, write data/recordings.csv (and the source) if valid."""
    folder, data_dir = Path(folder), Path(data_dir)
    recordings = read_event(folder)
    old_rows = read_rows(data_dir / "recordings.csv")[1] if (data_dir / "recordings.csv").exists() else []
    hand = {r["id"]: r["session_by_hand"] for r in old_rows if r.get("session_by_hand")}
    found = match(recordings, read_rows(data_dir / "sessions.csv")[1], hand)
    source_id = "pyvideo-" + re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-")
    rows = [recording_row(r, found, hand, source_id) for r in sorted(recordings, key=lambda r: r.slug)]
    report = Report(unmatched=[f"{r.file} ({r.title})" for r in recordings if r.slug not in found])
    for _, method in found.values():
        report.methods[method] = report.methods.get(method, 0) + 1
    compare(old_rows, rows, report)
    changed = {name: text for name, text in (("recordings.csv", csv_text(COLUMNS, rows)),
                                             ("sources.yaml", sources_text(data_dir, source_id, folder)))
               if not (data_dir / name).exists() or (data_dir / name).read_text(encoding="utf-8") != text}
    write_validated(data_dir, changed)
    return report.text(len(rows)) + "\nfiles changed: " + (", ".join(sorted(changed)) or "none")
