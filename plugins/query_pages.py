"""What four pages need beyond their rows, from the same SQL functions as their queries: the ids an
agenda was asked for; the moment now_next shows and the conference's span; whether the conference is
over, for the home page; and for a search that names a kind of session (open spaces) or slides, what
this edition lacks and which editions have it."""
from datasette import hookimpl

from scripts.core import vocabulary
from scripts.core.clock import conference_clock
from scripts.core.names import SITE, site_template
from scripts.core.words import kinds_named, query_words

AGENDA, NOW_NEXT, SEARCH = (f"query-{SITE}-{name}.html" for name in ("agenda", "now_next", "search"))
# Every edition's kinds, and how many sessions of each (the site's database holds every edition's sessions).
KINDS_BY_EDITION = "select kind, edition, count(*) as n from edition_sessions group by kind, edition"
SLIDES = {"slide", "slides", "deck", "decks"}
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


async def lacking(datasette, database, q):
    """What a search names that this edition has none of: {"kind": id, "editions": [(vocabulary, count)]},
    {"slides": True} for slides (no edition's sources have them), or None."""
    if SLIDES & {w.lower() for w in query_words(q)}:
        return {"slides": True}
    if SITE not in datasette.databases or not q.strip():
        return None
    counts = [(kind, str(edition), n) for kind, edition, n in (await datasette.get_database(SITE).execute(KINDS_BY_EDITION)).rows]
    named = set(kinds_named(q, {kind for kind, _, _ in counts}))
    this = vocabulary.of(datasette, database) or {}
    held = {}
    for kind, edition, n in counts:
        if kind in named:
            held[edition] = held.get(edition, 0) + n
    if not named or held.get(str(this.get("year")), 0):
        return None
    editions = sorted(vocabulary.VOCABULARIES.get(datasette, {}).values(), key=lambda v: -int(v["year"] or 0))
    others = [(v, held[str(v["year"])]) for v in editions if held.get(str(v["year"]))]
    return {"kind": sorted(named)[0], "editions": others}


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
