"""The hotels page (the hotels_nearby query as people read it): walking-time choices, and the hotels a
source names whose location nobody has sourced, which the map and list cannot place."""
from datasette import hookimpl

WALKS = (5, 10, 15, 20, 30)  # minutes: the page's "within" links
UNLOCATED = "select id, name, summary from hotels where latitude is null or longitude is null order by name"


def chosen_walk(request):
    """The walk asked for, in minutes, or None for every located hotel (as the query reads `within`)."""
    value = (request.args.get("within") or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template != "query-pycon-hotels_nearby.html" or request is None:
        return {}

    async def hotel_vars():
        db = datasette.get_database(database)
        return {"walks": WALKS, "within": chosen_walk(request),
                "unlocated": [dict(r) for r in (await db.execute(UNLOCATED)).rows]}

    return hotel_vars
