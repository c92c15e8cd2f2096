"""Load data/ into typed records, checking each field on its own (types, formats, required values)."""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import DataError
from .readers import leaves_folder, read_csv, read_yaml

# Column specs: name -> (parser, required-in-header, value-required).
# Parsers take the raw string and return a value or raise ValueError with a readable message.

SESSION_KINDS = (
    "talk", "tutorial", "charla", "keynote", "plenary", "lightning-talks", "sponsor-workshop",
    "poster-session", "poster", "summit", "event", "break", "sprint", "open-space",
    "informational", "unfilled",
)
LANGUAGES = ("en", "es")

# Long Beach and its surroundings: a coordinate outside this box is a typo (a swapped sign, a
# latitude pasted as longitude), not a hotel near the venue.
PLAUSIBLE_BOX = {"latitude": (33.0, 34.5), "longitude": (-119.0, -117.0)}

CONTACT_COLUMN = re.compile(r"e-?mail|phone|mobile|\bfax\b|telephone", re.I)
EMAIL_VALUE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


MAX_TEXT = 100_000  # characters: ample for a description, absurd for anything typed by hand
MAX_INTEGER = 2**63 - 1  # SQLite's largest integer


def text(value):
    if len(value) > MAX_TEXT:
        raise ValueError(f"is {len(value)} characters long; a field holds at most {MAX_TEXT}")
    return value


def integer(value):
    if not re.fullmatch(r"-?\d+", value):
        raise ValueError(f"{value!r} is not a whole number")
    if abs(int(value)) > MAX_INTEGER:
        raise ValueError(f"{value} is too large (at most {MAX_INTEGER})")
    return int(value)


def number(value):
    try:
        result = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(result):
        raise ValueError(f"{value!r} is not a finite number")
    return result


def iso_date(value):
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def clock(value):
    try:
        if not re.fullmatch(r"\d{2}:\d{2}", value):
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a time (HH:MM, 24-hour)") from None


def url_template(value):
    """A URL with `{id}` where the official id goes (presentation_url, speaker_url)."""
    import string

    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
    except ValueError:
        raise ValueError(f"{value!r} has an unmatched brace; write {{id}} where the id goes") from None
    if fields != {"id"}:
        raise ValueError(f"{value!r} may hold only {{id}} (where the official id goes), not "
                         f"{', '.join('{' + f + '}' for f in sorted(fields - {'id'})) or 'nothing'}")
    url(value.format(id="1"))
    return value


def url(value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value or "." not in parts.netloc:
        raise ValueError(f"{value!r} is not a valid http(s) URL")
    return value


def yes_no(value):
    if value not in ("yes", "no"):
        raise ValueError(f"{value!r} must be 'yes' or 'no'")
    return value == "yes"


def one_of(*choices):
    def parse(value):
        if value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return parse


def identifier(value):
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise ValueError(f"{value!r} is not an id (lower-case letters, digits and '-')")
    return value


def identifier_list(value):
    """Ids separated by semicolons (a session held in several rooms at once)."""
    return [identifier(v.strip()) for v in value.split(";") if v.strip()]


# name: (parser, value required)
SESSIONS = {
    "id": (integer, True), "kind": (one_of(*SESSION_KINDS), True), "title": (text, True),
    "subtitle": (text, False), "date": (iso_date, True), "start": (clock, False), "end": (clock, False),
    "room": (identifier, False), "track": (identifier, False), "language": (one_of(*LANGUAGES), True),
    "level": (text, False), "parent": (integer, False), "url": (url, False), "description": (text, False),
    "cancelled": (yes_no, False), "sequence": (integer, False), "notes": (text, False), "source": (identifier, True),
    "other_rooms": (identifier_list, False), "feed_key": (text, False),
}
OPTIONAL_SESSION_COLUMNS = {"description", "cancelled", "sequence", "other_rooms", "feed_key"}
SPEAKERS = {
    "id": (identifier, True), "name": (text, True), "profile_id": (integer, False), "bio": (text, False),
    "source": (identifier, True), "notes": (text, False),
}
SESSION_SPEAKERS = {"session": (integer, True), "speaker": (identifier, True), "position": (integer, True)}
ROOMS = {
    "id": (identifier, True), "name": (text, True), "app_label": (text, False), "floor": (text, False),
    "usage": (text, False), "parallel": (yes_no, True), "map_x_pct": (number, False), "map_y_pct": (number, False),
    "source": (identifier, True), "notes": (text, False),
}
HOTELS = {
    "id": (identifier, True), "name": (text, True), "street_address": (text, True), "city": (text, True),
    "state": (text, True), "zip": (text, False), "latitude": (number, False), "longitude": (number, False),
    "rooms": (integer, False), "rooms_source": (text, False), "website": (url, False),
    "in_official_block": (yes_no, False), "status": (text, False), "coordinates_source": (text, False),
    "address_source": (text, False), "source": (identifier, True), "notes": (text, False),
}
SPRINT_PROJECTS = {
    "id": (integer, True), "project": (text, True), "url": (url, False), "submitted_by": (text, False),
    "source": (identifier, True), "notes": (text, False),
}
REPORTED_SESSIONS = {
    "id": (integer, True), "title": (text, True), "speaker": (text, False), "date": (iso_date, True),
    "kind": (text, True), "source": (identifier, True), "notes": (text, False),
}

CSV_FILES = {
    "sessions": ("sessions.csv", SESSIONS),
    "speakers": ("speakers.csv", SPEAKERS),
    "session_speakers": ("session_speakers.csv", SESSION_SPEAKERS),
    "rooms": ("rooms.csv", ROOMS),
    "hotels": ("hotels.csv", HOTELS),
    "sprint_projects": ("sprint_projects.csv", SPRINT_PROJECTS),
    "reported_sessions": ("reported_sessions.csv", REPORTED_SESSIONS),
}
OPTIONAL_COLUMNS = {"sessions": OPTIONAL_SESSION_COLUMNS, "speakers": {"bio"}, "reported_sessions": {"notes"}}
# Files whose records are people: no value there may look like an e-mail address.
PEOPLE_FILES = {"speakers", "session_speakers", "reported_sessions", "sprint_projects"}


@dataclass
class Record:
    """One row of a source: its typed values, and where it came from for error messages."""

    file: str
    line: int
    values: dict
    invalid: frozenset = frozenset()  # fields whose value was present but unparseable

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)

    def error(self, field_name, message):
        return DataError(self.file, self.line, field_name, message)


@dataclass
class Dataset:
    conference: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    tracks: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    unreadable: set = field(default_factory=set)  # files that could not be read at all


def parse_row(name, line, raw, spec, errors):
    values, invalid = {}, set()
    for col, (parser, required) in spec.items():
        value = raw.get(col, "")
        if value == "":
            if required and col in raw:
                errors.append(DataError(name, line, col, "is empty but required"))
            values[col] = None
            continue
        try:
            values[col] = parser(value)
        except ValueError as exc:
            errors.append(DataError(name, line, col, str(exc)))
            values[col] = None
            invalid.add(col)
    return Record(name, line, values, frozenset(invalid))


def load_csv(data_dir: Path, key: str, errors: list):
    filename, spec = CSV_FILES[key]
    name = f"data/{filename}"
    optional = OPTIONAL_COLUMNS.get(key, set())
    columns = {col: col not in optional for col in spec}
    records = []
    for line, raw in read_csv(data_dir / filename, name, columns, errors):
        check_contact_data(name, line, raw, key in PEOPLE_FILES, errors)
        records.append(parse_row(name, line, raw, spec, errors))
    return records


def check_contact_data(name, line, raw, people, errors):
    """No personal contact data: refuse e-mail/phone columns, and e-mail-shaped values in people's records."""
    for col, value in raw.items():
        if people and EMAIL_VALUE.search(value):
            errors.append(DataError(name, line, col, "looks like an e-mail address; personal contact data is never published"))


def refuse_contact_columns(data_dir: Path, errors):
    """A column named like e-mail or phone is refused in every CSV source, known or not."""
    for filename, _ in CSV_FILES.values():
        path = data_dir / filename
        if not path.is_file() or leaves_folder(path):
            continue  # read_csv says what is wrong with it
        first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
        for col in first.strip().lstrip("\ufeff").split(","):
            col = col.strip().strip('"')
            if CONTACT_COLUMN.search(col):
                errors.append(DataError(f"data/{filename}", 1, col, "personal contact data (e-mail, phone) is never published; remove this column"))


def _yaml_record(name, item, spec, errors):
    line = item.get("__line__")
    values = {}
    lines = item.get("__lines__", {})
    for key in item:
        if key.startswith("__"):
            continue
        if key not in spec:
            errors.append(DataError(name, lines.get(key, line), key, "unknown key"))
    for key, (parser, required) in spec.items():
        value = item.get(key)
        if value is None or value == "":
            if required:
                errors.append(DataError(name, line, key, "is missing but required"))
            values[key] = None
            continue
        try:
            values[key] = parser(value)
        except (ValueError, TypeError) as exc:
            errors.append(DataError(name, lines.get(key, line), key, str(exc)))
            values[key] = None
    return Record(name, line, values)


def _str(parser):
    """Adapt a string parser to YAML values, which may already be dates or numbers."""

    def parse(value):
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError(f"{value!r} should be text")
        return parser(value)

    return parse


def yaml_date(value):
    if isinstance(value, datetime):
        raise ValueError(f"{value.isoformat()} is a date and time; give the date alone (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    return iso_date(str(value))


def yaml_datetime(value):
    """A moment with a UTC offset (YAML timestamps with 'Z' or an offset)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time with offset (e.g. 2026-11-28T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} needs a UTC offset (e.g. 2026-11-28T00:00:00Z)")
    return moment


def timezone_name(value):
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{value!r} is not a known IANA time zone (e.g. America/Los_Angeles)") from None
    return str(value)


def yaml_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(float(value)):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def string_list(value):
    if not isinstance(value, list):
        raise ValueError("should be a list")
    for item in value:
        if not isinstance(item, (str, date)):
            raise ValueError(f"each item should be text, not {item!r}"[:200])
        if isinstance(item, str):
            text(item)
    return value


def chair_list(value):
    """Track chairs: a list of mappings, each with a `name` and perhaps an `affiliation` (text)."""
    if not isinstance(value, list):
        raise ValueError("should be a list of chairs, each with a name")
    for item in value:
        if not isinstance(item, dict):
            raise ValueError(f"each chair should be a mapping with a name (name: ...), not {item!r}"[:200])
        fields = {k: v for k, v in item.items() if not k.startswith("__")}
        unknown = sorted(set(fields) - {"name", "affiliation"})
        if unknown or not isinstance(fields.get("name"), str) or not fields["name"].strip():
            raise ValueError("each chair has a name and may have an affiliation" + (f"; unknown: {', '.join(unknown)}"
                                                                                     if unknown else ""))
        if not isinstance(fields.get("affiliation", ""), str):
            raise ValueError(f"the affiliation of {fields['name']} should be text")
    return value


CONFERENCE = {
    "id": (_str(identifier), True), "acronym": (_str(identifier), True), "name": (_str(text), True),
    "start_date": (yaml_date, True), "end_date": (yaml_date, True), "timezone": (timezone_name, True),
    "url": (_str(url), True), "schedule_url": (_str(url), False), "presentation_url": (_str(url_template), False),
    "speaker_url": (_str(url_template), False), "city": (_str(text), False), "source": (_str(identifier), True),
    "updated": (yaml_datetime, True), "venue": (lambda v: v, True),
}
VENUE = {
    "name": (_str(text), True), "street_address": (_str(text), True), "entrance": (_str(text), False),
    "latitude": (yaml_number, True), "longitude": (yaml_number, True), "source": (_str(identifier), True),
    "notes": (_str(text), False),
}
SOURCES = {
    "id": (_str(identifier), True), "title": (_str(text), True), "url": (_str(url), False),
    "original_url": (_str(url), False), "notes": (_str(text), False),
}
TRACKS = {
    "id": (_str(identifier), True), "name": (_str(text), True), "full_name": (_str(text), False),
    "description": (_str(text), False), "days": (string_list, True), "room": (_str(identifier), False),
    "chairs_role": (_str(text), False), "chairs": (chair_list, False), "url": (_str(url), False),
    "source": (_str(identifier), True), "notes": (_str(text), False),
}


def load_yaml_list(data_dir, filename, spec, errors):
    name = f"data/{filename}"
    doc = read_yaml(data_dir / filename, name, errors)
    if doc is None:
        return []
    if not isinstance(doc, list):
        errors.append(DataError(name, 1, None, "should be a list of records"))
        return []
    return [_yaml_record(name, item, spec, errors) if isinstance(item, dict)
            else errors.append(DataError(name, None, None, f"item {item!r} should be a mapping")) for item in doc]


def load_dataset(data_dir: Path) -> Dataset:
    """Read every source in data_dir; field-level problems are collected in .errors."""
    ds = Dataset()
    errors = ds.errors
    refuse_contact_columns(data_dir, errors)
    doc = read_yaml(data_dir / "conference.yaml", "data/conference.yaml", errors)
    if isinstance(doc, dict):
        conf = _yaml_record("data/conference.yaml", doc, CONFERENCE, errors)
        venue = conf.get("venue")
        if isinstance(venue, dict):
            conf.values["venue"] = _yaml_record("data/conference.yaml", venue, VENUE, errors)
        elif venue is not None:
            errors.append(DataError("data/conference.yaml", conf.line, "venue", "should be a mapping"))
            conf.values["venue"] = None
        ds.conference = conf
    elif doc is not None or not any(e.file == "data/conference.yaml" for e in errors):
        errors.append(DataError("data/conference.yaml", 1, None, "should be a mapping of conference facts"))
    ds.sources = [r for r in load_yaml_list(data_dir, "sources.yaml", SOURCES, errors) if r]
    ds.tracks = [r for r in load_yaml_list(data_dir, "tracks.yaml", TRACKS, errors) if r]
    for key in CSV_FILES:
        ds.tables[key] = load_csv(data_dir, key, errors)
    ds.unreadable = {e.file for e in errors if e.line is None or "invalid UTF-8" in e.message
                     or "YAML syntax error" in e.message or "file is empty" in e.message}
    return ds
