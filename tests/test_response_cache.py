"""The response cache is correct by construction: what it stores, how it keys, what HEAD gets."""
import json

import pytest

from .fetching import fetch

from plugins.response_cache import Entry, ResponseCache


@pytest.mark.parametrize("path", ["/pycon/speakers?_r=head-cold", "/", "/pycon/program.ics?_r=head",
                                  "/pycon/schedule.xml?_r=head"])
def test_head_never_blanks_a_page(base, path):
    status, head_headers, head_body = fetch(base + path, method="HEAD")  # cold: the HEAD comes first
    assert status == 200 and head_body == b""
    status, headers, body = fetch(base + path)
    assert status == 200 and len(body) > 1000
    assert int(head_headers["content-length"]) == len(body) == int(headers["content-length"])
    assert head_headers["etag"] == headers["etag"]
    status, again, _ = fetch(base + path, method="HEAD")  # warm: answered from the stored GET
    assert again["content-length"] == str(len(body)) and again["etag"] == headers["etag"]
    assert fetch(base + path)[2] == body


def test_a_304_needs_the_full_body_behind_it(base):
    """An ETag a HEAD handed out revalidates the real body, never an empty one."""
    _, headers, _ = fetch(base + "/pycon/rooms?_r=etag", method="HEAD")
    status, _, body = fetch(base + "/pycon/rooms?_r=etag", **{"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    status, _, body = fetch(base + "/pycon/rooms?_r=etag")
    assert status == 200 and b"Grand Ballroom A" in body


async def test_personal_answers_are_not_shared(datasette):
    path = "/pycon/tracks?_r=cookie"
    personal = await datasette.client.get(path, cookies={"ds_actor": "x"})
    assert personal.status_code == 200 and personal.headers["cache-control"] == "private, no-store"
    assert "etag" not in personal.headers
    anonymous = await datasette.client.get(path)
    assert "private" not in anonymous.headers["cache-control"] and anonymous.headers["etag"]
    again = await datasette.client.get(path, headers={"Authorization": "Bearer x"})
    assert again.headers["cache-control"] == "private, no-store" and "etag" not in again.headers


def test_scheme_is_part_of_the_key(base):
    path = "/pycon/sessions.json?_size=2&_r=scheme"
    _, _, proxied = fetch(base + path, **{"X-Forwarded-Proto": "https"})
    assert json.loads(proxied)["next_url"].startswith("https://")
    _, _, plain = fetch(base + path)
    assert json.loads(plain)["next_url"].startswith("http://127.0.0.1")


async def test_repeated_parameters_keep_their_order(datasette):
    saturday_first = await datasette.client.get("/pycon/program_day.json?day=Saturday&day=Friday&_shape=array")
    friday_first = await datasette.client.get("/pycon/program_day.json?day=Friday&day=Saturday&_shape=array")
    assert {r["day"] for r in saturday_first.json()} == {"2026-05-16"}
    assert {r["day"] for r in friday_first.json()} == {"2026-05-15"}
    assert saturday_first.headers["etag"] != friday_first.headers["etag"]


def test_the_bound_counts_keys_and_headers():
    cache = ResponseCache(max_entries=10_000, max_bytes=1_000_000)
    for i in range(100):
        key = f"{i}" + "k" * 125_000
        cache.put(key, Entry(key, [(b"content-type", b"text/html")], b"tiny", 60))
    assert cache.size <= 1_000_000 and len(cache.entries) == 7
    assert cache.size == sum(e.size for e in cache.entries.values())
    assert all(e.size > 125_000 for e in cache.entries.values())


@pytest.mark.parametrize("path, status", [("/pycon/no_such_table", 404), ("/no_such_db", 404),
                                          ("/pycon.json?sql=select+nonsense", 400)])
async def test_if_none_match_star_does_not_hide_errors(datasette, path, status):
    response = await datasette.client.get(path, headers={"If-None-Match": "*"})
    assert response.status_code == status


@pytest.mark.parametrize("path, now, seconds", [
    ("/pycon/now_next.json", "2026-05-15T11:10:20", 40),  # the minute it names: until 11:11
    ("/pycon/now~5Fnext.json", "2026-05-15T11:10:59", 1),  # the same query, tilde-encoded
    ("/pycon/now_next?at=", "2026-05-15T11:10:00", 60),  # an empty `at` is now
    ("/schedule", "2026-05-15T23:59:30", 30),  # the day that is on: until midnight
    ("/schedule", "2026-05-12T23:59:30", 300),  # before: the first day, until the conference opens (days away)
    ("/schedule", "2026-05-13T08:58:00", 120),  # ... which is at 09:00
    ("/", "2026-05-19T20:58:00", 120),  # the home page: until the conference ends at 21:00
    ("/", "2026-06-01T12:00:00", 300),  # after: it will not change, and is kept 5 minutes
    ("/schedule", "2026-06-01T12:00:00", 300),
])
async def test_clock_pages_are_kept_until_what_they_show_can_change(datasette, monkeypatch, path, now, seconds):
    monkeypatch.setenv("PYCON_NOW", now)
    datasette._response_cache.clear()
    response = await datasette.client.get(path)
    assert response.status_code in (200, 302), path
    assert response.headers["cache-control"] == f"public, max-age={seconds}, s-maxage={seconds}"
    (entry,) = datasette._response_cache.entries.values()
    assert entry.status == response.status_code and entry.stale_until == entry.expires  # never served stale
    again = await datasette.client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    datasette._response_cache.clear()


async def test_a_clock_page_is_computed_again_once_it_can_change(datasette, monkeypatch):
    import asyncio

    monkeypatch.setenv("PYCON_NOW", "2026-05-15T11:10:59")
    datasette._response_cache.clear()
    first = await datasette.client.get("/pycon/now_next.json?_shape=array")
    assert first.headers["cache-control"] == "public, max-age=1, s-maxage=1" and first.json()
    await asyncio.sleep(1.1)
    assert datasette._response_cache.get(next(iter(datasette._response_cache.entries))) is None
    datasette._response_cache.clear()


async def test_a_moment_named_in_the_address_is_a_page_like_any_other(datasette):
    response = await datasette.client.get("/pycon/now~5Fnext.ics?at=2026-05-15T11:10")
    assert response.status_code == 200 and response.headers["cache-control"].startswith("public, max-age=3600")


async def test_etag_follows_the_body(datasette):
    """Same bytes, same ETag, even from a fresh cache (as from another replica); other bytes, another."""
    first = await datasette.client.get("/pycon/program.ics")
    datasette._response_cache.clear()
    second = await datasette.client.get("/pycon/program.ics")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    revalidated = await datasette.client.get("/pycon/program.ics", headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    # The ETag follows the body, not the address: the same bytes under another URL, the same ETag ...
    same = await datasette.client.get("/pycon/program.ics?_r=1")
    assert same.content == first.content and same.headers["etag"] == first.headers["etag"]
    # ... and other bytes, another ETag.
    other = await datasette.client.get("/pycon/program_track.ics?track=ai")
    assert other.content != first.content and other.headers["etag"] != first.headers["etag"]


async def test_a_large_streamed_answer_passes_through(datasette):
    """A body over the storable size is streamed on, not stored, and never held whole."""
    from plugins.response_cache import MAX_BODY, wrap

    chunk, sent = b"x" * 1_000_000, []

    async def streaming_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/csv"), (b"cache-control", b"max-age=60")]})
        for i in range(12):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < 11})

    async def record(event):
        sent.append(event)

    cache = ResponseCache()
    app = wrap(streaming_app, datasette, cache)
    scope = {"type": "http", "method": "GET", "path": "/pycon/big.csv", "raw_path": b"/pycon/big.csv",
             "query_string": b"", "headers": [(b"host", b"localhost")], "scheme": "http"}
    await app(scope, None, record)
    bodies = [e for e in sent if e["type"] == "http.response.body"]
    assert sent[0]["status"] == 200 and sum(len(e["body"]) for e in bodies) == 12_000_000
    assert len(bodies) > 2 and max(len(e["body"]) for e in bodies) <= MAX_BODY + len(chunk)
    assert not bodies[-1].get("more_body") and not cache.entries


async def test_replicas_answer_the_same_bytes_and_etags(real_db):
    """Two replicas of one build: every kind of page byte for byte the same, so a client's
    If-None-Match gets a 304 from whichever answers."""
    from scripts.serve import make_datasette

    one, two = make_datasette(real_db, None), make_datasette(real_db, None)
    for path in ("/", "/pycon/sessions", "/pycon/sessions.json", "/pycon/sessions/1005", "/pycon/program.json",
                 "/pycon/program.ics", "/pycon/schedule.xml", "/schedule/2026-05-15", "/pycon/search?q=security",
                 "/pycon.json?sql=select+1", "/pycon/sessions.csv"):
        a, b = await one.client.get(path), await two.client.get(path)
        assert a.status_code == 200 and a.content == b.content and a.headers["etag"] == b.headers["etag"], path
        again = await two.client.get(path, headers={"If-None-Match": a.headers["etag"]})
        assert again.status_code == 304, path
    assert "query_ms" not in (await one.client.get("/pycon/sessions.json")).json()


# Our JSON leaves Datasette's search for infinities out unless the answer may hold one: the same bytes as
# Datasette's own renderer, whatever the shape, with an infinity, the word in a text, or neither.
JSON_QUERIES = ["select 1e999 as up, -1e999 as down, 'x' as t", "select 'Infinity War' as title, 2.5 as x",
                "select id, title from sessions order by id limit 60"]


@pytest.mark.parametrize("sql", JSON_QUERIES)
@pytest.mark.parametrize("extra", ["", "&_shape=array", "&_shape=objects", "&_shape=arrayfirst",
                                   "&_shape=array&_nl=on", "&_json_infinity=1", "&_shape=array&_json_infinity=on"])
async def test_json_is_datasettes_own(datasette, real_db, sql, extra):
    from datasette.app import Datasette
    from urllib.parse import quote

    plain = Datasette([], immutables=[str(real_db)])
    path = f"/pycon.json?sql={quote(sql)}{extra}"
    ours, theirs = await datasette.client.get(path), await plain.client.get(path)
    assert ours.status_code == theirs.status_code == 200
    if "_shape=array" in extra:  # the rows alone
        assert ours.content == theirs.content, path
    else:  # the other shapes name the site's metadata, and query_ms, which ours leaves out (above)
        assert [ours.json()[k] for k in ("rows", "columns")] == [theirs.json()[k] for k in ("rows", "columns")], path
    rows = ours.text
    assert ("Infinity" in rows) == ("1e999" in sql and "_json_infinity" in extra or "Infinity War" in sql), path


@pytest.mark.parametrize("path, control", [
    ("/pycon/sessions", "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"),
    ("/schedule/2026-05-15", "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"),
    ("/pycon/program.ics", "public, max-age=3600, s-maxage=300, stale-while-revalidate=300, stale-if-error=86400"),
    ("/pycon/schedule.json", "public, max-age=3600, s-maxage=300, stale-while-revalidate=300, stale-if-error=86400"),
    ("/pycon/now_next.json?at=2026-05-15T11:10", "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"),
])
async def test_what_shared_caches_may_keep(datasette, path, control):
    response = await datasette.client.get(path)
    assert response.headers["cache-control"] == control
    assert response.headers["vary"] == "Cookie, Authorization, Accept-Encoding"  # stored with its gzip
    missing = await datasette.client.get("/pycon/no_such_table")
    assert "s-maxage" not in missing.headers.get("cache-control", "")


async def test_an_entry_never_outlives_what_it_promised():
    import asyncio

    from plugins.response_cache import wrap

    calls = []

    async def app(scope, receive, send):
        calls.append(1)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"cache-control", b"public, max-age=1")]})
        await send({"type": "http.response.body", "body": str(len(calls)).encode()})

    class Site:  # what the policy reads of Datasette: one immutable database
        databases = {"pycon": type("Db", (), {"hash": "h", "is_mutable": False})()}

        def plugin_config(self, name):
            return {}

    async def get():
        sent = []

        async def send(event):
            sent.append(event)

        scope = {"type": "http", "method": "GET", "path": "/pycon.json", "raw_path": b"/pycon.json",
                 "query_string": b"sql=select+random()&_ttl=1", "headers": [(b"host", b"x")]}
        await handler(scope, None, send)
        return sent[-1]["body"]

    handler = wrap(app, Site(), ResponseCache())
    assert await get() == b"1" and await get() == b"1"  # kept while its max-age (?_ttl=1) lasts
    await asyncio.sleep(1.1)
    assert await get() == b"2"  # before: served for ever, whatever its headers said


async def test_a_layer_that_changes_the_headers_it_is_sent_changes_no_stored_answer(real_db):
    """#38: an entry's headers are made once and kept; asgi-gzip rewrites the header list it is sent in place
    (Content-Length, Content-Encoding). Each answer's list is its own, so the next client gets the stored
    headers, and the bytes written at once (scripts/serve.py) match them."""
    from .conftest import site_of

    site = site_of(real_db)
    site.app()
    caching = site._response_caching
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/pycon/sessions/105", "raw_path": b"/pycon/sessions/105",
             "query_string": b"", "headers": [(b"host", b"test")]}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def rewriting(message):
        if message["type"] == "http.response.start":
            sent.append(list(message["headers"]))
            message["headers"][:] = [(b"content-length", b"1")]  # as asgi-gzip's MutableHeaders does
    for _ in range(3):
        await caching(scope, receive, rewriting)
    assert len(sent) == 3 and sent[1] == sent[2] and (b"content-length", b"1") not in sent[2]
    status, headers, body = caching.held(scope)
    assert (b"content-length", str(len(body)).encode()) in headers
    assert headers.wire == b"".join(b"%s: %s\r\n" % (k.lower(), v) for k, v in sent[2])
