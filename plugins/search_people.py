"""Speakers, hotels and earlier editions' sessions that match a search, for the search page beside the sessions
it lists; and the editions' counts for the search of every edition."""
from datasette import hookimpl

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
select s.edition, count(*) as n from edition_sessions_fts f join edition_sessions s on s.rowid = f.rowid
where edition_sessions_fts match pycon_program_query(:q, 'all') and s.kind != 'unfilled'
group by s.edition order by s.edition desc
"""
SITE_YEAR = "select year from editions where is_site = 1"


async def edition_counts(db, q):
    return [dict(r) for r in (await db.execute(EDITIONS, {"q": q})).rows] if (q or "").strip() else []


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template == "query-pycon-search_editions.html" and request is not None:
        async def archive():
            db = datasette.get_database(database)
            return {"edition_counts": await edition_counts(db, request.args.get("q")),
                    "pycon_site_year": (await db.execute(SITE_YEAR)).first()[0]}
        return archive
    if template != "query-pycon-search.html" or request is None:
        return {}

    async def matches():
        q = request.args.get("q") or ""
        db = datasette.get_database(database)
        site = (await db.execute(SITE_YEAR)).first()[0]
        earlier = [e for e in await edition_counts(db, q) if e["edition"] != site]
        return {"speaker_matches": await best(db, SPEAKERS, q), "hotel_matches": await best(db, HOTELS, q),
                "earlier_editions": earlier}

    return matches
