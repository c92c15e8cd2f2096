"""Same bytes from every replica: Datasette's JSON without its timing.

Datasette adds `query_ms` (how long the SQL took) to its JSON, and to each page's footer, so
two replicas of one database answered the same URL with different bytes, and so different
ETags: a client revalidating at another replica downloaded everything again. This is
Datasette's own JSON renderer with that one key left out (`templates/_footer.html` leaves out
the footer's timing). A renderer for `json` replaces the built-in one.
"""
from datasette import hookimpl
from datasette.renderer import json_renderer


def render_json(args, data, view_name):
    data.pop("query_ms", None)
    return json_renderer(args, data, view_name)


@hookimpl
def register_output_renderer():
    return {"extension": "json", "render": render_json, "can_render": lambda: True}
