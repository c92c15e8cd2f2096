"""The `.ics` output: RFC 5545 calendars from any query that returns the datasette-ics columns.

Column contract (as datasette-ics, extended): event_name and event_dtstart are required;
event_dtend or event_duration, event_description, event_uid, event_tzid, event_location,
event_url, event_categories (comma-separated), event_sequence, event_status and event_dtstamp
are read when present. Events keep the query's order; a row that cannot be rendered is left
out (and counted in the X-Skipped-Rows header) instead of breaking the feed.
"""
import asyncio
import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import derive_named_parameters
from datasette.utils.asgi import Response

PRODID = "-//PyCon US 2026 on Datasette//calendar_feed//EN"
REQUIRED = {"event_name", "event_dtstart"}
CONTENT_TYPE = "text/calendar; charset=utf-8"
RENDER_IN_THREAD = 300  # rows; the whole program (under 200) renders inline in a few ms

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value) -> str:
    """An RFC 5545 TEXT value: no raw newline, comma, semicolon or backslash can end the property."""
    # Chained str.replace is several times faster here than str.translate with a dict.
    text = (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character; CRLF-terminated."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(parts) + "\r\n"


@lru_cache(maxsize=64)
def zone(name):
    return ZoneInfo(name)


def parse_moment(value):
    """A date (all-day) or a datetime (aware, or naive = local to the event's zone)."""
    if isinstance(value, (datetime, date)):
        return value
    text = str(value).strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)


def format_moment(name, moment, tz):
    if not isinstance(moment, datetime):
        return f"{name};VALUE=DATE:{moment:%Y%m%d}"
    if tz is not None:
        local = moment.astimezone(tz) if moment.tzinfo else moment
        return f"{name};TZID={tz.key}:{local:%Y%m%dT%H%M%S}"
    if moment.tzinfo:
        return f"{name}:{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
    return f"{name}:{moment:%Y%m%dT%H%M%S}"


def utc_stamp(moment):
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return f"{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"


def parse_duration(value):
    """Seconds (a number) or an ISO 8601 duration such as PT45M or P1DT2H."""
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    m = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", str(value).strip())
    if not m or not any(m.groups()):
        if str(value).strip().isdigit():
            return timedelta(seconds=int(value))
        raise ValueError(f"bad duration {value!r}")
    w, d, h, mi, s = (int(g or 0) for g in m.groups())
    return timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)


@lru_cache(maxsize=32)
def vtimezone(name: str, first_year: int, last_year: int) -> str:
    """A VTIMEZONE with every UTC-offset change of `name` from first_year to last_year."""
    tz = zone(name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}", f"X-LIC-LOCATION:{name}"]
    start = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
    step = timedelta(hours=1)
    previous = start.astimezone(tz)
    moment = start + step
    observances = []
    while moment < end:
        local = moment.astimezone(tz)
        if local.utcoffset() != previous.utcoffset():
            observances.append((previous, local))
        previous, moment = local, moment + step
    if not observances:  # a zone without transitions in those years
        observances.append((start.astimezone(tz), start.astimezone(tz)))
    for before, after in observances:
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        # DTSTART is the local time of the change, on the clock that was in force before it.
        onset = (after - after.utcoffset() + before.utcoffset()).replace(tzinfo=None)
        lines += [f"BEGIN:{kind}", f"DTSTART:{onset:%Y%m%dT%H%M%S}",
                  f"TZOFFSETFROM:{_offset(before.utcoffset())}", f"TZOFFSETTO:{_offset(after.utcoffset())}",
                  f"TZNAME:{after.tzname()}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return "".join(fold(l) for l in lines)


def _offset(delta):
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def render_event(row, default_uid_salt):
    """The VEVENT of one row (a dict of the contract's columns) as folded lines, and the zone and year it uses."""
    get = row.get
    tzid = get("event_tzid")
    tz = zone(tzid) if tzid else None
    start = parse_moment(get("event_dtstart"))
    end = get("event_dtend")
    end = parse_moment(end) if end not in (None, "") else None
    if end is None and get("event_duration") not in (None, ""):
        end = start + parse_duration(get("event_duration"))
    if end is None and not isinstance(start, datetime):
        end = start + timedelta(days=1)  # an all-day event ends the next day (exclusive)
    if end is not None and type(end) is type(start) and end <= start:
        raise ValueError("event ends before it starts")
    uid = get("event_uid")
    if uid in (None, ""):
        # Stable across requests and rebuilds: derived from the event itself.
        uid = hashlib.sha1(f"{default_uid_salt}|{get('event_name')}|{get('event_dtstart')}".encode()).hexdigest() + "@datasette"
    stamp = get("event_dtstamp")
    lines = ["BEGIN:VEVENT", f"UID:{escape_text(uid)}",
             f"DTSTAMP:{utc_stamp(parse_moment(stamp) if stamp else start)}",
             format_moment("DTSTART", start, tz if isinstance(start, datetime) else None)]
    if end is not None:
        lines.append(format_moment("DTEND", end, tz if isinstance(end, datetime) else None))
    lines.append(f"SUMMARY:{escape_text(get('event_name'))}")
    for column, prop in (("event_description", "DESCRIPTION"), ("event_location", "LOCATION")):
        value = get(column)
        if value not in (None, ""):
            lines.append(f"{prop}:{escape_text(value)}")
    url = get("event_url")
    if url and re.match(r"https?://[^\s\"<>]+$", str(url)):
        lines.append(f"URL:{url}")
    categories = get("event_categories")
    if categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c.strip()) for c in str(categories).split(",") if c.strip()))
    sequence = get("event_sequence")
    if sequence not in (None, ""):
        lines.append(f"SEQUENCE:{int(sequence)}")
    status = get("event_status")
    if status in ("CONFIRMED", "TENTATIVE", "CANCELLED"):
        lines.append(f"STATUS:{status}")
    lines.append("END:VEVENT")
    year = start.year
    return "".join(fold(l) for l in lines), (tzid if tz else None), year


def render_calendar(rows, columns, title, uid_salt=""):
    """The whole VCALENDAR as a string, and the number of rows left out because they were broken."""
    events, zones, skipped = [], {}, 0
    for row in rows:
        try:
            text, tzid, year = render_event(row, uid_salt)
        except (ValueError, TypeError, KeyError, OverflowError):
            skipped += 1
            continue
        events.append(text)
        if tzid:
            low, high = zones.get(tzid, (year, year))
            zones[tzid] = (min(low, year), max(high, year))
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if title:
        head += [f"NAME:{escape_text(title)}", f"X-WR-CALNAME:{escape_text(title)}"]
    if len(zones) == 1:
        head.append(f"X-WR-TIMEZONE:{next(iter(zones))}")
    head += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    parts = ["".join(fold(l) for l in head)]
    parts += [vtimezone(tzid, low, high) for tzid, (low, high) in sorted(zones.items())]
    parts += events
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts), skipped


def calendar_title(datasette, request, database, table, query_name, data):
    """The calendar's name, from the query's title and its parameters, after the site's title.

    A subscriber who follows several feeds sees "PyCon US 2026: The program of one track
    (track=security)", not five calendars all called "The program of one track".
    """
    if request.args.get("_ics_title"):
        return request.args["_ics_title"]
    title = None
    if query_name:
        query = (datasette.metadata(database=database) or {}).get("queries", {}).get(query_name) or {}
        if isinstance(query, dict) and query.get("title"):
            title = query["title"]
            params = [f"{k}={request.args[k]}" for k in request.args.keys()
                      if not k.startswith("_") and request.args.get(k)]
            if params:
                title += f" ({', '.join(params)})"
    if title is None:
        title = table or query_name or "Query"
        if data.get("human_description_en"):
            title += ": " + data["human_description_en"]
    site = datasette.metadata("title")
    return f"{site}: {title}" if site and not title.startswith(site) else title


async def all_rows(datasette, request, database, sql, query_name, data, rows):
    """Every row of a named canned query (its size is bounded by the data), else Datasette's page.

    Arbitrary SQL keeps Datasette's max_returned_rows cap, so no request can make the server
    render a calendar of unbounded size.
    """
    if not (data.get("truncated") and query_name):
        return rows
    db = datasette.get_database(database)
    params = {name: request.args.get(name, "") for name in await derive_named_parameters(db, sql)}
    return (await db.execute(sql, params, truncate=False)).rows


def refusal(message):
    """A 400 in the renderer's dict form: Datasette overrides the status of a returned Response."""
    return {"body": message + "\n", "status_code": 400, "content_type": "text/plain; charset=utf-8"}


async def render_ics(datasette, request, database, table, rows, columns, sql, query_name, data):
    if not REQUIRED <= set(columns):
        return refusal(f"A calendar needs the columns {', '.join(sorted(REQUIRED))}.")
    try:
        rows = await all_rows(datasette, request, database, sql, query_name, data, rows)
    except QueryInterrupted:
        return refusal("The calendar's query took too long; ask for fewer events.")
    rows = [dict(zip(columns, r)) if not hasattr(r, "keys") else dict(r) for r in rows]
    title = calendar_title(datasette, request, database, table, query_name, data)
    salt = f"{database}/{query_name or table}"
    if len(rows) > RENDER_IN_THREAD:
        # A large calendar is built in a thread, so the event loop keeps answering other requests.
        body, skipped = await asyncio.to_thread(render_calendar, rows, columns, title, salt)
    else:
        body, skipped = render_calendar(rows, columns, title, uid_salt=salt)
    headers = {"X-Skipped-Rows": str(skipped)} if skipped else {}
    if data.get("truncated") and not query_name:
        headers["X-Truncated"] = f"{len(rows)} events: the first {len(rows)} rows of the query"
    content_type = "text/plain; charset=utf-8" if request.args.get("_plain") else CONTENT_TYPE
    return Response(body, status=200, headers=headers, content_type=content_type)


def can_render_ics(columns):
    return REQUIRED <= set(columns)


# trylast: pluggy calls this hook last, so for the `ics` extension our renderer is the one
# Datasette keeps even when datasette-ics is installed too.
@hookimpl(trylast=True)
def register_output_renderer(datasette):
    return {"extension": "ics", "render": render_ics, "can_render": can_render_ics}
