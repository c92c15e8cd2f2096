"""An attendee's page that the SQL time limit stopped says so in words (a search of too many words),
not with Datasette's "SQL Interrupted" and the query's SQL. Data people's SQL pages (`?sql=`) and every
JSON, CSV or calendar answer keep Datasette's own error, which shows the SQL to fix."""
from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError

from scripts.core.names import PROGRAM_DATABASE


def attendee_page(request):
    """/<program database>/<canned query>, as a page (no extension, no SQL of the visitor's own)."""
    parts = request.path.strip("/").split("/")
    return (len(parts) == 2 and PROGRAM_DATABASE.fullmatch(parts[0]) is not None and "." not in parts[1]
            and "sql" not in request.args)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    if not (isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted"
            and request is not None and attendee_page(request)):
        return None

    async def page():
        database, query = request.path.strip("/").split("/")
        context = {"database": database, "query": query, "q": request.args.get("q", "")}
        return Response.html(await datasette.render_template("interrupted.html", context, request=request), status=400)

    return page
