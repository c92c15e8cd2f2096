"""What three pages need beyond their rows, from the same SQL functions as their queries: the ids an
agenda was asked for; the moment now_next shows and the conference's span; whether the conference is
over, for the home page (a shared cache may show that change up to its s-maxage late, once)."""
from datasette import hookimpl

from scripts.core import vocabulary
from scripts.core.clock import conference_clock
from scripts.core.names import SITE, site_template

AGENDA, NOW_NEXT = f"query-{SITE}-agenda.html", f"query-{SITE}-now_next.html"


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if request is None:
        return {}
    if template == "index.html" and SITE in datasette.databases:
        async def after_the_conference():
            clock = await conference_clock(datasette.get_database(vocabulary.leading_database(datasette)))
            return {"conference_over": clock["over"], "clock": clock}

        return after_the_conference
    db = datasette.get_database(database) if database else None

    async def agenda():
        result = await db.execute("select pycon_ids(:ids)", {"ids": request.args.get("ids", "")})
        return {"asked_ids": [i for i in (result.first()[0] or "").split(",") if i]}

    async def now_next():
        return {"clock": await conference_clock(db, request.args.get("at", ""))}

    return {AGENDA: agenda, NOW_NEXT: now_next}.get(site_template(template or ""), {})
