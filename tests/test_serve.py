"""The real server over real HTTP: start-up checks, immutability, settings."""
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from deploy.harness import running_server

PYCON_DB = str(Path(sys.executable).parent / "pycon-db")


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_serves_home_and_json_over_http(base):
    status, _, body = fetch(base + "/")
    assert status == 200 and b"PyCon US 2026" in body
    status, headers, body = fetch(base + "/pycon/program_track.json?track=ai&_shape=array")
    assert headers["access-control-allow-origin"] == "*"
    assert [r["id"] for r in json.loads(body)] == [105, 66, 23, 138, 126, 81, 101]


def test_database_is_immutable_with_settings(base):
    _, _, body = fetch(base + "/-/databases.json")
    (db,) = [d for d in json.loads(body) if d["name"] == "pycon"]
    assert db["is_mutable"] is False
    _, _, body = fetch(base + "/-/settings.json")
    settings = json.loads(body)
    assert settings["sql_time_limit_ms"] == 1000 and settings["max_returned_rows"] == 1000


@pytest.mark.parametrize("content, message", [
    (None, "does not exist; run 'make build'"),
    (b"this is not a database at all" * 100, "is not a readable SQLite database"),
    (b"", "lacks the tables"),
])
def test_server_refuses_a_missing_or_corrupt_database_at_start(tmp_path, content, message):
    db = tmp_path / "pycon.db"
    if content is not None:
        db.write_bytes(content)
    result = subprocess.run([PYCON_DB, "serve", "--db", str(db), "--port", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr


def test_server_refuses_a_site_whose_edition_is_missing(real_db, tmp_path):
    """The site's database lists its earlier editions' databases: one gone is said at start, by name."""
    import shutil

    site = tmp_path / "pycon.db"
    shutil.copy(real_db, site)
    for year in (2022, 2023, 2025):
        shutil.copy(real_db.with_name(f"pycon{year}.db"), tmp_path / f"pycon{year}.db")
    result = subprocess.run([PYCON_DB, "serve", "--db", str(site), "--port", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"{tmp_path / 'pycon2024.db'}, an edition {site} lists, does not exist; run 'make build'." in result.stderr


RUNAWAY = [
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
    "select count(*) from sessions a, sessions b, sessions c, sessions d, sessions e",
]


@pytest.mark.parametrize("sql", RUNAWAY)
def test_runaway_query_stops_quickly_while_others_are_answered(base, sql):
    import concurrent.futures
    import time
    import urllib.error
    import urllib.parse

    def runaway():
        started = time.monotonic()
        try:
            fetch(base + "/pycon.json?" + urllib.parse.urlencode({"sql": sql}))
            return None, time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return (exc.code, exc.read().decode()), time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        slow = pool.submit(runaway)
        time.sleep(0.1)
        others = [pool.submit(fetch, base + f"/pycon/program_day.json?day=2026-05-15&_shape=array&_n={i}")
                  for i in range(5)]
        answered = [f.result(timeout=10) for f in others]
        (status, body), seconds = slow.result(timeout=30)
    assert status == 400 and "SQL query took too long" in body
    assert all(s == 200 and len(json.loads(b)) > 20 for s, _, b in answered)


def test_no_endpoint_writes(base, real_db):
    import hashlib
    import urllib.error
    import urllib.parse

    before = hashlib.sha256(real_db.read_bytes()).hexdigest()
    for sql in ("delete from sessions", "update sessions set title = 'x'", "pragma writable_schema = 1",
                "attach database 'x.db' as x"):
        with pytest.raises(urllib.error.HTTPError) as info:
            fetch(base + "/pycon.json?" + urllib.parse.urlencode({"sql": sql}))
        assert info.value.code == 400
    for path, method in (("/pycon/sessions", "POST"), ("/pycon/program", "POST"), ("/pycon/sessions/105", "DELETE"),
                         ("/pycon/program.ics", "PUT")):
        request = urllib.request.Request(base + path, data=b"title=x", method=method)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert info.value.code == 405 and info.value.headers["allow"] == "GET, HEAD, OPTIONS"
    assert hashlib.sha256(real_db.read_bytes()).hexdigest() == before


def own_url_seen_from(base, source_address):
    """The URL a page gives of its own JSON (Datasette's absolute alternate link), asked for by a request
    that claims HTTPS, sent from `source_address`."""
    import re
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10, source_address=(source_address, 0)) as conn:
        conn.sendall(b"GET /pycon/sessions/105 HTTP/1.1\r\nHost: pycon.example.org\r\n"
                     b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return re.search(rb'<link rel="alternate" type="application/json\+datasette" href="([^"]+)"', answer).group(1).decode()


def test_x_forwarded_proto_is_believed_from_the_local_proxy_only(base):
    """uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (nginx) alone: another address cannot claim HTTPS."""
    assert own_url_seen_from(base, "127.0.0.1") == "https://pycon.example.org/pycon/sessions/105.json"
    assert own_url_seen_from(base, "127.0.0.2") == "http://pycon.example.org/pycon/sessions/105.json"


@pytest.mark.parametrize("path", ["/schedule/2026-05-15", "/pycon/program.json?_shape=array", "/pycon/program.ics",
                                  "/pycon/schedule.xml", "/-/static/app.css"])
def test_text_is_gzipped_for_a_client_that_accepts_it(base, path):
    import gzip

    from .fetching import fetch as fetch_with

    status, plain_headers, plain = fetch_with(base + path, **{"Accept-Encoding": "identity"})
    assert status == 200 and plain_headers["content-encoding"] is None and len(plain) > 2000
    status, headers, body = fetch_with(base + path, **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    if plain_headers["etag"]:  # revalidation works whichever encoding was sent
        assert headers["etag"] == "W/" + plain_headers["etag"]  # another representation: not the same strong tag
        assert fetch_with(base + path, **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0] == 304
        assert fetch_with(base + path, **{"Accept-Encoding": "identity", "If-None-Match": plain_headers["etag"]})[0] == 304
    status, head, nothing = fetch_with(base + path, method="HEAD", **{"Accept-Encoding": "gzip"})
    assert status == 200 and nothing == b"" and head["content-encoding"] == "gzip"
    assert head["content-length"] == headers["content-length"] and head["etag"] == headers["etag"]
    assert headers["content-length"] is None or int(headers["content-length"]) == len(body)  # static files stream


@pytest.mark.parametrize("accept, gzipped", [("gzip", True), ("GZIP", True), ("br, gzip;q=0.5", True), ("*", True),
                                             ("gzip;q=0", False), ("gzip; q=0.0", False), ("*;q=0", False),
                                             ("identity", False), ("*, gzip;q=0", False)])
def test_gzip_is_sent_only_where_the_client_accepts_it(base, accept, gzipped):
    """Accept-Encoding as RFC 9110 reads it: any case, q=0 refuses, `*` stands for the others."""
    request = urllib.request.Request(base + "/pycon/program.json?_shape=array", headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert (response.headers.get("Content-Encoding") == "gzip") is gzipped, accept
        body = response.read()
    if gzipped:
        import gzip

        body = gzip.decompress(body)
    assert json.loads(body)[0]["title"]


@pytest.mark.parametrize("args, logged", [((), False), (("--access-log",), True)])
def test_the_access_log_is_off_unless_asked(real_db, args, logged):
    """`make serve` logs no request by default (a proxy in front does, and it cost 17% of a cached answer)."""
    info = {}
    with running_server(real_db, info=info, args=args) as url:
        assert fetch(url + "/pycon/sessions/45")[0] == 200
        line = '"GET /pycon/sessions/45 HTTP/1.1" 200'
        deadline = time.monotonic() + (30 if logged else 1)  # written after the answer: wait for it, or a while
        while line not in info["log"]() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (line in info["log"]()) is logged
        assert "Serving" in info["log"]()  # the start-up lines stay


@pytest.mark.parametrize("path", ["/pycon/program.json?_shape=array&_t=once", "/schedule/2026-05-16?_t=once"])
def test_a_cached_answer_is_gzipped_once_and_the_same_copy_sent_to_every_client(base, path):
    """Hardening 4, H3 / #38: asgi-gzip compressed the cached body again for every request, on the server's
    one thread (85% of a cached hit). The stored copy is made once, without a time stamp: two requests a
    second apart get the same bytes, which asgi-gzip (its header carries the time) would not give."""
    import gzip
    import time

    from .fetching import fetch as fetch_with

    first = fetch_with(base + path, **{"Accept-Encoding": "gzip"})
    time.sleep(1.1)
    second = fetch_with(base + path, **{"Accept-Encoding": "gzip"})
    assert first[0] == second[0] == 200 and second[1]["content-encoding"] == "gzip"
    assert second[2] == first[2] and second[2][4:8] == b"\0\0\0\0"  # the gzip header's mtime: none
    plain = fetch_with(base + path, **{"Accept-Encoding": "identity"})[2]
    assert gzip.decompress(second[2]) == plain


async def test_the_immutable_databases_schemas_are_read_once_not_at_every_request(real_db):
    """Datasette reads every database's schema version before each request (seven trips to its threads for
    six databases): a miss's largest cost after its query. Immutable, they are read at the first request."""
    from scripts.serve import make_datasette

    site = make_datasette(real_db, None)
    reads = []
    read = site._refresh_schemas

    async def counted():
        reads.append(1)
        await read()

    site._refresh_schemas = counted
    for path in ("/pycon/sessions/105", "/pycon2023/sessions/54", "/pycon.json?sql=select+1", "/pycon/speakers.json"):
        assert (await site.client.get(path)).status_code == 200, path
    assert len(reads) == 1
    tables = (await site.client.get("/pycon2024.json")).json()["tables"]  # what the first read learnt serves on
    assert "sessions" in {t["name"] for t in tables}


class Transport:
    """What uvicorn's protocol writes to, recorded: the bytes, and whether it was closed."""

    def __init__(self):
        self.written, self.closed = b"", False

    def write(self, data):
        self.written += data

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 8001) if name in ("sockname", "peername") else default

    def get_write_buffer_size(self):
        return 0

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


class CountingParser:
    """uvicorn's parser, counting the pieces of data it is fed."""

    def __init__(self, parser):
        self.parser, self.fed = parser, 0

    def feed_data(self, data):
        self.fed += 1
        return self.parser.feed_data(data)

    def __getattr__(self, name):
        return getattr(self.parser, name)


def timely(app, kind):
    """A connection to the app of `kind`, `pycon-db serve`'s protocol (timely_protocol()), writing to a Transport."""
    from uvicorn import Config
    from uvicorn.server import ServerState

    config = Config(app, lifespan="off", proxy_headers=False, access_log=False)
    config.load()
    protocol = kind(config=config, server_state=ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)
    protocol.parser = CountingParser(protocol.parser)
    return protocol, transport


async def computed(protocol, transport, request):
    """The answer the application computes for a request the cache does not hold."""
    import asyncio

    protocol.data_received(request)
    assert transport.written == b""  # a miss: computed in a task of its own
    for _ in range(200):
        await asyncio.sleep(0.01)
        if protocol.cycle.response_complete:
            break
    answer, transport.written = transport.written, b""
    return answer


async def test_a_cached_answer_is_written_as_its_request_is_parsed(real_db):
    """#38: a request the response cache holds is answered in the parser's callback, in one write, with no task
    and no ASGI layer (a cached page's time was mostly those): the same bytes as the answer the application
    computed, for each of two requests sent at once, and a Connection: close honoured."""
    from scripts.serve import timely_protocol

    from .conftest import site_of

    site = site_of(real_db)
    app = site.app()
    protocol, transport = timely(app, timely_protocol(site._response_caching))
    request = b"GET /pycon/sessions/105 HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n"
    answer = await computed(protocol, transport, request)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-encoding: gzip\r\n" in answer
    protocol.data_received(request + request)
    assert transport.written == answer + answer  # both, at once: nothing awaited
    transport.written = b""
    protocol.data_received(request.replace(b"Host: test", b"Host: test\r\nConnection: close"))
    assert transport.written == answer.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)
    assert transport.closed
    protocol.connection_lost(None)


async def test_a_request_met_again_is_answered_from_its_bytes(real_db):
    """#38: a held answer's request, when it came whole in one piece, is remembered by its bytes: the same bytes
    again, on any connection, are answered before the parser reads them, with the same answer; a request in
    pieces, or one whose entry the cache no longer holds, goes the parser's way."""
    from scripts.serve import timely_protocol

    from .conftest import site_of

    site = site_of(real_db)
    app = site.app()
    kind = timely_protocol(site._response_caching)  # once, as `pycon-db serve` does: its connections share it
    protocol, transport = timely(app, kind)
    request = b"GET /pycon/sessions/105 HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n"
    answer = await computed(protocol, transport, request)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and protocol.parser.fed == 1
    protocol.data_received(request)  # held: answered as it is parsed, and remembered
    assert transport.written == answer and protocol.parser.fed == 2
    transport.written = b""
    other, written = timely(app, kind)
    for _ in range(3):
        other.data_received(request)
    assert written.written == answer * 3 and other.parser.fed == 0  # never parsed
    written.written = b""
    other.data_received(request[:20])
    other.data_received(request[20:])
    assert written.written == answer and other.parser.fed == 2  # in pieces: parsed
    head = request.replace(b"GET", b"HEAD", 1)
    for _ in range(2):
        other.data_received(head)
    headers = answer.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert written.written == answer + headers * 2 and other.parser.fed == 3  # the first parsed, the second not
    site._response_caching.cache.clear()
    assert await computed(protocol, transport, request) == answer  # no longer held: parsed and computed again
    assert protocol.parser.fed == 3
    closing = request.replace(b"Host: test", b"Host: test\r\nConnection: close")
    for connection, transport in (timely(app, kind), timely(app, kind)):
        connection.data_received(closing)
        assert transport.written == answer.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n", 1)
        assert transport.closed
    assert connection.parser.fed == 0


async def test_requests_that_waited_are_remembered_by_their_own_bytes(real_db):
    """Two held requests that came while a miss was computed wait behind it: each is answered in turn, and each
    one's bytes are remembered with its own answer (the bytes last read are the second one's)."""
    import asyncio

    from scripts.serve import timely_protocol

    from .conftest import site_of

    site = site_of(real_db)
    app = site.app()
    kind = timely_protocol(site._response_caching)
    protocol, transport = timely(app, kind)
    ask = b"GET /pycon/sessions/%d HTTP/1.1\r\nHost: test\r\n\r\n".__mod__
    answers = [await computed(protocol, transport, ask(n)) for n in (105, 106)]
    protocol.data_received(ask(107))  # a miss, computed in a task
    protocol.data_received(ask(105))  # held, but waiting behind it
    protocol.data_received(ask(106))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if len(protocol.pipeline) == 0 and protocol.cycle.response_complete:
            break
    assert transport.written.endswith(answers[0] + answers[1])
    for connection, written in (timely(app, kind), timely(app, kind)):
        for n, answer in zip((105, 106), answers):
            written.written = b""
            connection.data_received(ask(n))
            assert written.written == answer, n
    # Requests that waited are not remembered (the first connection parsed both); their bytes on their own are
    assert connection.parser.fed == 0 and len(kind.remembered) == 2


@pytest.mark.parametrize("headers", [{}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "gzip", "method": "HEAD"},
                                     {"If-None-Match": "*"}])
def test_a_cached_answer_is_the_same_written_at_once_or_through_the_layers(base, headers):
    """Through nginx (X-Forwarded-For) a cached answer comes from the ASGI layers; direct, from the parser's
    callback, and then from the request's bytes: the same status, headers and body every way."""
    import http.client
    from urllib.parse import urlsplit

    headers = dict(headers)
    method = headers.pop("method", "GET")
    address = urlsplit(base)

    def answer(extra):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request(method, "/pycon/program.ics?_t=layers", headers={**headers, **extra})
        response = connection.getresponse()
        got = response.status, [h for h in response.getheaders() if h[0].lower() != "date"], response.read()
        connection.close()
        return got

    for _ in range(2):
        answer({"Accept-Encoding": "gzip"})  # stored, and its gzip made
    direct, again, layered = answer({}), answer({}), answer({"X-Forwarded-For": "127.0.0.1"})
    assert direct == again == layered  # again: the same bytes, answered before they are parsed
    assert direct[0] == (304 if "If-None-Match" in headers else 200)
    assert ("content-encoding", "gzip") in direct[1] or "Accept-Encoding" not in headers or direct[0] == 304
