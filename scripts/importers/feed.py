"""Read the official schedule feed (`https://us.pycon.org/<year>/schedule/conference.json`).

The feed's quirks, handled here: a slot listed in several rooms is one session; open spaces
give `duration` in seconds (slots give minutes) and a `room_display` to show; the poster slot
nests its posters in `sessions`; `blank` slots are placeholders; descriptions and bios are
HTML. Problems that make the feed unusable raise FeedError; things it does not know (kinds,
fields) are collected as notices and imported as best they can be.
"""
import html
import json
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nh3

from ..core.words import person_name

# Placeholders, not sessions: a slot of these kinds, or titled "Slot", is an unfilled slot.
PLACEHOLDER_KINDS = {"blank", "placeholder"}
PLACEHOLDER_TITLES = {"", "slot"}
# Room names that are not rooms (2023's feed): the session gets no room, and a note says what the feed gave.
PSEUDO_ROOM = re.compile(r"^(all rooms|see open spaces board|stretch your legs\b.*)$", re.I)
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
CANCELLED_PREFIX = re.compile(r"^\s*cancell?ed\s*:\s*", re.I)
KNOWN_SLOT_FIELDS = {"room", "rooms", "start", "end", "duration", "kind", "section", "conf_key", "conf_url",
                     "list_render", "license", "tags", "released", "contact", "name", "title", "description",
                     "authors", "speakers", "cancelled", "sessions", "room_display", "room_order", "image_url"}
PRESENTATION_URL = re.compile(r"/(\d{4})/schedule/presentation/(\d+)/?$")
ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4"}
TIMEOUT = 20  # seconds for any one read
TOTAL_TIMEOUT = 60  # seconds for the whole download
MAX_FEED_BYTES = 50_000_000  # a real feed is under 2 MB
EMAIL = re.compile(r"(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class FeedError(Exception):
    """The feed cannot be imported; the message says why. Nothing has been written."""


def plain(text):
    """Markup as the words it shows: Markdown links as their text, tags dropped, entities decoded,
    line breaks and runs of spaces as one space."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = html.unescape(nh3.clean(text, tags=set()))
    return " ".join(text.split())


def clean_title(raw):
    """(title, subtitle, cancelled) of a feed's title: 'Welcome<br><small>Emily Morehouse</small>' is the
    title Welcome with the subtitle Emily Morehouse; 'CANCELLED: <s>X</s>' is X, cancelled."""
    cancelled = bool(CANCELLED_PREFIX.match(raw))
    if cancelled:
        raw = CANCELLED_PREFIX.sub("", raw, count=1)
    parts = [plain(p) for p in LINE_BREAK.split(raw)]
    parts = [p for p in parts if p]
    return (parts[0] if parts else ""), (" ".join(parts[1:]) or None), cancelled


@dataclass
class FeedSession:
    key: str  # stable across imports: <year>/presentation/<id>, <year>/slot/<conf_key>, <year>/open-space/<conf_key>
    kind: str
    title: str
    start: datetime
    end: datetime
    rooms: list
    presentation_id: int = None
    url: str = None
    description: str = None
    cancelled: bool = False
    speakers: list = field(default_factory=list)  # (official id or None, name, bio)
    parent_key: str = None
    subtitle: str = None
    notes: list = field(default_factory=list)  # what the feed said that the importer changed


@dataclass
class Feed:
    sessions: list
    notices: list
    year: int
    clock: str = None  # how the times were read, when the feed's offsets are not the conference zone's
    venue: tuple = None  # (name, street address) as the feed's about pages give them, when they do


def clean_html(html):
    """Sanitised HTML (no script, style or event handlers), or None when empty."""
    if not html or not str(html).strip():
        return None
    cleaned = nh3.clean(str(html), tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                        url_schemes={"http", "https"}).strip()
    # Personal contact data is never published, even when a speaker put it in a bio.
    cleaned = EMAIL.sub("[e-mail address removed]", cleaned)
    return cleaned or None


def fetch(source: str) -> bytes:
    """The feed's bytes from a URL (bounded in time and size) or a file."""
    if re.match(r"https?://", source):
        try:
            return _download(source)
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FeedError(f"cannot reach {source}: {reason}. Check the network, or download the feed and "
                            f"import the file instead.") from None
    path = Path(source)
    if not path.exists():
        raise FeedError(f"{source}: no such file")
    return path.read_bytes()


def _download(url):
    """Read a URL whole within TOTAL_TIMEOUT seconds and MAX_FEED_BYTES, each read within TIMEOUT."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    chunks, size = [], 0
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        while True:
            if time.monotonic() > deadline:
                raise FeedError(f"{url} took longer than {TOTAL_TIMEOUT} s to send the feed; try again, or "
                                "download it and import the file instead.")
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_FEED_BYTES:
                raise FeedError(f"{url} sent more than {MAX_FEED_BYTES // 1_000_000} MB, far more than a "
                                "conference.json feed; refusing it.")
            chunks.append(chunk)


MAX_ID = 2**63 - 1  # SQLite's largest integer
MAX_DURATION = timedelta(days=30)


def _moment(slot, name, where):
    value = slot.get(name)
    try:
        moment = datetime.fromisoformat(str(value))
        moment.astimezone(timezone.utc)  # out of range once moved to UTC: year 1 at +14:00
    except (TypeError, ValueError, OverflowError):
        raise FeedError(f"{where}: field '{name}' is {value!r}, not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise FeedError(f"{where}: field '{name}' ({value}) has no UTC offset")
    return moment


def _list(value, where, name):
    """A list field of the feed ([] when absent); anything else is a clear error."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FeedError(f"{where}: field '{name}' is {_show(value)}, not a list")
    return value


def _flag(value, where, name):
    """A yes/no field: JSON's true or false (or 1, 0, "true", "false"); absent is false."""
    if value in (None, False, 0, "", "false", "False", "no"):
        return False
    if value in (True, 1, "true", "True", "yes"):
        return True
    raise FeedError(f"{where}: field '{name}' is {_show(value)}, not true or false")


def _text(value, where, name):
    """A text field: a string or a number, stripped; None when absent; anything else is an error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FeedError(f"{where}: field '{name}' is {_show(value)}, not text")
    return str(value).strip()


def _show(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _speakers(item, where, notes):
    """(official id, name, bio) of each speaker the item names; a name that is no one person is noted."""
    out = []
    for i, sp in enumerate(_list(item.get("speakers"), where, "speakers")):
        if not isinstance(sp, dict):
            raise FeedError(f"{where}: speakers[{i}] is {_show(sp)}, not an object")
        given = _text(sp.get("name"), f"{where}: speakers[{i}]", "name") or ""
        name = person_name(given)
        if given and not name:
            notes.append(f"The feed names as its speaker {given!r}: not one person, so no speaker is linked.")
        if name:
            official = sp.get("id") if isinstance(sp.get("id"), int) and 0 < sp["id"] <= MAX_ID else None
            out.append((official, name, clean_html(_text(sp.get("bio"), f"{where}: speakers[{i}]", "bio"))))
    if not out:
        authors = [_text(a, where, "authors") for a in _list(item.get("authors"), where, "authors")]
        out = [(None, person_name(a), None) for a in authors if person_name(a)]
    return out


def _rooms(slot, where):
    """The slot's room names, and the names it gives that are not rooms ("All rooms")."""
    rooms = slot.get("rooms")
    rooms = _list(rooms, where, "rooms") if rooms is not None else [slot.get("room")]
    names = [_text(r, where, "rooms" if slot.get("rooms") is not None else "room") for r in rooms]
    names = [" ".join(n.split()) for n in names if n]
    return [n for n in names if not PSEUDO_ROOM.match(n)], [n for n in names if PSEUDO_ROOM.match(n)]


def _presentation(item, notices):
    """The official presentation id, its URL, and a feed key that is unique across years."""
    url = str(item.get("conf_url") or "")
    m = PRESENTATION_URL.search(url)
    if not m:
        return None, None, None
    if int(m.group(2)) > MAX_ID:
        notices.append(f"presentation id in {url!r} is too large to be an id: imported without it")
        return None, None, None
    return int(m.group(2)), url, f"{m.group(1)}/presentation/{m.group(2)}"


MAX_DIGITS = 100  # no id, time or duration is longer; past 4,300 digits Python refuses to read one
LONE_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _whole_number(text):
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number of {len(text.lstrip('-'))} digits")
    return int(text)


def _load(raw: bytes, name: str):
    try:
        text = raw.decode("utf-8-sig")  # editors may write a byte-order mark
        data = json.loads(text, parse_int=_whole_number)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name} is not JSON: {exc}") from None
    except RecursionError:
        raise FeedError(f"{name} is nested too deeply to be a conference.json feed") from None
    except ValueError as exc:  # from _whole_number: no id or time is that long
        raise FeedError(f"{name} is not a usable feed: it holds {exc}") from None
    lone = LONE_SURROGATE.search(text)
    if lone:
        line = text[: lone.start()].count("\n") + 1
        raise FeedError(f"{name}:{line}: {lone.group()} is half of a character (a lone surrogate), not text")
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), list):
        raise FeedError(f"{name} lacks the 'schedule' list of slots; is this a conference.json feed?")
    if not data["schedule"]:
        raise FeedError(f"{name} has an empty 'schedule': refusing to empty the program")
    return data


def _span(slot, where, notices, title):
    """Start and end of a slot (whether it sits on one day is judged in the conference's zone,
    by the importer: see one_day_only)."""
    start, end = _moment(slot, "start", where), _moment(slot, "end", where)
    if end - start > MAX_DURATION or end < start:
        raise FeedError(f"{where}: '{title}' runs from {start.isoformat()} to {end.isoformat()}")
    return start, end


def one_day_only(feed: Feed, tz):
    """Leave out (with a notice) the sessions that, at the conference's wall clock, span several days."""
    dropped = set()
    for s in feed.sessions:
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        if start.date() != end.date():
            dropped.add(s.key)
            feed.notices.append(f"not imported: {s.title!r} spans several days ({start.isoformat()} to "
                                f"{end.isoformat()}); the program holds one-day items: add it by hand, one row a day")
    feed.sessions = [s for s in feed.sessions if s.key not in dropped and s.parent_key not in dropped]


def _slot(slot, where, notices, kinds):
    """The sessions of one schedule slot (a poster slot brings its posters), or [] for a dropped one."""
    if not isinstance(slot, dict):
        raise FeedError(f"{where} is not an object")
    for key in ("kind", "start", "end"):
        if key not in slot:
            raise FeedError(f"{where} lacks the key '{key}'")
    kind = _text(slot["kind"], where, "kind")
    raw = _text(slot.get("name"), where, "name") or _text(slot.get("title"), where, "title") or ""
    title, subtitle, struck = clean_title(raw)
    placeholder = kind in PLACEHOLDER_KINDS or title.lower() in PLACEHOLDER_TITLES
    if not raw and not placeholder:
        raise FeedError(f"{where} has no name")
    span = _span(slot, where, notices, title or kind)
    if span is None:
        return []
    rooms, pseudo = _rooms(slot, where)
    pid, url, key = _presentation(slot, notices)
    key = key or f"{span[0].year}/slot/{slot.get('conf_key', where.rsplit('[', 1)[-1].rstrip(']'))}"
    notes = [f"The feed gives the room as {p!r}, which is not a room." for p in pseudo]
    if placeholder:
        notes.append(f"A placeholder in the feed (kind {kind!r}, titled {raw.strip()!r}): an unfilled slot.")
        return [FeedSession(key=key, kind="unfilled", title=f"Unfilled {kind} slot" if kind not in PLACEHOLDER_KINDS
                            else "Unfilled slot", start=span[0], end=span[1], rooms=rooms, notes=notes)]
    if kind not in kinds:
        notices.append(f"unknown kind {kind!r} ({title!r}) imported as an event")
        kind = "event"
    if kind == "plenary" and title.lower() == "lightning talks" and "lightning-talks" in kinds:
        notes.append("The feed's kind is 'plenary'; its title says it is a slot of lightning talks.")
        kind = "lightning-talks"
    session = FeedSession(key=key, kind=kind, title=title, start=span[0], end=span[1], rooms=rooms,
                          presentation_id=pid, url=url, description=clean_html(_text(slot.get("description"), where, "description")),
                          cancelled=_flag(slot.get("cancelled"), where, "cancelled") or struck, speakers=_speakers(slot, where, notes),
                          subtitle=subtitle, notes=notes)
    if kind != "poster":
        return [session]
    session.kind = "poster-session"
    return _posters(slot, session, where, notices) + [session]


def _posters(slot, parent, where, notices):
    posters = []
    for i, child in enumerate(_list(slot.get("sessions"), where, "sessions")):
        inner = f"{where}: sessions[{i}]"
        if not isinstance(child, dict):
            raise FeedError(f"{inner} is not an object")
        cpid, curl, ckey = _presentation(child, notices)
        title, subtitle, struck = clean_title(_text(child.get("name"), inner, "name") or "")
        notes = []
        posters.append(FeedSession(
            key=ckey or f"{parent.start.year}/poster/{slot.get('conf_key')}/{child.get('conf_key')}",
            kind="poster", title=title, start=parent.start, end=parent.end,
            rooms=parent.rooms, presentation_id=cpid, url=curl, description=clean_html(_text(child.get("description"), inner, "description")),
            cancelled=_flag(child.get("cancelled"), inner, "cancelled") or struck, speakers=_speakers(child, inner, notes),
            parent_key=parent.key, subtitle=subtitle, notes=notes))
    return posters


def _open_space(space, where):
    """One open space. Its `duration` is in seconds, not minutes like the slots'."""
    if not isinstance(space, dict):
        raise FeedError(f"{where} is not an object")
    start = _moment(space, "start", where)
    if space.get("end"):
        end = _moment(space, "end", where)
    else:
        duration = space.get("duration") or 0
        if not isinstance(duration, (int, float)) or isinstance(duration, bool) or not 0 <= duration <= 86400:
            raise FeedError(f"{where}: field 'duration' is {_show(duration)}, not a number of seconds in a day")
        end = start + timedelta(seconds=duration)
    room = _text(space.get("room_display"), where, "room_display") or _text(space.get("room"), where, "room")
    title = clean_title(_text(space.get("title"), where, "title") or _text(space.get("name"), where, "name") or "")[0] \
        or "Open space"
    return FeedSession(key=f"{start.year}/open-space/{space.get('conf_key', where)}", kind="open-space",
                       title=title, start=start, end=end, rooms=[room] if room else [],
                       description=clean_html(_text(space.get("description"), where, "description")))


def parse_feed(raw: bytes, name: str, kinds) -> Feed:
    """Check the feed's shape and turn its slots into FeedSessions; a slot of a kind not in `kinds`
    (the kinds data/kinds.yaml marks in_feed) becomes an event, with a notice."""
    data = _load(raw, name)
    notices, sessions, unknown_fields = [], [], set()
    for index, slot in enumerate(data["schedule"]):
        sessions += _slot(slot, f"{name}: schedule[{index}]", notices, kinds)
        unknown_fields |= set(slot) - KNOWN_SLOT_FIELDS
    for index, space in enumerate(_list(data.get("open-spaces"), name, "open-spaces")):
        sessions.append(_open_space(space, f"{name}: open-spaces[{index}]"))
    if unknown_fields:
        notices.append("fields not imported: " + ", ".join(sorted(unknown_fields)))
    # The 2026 feed adds top-level arrays (sprints, posters, job-listings) whose shape is not known here.
    extra = sorted(set(data) - {"conference", "schedule", "open-spaces"})
    if extra:
        notices.append("top-level keys not imported: " + ", ".join(extra))
    if not sessions:
        raise FeedError(f"{name} lists no importable session")
    return Feed(sessions=sessions, notices=notices, year=min(s.start.year for s in sessions), venue=_venue(data))


# The about page's "Location" (2023, 2024) or "Dates, Times, Locations" (2025): <strong>name</strong><br />address
VENUE = re.compile(r"<h2>(?:Location|Dates, Times, Locations)</h2>\s*<p><strong>([^<]+)</strong><br\s*/?>\s*([^<]+)</p>")


def _venue(data):
    """The venue's name and address as the feed's own about text gives them, or None."""
    content = (data.get("conference") or {}).get("content") if isinstance(data.get("conference"), dict) else None
    texts = [v for v in content.values() if isinstance(v, str)] if isinstance(content, dict) else []
    for text in texts:
        m = VENUE.search(text)
        if m:
            return plain(m.group(1)), plain(m.group(2))
    return None
