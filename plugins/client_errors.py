"""A request's own mistake is a 4xx with its message, never a 500.

Datasette reports a few bad table parameters (`?_sort=` a column that cannot be sorted, both
`_sort` and `_sort_desc`, a `_through` with no foreign key) as errors of its own, with
status 500; they are the client's, and get 400 with the same message and page.
"""
from datasette import hookimpl
from datasette.views.base import DatasetteError

CLIENT_MISTAKES = ("Cannot sort table by", "Cannot use _sort and _sort_desc", "Invalid _through")


@hookimpl(tryfirst=True)
def handle_exception(exception):
    if isinstance(exception, DatasetteError) and exception.status == 500 \
            and str(exception.args[0] if exception.args else "").startswith(CLIENT_MISTAKES):
        exception.status = 400
    return None  # Datasette's own handler renders the page, with the status now right
