"""What docs/ promises of pages, exports, the cache and the server's limits, each with a test that fails if broken."""
import re

import pytest

from plugins.response_cache import Entry, ResponseCache, request_key, storable

from .conftest import ROOT


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


# The limits docs/ promises, each stated as the code sets it, and each shown to act.
SITE_DOC = (ROOT / "docs" / "site.md").read_text(encoding="utf-8")


def test_the_docs_state_the_limits_the_code_sets():
    from plugins.admission import ACTIVE, WAITING, MAX_WAIT
    from plugins.response_cache import MAX_BYTES
    from scripts.serve import KEEP_ALIVE_TIMEOUT, MIN_PROGRESS, REQUEST_HEAD_TIMEOUT, SEND_WINDOW

    text = " ".join(SITE_DOC.split())
    assert f"An idle connection is closed after {KEEP_ALIVE_TIMEOUT} s" in text
    assert f"whole request head within {REQUEST_HEAD_TIMEOUT} s" in text
    assert f"{MIN_PROGRESS // 1024} KB every {SEND_WINDOW} s" in text
    assert f"at most {ACTIVE} requests run the application at once and {WAITING} wait" in text and MAX_WAIT == 1
    assert f"the {MAX_BYTES // 2 ** 20} MB bound" in text


def test_an_idle_connection_is_closed_by_the_server(server):
    """After its answer a kept-alive connection that sends nothing more is closed by the server."""
    import socket

    from scripts.serve import KEEP_ALIVE_TIMEOUT

    base, _ = server
    host, port = base.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(f"GET /-/versions.json HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        conn.settimeout(KEEP_ALIVE_TIMEOUT + 30)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        while True:  # the body, then the server's close
            chunk = conn.recv(65536)
            if not chunk:
                break
    # recv returned b"": the server closed it (a timeout would have raised instead)


async def test_six_requests_run_twenty_four_wait_and_the_next_is_told_at_once():
    """The admission gate as the site makes it (Gate()): held requests fill it (one client holds at most
    PER_CLIENT turns; another takes the last); the 31st is a 503 with Retry-After at once, while the others
    are still at work or waiting (not after a queue)."""
    import asyncio

    from plugins.admission import ACTIVE, PER_CLIENT, WAITING, Gate, admitting

    release, running, answers, retry_after = asyncio.Event(), [], [], []

    async def held_app(scope, receive, send):
        running.append(scope)
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    async def request(app, client="10.0.0.1"):
        async def send(event):
            if event["type"] == "http.response.start":
                answers.append(event["status"])
                retry_after.append(dict(event["headers"]).get(b"retry-after"))
        await app({"type": "http", "client": (client, 1)}, None, send)

    async def until(condition):
        while not condition():
            await asyncio.sleep(0.01)

    app = admitting(held_app, {"gate": Gate(max_wait=60)})
    tasks = [asyncio.ensure_future(request(app)) for _ in range(PER_CLIENT + WAITING)]
    await asyncio.wait_for(until(lambda: len(running) == PER_CLIENT), 30)
    tasks.append(asyncio.ensure_future(request(app, "10.0.0.2")))  # the last turn, at once
    await asyncio.wait_for(until(lambda: len(running) == ACTIVE), 30)
    tasks.append(asyncio.ensure_future(request(app)))  # the 31st
    await asyncio.wait_for(until(lambda: answers), 30)
    # While every admitted request is still held: six run, twenty-four wait, one was refused.
    assert (len(running), answers, retry_after) == (ACTIVE, [503], [b"1"])
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(answers) == [200] * (ACTIVE + WAITING) + [503]


async def test_a_client_holding_every_turn_cannot_keep_another_waiting():
    """One client fills what it may of the gate (5 running, 24 waiting); another arrives: it takes the turn
    left free at once, its next requests take the places of the first one's newest waiting requests
    (refused), and each freed turn goes to it first."""
    import asyncio

    from plugins.admission import ACTIVE, PER_CLIENT, WAITING, Gate, admitting

    releases, started, answers = {}, [], {"greedy": [], "other": []}

    async def held_app(scope, receive, send):
        started.append(scope["client"][0])
        releases[len(started)] = done = asyncio.Event()
        await done.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    async def request(app, who):
        async def send(event):
            if event["type"] == "http.response.start":
                answers[who].append(event["status"])
        await app({"type": "http", "client": ({"greedy": "10.0.0.1", "other": "10.0.0.2"}[who], 1)}, None, send)

    async def until(condition):
        while not condition():
            await asyncio.sleep(0.01)

    app = admitting(held_app, {"gate": Gate(max_wait=60)})
    greedy = [asyncio.ensure_future(request(app, "greedy")) for _ in range(ACTIVE + WAITING)]
    await asyncio.wait_for(until(lambda: len(started) == PER_CLIENT and answers["greedy"]), 30)
    assert answers["greedy"] == [503]  # 5 running and 24 waiting is all one client holds
    other = [asyncio.ensure_future(request(app, "other")) for _ in range(3)]
    await asyncio.wait_for(until(lambda: len(started) == ACTIVE and len(answers["greedy"]) == 3), 30)
    assert started[PER_CLIENT] == "10.0.0.2"  # the turn left free, at once
    assert answers == {"greedy": [503, 503, 503], "other": []}  # two of its newest waiting made room
    releases[1].set()
    releases[2].set()
    await asyncio.wait_for(until(lambda: len(started) == ACTIVE + 2), 30)
    assert started[ACTIVE:] == ["10.0.0.2", "10.0.0.2"]  # the freed turns went to the other client first
    for n in range(3, 200):
        if n in releases:
            releases[n].set()
        await asyncio.sleep(0)
        if all(t.done() for t in greedy + other):
            break
        await asyncio.wait_for(until(lambda: n + 1 in releases or all(t.done() for t in greedy + other)), 30)
    await asyncio.gather(*greedy, *other)
    assert answers["other"] == [200] * 3 and sorted(answers["greedy"]) == [200] * (ACTIVE + WAITING - 3) + [503] * 3


def test_the_response_cache_holds_64_mb_at_most():
    cache, body = ResponseCache(), b"x" * (1024 * 1024)  # the site's cache, as made
    for i in range(80):
        cache.put(f"key{i}", Entry(f"key{i}", [(b"cache-control", b"public, max-age=60")], body, 60))
    assert cache.size <= 64 * 1024 * 1024 and len(cache.entries) < 64
    assert cache.get("key0") is None and cache.get("key79") is not None  # the oldest went first


def test_how_many_of_2026s_speakers_spoke_before(db):
    """docs/organisers.md says how many of 2026's speakers spoke at an earlier edition."""
    site_year = 2026
    spoke_before = db.execute("""select count(distinct me.speaker_id) from person_editions me
        join person_editions pe on pe.person_id = me.person_id and pe.edition < me.edition
        where me.edition = ?""", (site_year,)).fetchone()[0]
    organisers = " ".join((ROOT / "docs" / "organisers.md").read_text(encoding="utf-8").split())
    assert f"{spoke_before} of {site_year}'s speakers spoke before" in organisers
    assert spoke_before == 73
