"""Put the venue entrance on the hotel maps, as a marker of its own beside the hotel clusters."""
import json

from datasette import hookimpl

from scripts.core.names import is_program_database

MAP_PAGES = {"hotels", "hotels_nearby"}  # the hotels table and the canned query (a "database" view)


def map_page(database, table, view_name, request):
    name = table or (request.url_vars.get("table") if request and request.url_vars else None)
    return is_program_database(database) and view_name in ("table", "database") and name in MAP_PAGES


@hookimpl
def extra_js_urls(datasette, database, table, view_name, request):
    if not map_page(database, table, view_name, request):
        return []
    # static_url is plugins/static_assets.py's: the file's URL with its version.
    return [{"url": datasette.jinja_env.globals["static_url"]("venue-marker.js")}]


@hookimpl
def extra_body_script(datasette, database, table, view_name, request):
    """The venue, for static/venue-marker.js."""
    if not map_page(database, table, view_name, request):
        return ""

    async def inner():
        db = datasette.get_database(database)
        row = (await db.execute(
            "select venue_name as name, venue_entrance as entrance, venue_address as address, latitude, longitude "
            "from conference")).first()
        if row is None:
            return ""
        # json.dumps does not escape "<": keep "</script>" in the data from closing the tag.
        data = json.dumps(dict(row)).replace("<", "\\u003c")
        return f"window.PYCON_VENUE = {data};"

    return inner
