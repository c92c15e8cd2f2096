"""One-click subscription on every page whose rows are calendar events: our templates render the links
on the server (`calendar_links`, templates/_calendar_links.html), so they work without JavaScript;
on Datasette's own table and query pages static/calendar-links.js adds them."""
import json
from urllib.parse import quote, urlencode

from datasette import hookimpl

from scripts.core.names import is_program_database

REQUIRED = {"event_name", "event_dtstart"}


def calendar_urls(request, table=False):
    """Download, webcal:// and Google Calendar URLs for the feed of the current page and parameters: of a
    table, every row its filters select (a table's page holds 100; its feed gave a subscriber only those)."""
    params = [(k, v) for k in request.args.keys() if not k.startswith("_") for v in request.args.getlist(k)]
    params += [("_size", "max")] if table else []
    path = request.path.rstrip("/")
    feed_path = path + ".ics" + ("?" + urlencode(params) if params else "")
    webcal = f"webcal://{request.host}{feed_path}"
    google = "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")
    return {"download": feed_path, "webcal": webcal, "google": google}


def wanted(columns, view_name, request):
    """A page of calendar events (not one of its exports)."""
    return (view_name in ("database", "table") and columns and REQUIRED <= set(columns) and request is not None
            and not request.path.endswith((".json", ".csv", ".ics")))


def drawn_by_script(columns, view_name, request, template):
    """Datasette's own pages of calendar events, where static/calendar-links.js adds the links. A canned
    query with a template of ours (query-pycon-agenda.html) draws them itself, and only when it has rows:
    an empty agenda offered no subscription on the page but still carried one in its script data."""
    return wanted(columns, view_name, request) and not str(template or "").startswith("query-")


def links_of(request, database, table=None):
    urls = calendar_urls(request, table=table is not None)
    links = [
        {"label": "Subscribe", "href": urls["webcal"], "cls": "calendar-subscribe"},
        {"label": "Add to Google Calendar", "href": urls["google"], "cls": "calendar-google"},
        {"label": "Download .ics", "href": urls["download"], "cls": "calendar-download"},
    ]
    # The schedule exports (plugins/schedule_export.py) cover an edition's whole program.
    exports = [[name, f"/{database}/{name}"] for name in ("schedule.xml", "schedule.json")] \
        if is_program_database(database) else []
    return {"links": links, "exports": exports}


@hookimpl
def extra_template_vars(columns, view_name, request, database, table):
    return {"calendar_links": links_of(request, database, table) if wanted(columns, view_name, request) else None}


@hookimpl
def extra_js_urls(columns, view_name, request, datasette, template):
    if not drawn_by_script(columns, view_name, request, template):
        return []
    # static_url is plugins/static_assets.py's: the file's URL with its version.
    return [{"url": datasette.jinja_env.globals["static_url"]("calendar-links.js")}]


@hookimpl
def extra_body_script(columns, view_name, request, database, table, template):
    """The configuration static/calendar-links.js reads: this page's feed URLs."""
    if not drawn_by_script(columns, view_name, request, template):
        return ""
    config = json.dumps(links_of(request, database, table)).replace("<", "\\u003c")
    return f"window.PYCON_CALENDAR_LINKS = {config};"
