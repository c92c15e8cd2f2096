"""`.atom` for a query that gives atom_id, atom_updated and atom_title (the `changes` query): an Atom feed
written by feedgen, the library datasette-atom uses, with what that plugin lacks here: a feed with no entry
is a valid feed (an edition with no change yet), its entries link absolutely to the session's page in this
database, and it names who publishes it."""
from datasette import hookimpl
from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator

from scripts.core import vocabulary

REQUIRED = {"atom_id", "atom_updated", "atom_title"}


def absolute(request, database, link):
    """A row's `/sessions/105` as https://host/pycon/sessions/105 (the request's own scheme and host)."""
    return f"{request.scheme}://{request.host}/{database}{link}" if link and link.startswith("/") else link


def render_atom(datasette, request, rows, columns, database, query_name):
    conference = (vocabulary.of(datasette, database) or {}).get("name") or database
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.link(href=absolute(request, database, f"/{query_name}") if query_name else request.url, rel="alternate")
    feed.title(f"{conference}: {datasette.metadata(database=database)['queries'][query_name]['title']}"
               if query_name else conference)
    feed.author({"name": conference})
    feed.updated(max((r["atom_updated"] for r in rows), default="1970-01-01T00:00:00Z"))
    for row in reversed(rows):  # feedgen puts each entry added first
        entry = feed.add_entry()
        entry.id(str(row["atom_id"]))
        entry.title(str(row["atom_title"]))
        entry.updated(row["atom_updated"])
        if "atom_content" in columns and row["atom_content"]:
            entry.content(str(row["atom_content"]), type="text")
        if "atom_link" in columns and row["atom_link"]:
            entry.link(href=absolute(request, database, row["atom_link"]))
    return Response(feed.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "atom", "render": render_atom, "can_render": lambda columns: REQUIRED <= set(columns)}
