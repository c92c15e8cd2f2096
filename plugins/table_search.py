"""A table search (`?_search=`) on a table with no full-text index is a 400 that says so. Datasette ignores
the parameter there and answers every row, so a visitor read "207 rows" as the search's answer (#40)."""
from datasette import hookimpl
from datasette.utils.asgi import BadRequest


def searches(request):
    return any(name == "_search" or name.startswith("_search_") for name in request.args)


@hookimpl
def filters_from_request(request, database, table, datasette):
    if not searches(request):
        return None

    async def check():
        db = datasette.get_database(database)
        if (datasette.table_metadata(database, table) or {}).get("fts_table") or await db.fts_table(table):
            return None
        raise BadRequest(f"{table} has no search index: filter it by a column instead (?column=value), "
                         "or search the program with /search?q=")

    return check()
