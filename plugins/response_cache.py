"""HTTP caching for an immutable database: ETags, 304s and a bounded in-memory response cache.

Correct by construction:
- only a complete answer to a GET is stored (a 200, or a redirect), and only when its own headers
  say a shared cache may keep it (no `private`, `no-store`, `no-cache`, Set-Cookie or unknown Vary);
- a HEAD is answered from the GET (same headers, Content-Length included, no body): the
  application is always asked for the GET, so an empty HEAD body can never be stored;
- requests carrying a Cookie or Authorization header bypass the cache entirely (Datasette
  marks their answers `private, no-store`);
- the key is everything in the request that can change the body: the databases' hashes (an
  edition's page reads the site's database too: a speaker's other editions), the clock's setting
  (clock.setting()), scheme (uvicorn sets it from X-Forwarded-Proto for a trusted proxy), Host, the path
  and the query string exactly as sent (repeated parameters keep their order). It is built from
  the request as it came: a hit decodes nothing; only a miss reads the path as Datasette routes it;
- the ETag is a hash of the stored body and the headers that shape it, so it changes
  whenever the body can, and replicas that render the same bytes give the same ETag;
- the bound counts keys, headers and bodies (both encodings);
- an entry lives no longer than its own Cache-Control promises a shared cache (s-maxage,
  else max-age): even `select random()` is run again once that has passed. Within its
  stale-while-revalidate it is still answered while one request renews it in the background.

Fast under a crowd:
- an answer is gzipped once, in a thread, the first time a client that accepts gzip asks for it; every
  such client then gets that copy (before, asgi-gzip compressed it again on the event loop for each of
  them: 85% of a hit), and a cache miss for a client that does not is not slowed by it;
- concurrent misses of one URL are computed once: the others wait for that answer (up to
  COALESCE_WAIT) rather than each taking a turn at the admission gate;
- pages that show the clock are stored too, each until what it shows can next change
  (scripts/core/clock.py: the next minute for now_next, the next day for /schedule, the conference's
  start or end for the home page), never longer than CLOCK_MAX, and never served stale.

It also says, in Cache-Control, how long browsers and shared caches (nginx, a CDN) may keep
each kind of response: pages, feeds (calendars, schedule exports) and clock pages. Configured in
metadata.yml under plugins.response-cache: `feed_suffixes`, `clock_queries` (canned queries that show
the clock, matched after Datasette's tilde-decoding so `now~5Fnext` is the same query, unless `?at=`
names the moment), `clock_paths` (whole paths, such as `schedule`), and `routes` (first path segments
outside /<database>/ whose pages depend on the databases, such as `schedule`).
"""
import asyncio
import hashlib
import re
import time
import weakref
from collections import OrderedDict
from urllib.parse import parse_qs, unquote
from zoneinfo import ZoneInfo

from datasette import hookimpl
from datasette.utils import tilde_decode

from scripts.core import clock, vocabulary
from scripts.core.compression import compress, compressible, gzip_accepted

# What browsers and shared caches (nginx, a CDN) may keep, by kind of response. The database
# changes only with a deploy: shared caches keep pages 5 minutes (so a deploy shows within 5),
# serve them stale while they revalidate, and for a day if every replica is down.
PAGE_CACHE_CONTROL = b"public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
# Calendar apps poll hourly; the shared tier still refreshes within 5 minutes.
FEED_CACHE_CONTROL = b"public, max-age=3600, s-maxage=300, stale-while-revalidate=300, stale-if-error=86400"
# A page that shows the clock is kept until it can change (clock.seconds_until_change), at most this long.
CLOCK_MAX = 300
MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024
MAX_BODY = 8 * 1024 * 1024
ENTRY_OVERHEAD = 512  # the Python objects around a stored entry, in bytes
COALESCE_WAIT = 5.0  # a request waits this long at most for the same URL's answer being computed
STORED_STATUSES = {200, 301, 302, 307, 308}
DROPPED_HEADERS = {b"content-length", b"date", b"server", b"etag"}
REFUSING_DIRECTIVES = ("private", "no-store", "no-cache", "max-age=0", "s-maxage=0")
ALLOWED_VARY = {b"cookie", b"authorization", b"accept-encoding"}


class Entry:
    """A stored response: status, headers without the per-response ones, body (and its gzip when worth
    it), ETag, size, and until when it is fresh and then may still be served while renewed."""

    __slots__ = ("status", "headers", "body", "gzipped", "compressible", "etag", "size", "expires", "stale_until",
                 "heads", "__weakref__")

    def __init__(self, key, headers, body, lifetime, status=200, gzipped=None, stale=0, compressible=False):
        self.status, self.headers, self.body, self.gzipped = status, headers, body, gzipped
        self.compressible = compressible and gzipped is None
        self.expires = time.monotonic() + lifetime
        self.stale_until = self.expires + stale
        digest = hashlib.sha256(body)
        for name, value in headers:
            digest.update(b"\0" + name.lower() + b"\0" + value)
        self.etag = b'"' + digest.hexdigest()[:32].encode() + b'"'
        self.size = (len(key) + len(body) + len(gzipped or b"") + sum(len(k) + len(v) for k, v in headers)
                     + ENTRY_OVERHEAD)
        self.heads = {}

    @property
    def fresh(self):
        return self.expires > time.monotonic()

    def head(self, gzipped, not_modified):
        """The headers of its answer (a 304's when not_modified), in the encoding asked: made once each."""
        made = self.heads.get((gzipped, not_modified))
        if made is None:
            made = self.heads[gzipped, not_modified] = Head(answer_headers(self, gzipped, not_modified))
        return made


class ResponseCache:
    """An LRU of entries, bounded in entries and in bytes (keys, headers and bodies)."""

    def __init__(self, max_entries=MAX_ENTRIES, max_bytes=MAX_BYTES):
        self.entries = OrderedDict()
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0

    def get(self, key):
        """The entry stored under key, fresh or still within its stale-while-revalidate; else None."""
        entry = self.entries.get(key)
        if entry is not None and entry.stale_until <= time.monotonic():
            self.size -= self.entries.pop(key).size
            return None
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, entry):
        if entry.size > self.max_bytes:
            return
        if key in self.entries:
            self.size -= self.entries.pop(key).size
        self.entries[key] = entry
        self.size += entry.size
        self.trim()

    def trim(self):
        """Drop the least recently used entries while the bounds are passed."""
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size

    async def gzip(self, key, entry):
        """Give a stored entry its gzip, made once, in a thread (zlib lets the event loop go on), the first
        time a client that accepts gzip asks for it; none when it would not be smaller."""
        entry.compressible = False
        gzipped = await asyncio.to_thread(compress, entry.body)
        if len(gzipped) >= len(entry.body):
            return
        entry.gzipped = gzipped
        entry.size += len(gzipped)
        if self.entries.get(key) is entry:  # still stored: it weighs more now
            self.size += len(gzipped)
            self.trim()

    def clear(self):
        self.entries.clear()
        self.size = 0


def header(headers, name):
    """The value of one header (bytes, lower-case name) in an ASGI header list, or b""."""
    return next((v for k, v in headers if k.lower() == name), b"")


def asked(scope):
    """A request's headers read once: each lower-case name's first value (bytes), as header() gives it."""
    found = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(name.lower(), value)
    return found


def normalised_segments(scope):
    """The path's segments as Datasette routes them: percent- then tilde-decoded, no extension."""
    raw = scope.get("raw_path") or scope.get("path", "").encode("latin-1")
    segments = unquote(raw.decode("latin-1").partition("?")[0]).strip("/").split("/")
    return [tilde_decode(s.rsplit(".", 1)[0]) if s else s for s in segments]


def key_prefix(db_hash):
    """What every request's key starts with: the databases and the clock that fix its answer."""
    return f"{db_hash}\n{clock.setting()}\n"


def request_key(scope, db_hash, headers=None):
    """Everything in the request that can change the body, as one string. `headers`: asked(scope)."""
    headers = asked(scope) if headers is None else headers
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("latin-1")
    return key_prefix(db_hash) + "\n".join([scope.get("scheme", "http"), headers.get(b"host", b"").decode("latin-1"),
                                             raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1")])


def storable(status, headers, body):
    """May a shared cache keep this response? Judged from the response itself."""
    if status not in STORED_STATUSES or len(body) > MAX_BODY or header(headers, b"set-cookie"):
        return False
    control = header(headers, b"cache-control").decode("latin-1").lower().replace(" ", "")
    if not control or any(d in control.split(",") for d in REFUSING_DIRECTIVES) or lifetime(headers) <= 0:
        return False
    vary = {v.strip().lower() for v in header(headers, b"vary").split(b",") if v.strip()}
    return vary <= ALLOWED_VARY


AGE = re.compile(r"(s-maxage|max-age|stale-while-revalidate)=(\d+)")


def ages(headers):
    return dict(AGE.findall(header(headers, b"cache-control").decode("latin-1").lower()))


def lifetime(headers):
    """How long a shared cache may keep a response: its s-maxage, else its max-age, in seconds."""
    found = ages(headers)
    return int(found.get("s-maxage", found.get("max-age", 0)))


def stored_entry(key, status, headers, body):
    """The entry for an answer; its gzip is made when a client that accepts gzip first asks for it."""
    kept = [(k, v) for k, v in headers if k.lower() not in DROPPED_HEADERS]
    return Entry(key, kept, body, lifetime(headers), status, None, int(ages(headers).get("stale-while-revalidate", 0)),
                 compressible(body, header(headers, b"content-type"), header(headers, b"content-encoding")))


def etag_matches(value, etag):
    if not value:
        return False
    candidates = [c.strip() for c in value.split(b",")]
    return b"*" in candidates or etag in candidates or b"W/" + etag in candidates


def with_cache_control(headers, value):
    return [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", value)]


def with_vary(headers, name):
    vary = header(headers, b"vary")
    if name.lower() in [v.strip().lower() for v in vary.split(b",")]:
        return headers
    value = vary + b", " + name if vary else name
    return [(k, v) for k, v in headers if k.lower() != b"vary"] + [(b"vary", value)]


class Capture:
    """Collects the application's answer to a GET; past MAX_BODY it stops collecting and streams.

    A body too large to store (a streamed CSV export, say) is never held in memory whole: the
    start and what was collected so far are sent on, and the rest passes straight through.
    """

    def __init__(self, send, head, adjust):
        self.send, self.head, self.adjust = send, head, adjust
        self.status, self.headers, self.chunks, self.size = 500, [], [], 0
        self.streaming, self.complete = False, False

    async def __call__(self, event):
        if event["type"] == "http.response.start":
            self.status = event["status"]
            self.headers = self.adjust(self.status, list(event.get("headers", [])))
            return
        if event["type"] != "http.response.body":
            return
        body = event.get("body", b"")
        if self.streaming:
            return await self.send(dict(event, body=b"" if self.head else body))
        self.chunks.append(body)
        self.size += len(body)
        self.complete = not event.get("more_body", False)
        if self.size > MAX_BODY:
            self.streaming = True
            headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
            await self.send({"type": "http.response.start", "status": self.status, "headers": headers})
            await self.send({"type": "http.response.body", "body": b"" if self.head else b"".join(self.chunks),
                             "more_body": not self.complete})
            self.chunks = []

    @property
    def body(self):
        return b"".join(self.chunks)


async def answer(send, status, headers, body, head):
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    await send({"type": "http.response.start", "status": status,
                "headers": headers + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": b"" if head else body})


class Head(list):
    """An answer's headers, as ASGI lists them and as they go on the wire (`wire`, written once)."""

    def __init__(self, headers):
        super().__init__(headers)
        self.wire = b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in headers)


def answer_headers(entry, gzipped, not_modified):
    """An entry's answer's headers: with its ETag (weak for the gzip: the same content, other bytes, as nginx
    does) and Content-Length; a 304 repeats only the ETag, caching, Vary and CORS headers."""
    varies = entry.gzipped is not None or entry.compressible
    headers = with_vary(entry.headers, b"Accept-Encoding") if varies else entry.headers
    etag = b"W/" + entry.etag if gzipped else entry.etag
    if not_modified:
        kept = [(k, v) for k, v in headers
                if k.lower() in (b"cache-control", b"vary") or k.lower().startswith(b"access-control-")]
        return kept + [(b"etag", etag)]
    body = entry.gzipped if gzipped else entry.body
    encoding = [(b"content-encoding", b"gzip")] if gzipped else []
    return headers + encoding + [(b"etag", etag), (b"content-length", str(len(body)).encode())]


def answer_from(entry, asked, head):
    """(status, headers, body): a 304 when If-None-Match matches the entry, else the entry in full (no body for
    HEAD), its stored gzip for a client that accepts gzip. `asked`: the request's headers (asked())."""
    gzipped = entry.gzipped is not None and gzip_accepted(asked.get(b"accept-encoding", b"").decode("latin-1"))
    if etag_matches(asked.get(b"if-none-match", b""), entry.etag):
        return 304, entry.head(gzipped, True), b""
    return entry.status, entry.head(gzipped, False), b"" if head else entry.gzipped if gzipped else entry.body


async def send_answer(send, status, headers, body):
    """Send an answer; its headers as a list of their own: the layers above may change the list they are given
    (asgi-gzip does, in place), and an entry's are made once and kept."""
    await send({"type": "http.response.start", "status": status, "headers": list(headers)})
    await send({"type": "http.response.body", "body": body})


class Policy:
    """Which requests the cache may answer, and the Cache-Control it gives feeds and clock pages."""

    def __init__(self, datasette):
        config = datasette.plugin_config("response-cache") or {}
        self.datasette = datasette
        self.feed_suffixes = tuple(config.get("feed_suffixes") or (".ics",))
        self.clock_queries = dict(config.get("clock_queries") or {})
        self.clock_paths = dict(config.get("clock_paths") or {})
        self.routes = set(config.get("routes") or ())  # pages outside /<database>/ that depend on the databases
        self.spans = {}
        self.hashed = (None, None)  # the databases served, and their hash

    def database_hash(self):
        """The hash that fixes every answer of the site, or None when there is none: when all its
        databases are immutable (the site's pages and each edition's read each other: built together,
        they change together). Worked out again only when the databases served change."""
        databases = tuple(self.datasette.databases.items())
        if self.hashed[0] != databases:
            served = [d for n, d in databases if n != "_internal"]
            hashes = [d.hash for d in served if not d.is_mutable and d.hash]
            self.hashed = (databases, "+".join(hashes) if served and len(hashes) == len(served) else None)
        return self.hashed[1]

    def key(self, scope, headers):
        """The cache key of a request, or None when the cache must not answer it (it says whose it is).
        `headers`: asked(scope)."""
        if headers.get(b"cookie") or headers.get(b"authorization"):
            return None
        db_hash = self.database_hash()
        return request_key(scope, db_hash, headers) if db_hash else None

    def serves(self, segments):
        """Whether a path's answers depend only on the databases: the home page, a route's, a database's."""
        return segments == [""] or segments[0] in self.routes or segments[0] in self.datasette.databases

    def clock_kind(self, scope, segments):
        """What a page shows of the clock (scripts/core/clock.py), or None for a page that shows none."""
        kind = self.clock_paths.get("/".join(segments))
        if kind is None and len(segments) > 1 and segments[1] in self.clock_queries:
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            kind = None if (asked.get("at") or [""])[0].strip() else self.clock_queries[segments[1]]
        return kind

    async def clock_seconds(self, kind):
        """How long a page of that kind stays true: until the clock's next change it shows, at most CLOCK_MAX."""
        name = vocabulary.leading_database(self.datasette)
        if name not in self.spans:
            row = (await self.datasette.get_database(name).execute(
                "select timezone, first_start, last_end from conference_clock")).first()
            self.spans[name] = tuple(row) if row else ("UTC", None, None)
        zone, first_start, last_end = self.spans[name]
        seconds = clock.seconds_until_change(kind, clock.now(ZoneInfo(zone)), first_start, last_end)
        return min(seconds or CLOCK_MAX, CLOCK_MAX)

    def cache_control(self, scope, status, headers, serves, clock_seconds=None):
        """The Cache-Control of a response: by kind (feed, clock page, page) for the immutable database."""
        control = header(headers, b"cache-control")
        if not serves or b"private" in control or b"no-store" in control:
            return headers
        if clock_seconds is not None:
            return with_cache_control(headers, b"public, max-age=%d, s-maxage=%d" % (clock_seconds, clock_seconds))
        if status != 200 or not self.database_hash() or b"_ttl=" in scope.get("query_string", b""):
            return headers  # errors, other databases and an explicit ?_ttl= keep Datasette's
        if scope.get("path", "").endswith(self.feed_suffixes):
            return with_cache_control(headers, FEED_CACHE_CONTROL)
        return with_cache_control(headers, PAGE_CACHE_CONTROL)


class Caching:
    """The application behind the cache: a hit answered from it, a miss computed once and stored."""

    def __init__(self, app, datasette, cache):
        self.app, self.cache, self.policy = app, cache, Policy(datasette)
        self.computing = {}  # key -> a future done when that key's answer is computed
        self.renewing = set()  # background renewals, kept referenced until done

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        headers = asked(scope)
        key, head = self.policy.key(scope, headers), scope["method"] == "HEAD"
        found = self.answer_held(key, scope, headers)
        if found is not None:
            return await send_answer(send, *found)
        entry = self.cache.get(key) if key is not None else None
        if entry is None:
            adjust, serves = await self.adjuster(scope)  # only a miss reads the path as Datasette routes it
            if key is None or not serves:
                return await self.app(scope, receive, adjusting(send, adjust))
            entry = await self.computed_once(key, scope, receive, send, head, adjust)
            if entry is None:
                return
        if entry.compressible and gzip_accepted(headers.get(b"accept-encoding", b"").decode("latin-1")):
            await self.cache.gzip(key, entry)  # held, but not yet in the encoding this client takes
        await send_answer(send, *answer_from(entry, headers, head))

    async def hit(self, scope, send):
        """Answer a GET or HEAD from the cache when it holds the answer (held()): True when answered."""
        found = self.held(scope)
        if found is not None:
            await send_answer(send, *found)
        return found is not None

    def held(self, scope):
        """(status, headers, body) of the answer to a GET or HEAD when the cache holds it as the client will get
        it; else None. Nothing else is read or decoded, and nothing waited for: scripts/serve.py asks this
        first, as the request is parsed."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        headers = asked(scope)
        return self.answer_held(self.policy.key(scope, headers), scope, headers)

    def answer_held(self, key, scope, headers):
        """held()'s answer for a request's key and headers (asked()): None unless its entry is stored, and in
        the encoding the client takes (its gzip already made, if the client takes gzip)."""
        entry = self.cache.get(key) if key is not None else None
        if entry is None or (entry.compressible and gzip_accepted(headers.get(b"accept-encoding", b"").decode("latin-1"))):
            return None
        if not entry.fresh:
            self.renew(key, scope)  # served as it is meanwhile: within its stale-while-revalidate
        return answer_from(entry, headers, scope["method"] == "HEAD")

    def remember(self, scope):
        """What held(scope) answered from, for a server that meets the same request's bytes again (held_again()):
        its key, its entry (weakly: a dropped entry's body is not kept), its headers and whether it is a HEAD."""
        headers = asked(scope)
        key = self.policy.key(scope, headers)
        entry = self.cache.entries.get(key) if key is not None else None
        return None if entry is None else (key, weakref.ref(entry), headers, scope["method"] == "HEAD")

    def held_again(self, remembered):
        """held()'s answer to a request remembered (remember()) while its entry is stored and fresh, for the same
        databases and clock; else None (and the request goes the way of any other)."""
        key, entry, headers, head = remembered
        entry = entry()
        if entry is None or not entry.fresh or self.cache.get(key) is not entry:
            return None
        if not key.startswith(key_prefix(self.policy.database_hash() or "")):
            return None
        return answer_from(entry, headers, head)

    async def adjuster(self, scope):
        """What the Cache-Control of this request's answer is made by, and whether it may be stored."""
        segments = normalised_segments(scope)
        kind = self.policy.clock_kind(scope, segments)
        seconds = await self.policy.clock_seconds(kind) if kind else None
        serves = self.policy.serves(segments)
        return (lambda status, headers: self.policy.cache_control(scope, status, headers, serves, seconds)), serves

    async def compute(self, key, scope, receive, send, head, adjust):
        """Ask the application, store what may be stored, and answer; None when the answer was sent."""
        captured = Capture(send, head, adjust)
        await self.app(dict(scope, method="GET"), receive, captured)
        if captured.streaming:
            return None
        if not (captured.complete and storable(captured.status, captured.headers, captured.body)):
            await answer(send, captured.status, captured.headers, captured.body, head)
            return None
        entry = stored_entry(key, captured.status, captured.headers, captured.body)
        self.cache.put(key, entry)
        return entry

    async def computed_once(self, key, scope, receive, send, head, adjust):
        """The entry for key, computed by this request, or by the one already computing it (waited for)."""
        waiting = self.computing.get(key)
        if waiting is not None:
            try:
                await asyncio.wait_for(asyncio.shield(waiting), COALESCE_WAIT)
            except asyncio.TimeoutError:
                pass
            entry = self.cache.get(key)
            if entry is not None and entry.fresh:
                return entry
            return await self.compute(key, scope, receive, send, head, adjust)  # that answer was not stored
        done = self.computing[key] = asyncio.get_running_loop().create_future()
        try:
            return await self.compute(key, scope, receive, send, head, adjust)
        finally:
            if self.computing.get(key) is done:
                del self.computing[key]
            done.set_result(None)

    def renew(self, key, scope):
        """Compute key's answer again in the background, once however many ask, and store it."""
        if key in self.computing:
            return

        async def again():
            adjust, _ = await self.adjuster(scope)
            await self.computed_once(key, scope, no_body, nowhere, True, adjust)

        task = asyncio.ensure_future(again())
        self.renewing.add(task)
        task.add_done_callback(self.renewing.discard)


async def nowhere(event):
    """The `send` of a background renewal: nobody is waiting for its answer."""


async def no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def wrap(app, datasette, cache):
    return Caching(app, datasette, cache)


def adjusting(send, adjust):
    """`send`, with the response's headers passed through `adjust` on the way."""
    async def adjusted(event):
        if event["type"] == "http.response.start":
            event = dict(event, headers=adjust(event["status"], list(event.get("headers", []))))
        await send(event)

    return adjusted


@hookimpl
def asgi_wrapper(datasette):
    cache = ResponseCache()
    datasette._response_cache = cache  # for the tests, which need to empty it

    def wrapper(app):
        datasette._response_caching = wrap(app, datasette, cache)  # its hit() is what scripts/serve.py asks first
        return datasette._response_caching

    return wrapper
