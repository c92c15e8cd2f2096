"""#36, offline: the site installs as an app (a web app manifest) and its service worker keeps the day grids,
session pages and My schedule once visited, so they open with no network, on any host name; a page never
visited says it is offline. A real Chromium on a real server of the 2026 site, during the conference."""
import json
import struct

import pytest

from deploy.harness import running_server

from .conftest import SHOTS
from .test_browser import PHONE, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(real_db):
    with running_server(real_db, env={"PYCON_NOW": "2026-05-15T10:00"}) as url:
        yield url


def controlled(page):
    """Wait until the page's service worker is active and controls it."""
    page.evaluate("() => navigator.serviceWorker.ready")
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("() => !!navigator.serviceWorker.controller")


def visit_then_offline(chromium, base, host):
    """A fresh browser on `host`: visit the pages, go offline, and return the context and page."""
    origin = base.replace("127.0.0.1", host)
    context = chromium.new_context(base_url=origin, viewport=PHONE)
    context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(origin) else route.continue_())
    page = context.new_page()
    page.goto("/")
    controlled(page)
    page.evaluate("() => window.mySchedule.save(['105', '1005'])")
    for path in ("/schedule/2026-05-15", "/pycon/sessions/105", "/pycon/search?q=typing", "/schedule/mine"):
        page.goto(path)
    page.locator("#mine-results .program-list > li").first.wait_for()
    context.set_offline(True)
    return context, page


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])  # two host names: nothing names one
def test_pages_once_visited_open_offline_and_others_say_so(chromium, base, host):
    context, page = visit_then_offline(chromium, base, host)
    try:
        page.goto("/schedule/2026-05-15")
        assert page.locator('article.block[data-session="1005"]').count() == 1
        assert page.evaluate("() => getComputedStyle(document.querySelector('header')).backgroundColor") != \
            "rgba(0, 0, 0, 0)"  # its stylesheet was kept too
        page.goto("/pycon/sessions/105")
        assert page.locator("h1").inner_text() == "AI-Assisted Contributions and Maintainer Load"
        page.goto("/schedule/mine")
        page.locator("#mine-results .program-list > li").first.wait_for()
        assert sorted(page.locator("#mine-results .program-list > li").evaluate_all(
            "els => els.map(e => e.dataset.session)")) == ["1005", "105"]
        page.goto("/pycon/speakers/trey-hunner")  # never visited
        assert page.locator("h1").inner_text() == "You are offline"
        kept = page.evaluate("async () => (await Promise.all((await caches.keys()).map(async n => "
                             "(await (await caches.open(n)).keys()).map(r => new URL(r.url).pathname)))).flat()")
        assert "/pycon/search" not in kept and "/schedule/2026-05-15" in kept  # only the program's pages are kept
        page.screenshot(path=str(SHOTS / f"offline_{host}_phone.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        context.set_offline(False)
        context.close()


def test_online_the_program_comes_from_the_network_not_the_copy(chromium, base):
    """Network first: offline the kept copy answers; online a fresh answer does, and replaces the copy. A
    response's Date header tells them apart."""
    import time

    context, page = visit_then_offline(chromium, base, "127.0.0.1")
    date_of = "async path => (await fetch(path)).headers.get('date')"
    try:
        kept = page.evaluate("async () => (await caches.match('/pycon/sessions/105')).headers.get('date')")
        assert page.evaluate(date_of, "/pycon/sessions/105") == kept  # offline: the copy
        time.sleep(1.1)  # Date has a resolution of a second
        context.set_offline(False)
        fresh = page.evaluate(date_of, "/pycon/sessions/105")
        assert fresh != kept  # online: the network's answer
        page.wait_for_function("async d => (await caches.match('/pycon/sessions/105')).headers.get('date') === d", arg=fresh)
    finally:
        context.close()


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_site_installs_as_an_app(chromium, base):
    context = chromium.new_context(base_url=base)
    try:
        page = context.new_page()
        page.goto("/")
        href = page.locator('link[rel="manifest"]').get_attribute("href")
        manifest = json.loads(page.request.get(href).text())
        assert manifest["name"] == "PyCon US 2026" and manifest["display"] == "standalone"
        assert manifest["start_url"] == "/" and manifest["scope"] == "/"
        sizes = {}
        for icon in manifest["icons"]:
            sizes[icon["sizes"]] = png_size(page.request.get(icon["src"]).body())
        assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}
        worker = page.request.get("/sw.js")
        assert worker.headers["content-type"].startswith("application/javascript")
        assert worker.headers["cache-control"] == "no-cache"  # a shared cache keeps no old worker
    finally:
        context.close()
