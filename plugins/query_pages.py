"""What four pages need beyond their rows, from the same SQL functions as their queries: the ids an
agenda was asked for; the moment now_next shows and the conference's span; whether the conference is
over, for the home page; and for a search that names a kind of session (open spaces) or slides, what
this edition lacks and which editions have it."""
import weakref

from datasette import hookimpl

from scripts.core import vocabulary
from scripts.core.clock import conference_clock
from scripts.core.names import SITE, site_template
from scripts.core.words import kinds_named, query_words

AGENDA, NOW_NEXT, SEARCH = (f"query-{SITE}-{name}.html" for name in ("agenda", "now_next", "search"))
# Every edition's kinds, and how many sessions of each (the site's database holds every edition's sessions).
KINDS_BY_EDITION = "select kind, edition, count(*) as n from edition_sessions group by kind, edition"
SLIDES = {"slide", "slides", "deck", "decks"}
# How many sessions of each edition have every word of a search (the editions' own index).
WORDS_BY_EDITION = """select s.edition, count(*) as n from edition_sessions_fts f join edition_sessions s on s.rowid = f.rowid
where edition_sessions_fts match pycon_fts_query(:q) group by s.edition"""
# After the conference the home page leads with what to watch: the keynotes and plenaries, then each day's
# recorded sessions (a part of a lightning-talk slot is on its slot's recording).
TO_WATCH = """select id, title, speakers, day, kind, recording_url, recording_s from calendar_events
where recording_url is not null and parent_id is null order by day, start_iso is null, start_iso, room, id"""
HEADLINE_KINDS = ("keynote", "plenary")


async def to_watch(db):
    """{"headline": [rows], "days": [(day, [rows])], "count": n} of the edition's recorded sessions."""
    rows = [dict(r) for r in (await db.execute(TO_WATCH)).rows]
    days = {}
    for row in rows:
        if row["kind"] not in HEADLINE_KINDS:
            days.setdefault(row["day"], []).append(row)
    return {"headline": [r for r in rows if r["kind"] in HEADLINE_KINDS], "days": list(days.items()), "count": len(rows)}


_KIND_COUNTS = weakref.WeakKeyDictionary()  # Datasette instance -> [(kind, edition, n)]: the databases are immutable


async def kinds_by_edition(datasette):
    """Every edition's kinds and how many sessions of each, read once."""
    if datasette not in _KIND_COUNTS:
        rows = (await datasette.get_database(SITE).execute(KINDS_BY_EDITION)).rows
        _KIND_COUNTS[datasette] = [(kind, str(edition), n) for kind, edition, n in rows]
    return _KIND_COUNTS[datasette]


async def lacking(datasette, database, q):
    """What a search asks for that this edition has none of, and the editions that have it: a kind of session
    it names ({"kind": id, "editions": [(vocabulary, count)]}), else its words ({"words": True, ...}, only
    when another edition has them all); {"slides": True} for slides (no edition's sources have them); or None."""
    if SLIDES & {w.lower() for w in query_words(q)}:
        return {"slides": True}
    if SITE not in datasette.databases or not query_words(q):
        return None
    site = datasette.get_database(SITE)
    counts = await kinds_by_edition(datasette)
    named = set(kinds_named(q, {kind for kind, _, _ in counts}))
    held = {}
    if named:
        for kind, edition, n in counts:
            if kind in named:
                held[edition] = held.get(edition, 0) + n
    else:
        held = {str(edition): n for edition, n in (await site.execute(WORDS_BY_EDITION, {"q": q})).rows}
    year = str((vocabulary.of(datasette, database) or {}).get("year"))
    if held.get(year, 0):
        return None
    editions = sorted(vocabulary.VOCABULARIES.get(datasette, {}).values(), key=lambda v: -int(v["year"] or 0))
    others = [(v, held[str(v["year"])]) for v in editions if held.get(str(v["year"]))]
    if named:
        return {"kind": sorted(named)[0], "editions": others}
    return {"words": True, "editions": others} if others else None


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if request is None:
        return {}
    if template == "index.html" and SITE in datasette.databases:
        async def after_the_conference():
            db = datasette.get_database(vocabulary.leading_database(datasette))
            clock = await conference_clock(db)
            return {"conference_over": clock["over"], "clock": clock, "to_watch": await to_watch(db) if clock["over"] else None}

        return after_the_conference
    db = datasette.get_database(database) if database else None

    async def agenda():
        result = await db.execute("select pycon_ids(:ids)", {"ids": request.args.get("ids", "")})
        return {"asked_ids": [i for i in (result.first()[0] or "").split(",") if i]}

    async def now_next():
        return {"clock": await conference_clock(db, request.args.get("at", ""))}

    async def search():
        return {"lacking": await lacking(datasette, database, request.args.get("q", ""))}

    return {AGENDA: agenda, NOW_NEXT: now_next, SEARCH: search}.get(site_template(template or ""), {})
