"""In table pages, JSON arrays of words (a speaker's roles, a track's days) shown as a list, not as ["talk"]."""
import json

from datasette import hookimpl
from markupsafe import Markup, escape

from scripts.core import vocabulary

LIST_COLUMNS = {("speakers", "roles"), ("speakers", "tracks"), ("tracks", "days")}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if (table, column) not in LIST_COLUMNS or not isinstance(value, str) or vocabulary.of(datasette, database) is None:
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    return Markup(", ").join(escape(str(item)) for item in items) if items else Markup("")
