"""#36, what changed: each import of the official feed records what it changed (data/changes.csv), and the
site shows it on /<database>/changes, as an Atom feed, and in the calendars' SEQUENCE and DTSTAMP. Edition:
2026's data with the fixture feed imported over it, then a changed copy of that feed."""
import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from scripts.cli import cli
from scripts.database.build import build

from .conftest import site_of

FIXTURE = Path(__file__).parent / "fixtures" / "feed_small.json"
ATOM = "{http://www.w3.org/2005/Atom}"


def run_import(data_dir, feed):
    result = CliRunner().invoke(cli, ["import", str(feed), "--data", str(data_dir), "--allow-removals"])
    assert result.exit_code == 0, result.output
    return result.output


def changed_feed(tmp_path):
    """The fixture with one talk moved, the charla cancelled and the keynote retitled."""
    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_key = {s.get("conf_key"): s for s in feed["schedule"]}
    by_key[11].update(start="2026-05-15T14:00:00-07:00", end="2026-05-15T14:30:00-07:00")
    by_key[13]["cancelled"] = True
    by_key[14]["name"] = "Keynote example, retitled"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    return path


def rows(path):
    return list(csv.DictReader(path.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """data/ copied, the fixture imported (its first import: nothing recorded), then the changed feed twice."""
    import shutil

    from .conftest import DATA

    root = tmp_path_factory.mktemp("changes")
    data = root / "data"
    shutil.copytree(DATA, data)
    run_import(data, FIXTURE)
    first = rows(data / "changes.csv")
    run_import(data, changed_feed(root))
    logged = rows(data / "changes.csv")
    again = run_import(data, changed_feed(root))
    db = root / "pycon.db"
    build(data, db)
    return data, db, first, logged, again


def test_an_import_records_what_it_changed_and_a_second_changes_nothing(imported):
    data, _db, first, logged, again = imported
    assert first == []  # a first import of the feed changed nothing of it: the curated rows were not the feed's
    sessions = {r["feed_key"]: r for r in rows(data / "sessions.csv")}
    talk, charla, keynote = (sessions[k]["id"] for k in ("2026/presentation/105", "2026/presentation/9003",
                                                         "2026/presentation/9004"))
    got = {(r["session"], r["change"]): (r["before"], r["after"]) for r in logged}
    assert got == {(talk, "moved"): ("2026-05-15 11:00-11:30", "2026-05-15 14:00-14:30"),
                   (charla, "cancelled"): ("", "cancelled"),
                   (keynote, "retitled"): ("Keynote example", "Keynote example, retitled")}
    assert len({r["import"] for r in logged}) == 1 and all(r["source"] == "official-feed-2026" for r in logged)
    assert "files changed: none" in again  # the same feed again: no change, no row


async def test_the_changes_page_the_atom_feed_and_the_calendar_say_it(imported):
    data, db, _first, logged, _again = imported
    site = site_of(db)
    stamp = logged[0]["import"]
    moved = next(r for r in logged if r["change"] == "moved")
    page = (await site.client.get("/pycon/changes")).text
    assert f"Imported {stamp.replace('T', ' ').replace('Z', ' UTC')}: 3 changes" in page
    assert f'<a href="/pycon/sessions/{moved["session"]}">{moved["title"]}</a>: from 2026-05-15 11:00-11:30 to ' \
           "2026-05-15 14:00-14:30" in page
    assert 'type="application/atom+xml"' in page and "/pycon/changes.atom" in page
    response = await site.client.get("/pycon/changes.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}author/{ATOM}name").text
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text, name
    entries = feed.findall(f"{ATOM}entry")
    assert sorted(e.find(f"{ATOM}title").text for e in entries) == sorted(
        f"{r['change'].capitalize()}: {r['title']}" for r in logged)
    entry = next(e for e in entries if e.find(f"{ATOM}title").text.startswith("Moved"))
    assert entry.find(f"{ATOM}link").get("href") == f"http://localhost/pycon/sessions/{moved['session']}"
    assert entry.find(f"{ATOM}content").text == "From 2026-05-15 11:00-11:30 to 2026-05-15 14:00-14:30"
    assert entry.find(f"{ATOM}updated").text.startswith(stamp[:19])
    ics = (await site.client.get(f"/pycon/event.ics?id={moved['session']}")).text
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTAMP").strftime("%Y-%m-%dT%H:%M:%SZ") == stamp


async def test_an_edition_with_no_change_has_an_empty_page_and_a_valid_feed(datasette):
    page = (await datasette.client.get("/pycon2023/changes")).text
    assert "No change recorded" in page
    feed = ET.fromstring((await datasette.client.get("/pycon2023/changes.atom")).content)
    assert feed.findall(f"{ATOM}entry") == [] and feed.find(f"{ATOM}title").text.startswith("PyCon US 2023")


def test_my_schedule_says_which_starred_sessions_changed_since_it_was_last_opened(imported):
    """Stars live in the browser, and so does when it last looked: the changes of starred sessions imported
    after that are named, once; a session not starred is not."""
    from deploy.harness import running_server

    from .conftest import SHOTS, real_chromium
    from .test_browser import DESKTOP, PHONE, axe_violations, no_horizontal_scroll

    _data, db, _first, logged, _again = imported
    moved = next(r for r in logged if r["change"] == "moved")
    retitled = next(r for r in logged if r["change"] == "retitled")
    with real_chromium() as browser, running_server(db, env={"PYCON_NOW": "2026-05-14T09:00"}) as base:
        context = browser.new_context(base_url=base, viewport=PHONE)
        context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(base) else route.continue_())
        page = context.new_page()
        page.goto("/schedule/mine")
        page.evaluate(f"""() => {{ localStorage.clear(); window.mySchedule.save(['{moved["session"]}', '105']);
                                   localStorage.setItem('pycon-us-2026-changes-seen', '2026-01-01T00:00:00Z'); }}""")
        page.reload()
        note = page.locator(".mine-changed")
        note.wait_for()
        items = note.locator("li:visible").all_inner_texts()
        assert items == [f"“{moved['title']}”: moved, from 2026-05-15 11:00-11:30 to 2026-05-15 14:00-14:30"]
        assert note.locator(f"li[data-session='{retitled['session']}']").count() == 0  # not starred: not listed
        page.screenshot(path=str(SHOTS / "my_schedule_changed_phone.png"), full_page=True)
        assert axe_violations(page) == []
        page.reload()  # seen now: not said again
        page.locator("#mine-results .program-list > li").first.wait_for()
        assert page.locator(".mine-changed").is_hidden()
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            page.goto("/pycon/changes")
            assert page.locator(".change-list li").count() == 3
            assert page.locator(f".change-moved a[href='/pycon/sessions/{moved['session']}']").count() == 1
            page.screenshot(path=str(SHOTS / f"changes_{size}.png"), full_page=True)
            assert axe_violations(page) == [] and no_horizontal_scroll(page)
        context.close()
