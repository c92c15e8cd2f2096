"""Read the official schedule feed (`https://us.pycon.org/<year>/schedule/conference.json`).

The feed's quirks, handled here: a slot listed in several rooms is one session; open spaces
give `duration` in seconds (slots give minutes) and a `room_display` to show; the poster slot
nests its posters in `sessions`; `blank` slots are placeholders; descriptions and bios are
HTML. Problems that make the feed unusable raise FeedError; things it does not know (kinds,
fields) are collected as notices and imported as best they can be.
"""
import json
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import nh3

KNOWN_KINDS = {"talk", "tutorial", "charla", "keynote", "plenary", "lightning-talks", "sponsor-workshop",
               "poster", "summit", "event", "break", "informational", "open-space"}
DROPPED_KINDS = {"blank", "placeholder"}
KNOWN_SLOT_FIELDS = {"room", "rooms", "start", "end", "duration", "kind", "section", "conf_key", "conf_url",
                     "list_render", "license", "tags", "released", "contact", "name", "title", "description",
                     "authors", "speakers", "cancelled", "sessions", "room_display", "room_order", "image_url"}
PRESENTATION_URL = re.compile(r"/(\d{4})/schedule/presentation/(\d+)/?$")
ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4"}
TIMEOUT = 20
EMAIL = re.compile(r"(?:mailto:)?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


class FeedError(Exception):
    """The feed cannot be imported; the message says why. Nothing has been written."""


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


@dataclass
class Feed:
    sessions: list
    notices: list
    year: int


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
    """The feed's bytes from a URL (with a timeout) or a file."""
    if re.match(r"https?://", source):
        try:
            with urllib.request.urlopen(source, timeout=TIMEOUT) as response:
                return response.read()
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FeedError(f"cannot reach {source}: {reason}. Check the network, or download the feed and "
                            f"import the file instead.") from None
    path = Path(source)
    if not path.exists():
        raise FeedError(f"{source}: no such file")
    return path.read_bytes()


def _moment(slot, name, where):
    value = slot.get(name)
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise FeedError(f"{where}: field '{name}' is {value!r}, not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise FeedError(f"{where}: field '{name}' ({value}) has no UTC offset")
    return moment


def _speakers(item):
    out = []
    for sp in item.get("speakers") or []:
        if isinstance(sp, dict) and sp.get("name"):
            out.append((sp.get("id") if isinstance(sp.get("id"), int) else None, str(sp["name"]).strip(), clean_html(sp.get("bio"))))
    if not out:
        out = [(None, str(a).strip(), None) for a in item.get("authors") or [] if str(a).strip()]
    return out


def _presentation(item):
    """The official presentation id, its URL, and a feed key that is unique across years."""
    m = PRESENTATION_URL.search(str(item.get("conf_url") or ""))
    return (int(m.group(2)), item["conf_url"], f"{m.group(1)}/presentation/{m.group(2)}") if m else (None, None, None)


def parse_feed(raw: bytes, name: str) -> Feed:
    """Check the feed's shape and turn its slots into FeedSessions."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), list):
        raise FeedError(f"{name} lacks the 'schedule' list of slots; is this a conference.json feed?")
    if not data["schedule"]:
        raise FeedError(f"{name} has an empty 'schedule': refusing to empty the program")
    notices, sessions, unknown_fields = [], [], set()
    for index, slot in enumerate(data["schedule"]):
        where = f"{name}: schedule[{index}]"
        if not isinstance(slot, dict):
            raise FeedError(f"{where} is not an object")
        for key in ("kind", "start", "end"):
            if key not in slot:
                raise FeedError(f"{where} lacks the key '{key}'")
        unknown_fields |= set(slot) - KNOWN_SLOT_FIELDS
        kind = str(slot["kind"])
        if kind in DROPPED_KINDS:
            continue
        start, end = _moment(slot, "start", where), _moment(slot, "end", where)
        if kind not in KNOWN_KINDS:
            notices.append(f"unknown kind {kind!r} ({slot.get('name')!r}) imported as an event")
            kind = "event"
        rooms = [str(r).strip() for r in (slot.get("rooms") or [slot.get("room")]) if r and str(r).strip()]
        pid, url, key = _presentation(slot)
        key = key or f"{start.year}/slot/{slot.get('conf_key', index)}"
        session = FeedSession(key=key, kind=kind, title=str(slot.get("name") or slot.get("title") or "").strip(),
                              start=start, end=end, rooms=rooms, presentation_id=pid, url=url,
                              description=clean_html(slot.get("description")), cancelled=bool(slot.get("cancelled")),
                              speakers=_speakers(slot))
        if not session.title:
            raise FeedError(f"{where} has no name")
        if kind == "poster":
            session.kind = "poster-session"
            for child in slot.get("sessions") or []:
                cpid, curl, ckey = _presentation(child)
                sessions.append(FeedSession(
                    key=ckey or f"{start.year}/poster/{slot.get('conf_key')}/{child.get('conf_key')}",
                    kind="poster", title=str(child.get("name") or "").strip(), start=start, end=end, rooms=rooms,
                    presentation_id=cpid, url=curl, description=clean_html(child.get("description")),
                    cancelled=bool(child.get("cancelled")), speakers=_speakers(child), parent_key=key))
        sessions.append(session)
    for index, space in enumerate(data.get("open-spaces") or []):
        where = f"{name}: open-spaces[{index}]"
        start = _moment(space, "start", where)
        end = space.get("end")
        # An open space's duration is in seconds, not minutes like the slots'.
        end = _moment(space, "end", where) if end else start + timedelta(seconds=int(space.get("duration") or 0))
        room = space.get("room_display") or space.get("room")
        sessions.append(FeedSession(key=f"{start.year}/open-space/{space.get('conf_key', index)}", kind="open-space",
                                    title=str(space.get("title") or space.get("name") or "Open space").strip(),
                                    start=start, end=end, rooms=[str(room).strip()] if room else [],
                                    description=clean_html(space.get("description"))))
    if unknown_fields:
        notices.append("fields not imported: " + ", ".join(sorted(unknown_fields)))
    # The 2026 feed adds top-level arrays (sprints, posters, job-listings) whose shape is not known here.
    extra = sorted(set(data) - {"conference", "schedule", "open-spaces"})
    if extra:
        notices.append("top-level keys not imported: " + ", ".join(extra))
    years = sorted({s.start.year for s in sessions})
    if not sessions:
        raise FeedError(f"{name} lists no importable session")
    return Feed(sessions=sessions, notices=notices, year=years[0])
