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
            clock = await conference_clock(datasette.get_database(vocabulary.leading_database(datasette)))
            return {"conference_over": clock["over"], "clock": clock}

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
