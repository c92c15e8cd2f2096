"""A search longer than a search reads is refused with a 400 that says so, before any page is drawn.

A search reads at most MAX_QUERY characters (scripts/core/words.py); a table page reflects its `_search`
into every row's links and its filters, so 15 KB of search made a 1.4 MB page (hardening 4)."""
from urllib.parse import parse_qsl

from datasette import hookimpl

from scripts.core.words import MAX_QUERY

SEARCHES = ("q", "_search")  # the program's search, and Datasette's table search (and `_search_<column>`)


def too_long(query_string: bytes):
    """The search parameter that is longer than a search reads, if any. A query string no longer than that
    holds none (decoding only shortens), so most requests are not parsed here at all."""
    if len(query_string) <= MAX_QUERY:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if (name in SEARCHES or name.startswith("_search_")) and len(value) > MAX_QUERY:
            return name
    return None


def refuse_long_searches(app):
    async def wrapped(scope, receive, send):
        name = too_long(scope.get("query_string", b"")) if scope["type"] == "http" else None
        if name is None:
            return await app(scope, receive, send)
        body = f"{name} is longer than a search reads ({MAX_QUERY} characters): search for fewer words.\n".encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return wrapped


@hookimpl
def asgi_wrapper():
    return refuse_long_searches
