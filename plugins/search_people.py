"""Speakers and hotels that match a search, for the search page beside the sessions it lists."""
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


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template != "query-pycon-search.html" or request is None:
        return {}

    async def matches():
        q = request.args.get("q") or ""
        db = datasette.get_database(database)
        return {"speaker_matches": await best(db, SPEAKERS, q), "hotel_matches": await best(db, HOTELS, q)}

    return matches
