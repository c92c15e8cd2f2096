"""Hostile data and hostile parameters: shown as text, escaped in every format, never a 500."""
import csv
import string
import urllib.parse
import xml.etree.ElementTree as ET

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import built_from, real_chromium, site_of

SCRIPT_TITLE = "<script>window.__pwned = 1</script>Scripted"
IMG_TITLE = '"><img src=x onerror="window.__pwned=2">Imaged'
ICS_TITLE = "Line one\r\nATTENDEE:mailto:evil@example.com\r\nSUMMARY:injected"
# Stored HTML reaches a page in one place, a session's description (imports bring HTML ones).
DESCRIPTION = ('<p>Kept <em>words</em> and <a href="https://example.org/slides">a link</a>.</p>'
               '<script>window.__pwned = 4</script><img src=x onerror="window.__pwned=5">'
               '<a href="javascript:window.__pwned=6">bad link</a><p onclick="window.__pwned=7">clicked</p>'
               '<iframe src="https://example.org"></iframe><style>body{display:none}</style>')
BIO = '<b>Bio</b><script>window.__pwned = 8</script><img src=x onerror="window.__pwned=9">'


def add_column(path, column, values):
    """Give a CSV source a column (an optional one, such as description or bio), with values by id."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [*rows[0], column], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, column: values.get(row["id"], "")} for row in rows)


def plant(data_dir):
    """Put hostile values where people and feeds will see them: session titles and a hotel name."""
    sessions = (data_dir / "sessions.csv").read_text(encoding="utf-8")
    for old, new in (("Build your first MCP server in Python", SCRIPT_TITLE),
                     ("All about decorators", IMG_TITLE),
                     ("Python Performance Lab: Sharpening Your Instincts", ICS_TITLE)):
        quoted = '"' + new.replace('"', '""') + '"'
        assert sessions.count(old) == 1
        sessions = sessions.replace(old, quoted)
    (data_dir / "sessions.csv").write_text(sessions, encoding="utf-8")
    hotels = (data_dir / "hotels.csv").read_text(encoding="utf-8")
    hotels = hotels.replace(",Hyatt Regency Long Beach,", ',"<img src=x onerror=""window.__pwned=3"">Hyatt",', 1)
    (data_dir / "hotels.csv").write_text(hotels, encoding="utf-8")
    add_column(data_dir / "sessions.csv", "description", {"2": DESCRIPTION})
    add_column(data_dir / "speakers.csv", "bio", {"pamela-fox": BIO})


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return built_from(tmp_path_factory.mktemp("hostile"), change=plant)


@pytest.fixture(scope="module")
def hostile(hostile_db):
    return site_of(hostile_db)  # the site as served: templates, plugins, static


@pytest.mark.parametrize("path", ["/pycon/sessions", "/pycon/sessions/2", "/pycon/program_day?day=2026-05-13",
                                  "/schedule/2026-05-13", "/pycon/speakers/pamela-fox", "/pycon/rooms/101a",
                                  "/pycon/search?q=imaged", "/pycon/agenda?ids=2,19",
                                  "/pycon/search?q=scripted", "/pycon/hotels", "/pycon/hotels_nearby"])
async def test_html_pages_escape_hostile_text(hostile, path):
    html = (await hostile.client.get(path)).text
    assert "<script>window.__pwned" not in html
    assert '<img src=x onerror="window.__pwned' not in html and "<img src=x onerror=" not in html


async def test_ics_escapes_crlf_and_properties(hostile):
    body = (await hostile.client.get("/pycon/program_day.ics?day=2026-05-13")).text
    assert "\r\nATTENDEE" not in body and "\r\nSUMMARY:injected" not in body
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    titles = {str(e["SUMMARY"]) for e in events}
    assert "Line one\nATTENDEE:mailto:evil@example.com\nSUMMARY:injected" in titles
    assert SCRIPT_TITLE in titles and IMG_TITLE in titles
    assert all("ATTENDEE" not in e for e in events)


async def test_exports_escape_hostile_text(hostile):
    root = ET.fromstring((await hostile.client.get("/pycon/schedule.xml")).content)
    titles = {e.findtext("title") for e in root.iter("event")}
    assert {SCRIPT_TITLE, IMG_TITLE, ICS_TITLE.replace("\r\n", "\n")} <= titles | {ICS_TITLE}
    data = (await hostile.client.get("/pycon/schedule.json")).json()
    json_titles = {e["title"] for d in data["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r}
    assert SCRIPT_TITLE in json_titles and IMG_TITLE in json_titles


async def test_json_keeps_hostile_text_as_data(hostile):
    rows = (await hostile.client.get("/pycon/program_day.json?day=2026-05-13&_shape=array")).json()
    assert SCRIPT_TITLE in {r["title"] for r in rows}


async def test_a_description_keeps_its_text_and_loses_what_could_run(hostile):
    html = (await hostile.client.get("/pycon/sessions/2")).text
    about = html[html.index('<div class="record-description">'):]
    about = about[:about.index("</div>")]
    assert about == ('<div class="record-description"><p>Kept <em>words</em> and '
                     '<a href="https://example.org/slides" rel="noopener noreferrer">a link</a>.</p>'
                     '<a rel="noopener noreferrer">bad link</a><p>clicked</p>')


async def test_a_bio_is_data_never_markup(hostile):
    speaker = (await hostile.client.get("/pycon/speakers/pamela-fox.json?_shape=objects")).json()["rows"][0]
    assert speaker["bio"] == BIO  # the source's text, as it is, for data people
    for path in ("/pycon/speakers/pamela-fox", "/pycon/speakers?_search=Pamela"):
        html = (await hostile.client.get(path)).text
        assert "<script>window.__pwned = 8" not in html and 'onerror="window.__pwned=9"' not in html, path


@pytest.mark.browser
def test_no_script_runs_in_a_real_browser(hostile_db):
    from deploy.harness import running_server

    with running_server(hostile_db) as base, real_chromium() as chromium:
        page = chromium.new_page()
        page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(base) else route.continue_())
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("/pycon/sessions?day=2026-05-13", "/pycon/sessions/2", "/pycon/sessions/19",
                     "/pycon/program_day?day=2026-05-13", "/pycon/hotels_nearby"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("() => window.__pwned") is None, path
            assert page.locator("img[src=x]").count() == 0, path
        # The map popup of the hostile hotel shows its name as text (the table filtered to that hotel).
        page.goto(base + "/pycon/hotels?id=hyatt-regency-long-beach")
        marker = page.locator(".leaflet-marker-icon")
        marker.first.wait_for(timeout=15000)
        marker.first.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        assert '<img src=x onerror="window.__pwned=3">Hyatt' in popup.inner_text()
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator(".leaflet-popup-content img").count() == 0
        assert dialogs == []
        page.close()


# --- Hostile parameters -----------------------------------------------------------------

QUERIES = {
    "program_day": "day", "program_track": "track", "program_room": "room", "program_speaker": "speaker",
    "agenda": "ids", "now_next": "at", "search": "q",
}
nasty = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=2000),
    st.sampled_from(["'", '"', '" OR 1=1 --', "'; drop table sessions; --", "NEAR(a b", "a AND", "*", "^x",
                     "col:val", "\x00", "\u202e\u0000\ud7ff", "1,,x", "9" * 400, "-1", "2026-02-30T25:61",
                     "2026-05-15T11:10+99:00", "%", "_", "\\", "NULL", "../../etc/passwd", "<script>"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.sampled_from(sorted(QUERIES)), value=nasty, fmt=st.sampled_from(["json", "ics", ""]))
async def test_fuzzed_parameters_never_an_error_page(datasette, query, value, fmt):
    path = f"/pycon/{query}{'.' + fmt if fmt else ''}?{urllib.parse.urlencode({QUERIES[query]: value})}"
    response = await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    if fmt == "json":
        assert isinstance(response.json()["rows"], list)
