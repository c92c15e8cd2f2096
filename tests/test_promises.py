"""What the README promises of pages, exports and the cache, each with a test that fails if broken."""
import re

import pytest

from plugins.response_cache import Entry, ResponseCache, request_key, storable


def facts_section(html, heading):
    """The text of the section a record page heads with `heading`."""
    start = html.index(f">{heading}")
    return html[start:html.index("</section>", start)]


async def test_a_session_page_says_what_is_on_at_the_same_time(datasette):
    html = (await datasette.client.get("/pycon/sessions/105")).text
    same_time = facts_section(html, "At the same time")
    ids = set(re.findall(r'data-session="(\d+)"', same_time))
    assert ids == {"15", "167", "102", "41"}  # Friday 11:00-11:30 in the other rooms, not 105 itself


async def test_a_session_page_shows_its_parent_children_notes_and_source(datasette, db):
    poster = (await datasette.client.get("/pycon/sessions/1101")).text
    assert 'Part of <a href="/pycon/sessions/1015">Posters</a>' in poster
    posters = (await datasette.client.get("/pycon/sessions/1015")).text
    children = {r[0] for r in db.execute("select id from sessions where parent_id = 1015")}
    listed = set(map(int, re.findall(r'data-session="(\d+)"', facts_section(posters, "In this session"))))
    assert listed == children and len(children) > 10
    tutorial = " ".join((await datasette.client.get("/pycon/sessions/13")).text.split())
    note = db.execute("select notes from sessions where id = 13").fetchone()[0]
    assert f"<h2 id=\"notes-heading\">Notes</h2><p>{note.split(' (')[0]}" in tutorial.replace("&#39;", "'")
    source = db.execute("select s.title from sources s join sessions x on x.source_id = s.id where x.id = 13").fetchone()[0]
    assert re.search(r'<p class="record-source">Source: <a href="[^"]+">' + re.escape(source) + "</a>", tutorial)


async def test_a_room_page_lists_its_sessions_by_day(datasette, db):
    html = (await datasette.client.get("/pycon/rooms/101a")).text
    days = re.findall(r'<h2[^>]*>(?:<a [^>]*>)?(\w+day \d+ May)', html)
    expected = [r[0] for r in db.execute(
        "select distinct day from sessions s join session_rooms sr on sr.session_id = s.id where sr.room_id = '101a' "
        "order by day")]
    assert len(days) == len(expected) >= 2 and days[0].endswith(f"{int(expected[0][-2:])} May")


@pytest.mark.parametrize("query", ["program", "program_day", "program_track", "program_room", "program_speaker",
                                   "agenda", "now_next", "search", "hotels_nearby"])
async def test_page_titles_are_never_the_sql(datasette, query):
    html = (await datasette.client.get(f"/pycon/{query}")).text
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.strip() and not re.search(r"\bselect\b|\bfrom\b|calendar_events", title, re.I), title


@pytest.mark.parametrize("path, table", [("/pycon/sessions.csv?_size=max", "sessions"),
                                         ("/pycon/speakers.csv?_size=max", "speakers"),
                                         ("/pycon/calendar_events.csv?_size=max", "calendar_events")])
async def test_csv_keeps_every_column_and_row(datasette, db, path, table):
    lines = (await datasette.client.get(path)).text.splitlines()
    assert lines[0].split(",") == [r[1] for r in db.execute(f"pragma table_info([{table}])")]
    assert db.execute(f"select count(*) from [{table}]").fetchone()[0] <= len(lines) - 1


async def test_like_and_glob_patterns_are_short(datasette):
    ok = await datasette.client.get("/pycon.json", params={"sql": f"select 'a' like '{'%' * 100}'", "_shape": "array"})
    assert ok.status_code == 200
    for op in ("like", "glob"):
        long = await datasette.client.get("/pycon.json", params={"sql": f"select 'a' {op} '{'%' * 101}'"})
        assert long.status_code == 400 and "pattern too complex" in long.text, op


HTML = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"public, max-age=60, s-maxage=300")]


@pytest.mark.parametrize("extra, kept", [
    ([], True),
    ([(b"set-cookie", b"ds_actor=x")], False),
    ([(b"vary", b"Accept-Language")], False),
    ([(b"vary", b"Accept-Encoding")], True),
])
def test_what_the_cache_may_store(extra, kept):
    assert storable(200, HTML + extra, b"<p>page</p>") is kept


@pytest.mark.parametrize("control", [b"private, max-age=60", b"no-store", b"public, max-age=0", b""])
def test_answers_for_one_person_or_none_are_not_stored(control):
    assert not storable(200, [(b"cache-control", control)], b"x")


def test_the_key_holds_host_and_database_hash():
    scope = {"scheme": "https", "raw_path": b"/pycon/sessions", "query_string": b"_size=5",
             "headers": [(b"host", b"pycon.example.org")]}
    key = request_key(scope, "abc123")
    assert "abc123" in key and "pycon.example.org" in key and "_size=5" in key
    assert key != request_key({**scope, "headers": [(b"host", b"other.example.org")]}, "abc123")
    assert key != request_key(scope, "def456")  # a new database is a new key


def test_the_least_recently_used_entry_goes_first():
    cache = ResponseCache(max_entries=2)
    for key in ("a", "b"):
        cache.put(key, Entry(key, [], b"body", 60))
    cache.get("a")  # a is now the most recent
    cache.put("c", Entry("c", [], b"body", 60))
    assert set(cache.entries) == {"a", "c"}


async def test_a_304_runs_no_sql(datasette, monkeypatch):
    first = await datasette.client.get("/pycon/program_day?day=2026-05-15")
    db = datasette.get_database("pycon")
    calls = []
    original = db.execute

    async def counted(*args, **kwargs):
        calls.append(args[0])
        return await original(*args, **kwargs)

    monkeypatch.setattr(db, "execute", counted)
    again = await datasette.client.get("/pycon/program_day?day=2026-05-15", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and calls == []
    datasette._response_cache.clear()
    fresh = await datasette.client.get("/pycon/program_day?day=2026-05-15")
    assert fresh.status_code == 200 and calls  # the counter does see queries
