"""Field parsers: each takes one value as a source holds it and returns it typed, or raises
ValueError with a message a person can act on. CSV values arrive as text; YAML values may
already be dates, numbers or lists, so YAML fields wrap a text parser in `from_yaml`."""
import math
import re
import string
from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def wall_time(value):
    try:
        if not re.fullmatch(r"\d{2}:\d{2}", value):
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a time (HH:MM, 24-hour)") from None


def url_template(value):
    """A URL with `{id}` where the official id goes (presentation_url, speaker_url)."""
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


def from_yaml(parser):
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
        raise ValueError(f"{value!r} is not a date and time with offset (YYYY-MM-DDTHH:MM:SSZ, or +HH:MM for Z)") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} needs a UTC offset (YYYY-MM-DDTHH:MM:SSZ, or +HH:MM for Z)")
    return moment


def iso_moment(value):
    """A moment in UTC as the importer writes it: YYYY-MM-DDTHH:MM:SSZ."""
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ValueError(f"{value!r} is not a moment in UTC (YYYY-MM-DDTHH:MM:SSZ)") from None
    return value


def timezone_name(value):
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{value!r} is not a known IANA time zone (e.g. America/Los_Angeles)") from None
    return str(value)


def yaml_year(value):
    """A year, as a YAML integer of four digits."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 9999:
        raise ValueError(f"{value!r} is not a year (e.g. the four digits of the edition's year)")
    return value


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


def yaml_flag(value):
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} must be true or false")
    return value
