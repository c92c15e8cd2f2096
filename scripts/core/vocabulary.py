"""What every page of one edition says the same way, read from its database at start-up: the kinds'
labels (data/kinds.yaml), the conference's name, city, zone and days (data/conference.yaml), how many
sessions are recorded, and the words for a room or time not announced. Pages get it as the `pycon`
template variable: the site's as a global, an earlier edition's on its own pages."""
import json
import weakref
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .clock import now as clock_now
from .names import EARLIER_EDITIONS, SITE

# The template variable pages read it as.
VARIABLE = "pycon"
# The words every page uses where the data has no value.
NO_ROOM = "Room not announced"
NO_TIME = "time not announced"
# Before start-up has read the databases (and for a server without them): nothing known.
UNKNOWN = {"kinds": {}, "days": [], "recorded": 0, "no_room": NO_ROOM, "no_time": NO_TIME, "database": SITE, "is_site": True}

OFFER = """
select k.id, k.label, substr(k.search_words, 1, instr(k.search_words || ' ', ' ') - 1) as word,
  (select count(*) from calendar_events e where e.kind = k.id) as sessions
from kinds k where k.id not in ('break', 'unfilled') and sessions > 0 order by sessions desc, k.rowid
"""
CONFERENCE = """select id, year, name, city, timezone, start_date, end_date, url, schedule_url, venue_name,
  venue_entrance, venue_address from conference"""
# The tracks, each with its days and its room, for the edition's home.
TRACKS = """select t.id, t.name, t.days, r.name as room from tracks t left join rooms r on r.id = t.room_id
order by t.session_count desc, t.name"""
# The days of the kinds an edition is planned by (tutorials, talks, sprints): its shape in a line.
KIND_DAYS = """select kind, group_concat(distinct day) as days from sessions
where kind in ('tutorial', 'talk', 'sprint') and day is not null group by kind"""
RECORDED = "select count(distinct session_id) from certain_recordings where session_id is not null"
VOCABULARIES = weakref.WeakKeyDictionary()  # Datasette instance -> {database name: its vocabulary}


def of(datasette, database):
    """The vocabulary of one served database, or None for a database without a program."""
    return VOCABULARIES.get(datasette, {}).get(database)


def leading(datasette):
    """The vocabulary of the edition the site leads with (data/site.yaml): its home, /schedule, My schedule."""
    return next((v for v in VOCABULARIES.get(datasette, {}).values() if v["is_site"]), None)


def leading_database(datasette):
    """The database of the edition the site leads with (the one that holds every edition before start-up)."""
    edition = leading(datasette)
    return edition["database"] if edition else SITE


def utc_offset(moment):
    """'UTC-7', 'UTC+5:30': the offset of a moment, as people write it."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


async def offer(db):
    """What the program holds, kind by kind with a word that finds it: where a search finds nothing."""
    return [dict(r) for r in (await db.execute(OFFER)).rows]


async def conference_facts(db):
    """The edition's name, city, zone (and its name and UTC offset on the first day: now while the dates are
    not announced), year, addresses and venue."""
    conf = dict((await db.execute(CONFERENCE)).first())
    tz = ZoneInfo(conf["timezone"])
    noon = datetime.combine(date.fromisoformat(conf["start_date"]), datetime.min.time().replace(hour=12), tz) \
        if conf["start_date"] else clock_now(tz)
    return {"id": conf["id"], "name": conf["name"], "city": conf["city"], "timezone": conf["timezone"],
            "zone": noon.tzname(), "utc_offset": utc_offset(noon), "year": conf["year"], "url": conf["url"],
            "schedule_url": conf["schedule_url"], "venue": conf["venue_name"], "entrance": conf["venue_entrance"],
            "address": conf["venue_address"]}


async def program_facts(db):
    """The kinds' labels, what the program holds, its days, tracks, shape, and how many sessions are recorded."""
    kinds = {r["id"]: r["label"] for r in (await db.execute("select id, label from kinds order by rowid")).rows}
    days = [r[0] for r in (await db.execute("select day from conference_days order by day")).rows]
    tracks = [{**dict(r), "days": json.loads(r["days"] or "[]")} for r in (await db.execute(TRACKS)).rows]
    kind_days = {r["kind"]: sorted(r["days"].split(",")) for r in (await db.execute(KIND_DAYS)).rows}
    recorded = (await db.execute(RECORDED)).first()[0]
    return {"kinds": kinds, "offer": await offer(db), "days": days, "tracks": tracks, "kind_days": kind_days,
            "recorded": recorded}


async def vocabulary(db, name, is_site):
    """One edition's vocabulary, from its database (`name`), and whether the site leads with it."""
    return {**await conference_facts(db), **await program_facts(db), "no_room": NO_ROOM, "no_time": NO_TIME,
            "database": name, "is_site": is_site}


async def edition_names(datasette, site):
    """The editions' databases served beside the site's, newest first, each with whether the site leads
    with it; and whether the site's own leads (so it does when it lists no editions)."""
    if "editions" not in await site.table_names():
        return [], True
    rows = [r for r in (await site.execute(EARLIER_EDITIONS)).rows if r["database"] in datasette.databases]
    return [(r["database"], bool(r["is_site"])) for r in rows], not any(r["is_site"] for r in rows)


async def read_vocabularies(datasette):
    """Every served edition's vocabulary, the site's database's first; kept for the life of `datasette`."""
    if SITE not in datasette.databases:
        return {}
    site = datasette.get_database(SITE)
    editions, site_leads = await edition_names(datasette, site)
    vocabularies = {SITE: await vocabulary(site, SITE, site_leads)}
    for name, leads in editions:
        vocabularies[name] = await vocabulary(datasette.get_database(name), name, leads)
    VOCABULARIES[datasette] = vocabularies
    return vocabularies
