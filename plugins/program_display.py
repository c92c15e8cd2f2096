"""Jinja filters that show program rows as people read them: times in words, kinds, highlights.

- `when`: "Fri 15 May, 09:45–10:30" from a row's start_local/end_local (the day alone when
  its time is unknown); `when_in_words`: "Friday 15 May, 09:45–10:30 PDT"; `hhmm`: "09:45";
  every time a page shows is formatted here;
- the `pycon` template variable: the kinds' labels, the conference's name, city, zone and days, read
  from each edition's database at start-up (the site's as a global; an earlier edition's on its own
  pages, so they name their own edition), and the words for a room or time not announced;
  `pycon_editions`, the earlier editions' (the home page lists them);
- `kind_label`: the track where there is one ("AI track"), else the kind in words;
- `mark(text, q)`: the text escaped, with the words that match the query in <mark> (word
  beginnings, case and accents ignored, as the search matches them);
- in table pages, JSON arrays of words (roles, days) as comma-separated lists.
"""
import json
import re
import unicodedata
import weakref
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from datasette import hookimpl
from jinja2 import pass_context
from markupsafe import Markup, escape

DATABASE = "pycon"
WORD = re.compile(r"\w+")
# The words every page uses where the data has no value.
NO_ROOM = "Room not announced"
NO_TIME = "time not announced"


def fold_accents(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def initial(name):
    """The letter a name is listed under: its first, accents folded, upper case ('#' for a digit or sign)."""
    first = fold_accents(str(name or "").strip())[:1].upper()
    return first if first.isalpha() else "#"


def day_label(day):
    d = date.fromisoformat(str(day)[:10])
    return f"{d:%a} {d.day} {d:%b}"


def as_dict(row):
    return row if isinstance(row, dict) else dict(zip(row.keys(), row))


def day_title(day):
    d = date.fromisoformat(str(day)[:10])
    return f"{d:%A} {d.day} {d:%B}"


def when(row):
    row = as_dict(row)
    start, end = row.get("start_local"), row.get("end_local")
    day = day_label(row.get("day") or start)
    if not start:
        return f"{day}, during {row['during']}" if row.get("during") else f"{day}, {NO_TIME}"
    if not end or end == start:
        return f"{day}, {hhmm(start)}" + (" (end not announced)" if not end else "")
    return f"{day}, {hhmm(start)}–{hhmm(end)}"


def clock(seconds):
    """Where in a video: '14:31', or '1:02:03' past an hour."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def hhmm(local):
    """'HH:MM' of a 'YYYY-MM-DD HH:MM' local time."""
    return local[11:16] if local else ""


def when_in_words(row):
    """'Friday 15 May, 09:45–10:30 PDT' (the zone of the moment), or the day alone when the time is not known."""
    row = as_dict(row)
    words = day_title(row["day"])
    if not row["start_iso"]:
        return f"{words}, during {row['during']}" if row.get("during") else f"{words}, {NO_TIME}"
    start = datetime.fromisoformat(row["start_iso"])
    zone = start.astimezone(ZoneInfo(row["event_tzid"])).tzname() if row.get("event_tzid") else ""
    end = f"–{hhmm(row['end_local'])}" if row["end_local"] and row["end_local"] != row["start_local"] else ""
    return f"{words}, {hhmm(row['start_local'])}{end} {zone}".rstrip()


@pass_context
def kind_label(context, row):
    """The kind in the words of data/kinds.yaml, with the track where there is one."""
    row = as_dict(row)
    track, kind = row.get("track"), row.get("kind") or ""
    label = context["pycon"]["kinds"].get(kind, kind.replace("-", " ").capitalize())
    if track and track.lower().rstrip("s") not in label.lower():
        return f"{label} · {track} track"
    return label


SUFFIXES = ("ities", "ity", "ies", "ing", "ed", "es", "s", "e")


def stem(word):
    """A rough English stem, so that marks follow the search's word forms (security -> secur, finds secure)."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


# The search reads at most this many words of a query, each cut to this length
# (plugins/sql_functions.py, pycon_fts_query): the marks follow the same words.
MAX_WORDS, MAX_WORD = 16, 64


@lru_cache(maxsize=256)
def mark_terms(query):
    """The distinct stems to mark for a query: the words the search reads (no further), folded once."""
    words = [m.group()[:MAX_WORD] for m in islice(WORD.finditer(query), MAX_WORDS)]
    return tuple(dict.fromkeys(stem(fold_accents(w)) for w in words))


def mark(text, query):
    """`text` escaped, each word that begins with a word of `query` (or its stem) in <mark>.

    Linear in the text: each of its words is folded once and compared with at most MAX_WORDS terms.
    """
    if text is None:
        return ""
    terms = mark_terms(str(query or ""))
    if not terms:
        return escape(text)
    out, last = [], 0
    for match in WORD.finditer(str(text)):
        if fold_accents(match.group()).startswith(terms):
            out += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group()), Markup("</mark>")]
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LIST_COLUMNS = {("speakers", "roles"), ("speakers", "tracks"), ("tracks", "days")}


@hookimpl
def render_cell(value, column, table, database, datasette):
    """JSON arrays of words (a speaker's roles, a track's days) shown as a list, not as ["talk"]."""
    if database not in VOCABULARIES.get(datasette, {}) or (table, column) not in LIST_COLUMNS or not isinstance(value, str):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    return Markup(", ").join(escape(str(item)) for item in items) if items else Markup("")


# The conference clock: the moment asked for (now when empty) beside the conference's span.
CLOCK = """select *, pycon_local_time(:at, timezone) as moment,
  pycon_local_time(:at, timezone) > last_end as over
from conference_clock"""


@hookimpl
def extra_template_vars(template, database, request, datasette):
    """An earlier edition's pages get its own `pycon`; two query pages and the home page get what they
    need beyond their rows, from the same SQL functions as their queries: the ids an agenda was asked
    for; the moment now_next shows and the conference's span; whether the conference is over."""
    edition = VOCABULARIES.get(datasette, {}).get(database)
    if edition is not None and not edition["is_site"]:
        return {"pycon": edition}
    if template == "index.html" and request is not None and DATABASE in datasette.databases:
        async def after_the_conference():
            # The conference clock (PYCON_NOW in tests); a shared cache may show the change up to
            # its s-maxage late, once, when the conference ends.
            clock = dict((await datasette.get_database(DATABASE).execute(CLOCK, {"at": ""})).first())
            return {"conference_over": bool(clock["over"]), "clock": clock}

        return after_the_conference
    if template not in ("query-pycon-agenda.html", "query-pycon-now_next.html") or request is None:
        return {}
    db = datasette.get_database(database)

    async def agenda():
        result = await db.execute("select pycon_ids(:ids)", {"ids": request.args.get("ids", "")})
        return {"asked_ids": [i for i in (result.first()[0] or "").split(",") if i]}

    async def conference_clock():
        return {"clock": dict((await db.execute(CLOCK, {"at": request.args.get("at", "")})).first())}

    return agenda if template == "query-pycon-agenda.html" else conference_clock


OFFER = """
select k.id, k.label, substr(k.search_words, 1, instr(k.search_words || ' ', ' ') - 1) as word,
  (select count(*) from calendar_events e where e.kind = k.id) as sessions
from kinds k where k.id not in ('break', 'unfilled') and sessions > 0 order by sessions desc, k.rowid
"""


async def offer(db):
    """What the program holds, kind by kind with a word that finds it: where a search finds nothing."""
    return [dict(r) for r in (await db.execute(OFFER)).rows]


async def vocabulary(db, name, is_site):
    """What every page of one edition says the same way, from its database (data/kinds.yaml,
    data/conference.yaml): the kinds' labels, the conference's name, city, time zone and the zone's
    abbreviation then, its days, venue and how many sessions are recorded; the database it is."""
    kinds = {r["id"]: r["label"] for r in (await db.execute("select id, label from kinds order by rowid")).rows}
    conf = dict((await db.execute("select name, city, timezone, start_date, end_date, url, venue_name from conference")).first())
    noon = datetime.combine(date.fromisoformat(conf["start_date"]), datetime.min.time().replace(hour=12))
    zone = noon.replace(tzinfo=ZoneInfo(conf["timezone"])).tzname()
    days = [r[0] for r in (await db.execute("select day from conference_days order by day")).rows]
    recorded = (await db.execute("select count(distinct session_id) from recordings where session_id is not null")).first()[0]
    return {"kinds": kinds, "offer": await offer(db), "name": conf["name"], "city": conf["city"], "timezone": conf["timezone"], "zone": zone,
            "days": days, "year": int(conf["start_date"][:4]), "url": conf["url"], "venue": conf["venue_name"],
            "recorded": recorded, "no_room": NO_ROOM, "no_time": NO_TIME, "database": name, "is_site": is_site}


VOCABULARIES = weakref.WeakKeyDictionary()  # Datasette instance -> {database name: its vocabulary}
# The earlier editions the site's database lists and serves (scripts/databases.py), newest first.
EDITIONS = "select database from editions where not is_site order by year desc"


async def edition_names(datasette, site):
    if "editions" not in await site.table_names():
        return []
    return [r[0] for r in (await site.execute(EDITIONS)).rows if r[0] in datasette.databases]


@hookimpl
def startup(datasette):
    async def read_vocabularies():
        if DATABASE not in datasette.databases:
            return
        site = datasette.get_database(DATABASE)
        vocabularies = {DATABASE: await vocabulary(site, DATABASE, True)}
        for name in await edition_names(datasette, site):
            vocabularies[name] = await vocabulary(datasette.get_database(name), name, False)
        VOCABULARIES[datasette] = vocabularies
        datasette.jinja_env.globals["pycon"] = vocabularies[DATABASE]
        datasette.jinja_env.globals["pycon_editions"] = [v for v in vocabularies.values() if not v["is_site"]]

    return read_vocabularies


@hookimpl
def prepare_jinja2_environment(env):
    env.globals.setdefault("pycon", {"kinds": {}, "days": [], "recorded": 0, "no_room": NO_ROOM, "no_time": NO_TIME,
                                     "database": DATABASE, "is_site": True})
    env.globals.setdefault("pycon_editions", [])
    env.tests["is_iso_date"] = lambda value: bool(ISO_DATE.fullmatch(str(value)))
    env.filters.update(when=when, when_in_words=when_in_words, hhmm=hhmm, clock=clock, kind_label=kind_label, mark=mark, day_label=day_label, day_title=day_title,
                       words=lambda text: WORD.findall(str(text or "")), initial=initial, date_range=date_range)


def date_range(start, end):
    """'19–23 April 2023', '30 April – 2 May 2022': a conference's span in words."""
    a, b = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    return f"{a.day} {a:%B} – {b.day} {b:%B %Y}" if a.year == b.year else f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"
