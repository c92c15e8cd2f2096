"""An attendee's page that a limit stopped says so in words, not with a 500 or Datasette's "SQL
Interrupted" and the query's SQL: a search of too many words (the time limit), or a page whose rows
outgrow what one answer may weigh (a day of a program a hundred times ours). Data people's SQL pages
(`?sql=`) and every JSON, CSV or calendar answer keep Datasette's own error, which shows the SQL to fix."""
from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError

from scripts.core.limits import MAX_RESULT, ResultTooLarge
from scripts.core.names import PROGRAM_DATABASE


def attendee_page(request):
    """/<program database>/<canned query>, as a page (no extension, no SQL of the visitor's own)."""
    parts = request.path.strip("/").split("/")
    return (len(parts) == 2 and PROGRAM_DATABASE.fullmatch(parts[0]) is not None and "." not in parts[1]
            and "sql" not in request.args)


def any_page(request):
    """A page people read (no extension in its last segment), with no SQL of the visitor's own."""
    return "." not in request.path.rstrip("/").rsplit("/", 1)[-1] and "sql" not in request.args


def interrupted(exception, request):
    return isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted" and attendee_page(request)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    if request is None:
        return None
    if interrupted(exception, request):
        reason = "interrupted"
    elif isinstance(exception, ResultTooLarge) and any_page(request):
        reason = "too_large"
    else:
        return None

    async def page():
        parts = request.path.strip("/").split("/")
        database = parts[0] if parts[0] in datasette.databases else None
        context = {"reason": reason, "database": database, "query": parts[-1], "q": request.args.get("q", ""),
                   "megabytes": MAX_RESULT // 1_000_000, "path": request.path}
        return Response.html(await datasette.render_template("interrupted.html", context, request=request), status=400)

    return page
