"""How the site is served: the Datasette settings and the protocol guards of `pycon-db serve`.

The bundle and the tests read the same settings from here; starting servers for tests and
benchmarks is deploy/harness.py."""
import gc
import json
from pathlib import Path

from .core.compression import GZIP_LEVEL, GZIP_MIN_SIZE, gzip_accepted
from .core.limits import TIME_LIMIT_MS
from .databases import served_databases, site_metadata

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "plugins"
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"

# A public site: a runaway query stops after a second; the whole program (under 200 rows)
# fits in one page of any canned query, so nothing is cut at max_returned_rows.
SETTINGS = {
    "sql_time_limit_ms": TIME_LIMIT_MS,
    "max_returned_rows": 1000,
    "default_page_size": 100,
    "facet_time_limit_ms": 500,
    "default_cache_ttl": 60,
    # Suggesting facets runs a query per column on every table page: too dear for a public site.
    "suggest_facets": False,
}


# A public site: an idle connection is closed after 5 s (uvicorn's keep-alive), and one that has
# not sent a whole request head within REQUEST_HEAD_TIMEOUT is closed too (uvicorn has no such
# timeout: a client sending a byte every few seconds would hold its connection for ever).
KEEP_ALIVE_TIMEOUT = 5
REQUEST_HEAD_TIMEOUT = 10
# A client that does not read its answer cannot pin it in memory: while the connection's buffer
# is full, it must take MIN_PROGRESS bytes every SEND_WINDOW seconds, or it is dropped and its
# buffer freed (nginx's send_timeout, with a minimum rate).
SEND_WINDOW = 10
MIN_PROGRESS = 64 * 1024
# A request line and headers over this are refused with a 400 that the client gets to read.
MAX_REQUEST_HEAD = 16 * 1024
BAD_REQUEST_LINGER = 2


def make_datasette(db: Path, inspect_data: dict):
    """The site as it is served: its database and each earlier edition's, immutable, with their
    metadata, our plugins, CORS and settings."""
    from datasette.app import Datasette

    datasette = Datasette(immutables=[str(p) for p in served_databases(db)], metadata=site_metadata(db),
                          plugins_dir=str(PLUGINS), template_dir=str(TEMPLATES), static_mounts=[("static", str(STATIC))],
                          settings=SETTINGS, cors=True, inspect_data=inspect_data)
    refresh_schemas_once(datasette)
    return datasette


def refresh_schemas_once(datasette):
    """Datasette reads every database's schema version before each request: for the site and five editions,
    seven trips to its threads, a miss's largest cost after its query. Ours are immutable and served as
    they were opened, so their schemas are read once, at the first request."""
    read = datasette.refresh_schemas
    done = []

    async def refresh_schemas():
        if not done:
            await read()
            done.append(True)

    datasette.refresh_schemas = refresh_schemas


class HeadDeadline:
    """Closes a connection that has had no whole request head for REQUEST_HEAD_TIMEOUT seconds. One timer a
    connection, moved on when it fires, rather than one set and cancelled for each request."""
    deadline = None
    since = 0.0  # when the connection last began to wait for a request head

    def connection_made(self, transport):
        super().connection_made(transport)
        self.arm()

    def on_response_complete(self):
        super().on_response_complete()
        self.arm()

    def connection_lost(self, exc):
        if self.deadline is not None:
            self.deadline.cancel()
        super().connection_lost(exc)

    def arm(self):
        self.since = self.loop.time()
        if self.deadline is None and not self.transport.is_closing():
            self.deadline = self.loop.call_at(self.since + REQUEST_HEAD_TIMEOUT, self.expire)

    def expire(self):
        self.deadline = None
        idle = self.cycle is None or self.cycle.response_complete
        if not idle or self.transport.is_closing():
            return  # a request's head came: the timer is set again when its answer is complete
        if self.loop.time() >= self.since + REQUEST_HEAD_TIMEOUT:
            return self.transport.close()
        self.deadline = self.loop.call_at(self.since + REQUEST_HEAD_TIMEOUT, self.expire)


class SendWatch:
    """Drops a connection whose full buffer drains less than MIN_PROGRESS bytes in SEND_WINDOW seconds."""
    send_check = None

    def connection_lost(self, exc):
        if self.send_check is not None:
            self.send_check.cancel()
        super().connection_lost(exc)

    def pause_writing(self):
        super().pause_writing()
        self.watch_sending(self.transport.get_write_buffer_size())

    def watch_sending(self, buffered):
        self.send_check = self.loop.call_later(SEND_WINDOW, self.check_sending, buffered)

    def check_sending(self, buffered_before):
        buffered = self.transport.get_write_buffer_size()
        if buffered == 0:
            return  # all sent (a closing transport with data left is still watched)
        if buffered_before - buffered >= MIN_PROGRESS:
            return self.watch_sending(buffered)
        self.transport.abort()  # drops the buffer: connection_lost frees the response
        # The connection's objects hold each other in cycles: collect them now, since an idle
        # server would not run the collector for a long while.
        self.loop.call_later(0.5, gc.collect)


class ReadableBadRequest:
    """uvicorn's 400 closes at once, and a client still sending a huge head gets a reset instead
    of the answer: this one reads and drops the rest for a moment, then closes."""
    discarding = False

    def data_received(self, data):
        if not self.discarding:
            super().data_received(data)

    def send_400_response(self, msg):
        body = f"Bad request: invalid, or a request line and headers over {MAX_REQUEST_HEAD // 1024} KB.\n".encode()
        self.transport.write(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        self.discarding = True
        self.loop.call_later(BAD_REQUEST_LINGER, self.transport.close)


class BoundedHead:
    """A request head still incomplete after MAX_REQUEST_HEAD bytes is refused (a 400), as uvicorn's h11
    protocol did (h11_max_incomplete_event_size): httptools itself would buffer a header of any length.
    Counted as the bytes arrive, from the end of one request's body to the end of the next one's headers."""
    head_bytes = 0
    reading_body = False

    def data_received(self, data):
        if not self.reading_body:
            self.head_bytes += len(data)
        super().data_received(data)
        if not self.reading_body and self.head_bytes > MAX_REQUEST_HEAD and not self.transport.is_closing():
            self.send_400_response("request head too large")

    def on_headers_complete(self):
        self.head_bytes, self.reading_body = 0, True
        super().on_headers_complete()

    def on_message_complete(self):
        self.reading_body = False
        super().on_message_complete()


# A request answered again from its bytes (CachedHits.remembered) came whole in one piece, at most this long;
# at most RAW_REQUESTS of them are remembered at once (then all are forgotten, and remembered again).
MAX_RAW_REQUEST = 2048
RAW_REQUESTS = 2048


class CachedHits:
    """An answer the response cache holds is written as the request is parsed, in one write: no task, no ASGI
    messages, its headers serialised once (a cached page's time was a third in uvicorn's two writes and its
    checks of each header, a task and its ASGI layers). Only for a request that could be answered so anyway:
    none that names a proxy's forwarded headers (the ASGI path reads them), none while the connection's
    writing is paused, or with the access log on. `caching`: the site's response cache (held()).

    A request answered so is remembered by its bytes, when it came whole in one piece (a GET or HEAD without
    a body): the same bytes again, from any connection, are answered before they are parsed, while the cache
    holds the same entry (`remembered`, a dict made by timely_protocol)."""
    caching = None
    remembered = None
    wired = (None, b"")  # uvicorn's default headers, and their bytes
    in_message = False  # the parser is within a request: bytes now are part of it
    whole = None  # the bytes of the request being parsed, when they came whole in one piece

    def data_received(self, data):
        found = None if self.in_message else self.answer_again(data)
        if found is not None:
            self._unset_keepalive_if_required()
            return self.write_answer(*found)
        self.whole = data if whole_request(data) else None
        try:
            super().data_received(data)
        finally:
            self.whole = None  # a request started later (one that waited behind another) is not these bytes'

    def on_message_begin(self):
        self.in_message = True
        super().on_message_begin()

    def on_message_complete(self):
        self.in_message = False
        super().on_message_complete()

    def _start_asgi_task(self, cycle, app):
        # A request starts: no keep-alive timer runs (one armed by an answer written while the same data was
        # parsed would close the connection under the next request).
        self._unset_keepalive_if_required()
        found = self.cached(cycle)
        if found is None:
            return super()._start_asgi_task(cycle, app)
        whole, self.whole = self.whole, None
        if whole is not None:
            self.remember(whole, cycle)
        cycle.response_complete = True
        cycle.message_event.set()
        self.write_answer(*found, not cycle.keep_alive)

    def write_answer(self, status, headers, body, close):
        self.transport.write(b"".join([self.status_lines[status], self.server_headers(), headers.wire,
                                       b"connection: close\r\n" if close else b"", b"\r\n", body]))
        if close:
            self.transport.close()
        self.on_response_complete()

    def server_headers(self):
        """uvicorn's Date and Server headers as written, made again when uvicorn renews them (each second)."""
        made = self.server_state.default_headers
        if CachedHits.wired[0] is not made:
            CachedHits.wired = (made, b"".join(b"%s: %s\r\n" % (k.lower(), v) for k, v in made))
        return CachedHits.wired[1]

    def answerable(self):
        return self.caching is not None and not self.access_log and not self.flow.write_paused

    def cached(self, cycle):
        if not self.answerable():
            return None
        if any(name.startswith(b"x-forwarded-") or name == b"forwarded" for name, _ in cycle.scope["headers"]):
            return None
        return self.caching.held(cycle.scope)

    def remember(self, data, cycle):
        if len(self.remembered) >= RAW_REQUESTS:
            self.remembered.clear()
        found = self.caching.remember(cycle.scope)
        if found is not None:
            self.remembered[data] = (found, not cycle.keep_alive)

    def answer_again(self, data):
        """The answer to a request remembered by its bytes, while the cache still holds it; else None."""
        found = self.remembered.get(data) if self.remembered is not None else None
        if found is None or not self.answerable() or self.transport.is_closing() or self.pipeline or self.discarding:
            return None
        if self.cycle is not None and not self.cycle.response_complete:
            return None  # an answer is still being sent: this one comes after it, the parser's way
        answer = self.caching.held_again(found[0])
        if answer is None:
            del self.remembered[data]
            return None
        return (*answer, found[1])


def whole_request(data):
    """Whether data is one whole GET or HEAD request, with no body to follow and asking for no upgrade."""
    if not data.startswith((b"GET ", b"HEAD ")) or not data.endswith(b"\r\n\r\n") or len(data) > MAX_RAW_REQUEST:
        return False
    lowered = data.lower()
    return lowered.count(b"\r\n\r\n") == 1 and not any(
        name in lowered for name in (b"\ncontent-length:", b"\ntransfer-encoding:", b"\nupgrade:", b"\nexpect:"))


def timely_protocol(caching=None):
    """uvicorn's httptools protocol (1.8x the requests a second of its h11 one for a cached page here), with
    a bound on the request head and deadlines for clients that send or read too slowly; and, given the
    response cache, its answers written as requests are parsed."""
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

    return type("TimelyProtocol", (CachedHits, HeadDeadline, SendWatch, ReadableBadRequest, BoundedHead, HttpToolsProtocol),
                {"caching": caching, "status_lines": STATUS_LINE, "remembered": {}})


def hits_first(datasette, app):
    """ASGI middleware: an answer the response cache holds is sent before anything else is done. The layers
    below it (watching for a gone client, gzip, Datasette's routing and plugins) serve what it must compute;
    it holds its answers as they leave them, each encoding made once (plugins/response_cache.py)."""
    caching = datasette._response_caching

    async def wrapped(scope, receive, send):
        if not await caching.hit(scope, send):
            await app(scope, receive, send)

    return wrapped


def stop_when_gone(app):
    """ASGI middleware: when the client disconnects before its answer is complete, the work stops."""
    import asyncio

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        inbox, sent = asyncio.Queue(), {"complete": False}

        async def sending(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                sent["complete"] = True

        work = asyncio.ensure_future(app(scope, inbox.get, sending))

        async def watch():
            while True:
                message = await receive()
                await inbox.put(message)
                if message["type"] == "http.disconnect":
                    if not sent["complete"]:
                        work.cancel()
                    return

        watcher = asyncio.ensure_future(watch())
        try:
            await work
        except asyncio.CancelledError:
            if sent["complete"] or not watcher.done():
                raise
        finally:
            watcher.cancel()

    return wrapped


# Buffers from this size up get memory of their own (glibc's default starts at 128 KB). At 128 KB a cache
# miss of the program's rows (a 300 KB answer, and its copies on the way) mapped and unmapped each buffer
# and touched its pages afresh: 0.8 ms of 11 (docs/benchmarks.md); at 4 MB it reads as glibc's own policy.
MMAP_THRESHOLD = 4 * 1024 * 1024


def return_freed_memory():
    """Large buffers (a response, a connection's backlog) get memory of their own from the
    system and give it back when freed. glibc otherwise raises its mmap threshold after the
    first large free, and later large buffers come from a heap that never shrinks: ten dropped
    10 MB answers left the server 180 MB bigger for good. The same as MALLOC_MMAP_THRESHOLD_."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass  # not glibc: its allocator has its own policy


# Text answers are gzipped for clients that accept it, with Vary: Accept-Encoding: once for each stored
# answer, by the response cache; what it does not keep, by asgi-gzip here. The rules are scripts/core/compression.py.


def compressed(app):
    """The app with its text responses gzipped where the client accepts it (asgi-gzip); a gzipped
    answer's ETag weakened (W/, as nginx does: the bytes differ, the content does not, and the response
    cache compares If-None-Match weakly), and HEAD answered with the headers GET would send."""
    from asgi_gzip import GZipMiddleware

    gzipping = GZipMiddleware(app, minimum_size=GZIP_MIN_SIZE, compresslevel=GZIP_LEVEL)
    return head_as_get(weak_etag_when_gzipped(negotiated(gzipping)))


def negotiated(app):
    """The request's Accept-Encoding as asgi-gzip reads it: `gzip` when the client accepts gzip, else none."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        offered = b",".join(v for k, v in scope["headers"] if k.lower() == b"accept-encoding").decode("latin-1")
        if gzip_accepted(offered):
            headers.append((b"accept-encoding", b"gzip"))
        await app({**scope, "headers": headers}, receive, send)

    return wrapped


def weak_etag_when_gzipped(app):
    """A gzipped answer's ETag made weak, and Vary named once (asgi-gzip adds Accept-Encoding to a Vary
    that the response cache may already have given it)."""
    async def wrapped(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": tidy_headers(message.get("headers") or [])}
            await send(message)

        await app(scope, receive, sending if scope["type"] == "http" else send)

    return wrapped


def tidy_headers(headers):
    gzipped = (b"content-encoding", b"gzip") in [(k.lower(), v) for k, v in headers]
    tidy = []
    for name, value in headers:
        if name.lower() == b"etag" and gzipped and not value.startswith(b"W/"):
            value = b"W/" + value
        elif name.lower() == b"vary":
            tokens = [t.strip() for t in value.split(b",") if t.strip()]
            value = b", ".join(t for i, t in enumerate(tokens) if t.lower() not in [u.lower() for u in tokens[:i]])
        tidy.append((name, value))
    return tidy


def head_as_get(app):
    """HEAD made as a GET whose body is dropped: its Content-Length and Content-Encoding are GET's
    (asgi-gzip compresses only GET, so HEAD told the uncompressed length)."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await app(scope, receive, send)
        ended = False

        async def sending(message):
            nonlocal ended
            if message["type"] == "http.response.body":
                if ended or message.get("more_body"):
                    return
                ended = True
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await app({**scope, "method": "GET"}, receive, sending)

    return wrapped


def run(db: Path, inspect_data: dict, host: str, port: int, access_log: bool = False):
    """Serve the site with uvicorn until interrupted; its access log only when asked (it was 17% of a cached
    answer's time: a proxy in front logs the requests anyway)."""
    import uvicorn

    return_freed_memory()
    datasette = make_datasette(db, inspect_data)
    app = hits_first(datasette, stop_when_gone(compressed(datasette.app())))
    # asyncio's own loop, on every machine: uvicorn would take uvloop where it happens to be installed, and a
    # cached page read the same with either (18,400-19,500 req/s side by side: docs/benchmarks.md).
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=access_log, lifespan="on", loop="asyncio",
                            http=timely_protocol(datasette._response_caching), timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
                            proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    uvicorn.Server(config).run()


def write_inspect_file(db: Path, inspect_file: Path):
    """Precompute, with Datasette's own `inspect`, the hash and row counts it would count at start-up."""
    import asyncio

    from datasette.cli import inspect_

    data = asyncio.run(inspect_([str(p) for p in served_databases(db)], []))
    inspect_file.write_text(json.dumps(data, indent=2, sort_keys=True))
    return data
