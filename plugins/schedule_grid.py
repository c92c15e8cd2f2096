"""`/schedule/<date>`: a conference day as rooms by time, of the site's edition or an earlier one (the
day says which: the site's database lists each edition's dates and the database it is served as);
`/schedule`, which goes to the site's day that is on, and after the conference says it is over and
leads with the recordings (`/schedule/mine` is plugins/my_schedule.py).

The grid is one list of sessions in time order, placed with CSS grid on a wide screen (rooms
are columns, time runs down, 5 minutes a row) and read as a list grouped by start time on a
phone, so each session is in the page once. Breaks that overlap nothing are full-width
bands; a room holding sessions at the same time (a parallel hall) gets a lane for each; a
session in several neighbouring rooms spans their columns. Sessions whose time is not known
are listed below the grid. The page depends only on the database, so it is cached like any
other; the current-time line is drawn by a few lines of JavaScript from the browser's clock.
"""
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from datasette import hookimpl
from datasette.utils.asgi import Response

from scripts.core import vocabulary
from scripts.core.clock import conference_clock, now as clock_now
from scripts.core.names import SITE
from scripts.core.vocabulary import leading_database
from scripts.core.times import minute_label, minutes, overlaps

SLOT_MIN = 5  # minutes a grid row stands for
# The grid's filters (links: ?track=ai&kind=talk&language=es) and the column each reads.
COLUMN_OF = {"track": "track_id", "kind": "kind", "language": "language"}
SESSIONS = """
select e.* from calendar_events e where e.day = :day and e.parent_id is null
order by e.start_iso is null, e.start_iso, e.room, e.id
"""
# Each session's rooms in their order, the first being its `room` (group_concat would not keep it).
# The conference's room order, the same on every day: the keynote stage, then rooms with talks by use,
# the open halls last.
ROOMS = """
select r.id, r.name, r.floor from rooms r
order by not exists (select 1 from session_rooms sr join sessions s on s.id = sr.session_id
                     where sr.room_id = r.id and s.kind = 'keynote'),
  r.parallel, -(select count(*) from session_rooms sr where sr.room_id = r.id), r.name
"""
SESSION_ROOMS = """
select sr.session_id, sr.room_id from session_rooms sr join sessions s on s.id = sr.session_id
where s.day = :day order by sr.session_id, sr.position
"""


def timed_items(rows):
    """Sessions with a start and an end, as dicts with start/end minutes; the others apart."""
    timed, other = [], []
    for row in rows:
        if row["start_local"] and row["end_local"]:
            start, end = minutes(row["start_local"]), minutes(row["end_local"])
            timed.append({**row, "start": start, "end": max(end, start + SLOT_MIN)})
        else:
            other.append(row)
    return timed, other


def mark_bands(timed):
    """A break that overlaps no other session concerns everyone: a full-width band."""
    for item in timed:
        item["band"] = item["kind"] == "break" and not any(
            overlaps(item["start"], item["end"], other["start"], other["end"]) for other in timed if other is not item and other["kind"] != "break")


def room_columns(timed, room_names, rank=None):
    """The rooms in use, each with a lane per session held at once: in the conference's room order
    (`rank`, the same every day) and, for rooms it does not rank, the keynote stage, then the most used."""
    rank = rank or {}
    counts, lanes, stages = {}, {}, set()
    for item in timed:
        if item["band"]:
            continue
        item["rooms"] = item["room_ids"] or [None]
        room = item["rooms"][0]
        counts[room] = counts.get(room, 0) + 1
        if item["kind"] == "keynote":
            stages.add(room)
        busy = lanes.setdefault(room, [])
        lane = next((i for i, last in enumerate(busy) if last <= item["start"]), len(busy))
        busy[lane:lane + 1] = [item["end"]]
        item["lane"] = lane
    order = sorted(counts, key=lambda r: (r is None, rank.get(r, len(rank)), r not in stages, -counts[r],
                                          room_names.get(r, ("",))[0]))
    columns, first = [], 2  # grid column 1 holds the times
    for room in order:
        name, floor = room_names.get(room, (None, None))  # None: the page says the room is not announced
        columns.append({"id": room, "name": name, "floor": floor, "first": first, "lanes": len(lanes[room])})
        first += len(lanes[room])
    return columns, first


def place(timed, columns, last_column, day_start, room_names):
    """Grid rows and columns for every timed item."""
    where = {c["id"]: c for c in columns}
    for item in timed:
        item["row"] = 2 + (item["start"] - day_start) // SLOT_MIN
        item["row_end"] = 2 + -(-(item["end"] - day_start) // SLOT_MIN)
        if item["band"]:
            item["col"], item["col_end"] = 2, last_column
            continue
        column = where[item["rooms"][0]]
        item["col"] = column["first"] + item["lane"]
        item["col_end"] = item["col"] + 1
        spanned = span_neighbours(item, columns)
        if spanned:
            item["col_end"] = spanned
        shown = {c["id"] for c in columns if item["col"] <= c["first"] < item["col_end"]}
        item["also"] = [room_names.get(r, (r,))[0] for r in item["rooms"][1:] if r not in shown]


def span_neighbours(item, columns):
    """Where a one-lane session held in its neighbouring rooms too should end, or None."""
    ids = [c["id"] for c in columns]
    here = ids.index(item["rooms"][0])
    others = set(item["rooms"][1:])
    if not others or columns[here]["lanes"] != 1:
        return None
    end = here
    while end + 1 < len(ids) and ids[end + 1] in others and columns[end + 1]["lanes"] == 1:
        end += 1
    return columns[end]["first"] + 1 if end > here else None


def time_groups(timed):
    """Start times, each with the grid row of its label and its sessions, left to right (the tab order)."""
    groups = {}
    for item in sorted(timed, key=lambda i: (i["start"], i["col"])):
        groups.setdefault(item["start"], []).append(item)
    return [{"time": minute_label(start), "minute": start, "row": items[0]["row"], "sessions": items}
            for start, items in sorted(groups.items())]


LONG_MIN = 240  # a day whose every session lasts this long (the sprints) reads as a list, not a grid
# The lanes a 1280 px screen shows side by side at their least width: a day with more (2023's Friday has
# 16 rooms in use) scrolls inside a box of its own, its room names and times kept in view.
WIDE_LANES = 9


def layout(rows, room_names, rank=None, chosen=None):
    """Everything the template needs to draw one day: the grid of the sessions `chosen` allows (breaks that
    concern everyone always), in the rooms that hold one: a filter that leaves 3 of 14 rooms showed 11
    empty columns first, its results off to the right (#40); how many rooms it hides is said."""
    timed, other = timed_items([dict(r) for r in rows])
    keep = matcher(chosen or {})
    other = [r for r in other if keep(r)]
    mark_bands(timed)
    every_room = {(i["room_ids"] or [None])[0] for i in timed if not i["band"]}
    if chosen:
        timed = [i for i in timed if i["band"] or keep(i)]
    if not timed or (chosen and all(i["band"] for i in timed)):  # no timed session, or none the filter keeps
        return {"columns": [], "groups": [], "untimed": other, "rows": 0, "start": None,
                "matches": len(other), "rooms_hidden": len(every_room)}
    columns, last_column = room_columns(timed, room_names, rank)
    day_start = min(i["start"] for i in timed) // 30 * 30
    day_end = -(-max(i["end"] for i in timed) // 30) * 30
    place(timed, columns, max(last_column, 3), day_start, room_names)
    shown = [i for i in timed if i["band"] or keep(i)]
    groups = time_groups(shown)
    still_on(groups, shown)
    return {"columns": columns, "groups": groups, "untimed": other, "last_column": max(last_column, 3),
            "rows": (day_end - day_start) // SLOT_MIN, "start": day_start,
            "long": all(i["end"] - i["start"] >= LONG_MIN for i in timed),
            "wide": max(last_column, 3) - 2 > WIDE_LANES,
            "matches": sum(1 for i in shown if not i["band"]) + len(other),
            "rooms_hidden": len(every_room) - len(columns),
            "hours": hour_lines(day_start, day_end, {g["minute"] for g in groups}), "jumps": jumps(groups)}


def matcher(chosen):
    """Whether a session has every value chosen (track, kind, language)."""
    def keep(item):
        return all(str(item.get(COLUMN_OF[name]) or "") == value for name, value in chosen.items())
    return keep


def still_on(groups, items):
    """Under each start time, the sessions that began earlier and are still on (the phone list's way
    of showing what the grid shows by height)."""
    for g in groups:
        g["still_on"] = [i for i in items if not i["band"] and i["start"] < g["minute"] < i["end"]]


def hour_lines(day_start, day_end, starts):
    """A line every half hour; on the hour a label too, unless a start time is written there."""
    return [{"label": minute_label(m), "row": 2 + (m - day_start) // SLOT_MIN,
             "labelled": m % 60 == 0 and m not in starts} for m in range(day_start, day_end, 30)]


def jumps(groups):
    """Each hour of the day and the start time to show for it: the last one at or before the hour, whose
    row holds every session on at that hour (its own, and above it in the grid or in its "still on" line
    on a phone, those that began earlier and run past it); hours leading to the same one once. The first
    start time for the hours before it; none where no session is shown (a filter that matches nothing).
    (Before, the first start at or after the hour: 102 of 228 jumps landed later than their label.)"""
    out, seen = [], set()
    if not groups:
        return out
    for hour in range(groups[0]["minute"] // 60 * 60, groups[-1]["minute"] + 1, 60):
        target = next((g for g in reversed(groups) if g["minute"] <= hour), groups[0])
        if target["minute"] not in seen:
            seen.add(target["minute"])
            out.append({"label": minute_label(hour), "target": "at-" + target["time"].replace(":", "")})
    return out


async def conference(db):
    row = (await db.execute("select name, start_date, end_date, timezone from conference")).first()
    return dict(row)


async def conference_days(db):
    """The conference's days (the conference_days view, which the header's days come from too)."""
    return [r[0] for r in (await db.execute("select day from conference_days order by day")).rows]


def current_day(days, tz_name, now=None):
    """The conference day that is on; before the conference its first day, after it its last."""
    tz = ZoneInfo(tz_name)
    today = (now or clock_now(tz)).astimezone(tz).date().isoformat()
    return min(max(today, days[0]), days[-1])


async def schedule_start(datasette, request):
    """Before and during the conference, the day that is on; after it, a page that says so."""
    db = datasette.get_database(leading_database(datasette))
    conf, days = await conference(db), await conference_days(db)
    if not days:  # the edition the site leads with has no program yet: its home says so
        return Response.redirect(datasette.urls.path("/"))
    clock = await conference_clock(db)
    # plugins/response_cache.py gives this clock-dependent page a short Cache-Control.
    if clock["over"]:
        context = {"conference": conf, "days": await conference_days(db), "recorded": (await db.execute(vocabulary.RECORDED)).first()[0]}
        return Response.html(await datasette.render_template("schedule_over.html", context, request=request))
    now = datetime.fromisoformat(clock["moment"]).replace(tzinfo=ZoneInfo(conf["timezone"]))
    return Response.redirect(datasette.urls.path(f"/schedule/{current_day(await conference_days(db), conf['timezone'], now)}"))


async def sessions_of_day(db, day):
    """The day's sessions (not their children), each with `room_ids`, its rooms in order."""
    room_ids = {}
    for session_id, room_id in (await db.execute(SESSION_ROOMS, {"day": day})).rows:
        room_ids.setdefault(session_id, []).append(room_id)
    return [{**dict(r), "room_ids": room_ids.get(r["id"], [])} for r in (await db.execute(SESSIONS, {"day": day})).rows]


async def rooms_in_order(db):
    """Each room's (name, floor), and its place in the conference's room order."""
    rows = (await db.execute(ROOMS)).rows
    return {r["id"]: (r["name"], r["floor"]) for r in rows}, {r["id"]: i for i, r in enumerate(rows)}


# The edition whose dates hold a day (the editions do not overlap); the site's for any other day.
EDITION_OF_DAY = "select database from editions where :day between start_date and end_date"


async def database_of_day(datasette, day):
    """The name of the database whose edition holds `day` (the site's database lists every edition's dates),
    else the leading edition's."""
    site = datasette.get_database(SITE)
    if "editions" in await site.table_names():
        row = (await site.execute(EDITION_OF_DAY, {"day": day})).first()
        if row and row[0] in datasette.databases:
            return row[0]
    return leading_database(datasette)


async def schedule_day(datasette, request):
    day = request.url_vars["day"]
    database = await database_of_day(datasette, day)
    db = datasette.get_database(database)
    conf = await conference(db)
    days = await conference_days(db)
    if day not in days:
        return Response.html(await datasette.render_template(
            "schedule_day.html", {"conference": conf, "days": days, "day": day, "missing": True, "database": database},
            request=request), status=404)
    rows = await sessions_of_day(db, day)
    chosen = {name: request.args.get(name) for name in COLUMN_OF if request.args.get(name)}
    grid = layout(rows, *await rooms_in_order(db), chosen=chosen)
    context = {"conference": conf, "days": days, "day": day, "grid": grid, "slot_min": SLOT_MIN, "database": database,
               "filters": filters(rows, chosen, await labels(db)), "chosen": chosen,
               "sprint_projects": await sprint_projects(db) if any(r["kind"] == "sprint" for r in rows) else []}
    return Response.html(await datasette.render_template("schedule_day.html", context, request=request))


LANGUAGES = {"en": "English", "es": "Español"}


async def labels(db):
    """How the filters name each value: tracks and kinds by their labels, languages in their own words."""
    tracks = {r["id"]: r["name"] for r in (await db.execute("select id, name from tracks")).rows}
    kinds = {r["id"]: r["label"] for r in (await db.execute("select id, label from kinds")).rows}
    return {"track": tracks, "kind": kinds, "language": LANGUAGES}


def filters(rows, chosen, names):
    """For each filter with two values or more on this day: its values (most sessions first) and whether chosen."""
    out = []
    for name, column in COLUMN_OF.items():
        counts = {}
        for r in rows:
            if r[column] and r["kind"] not in ("break", "unfilled"):
                counts[r[column]] = counts.get(r[column], 0) + 1
        if len(counts) > 1 or name in chosen:
            values = sorted(counts, key=lambda v: (-counts[v], v))
            out.append({"name": name, "chosen": chosen.get(name), "all": query_string(chosen, name, None),
                        "values": [{"value": v, "label": names[name].get(v, v), "count": counts[v],
                                    "query": query_string(chosen, name, v)} for v in values]})
    return out


def query_string(chosen, name, value):
    """The filters chosen, with `name` set to `value` (None: not filtered by it), as '?…' ('' for none)."""
    args = {k: v for k, v in chosen.items() if k != name}
    if value is not None:
        args[name] = value
    ordered = [(k, args[k]) for k in COLUMN_OF if k in args]
    return "?" + urlencode(ordered) if ordered else ""


async def sprint_projects(db):
    """The projects listed for the sprints, each with the page that lists them."""
    sql = """select p.project, p.url, coalesce(s.original_url, s.url) as listed_on from sprint_projects p
             left join sources s on s.id = p.source_id order by p.project collate nocase"""
    return [dict(r) for r in (await db.execute(sql)).rows]


@hookimpl
def register_routes():
    return [
        (r"^/schedule/?$", schedule_start),
        (r"^/schedule/(?P<day>\d{4}-\d{2}-\d{2})$", schedule_day),
    ]
