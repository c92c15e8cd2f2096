"""What the recordings establish beyond the captured program, as rows of data/.

- A lightning-talk recording's index (its description: lines of `mm:ss: Speaker[, Speaker] - Title`)
  itemises the slot it was matched to: each entry becomes a session of kind `lightning-talk`, a
  child of the slot (id: the slot's id x 100 + its place in the index), and a part of the recording
  that starts at the entry's second.
- A recording whose official page names a presentation the captured program lacks becomes a session
  with what the recording establishes: title, speakers, day, language and page (no time, no room).
- Speakers are the speakers table's where the name is the same (case and accents folded); new ones
  otherwise. Every row carries the recordings' source, so a second import replaces them exactly.
"""
import re
from dataclasses import dataclass, replace

from ..core.words import fold
from .feed import FeedError
from .official import slugify

ENTRY = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2}):\s+(\S.*?)\s+-\s+(\S.*)")
LANGUAGES = {"eng": "en", "spa": "es", "en": "en", "es": "es"}  # pyvideo's ISO 639-2 codes, as sessions.csv has them


@dataclass(frozen=True)
class Entry:
    line: int
    offset_s: int | None  # None: the index gives a time out of order (reported, not guessed)
    speakers: tuple
    title: str




def is_lightning(title):
    return fold(title).startswith("lightning talks")


def clock(seconds):
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def index_entry(number, line, duration_s, name):
    where = f"{name}: field 'description' line {number}"
    m = ENTRY.fullmatch(line.strip())
    if not m:
        raise FeedError(f"{where}: {line.strip()!r} is not 'mm:ss: Speaker[, Speaker] - Title'")
    hours, minutes, seconds = int(m[1] or 0), int(m[2]), int(m[3])
    if seconds >= 60 or (m[1] and minutes >= 60):
        raise FeedError(f"{where}: {line.split(': ')[0]} is not a time (minutes and seconds under 60)")
    offset = hours * 3600 + minutes * 60 + seconds
    if duration_s is not None and offset >= duration_s:
        raise FeedError(f"{where}: {clock(offset)} is past the recording's end ({clock(duration_s)})")
    return Entry(number, offset, tuple(s.strip() for s in m[4].split(",") if s.strip()), m[5].strip())


def read_index(description, duration_s, name):
    """The entries of a lightning-talk recording's index, and a warning for each time left out.

    One entry whose time is later than the next one's is a slip in the index: it keeps its place and
    loses its time (warned). Any other disorder is refused: the index cannot be trusted.
    """
    lines = [(n, line) for n, line in enumerate((description or "").splitlines(), 1) if line.strip()]
    if not any(ENTRY.fullmatch(line.strip()) for _n, line in lines):
        # "Lightning Talks" (2023): a description that indexes nothing; the recording is of the whole slot.
        return [], ([f"{name}: its description indexes no talk: the recording is matched whole"] if lines else [])
    entries = [index_entry(n, line, duration_s, name) for n, line in lines]
    late = [i for i in range(len(entries) - 1) if entries[i].offset_s >= entries[i + 1].offset_s]
    kept = [e.offset_s for i, e in enumerate(entries) if i not in late]
    if len(late) > 1 or kept != sorted(set(kept)):
        first = entries[late[0] + 1] if late else entries[0]
        raise FeedError(f"{name}: field 'description' line {first.line}: the index's times are out of order "
                        f"({', '.join(clock(e.offset_s) for e in entries)}); they must increase")
    warnings = []
    for i in late:
        e = entries[i]
        warnings.append(f"{name}: field 'description' line {e.line}: {clock(e.offset_s)} is later than the next "
                        f"talk's {clock(entries[i + 1].offset_s)}; that talk's time is left empty")
        entries[i] = replace(e, offset_s=None)
    return entries, warnings


def presentation_id(url, template):
    """The id in an official presentation page's URL, read with the conference's URL template."""
    if not url or not template or "{id}" not in template:
        return None
    pattern = re.escape(template.rstrip("/")).replace(re.escape("{id}"), r"(\d+)")
    m = re.fullmatch(pattern + "/?", url)
    return int(m[1]) if m else None


class Additions:
    """The sessions, speakers, links and recording parts the recordings add, under one source."""

    def __init__(self, speakers, source_id):
        self.source_id = source_id
        self.by_name = {fold(s["name"]): s["id"] for s in speakers}
        self.taken = {s["id"] for s in speakers}
        self.sessions, self.speakers, self.links, self.parts = [], [], [], []

    def speaker(self, name):
        key = fold(name)
        if key not in self.by_name:
            base = slugify(name) or "speaker"
            sid = next(f"{base}-{n}" if n else base for n in range(len(self.taken) + 1)
                       if (f"{base}-{n}" if n else base) not in self.taken)
            self.taken.add(sid)
            self.by_name[key] = sid
            self.speakers.append({"id": sid, "name": name, "source": self.source_id,
                                  "notes": "Known from a recording (pyvideo)."})
        return self.by_name[key]

    def session(self, row, names):
        self.sessions.append({**row, "source": self.source_id})
        for position, name in enumerate(names, 1):
            self.links.append({"session": row["id"], "speaker": self.speaker(name), "position": position})

    def itemise(self, recording, slot, row_of_part):
        """The slot's talks, from the recording's index."""
        for place, e in enumerate(recording.index, 1):
            sid = int(slot["id"]) * 100 + place
            note = f"From line {e.line} of the index of the recording {recording.file}"
            note += f", from {clock(e.offset_s)}." if e.offset_s is not None else "; its time there is out of order."
            self.session({"id": sid, "kind": "lightning-talk", "title": e.title, "date": slot["date"],
                          "language": slot["language"], "parent": slot["id"], "notes": note}, e.speakers)
            self.parts.append(row_of_part(recording, e, place, sid))

    def presentation(self, recording, sid, title):
        language = LANGUAGES.get(recording.language)
        if not language:
            raise FeedError(f"{recording.file}: field 'language': {recording.language!r} is not one the program "
                            f"has ({', '.join(sorted(LANGUAGES))})")
        self.session({"id": sid, "kind": "presentation", "title": title, "date": recording.recorded.isoformat(),
                      "language": language, "url": recording.presentation_url,
                      "notes": "Not in the captured program; known from its recording: title, speakers, day, "
                               "language and official page. Its time, room and kind are not known."},
                     recording.speakers)
