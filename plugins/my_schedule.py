"""`/schedule/mine`: the sessions starred in this browser, or shared by a link (`?ids=105,66`).

After the conference it is a list to watch: each session with its recording, and in this
browser a "watched" mark (mine.js, kept in localStorage beside the stars). With `ids` the page is rendered here, from the same session partial as the grids and lists:
the sessions by day, their clashes and floor changes, one calendar feed of exactly them and a
link to share them. It works without JavaScript. Without `ids` the page is a shell that
/static/mine.js fills by asking this page for the browser's stars (`?ids=...&own=1`): stars live
in the browser, never on the server, so every page stays cacheable.
"""
import io
from datetime import date
from urllib.parse import quote

import segno
from datasette import hookimpl
from datasette.utils.asgi import Response

from scripts.core import vocabulary
from scripts.core.clock import conference_clock
from scripts.core.times import overlaps

# The agenda canned query's rows (metadata.yml), so the page and its feed hold the same sessions.
AGENDA = """select * from calendar_events where pycon_ids(:ids) like '%,' || id || ',%'
order by start_iso is null, start_iso, day, id"""


def overlap(a, b):
    """Two sessions of the same day whose times are known and cross."""
    return (a["day"] == b["day"] and all((a["start_local"], a["end_local"], b["start_local"], b["end_local"]))
            and overlaps(a["start_local"], a["end_local"], b["start_local"], b["end_local"]))


def notes(rows):
    """The clashes between the sessions, and the floor changes between one and the next (the page words them)."""
    out = []
    for i, a in enumerate(rows):
        out += [("clash", a, b) for b in rows[i + 1:] if overlap(a, b)]
        following = rows[i + 1] if i + 1 < len(rows) else None
        if (following and following["day"] == a["day"] and not overlap(a, following) and a["floor"]
                and following["floor"] and a["floor"] != following["floor"]):
            out.append(("floors", a, following))
    return out


def edition_of(datasette, request):
    """The edition whose schedule this is: `?edition=<year>` (an earlier edition's, whose stars this browser
    keeps under its own id), else the one the site leads with."""
    asked = request.args.get("edition", "")
    editions = vocabulary.VOCABULARIES.get(datasette, {}).values()
    return next((e for e in editions if str(e["year"]) == asked), None) or vocabulary.leading(datasette)


def edition_query(edition):
    """What the page's addresses carry to name an edition the site does not lead with ('' for the one it does)."""
    return "" if edition["is_site"] else f"edition={edition['year']}&"


def share_query(edition, ids):
    """What a share link carries: always its edition (a link of this year's stars opens this year's sessions
    when the site leads with the next), and the ids."""
    return f"edition={edition['year']}&ids={','.join(ids)}"


def feed_links(datasette, request, ids, edition):
    """Subscribe, Google Calendar and download URLs of the agenda feed of `ids`, the page's path to share
    (mine.js makes it whole from the address bar: behind a proxy, only the browser knows the scheme), and
    that link as a QR code (an SVG drawn here: no script)."""
    feed = datasette.urls.path(f"/{edition['database']}/agenda.ics?ids={','.join(ids)}")
    webcal = f"webcal://{request.host}{feed}"
    share = f"{datasette.urls.path('/schedule/mine')}?{share_query(edition, ids)}"
    return {"download": feed, "webcal": webcal, "share": share,
            "qr": f"{datasette.urls.path('/schedule/mine/qr.svg')}?{share_query(edition, ids)}",
            "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")}


CHANGES = """select c.imported, c.session_id, c.change, c.title, c.before, c.after from program_changes c
where pycon_ids(:ids) like '%,' || c.session_id || ',%' order by c.imported desc, c.session_id"""


async def changes_of(db, ids):
    """What imports changed of these sessions, newest first; mine.js shows those since this browser last looked."""
    if not ids or "program_changes" not in await db.table_names():
        return []
    return [dict(r) for r in (await db.execute(CHANGES, {"ids": ",".join(ids)})).rows]


def ids_of(rows):
    """The sessions' ids, in order: what a share link and a feed carry."""
    return sorted((str(r["id"]) for r in rows), key=int)


async def agenda_ids(db, asked):
    """The ids of `asked` that are sessions of the program, in order."""
    return ids_of((await db.execute(AGENDA, {"ids": asked})).rows)


async def share_qr(datasette, request):
    """The share link of `ids` as a QR code: a phone's camera opens the same list (segno draws it)."""
    edition = edition_of(datasette, request)
    ids = await agenda_ids(datasette.get_database(edition["database"]), request.args.get("ids", ""))
    if not ids:
        return Response.text("No session of the program is named by ids.", status=404)
    url = f"{request.scheme}://{request.host}{datasette.urls.path('/schedule/mine')}?{share_query(edition, ids)}"
    out = io.BytesIO()
    try:
        code = segno.make(url, error="m")
    except segno.DataOverflowError:
        return Response.text(f"{len(ids)} sessions make a link too long for one QR code; share the link itself.",
                             status=400)
    code.save(out, "svg", border=2, xmldecl=False, svgns=True, omitsize=True, title=f"QR code of {url}",
              dark="#111", light="#fff")
    return Response(out.getvalue(), content_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


async def schedule_mine(datasette, request):
    edition = edition_of(datasette, request)
    db = datasette.get_database(edition["database"])
    conf = dict((await db.execute("select name, start_date, end_date, updated from conference")).first())
    first, last = [date.fromisoformat(d) for d in (conf["start_date"], conf["end_date"])] if conf["start_date"] else (date.max, date.min)
    # After the conference the page is a list to watch (the conference_clock view says when).
    over = (await conference_clock(db))["over"]
    context = {"conference": conf, "own": request.args.get("own") == "1", "asked": "ids" in request.args, "over": over,
               vocabulary.VARIABLE: edition, "edition_query": edition_query(edition),
               "days": [date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)]}
    if context["asked"]:
        rows = [dict(r) for r in (await db.execute(AGENDA, {"ids": request.args.get("ids", "")})).rows]
        ids = ids_of(rows)
        if over:  # what is not yet published is named, as on the recordings page
            recorded = {r[0] for r in (await db.execute("select id from kinds where recorded")).rows}
            for r in rows:
                r["recording_state"] = "missing" if r["kind"] in recorded and not r["recording_url"] else None
        context.update(rows=rows, notes=notes(rows), changes=await changes_of(db, ids),
                       links=feed_links(datasette, request, ids, edition) if rows else None)
    return Response.html(await datasette.render_template("schedule_mine.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/schedule/mine$", schedule_mine), (r"^/schedule/mine/qr\.svg$", share_qr)]
