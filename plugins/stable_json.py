"""Datasette's JSON, the same bytes from every replica, rendered off the event loop when large.

- Datasette adds `query_ms` (how long the SQL took) to its JSON, and to each page's footer, so
  two replicas of one database answered the same URL with different bytes, and so different
  ETags: a client revalidating at another replica downloaded everything again. This is
  Datasette's own JSON renderer with that one key left out (`templates/_footer.html` leaves
  out the footer's timing). A renderer for `json` replaces the built-in one.
- A large result (up to the 16 MB budget of plugins/sql_limits.py) is encoded in a thread, so
  the event loop goes on answering other requests meanwhile.
- Datasette's renderer looks at every value of every row for a float infinity (a third of a large
  result's rendering, in Python). Here the rows are encoded as they are, and only an answer whose
  bytes hold `Infinity` (a float's, or the word in a text) is rendered again Datasette's way: the
  same bytes, for the cost of one search of them.
- `?_json=column` on a value nested deeper than Python's parser goes is a 400 with a message,
  not a 500.
"""
import asyncio
import json

from datasette import hookimpl
from datasette.renderer import json_renderer
from datasette.utils import MultiParams, value_as_boolean

# Past this many rows a result is encoded in a thread without looking at it: scanning 200 rows' values to
# decide cost 3 ms of a 17 ms cache miss on the event loop, more than the thread's hand-over.
IN_THREAD_ROWS = 50


def encode(args, data, view_name):
    try:
        return without_infinity_scan(args, data, view_name)
    except RecursionError:
        # The dict form: Datasette keeps its status_code (it overrides a returned Response's status).
        return {"body": json.dumps({"ok": False, "error": "a _json column is nested too deeply to parse", "status": 400}),
                "status_code": 400, "content_type": "application/json; charset=utf-8"}


def without_infinity_scan(args, data, view_name):
    """Datasette's JSON, its rows encoded without looking for infinities first when none is there to find."""
    if value_as_boolean(args.get("_json_infinity", "0")) or "rows" not in data:
        return json_renderer(args, data, view_name)
    kept = MultiParams({**{key: args.getlist(key) for key in args.keys()}, "_json_infinity": ["1"]})
    response = json_renderer(kept, dict(data), view_name)  # it sets keys of data, and a second try needs them
    if "Infinity" in response.body:  # Datasette's JSON is text
        return json_renderer(args, data, view_name)
    return response


async def render_json(args, data, view_name):
    data.pop("query_ms", None)
    if len(data.get("rows") or ()) > IN_THREAD_ROWS or large(data):  # large() reads at most IN_THREAD_ROWS rows
        return await asyncio.to_thread(encode, args, data, view_name)
    return encode(args, data, view_name)


def large(data):
    """Whether the rows hold long values (more than about 256 KB of text)."""
    total = 0
    for row in data.get("rows") or ():
        for value in (row.values() if isinstance(row, dict) else row):
            total += len(value) if isinstance(value, (str, bytes)) else 8
            if total > 256_000:
                return True
    return False


@hookimpl
def register_output_renderer():
    return {"extension": "json", "render": render_json, "can_render": lambda: True}
