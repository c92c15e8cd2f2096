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

from ..core.words import fold, person_name
from .feed import FeedError
from .official import slugify

# An index line: a time (h:mm:ss or m:ss), maybe after a "- " bullet, then ": " or " - ", then what is said
# of it; a talk is "Speaker[, Speaker] - Title" (2022's "Graham Waters -The grief cycle" lacks a space).
TIMED = re.compile(r"(?:-\s+)?(?:(\d+):)?(\d{1,2}):(\d{2})(?::|\s+-)\s+(\S.*)")
TALK = re.compile(r"(\S.*?)\s+-\s*(\S.*)")
NOTE = re.compile(r"\s*\(note:\s*([^)]*)\)$", re.I)  # "Title (Note: Video begins at ~2:40:00)"
LANGUAGES = {"eng": "en", "spa": "es", "en": "en", "es": "es"}  # pyvideo's ISO 639-2 codes, as sessions.csv has them


@dataclass(frozen=True)
class Entry:
    line: int
    offset_s: int | None  # None: the index gives a time out of order (reported, not guessed)
    speakers: tuple
    title: str
    note: str = ""  # the index's own note on the talk ("Note: Video begins at ~2:40:00")




def is_lightning(title):
    return fold(title).startswith("lightning talks")


def clock(seconds):
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def index_entry(number, line, duration_s, name):
    """An Entry, or a warning when the line names no speaker ("48:00 - Conference Announcements")."""
    where = f"{name}: field 'description' line {number}"
    m = TIMED.fullmatch(line.strip())
    if not m:
        raise FeedError(f"{where}: {line.strip()!r} is not 'mm:ss: Speaker[, Speaker] - Title'")
    hours, minutes, seconds = int(m[1] or 0), int(m[2]), int(m[3])
    if seconds >= 60 or (m[1] and minutes >= 60):
        raise FeedError(f"{where}: {line.split(': ')[0]} is not a time (minutes and seconds under 60)")
    offset = hours * 3600 + minutes * 60 + seconds
    if duration_s is not None and offset >= duration_s:
        raise FeedError(f"{where}: {clock(offset)} is past the recording's end ({clock(duration_s)})")
    talk = TALK.fullmatch(m[4].strip())
    if not talk:
        return f"{where}: {m[4].strip()!r} names no speaker and title: not itemised as a talk"
    title, note = NOTE.split(talk[2].strip())[0], NOTE.search(talk[2])
    return Entry(number, offset, tuple(s.strip() for s in talk[1].split(",") if s.strip()), title.strip(),
                 note[1] if note else "")


def index_lines(description):
    """The description's lines from its first timed one (what comes before is prose, never read)."""
    lines = [(n, line) for n, line in enumerate((description or "").splitlines(), 1) if line.strip()]
    first = next((i for i, (_n, line) in enumerate(lines) if TIMED.fullmatch(line.strip())), None)
    return [] if first is None else lines[first:]


def slip(offsets):
    """(the place of the one time out of order, the place of the neighbour it contradicts), or None. The one
    out of order is the earlier of the two that are, or the later, whichever leaves the rest increasing (the
    earlier when both do); ValueError when no one time explains the disorder."""
    late = [i for i in range(len(offsets) - 1) if offsets[i] >= offsets[i + 1]]
    if not late:
        return None
    for i, other in ((late[0], late[0] + 1), (late[0] + 1, late[0])):
        rest = offsets[:i] + offsets[i + 1:]
        if len(late) <= 2 and all(a < b for a, b in zip(rest, rest[1:])):
            return i, other
    raise ValueError(late[0] + 1)


def read_index(description, duration_s, name):
    """The entries of a lightning-talk recording's index, and warnings: for a time left out, and for a
    timed line that names no talk.

    One time out of order is a slip in the index: that talk keeps its place and loses its time (warned).
    Any other disorder is refused: the index cannot be trusted.
    """
    lines = index_lines(description)
    if not lines:
        # "Lightning Talks" (2023): a description that indexes nothing; the recording is of the whole slot.
        return [], ([f"{name}: its description indexes no talk: the recording is matched whole"]
                    if (description or "").strip() else [])
    read = [index_entry(n, line, duration_s, name) for n, line in lines]
    warnings = [w for w in read if isinstance(w, str)]
    entries = [e for e in read if isinstance(e, Entry)]
    try:
        out = slip([e.offset_s for e in entries])
    except ValueError as exc:
        raise FeedError(f"{name}: field 'description' line {entries[exc.args[0]].line}: the index's times are out "
                        f"of order ({', '.join(clock(e.offset_s) for e in entries)}); they must increase") from None
    if out is not None:
        (i, other), e = out, entries[out[0]]
        warnings.append(f"{name}: field 'description' line {e.line}: {clock(e.offset_s)} is "
                        f"{'later than the next' if other > i else 'earlier than the last'} talk's "
                        f"{clock(entries[other].offset_s)}; that talk's time is left empty")
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
        name = person_name(name)
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
            note += f" The index notes: {e.note}." if e.note else ""
            self.session({"id": sid, "kind": "lightning-talk", "title": e.title, "date": slot["date"],
                          "language": slot["language"], "parent": slot["id"], "notes": note}, e.speakers)
            self.parts.append(row_of_part(recording, e, place, sid))

    def credit(self, recording, session_id):
        """A plenary's speakers, as the recording names them: the feeds give keynotes and panels none."""
        for position, name in enumerate(recording.speakers, 1):
            self.links.append({"session": session_id, "speaker": self.speaker(name), "position": position,
                               "source": self.source_id})

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
