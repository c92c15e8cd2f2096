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
import sqlite3
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import derive_named_parameters
from datasette.utils.asgi import Response

from scripts.core.clock import now as clock_now
from scripts.core.limits import MAX_RESULT
from scripts.core.words import slug

PRODID = "-//PyCon US on Datasette//calendar_feed//EN"
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


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character; CRLF-terminated."""
    if line.isascii():  # one byte a character: cut the text itself (most lines, and 5 of a feed's 21 ms before)
        if len(line) <= 75:
            return line + "\r\n"
        return "\r\n ".join([line[:75]] + [line[i:i + 74] for i in range(75, len(line), 74)]) + "\r\n"
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


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def offset_changes(tz, year):
    """Every UTC-offset change of `tz` in `year`: (local time before, local time after), hour by hour."""
    moment = datetime(year, 1, 1, tzinfo=timezone.utc)
    end, step = datetime(year + 1, 1, 1, tzinfo=timezone.utc), timedelta(hours=1)
    previous, changes = moment.astimezone(tz), []
    while moment < end:
        moment += step
        local = moment.astimezone(tz)
        if local.utcoffset() != previous.utcoffset():
            changes.append((previous, local))
        previous = local
    return changes


def onset(before, after):
    """The local time of a change, on the clock that was in force before it (as DTSTART wants)."""
    return (after - after.utcoffset() + before.utcoffset()).replace(tzinfo=None)


def yearly_rules(moment):
    """RRULEs that name this date's weekday in its month: its nth occurrence, and 'last' when it is."""
    rules = [f"FREQ=YEARLY;BYMONTH={moment.month};BYDAY={(moment.day - 1) // 7 + 1}{WEEKDAYS[moment.weekday()]}"]
    if (moment + timedelta(days=7)).month != moment.month:
        rules.append(f"FREQ=YEARLY;BYMONTH={moment.month};BYDAY=-1{WEEKDAYS[moment.weekday()]}")
    return rules


def rule_date(rule, year):
    """The date a rule from yearly_rules() gives in `year`."""
    month, byday = (int(rule.split("BYMONTH=")[1].split(";")[0]), rule.split("BYDAY=")[1])
    nth, weekday = int(byday[:-2]), WEEKDAYS.index(byday[-2:])
    first = date(year, month, 1)
    days = [first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == month]
    matching = [d for d in days if d.weekday() == weekday]
    index = nth - 1 if nth > 0 else nth
    return matching[index] if -len(matching) <= index < len(matching) else None


def observance(kind, before, after, extra=()):
    return [f"BEGIN:{kind}", f"DTSTART:{onset(before, after):%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}", f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{after.tzname()}", *extra, f"END:{kind}"]


def recurring_observances(tz, years):
    """A STANDARD and a DAYLIGHT with yearly rules, as Google, Outlook and Apple write them.

    Built from the zone's changes in the first year and checked against every year given;
    None when the zone has no such pair of rules there (its rules changed, or it has no DST).
    """
    changes = {year: offset_changes(tz, year) for year in years}
    first = changes[years[0]]
    if len(first) != 2 or any(len(c) != 2 for c in changes.values()):
        return None
    lines = []
    for index, (before, after) in enumerate(first):
        rule = next((r for r in yearly_rules(onset(before, after))
                     if all(onset(*changes[y][index]).date() == rule_date(r, y) and
                            onset(*changes[y][index]).time() == onset(before, after).time() for y in years)), None)
        if rule is None:
            return None
        lines += observance("DAYLIGHT" if after.dst() else "STANDARD", before, after, [f"RRULE:{rule}"])
    return lines


@lru_cache(maxsize=32)
def vtimezone(name: str, first_year: int, last_year: int) -> str:
    """A VTIMEZONE for `name`, generated from the zone data, whose observances start before first_year.

    Readers that resolve times through the VTIMEZONE itself (Ruby's icalendar, some Outlooks)
    need a standard and a daylight onset before the earliest event: the yearly rules start in
    the year before it. A zone whose rules changed in those years gets each change listed.
    """
    tz = zone(name)
    years = list(range(first_year - 1, last_year + 2))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}", f"X-LIC-LOCATION:{name}"]
    recurring = recurring_observances(tz, years)
    if recurring is not None:
        lines += recurring
    else:
        start = datetime(years[0], 1, 1, tzinfo=timezone.utc).astimezone(tz)
        initial = [(start, start)]
        listed = initial + [change for year in years for change in offset_changes(tz, year)]
        for before, after in listed:
            lines += observance("DAYLIGHT" if after.dst() else "STANDARD", before, after)
    lines.append("END:VTIMEZONE")
    return "".join(fold_line(line) for line in lines)


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
    if end is not None and type(end) is type(start) and end < start:
        raise ValueError("event ends before it starts")
    if end is None:
        # A moment (no end known, or none): RFC 5545 lets DTEND go, but khal then shows 24 hours;
        # DTEND equal to DTSTART reads as a moment in every reader we test.
        end = start
    uid = get("event_uid")
    if uid in (None, ""):
        # Stable across requests and rebuilds: derived from the event itself.
        uid = hashlib.sha1(f"{default_uid_salt}|{get('event_name')}|{get('event_dtstart')}".encode()).hexdigest() + "@datasette"
    stamp = get("event_dtstamp")
    lines = ["BEGIN:VEVENT", f"UID:{escape_text(uid)}",
             f"DTSTAMP:{utc_stamp(parse_moment(stamp) if stamp else start)}",
             format_moment("DTSTART", start, tz if isinstance(start, datetime) else None)]
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
    return "".join(fold_line(l) for l in lines), (tzid if tz else None), year


# The columns an event is made of: one key of the memo below.
EVENT_COLUMNS = ("event_name", "event_dtstart", "event_dtend", "event_duration", "event_tzid", "event_uid",
                 "event_dtstamp", "event_description", "event_location", "event_url", "event_categories",
                 "event_sequence", "event_status")


@lru_cache(maxsize=8192)
def event_of(values, uid_salt):
    """render_event of an event's column values, kept: the databases are immutable, and one session is an
    event of many feeds (the program, its day, its track, every agenda that stars it). An event that cannot
    be rendered raises each time (lru_cache keeps no exception)."""
    return render_event(dict(zip(EVENT_COLUMNS, values)), uid_salt)


class CalendarTooLarge(Exception):
    """The calendar, escaped and folded as it will be sent, outgrew the answer budget."""


def render_calendar(rows, columns, title, uid_salt="", empty_zone=None, feed=True):
    """The whole VCALENDAR as a string, and the number of rows left out because they were broken. `rows`: dicts,
    or sequences of values in the order of `columns` (sqlite3 rows: no dict made of each).

    No METHOD: a subscription feed is not an iTIP message (METHOD:PUBLISH without an ORGANIZER
    fails libical's iTIP check). A calendar needs at least one component, so one with no events
    carries the VTIMEZONE of `empty_zone` (name, year). Not a `feed`: events to add, with no
    calendar name and no refresh interval, so a calendar app offers to import them rather than
    to make a calendar of them.
    """
    events, zones, skipped, size = [], {}, 0, 0
    at = [columns.index(c) if c in columns else None for c in EVENT_COLUMNS]
    for row in rows:
        values = tuple(row.get(c) for c in EVENT_COLUMNS) if isinstance(row, dict) else \
            tuple(None if i is None else row[i] for i in at)
        try:
            text, tzid, year = event_of(values, uid_salt)
        except (ValueError, TypeError, KeyError, OverflowError):
            skipped += 1
            continue
        size += len(text.encode("utf-8"))  # as sent: escaping can double a value the SQL budget counted once
        if size > MAX_RESULT:
            raise CalendarTooLarge(f"the calendar is over {MAX_RESULT // 1_000_000} MB as sent; ask for fewer events")
        events.append(text)
        if tzid:
            low, high = zones.get(tzid, (year, year))
            zones[tzid] = (min(low, year), max(high, year))
    if not zones and empty_zone:
        zones[empty_zone[0]] = (empty_zone[1], empty_zone[1])
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if title and feed:
        head += [f"NAME:{escape_text(title)}", f"X-WR-CALNAME:{escape_text(title)}"]
    if len(zones) == 1:
        head.append(f"X-WR-TIMEZONE:{next(iter(zones))}")
    if feed:
        head += ["REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    parts = ["".join(fold_line(l) for l in head)]
    parts += [vtimezone(tzid, low, high) for tzid, (low, high) in sorted(zones.items())]
    parts += events
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts), skipped


def calendar_title(datasette, request, database, table, query_name, data):
    """The calendar's name, from the query's title and its parameters, after the site's title.

    A subscriber who follows several feeds sees "<the edition's name>: The program of one track
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
    site = datasette.metadata("title", database=database)  # an earlier edition's database has its own
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


async def conference_zone(db):
    """The zone and year of the database's conference, for a calendar with no events (UTC and this year
    for a database without one)."""
    if "conference" in await db.table_names():
        row = (await db.execute("select timezone, year from conference")).first()
        if row and row[0]:
            return row[0], int(row[1])
    return "UTC", clock_now(timezone.utc).year


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
    except sqlite3.OperationalError as exc:  # the result budget of plugins/sql_limits.py, say
        return refusal(f"The calendar's query failed: {exc}.")
    title = calendar_title(datasette, request, database, table, query_name, data)
    salt = f"{database}/{query_name or table}"
    config = datasette.plugin_config("calendar-feed") or {}
    empty_zone = await conference_zone(datasette.get_database(database))
    feed = not query_name or query_name not in config.get("events", [])
    try:
        if len(rows) > RENDER_IN_THREAD:
            # A large calendar is built in a thread, so the event loop keeps answering other requests.
            body, skipped = await asyncio.to_thread(render_calendar, rows, columns, title, salt, empty_zone, feed)
        else:
            body, skipped = render_calendar(rows, columns, title, salt, empty_zone, feed)
    except CalendarTooLarge as exc:
        return refusal(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
    headers = {"X-Skipped-Rows": str(skipped)} if skipped else {}
    if not feed and len(rows) == 1:
        headers["Content-Disposition"] = f'attachment; filename="{file_name(rows[0][columns.index("event_name")])}.ics"'
    if data.get("truncated") and not query_name:
        headers["X-Truncated"] = f"{len(rows)} events: the first {len(rows)} rows of the query"
    content_type = "text/plain; charset=utf-8" if request.args.get("_plain") else CONTENT_TYPE
    return Response(body, status=200, headers=headers, content_type=content_type)


def file_name(title):
    """A title as a file name any system accepts: ASCII letters, digits and dashes, at most 60."""
    return slug(str(title or "event"))[:60].strip("-") or "event"


def can_render_ics(columns):
    return REQUIRED <= set(columns)


# trylast: pluggy calls this hook last, so for the `ics` extension our renderer is the one
# Datasette keeps even when datasette-ics is installed too.
@hookimpl(trylast=True)
def register_output_renderer(datasette):
    return {"extension": "ics", "render": render_ics, "can_render": can_render_ics}
