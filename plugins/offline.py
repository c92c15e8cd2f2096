"""The site as an app that opens offline (#36): `/manifest.webmanifest` (its name from the edition the site
leads with, icons of 192 and 512 px, standalone), `/sw.js` (static/sw.js served from the root, so its scope
is the whole site, and never cached long: a new version reaches every browser) and `/offline`, what a page
not kept says with no network. Nothing here names a host: it works on any domain."""
import json
from functools import lru_cache
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from scripts.core import vocabulary

WORKER = Path(__file__).parent.parent / "static" / "sw.js"


async def manifest(datasette, request):
    edition = vocabulary.leading(datasette) or {}
    name = edition.get("name") or "PyCon US"
    static_url = datasette.jinja_env.globals["static_url"]  # plugins/static_assets.py's: versioned
    icon = lambda size: {"src": static_url(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",  # noqa: E731
                         "type": "image/png", "purpose": "any"}
    body = {"name": name, "short_name": name.replace("PyCon US", "PyCon").strip(), "start_url": datasette.urls.path("/"),
            "scope": datasette.urls.path("/"), "display": "standalone", "background_color": "#f9fafb",
            "theme_color": "#276890", "description": f"{name}: the program, My schedule and recordings, offline too.",
            "icons": [icon(192), icon(512)]}
    return Response(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json",
                    headers={"Cache-Control": "public, max-age=3600"})


@lru_cache(maxsize=1)
def worker_script():
    return WORKER.read_text(encoding="utf-8")  # read once: static files change with a deploy, as static_assets' versions


async def worker(datasette, request):
    return Response(worker_script(), content_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": datasette.urls.path("/")})


async def offline(datasette, request):
    return Response.html(await datasette.render_template("offline.html", {}, request=request),
                         headers={"Cache-Control": "no-cache"})


@hookimpl
def register_routes():
    return [(r"^/manifest\.webmanifest$", manifest), (r"^/sw\.js$", worker), (r"^/offline$", offline)]
