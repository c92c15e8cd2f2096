"""Speakers, hotels and other editions' sessions that match a search, for the search page beside the sessions
it lists (the site's or an earlier edition's); and the editions' counts for the search of every edition."""
from datasette import hookimpl

from scripts.core.names import SITE, site_template

# The search page of the site's database or of an earlier edition's (plugins/edition_templates.py).
SEARCH_PAGE = f"query-{SITE}-search.html"
SEARCH_EDITIONS_PAGE = f"query-{SITE}-search_editions.html"

SPEAKERS = """
select s.id, s.name, s.session_count from speakers_fts f join speakers s on s.rowid = f.rowid
where speakers_fts match pycon_fts_query(:q, :mode) order by f.rank, s.name limit 10
"""
HOTELS = """
select h.id, h.name, h.street_address, h.walking_min from hotels_fts f join hotels h on h.rowid = f.rowid
where hotels_fts match pycon_fts_query(:q, :mode) order by f.rank, h.name limit 5
"""


async def best(db, sql, q):
    """Rows with every word of q; when there are none, rows with any of them."""
    for mode in ("all", "any"):
        rows = [dict(r) for r in (await db.execute(sql, {"q": q, "mode": mode})).rows]
        if rows:
            return rows
    return []


# Per edition, how many sessions match: the search page's "in earlier editions" line, the archive search's facet.
EDITIONS = """
select s.edition, e.database, count(*) as n from edition_sessions_fts f join edition_sessions s on s.rowid = f.rowid
join editions e on e.year = s.edition
where edition_sessions_fts match pycon_program_query(:q, 'all') and s.kind != 'unfilled'
group by s.edition order by s.edition desc
"""
YEAR_OF = "select year from editions where database = :database"


async def edition_counts(db, q):
    return [dict(r) for r in (await db.execute(EDITIONS, {"q": q})).rows] if (q or "").strip() else []


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template == SEARCH_EDITIONS_PAGE and request is not None:
        async def archive():
            db = datasette.get_database(database)
            return {"edition_counts": await edition_counts(db, request.args.get("q"))}
        return archive
    if site_template(template or "") != SEARCH_PAGE or request is None:
        return {}

    async def matches():
        q = request.args.get("q") or ""
        db = datasette.get_database(database)
        return {"speaker_matches": await best(db, SPEAKERS, q), "hotel_matches": await best(db, HOTELS, q),
                "other_editions": await other_editions(datasette, database, q)}

    return matches


async def other_editions(datasette, database, q):
    """How many sessions match in each edition but this page's, from the site's database."""
    site = datasette.get_database(SITE) if SITE in datasette.databases else None
    if site is None or "edition_sessions" not in await site.table_names():
        return []
    year = (await site.execute(YEAR_OF, {"database": database})).first()
    return [e for e in await edition_counts(site, q) if year is None or e["edition"] != year[0]]
