"""HTTP caching for an immutable database: ETags, 304s and a bounded in-memory response cache.

Correct by construction:
- only a complete 200 answer to a GET is stored, and only when its own headers say a shared
  cache may keep it (no `private`, `no-store`, `no-cache`, Set-Cookie or unknown Vary);
- a HEAD is answered from the GET (same headers, Content-Length included, no body): the
  application is always asked for the GET, so an empty HEAD body can never be stored;
- requests carrying a Cookie or Authorization header bypass the cache entirely (Datasette
  marks their answers `private, no-store`);
- the key is everything in the request that can change the body: the databases' hashes (an
  edition's page reads the site's database too: a speaker's other editions), scheme
  (uvicorn sets it from X-Forwarded-Proto for a trusted proxy), Host, the path and the query
  string exactly as sent (repeated parameters keep their order);
- the ETag is a hash of the stored body and the headers that shape it, so it changes
  whenever the body can, and replicas that render the same bytes give the same ETag;
- the bound counts keys, headers and bodies;
- an entry lives no longer than its own Cache-Control promises a shared cache (s-maxage,
  else max-age): even `select random()` is run again once that has passed.

It also says, in Cache-Control, how long browsers and shared caches (nginx, a CDN) may keep
each kind of response: pages, feeds (calendars, schedule exports) and clock pages. Configured in metadata.yml under plugins.response-cache: `feed_suffixes`, `uncached`
(queries whose result depends on the clock, like now_next, matched after Datasette's
tilde-decoding, so `now~5Fnext` is the same query), `uncached_paths` (whole paths, such as
`schedule`, which redirects to the day that is on), and
`routes` (first path segments outside /<database>/ whose pages depend on the databases, such as
`schedule`, whose days are the site's edition's or an earlier one's).
"""
import hashlib
import re
import time
from collections import OrderedDict
from urllib.parse import unquote

from datasette import hookimpl
from datasette.utils import tilde_decode

# What browsers and shared caches (nginx, a CDN) may keep, by kind of response. The database
# changes only with a deploy: shared caches keep pages 5 minutes (so a deploy shows within 5),
# serve them stale while they revalidate, and for a day if every replica is down.
PAGE_CACHE_CONTROL = b"public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
# Calendar apps poll hourly; the shared tier still refreshes within 5 minutes.
FEED_CACHE_CONTROL = b"public, max-age=3600, s-maxage=300, stale-while-revalidate=300, stale-if-error=86400"
# now_next and /schedule depend on the clock: kept briefly, by anyone.
CLOCK_CACHE_CONTROL = b"public, max-age=30, s-maxage=30"
MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024
MAX_BODY = 8 * 1024 * 1024
ENTRY_OVERHEAD = 512  # the Python objects around a stored entry, in bytes
DROPPED_HEADERS = {b"content-length", b"date", b"server", b"etag"}
REFUSING_DIRECTIVES = ("private", "no-store", "no-cache", "max-age=0", "s-maxage=0")
ALLOWED_VARY = {b"cookie", b"authorization", b"accept-encoding"}


class Entry:
    """A stored response: headers without the per-response ones, body, ETag and its size."""

    __slots__ = ("headers", "body", "etag", "size", "expires")

    def __init__(self, key, headers, body, lifetime):
        self.headers, self.body, self.expires = headers, body, time.monotonic() + lifetime
        digest = hashlib.sha256(body)
        for name, value in headers:
            digest.update(b"\0" + name.lower() + b"\0" + value)
        self.etag = b'"' + digest.hexdigest()[:32].encode() + b'"'
        self.size = len(key) + len(body) + sum(len(k) + len(v) for k, v in headers) + ENTRY_OVERHEAD


class ResponseCache:
    """An LRU of entries, bounded in entries and in bytes (keys, headers and bodies)."""

    def __init__(self, max_entries=MAX_ENTRIES, max_bytes=MAX_BYTES):
        self.entries = OrderedDict()
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0

    def get(self, key):
        """The entry stored under key, unless it has outlived what its Cache-Control promised."""
        entry = self.entries.get(key)
        if entry is not None and entry.expires <= time.monotonic():
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
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size

    def clear(self):
        self.entries.clear()
        self.size = 0


def header(headers, name):
    """The value of one header (bytes, lower-case name) in an ASGI header list, or b""."""
    return next((v for k, v in headers if k.lower() == name), b"")


def normalised_segments(scope):
    """The path's segments as Datasette routes them: percent- then tilde-decoded, no extension."""
    raw = scope.get("raw_path") or scope.get("path", "").encode("latin-1")
    segments = unquote(raw.decode("latin-1").partition("?")[0]).strip("/").split("/")
    return [tilde_decode(s.rsplit(".", 1)[0]) if s else s for s in segments]


def request_key(scope, db_hash):
    """Everything in the request that can change the body, as one string."""
    headers = scope.get("headers", [])
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("latin-1")
    return "\n".join([db_hash, scope.get("scheme", "http"), header(headers, b"host").decode("latin-1"),
                      raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1")])


def storable(status, headers, body):
    """May a shared cache keep this response? Judged from the response itself."""
    if status != 200 or len(body) > MAX_BODY or header(headers, b"set-cookie"):
        return False
    control = header(headers, b"cache-control").decode("latin-1").lower().replace(" ", "")
    if not control or any(d in control.split(",") for d in REFUSING_DIRECTIVES) or lifetime(headers) <= 0:
        return False
    vary = {v.strip().lower() for v in header(headers, b"vary").split(b",") if v.strip()}
    return vary <= ALLOWED_VARY


AGE = re.compile(r"(s-maxage|max-age)=(\d+)")


def lifetime(headers):
    """How long a shared cache may keep a response: its s-maxage, else its max-age, in seconds."""
    ages = dict(AGE.findall(header(headers, b"cache-control").decode("latin-1").lower()))
    return int(ages.get("s-maxage", ages.get("max-age", 0)))


def etag_matches(value, etag):
    if not value:
        return False
    candidates = [c.strip() for c in value.split(b",")]
    return b"*" in candidates or etag in candidates or b"W/" + etag in candidates


def with_cache_control(headers, value):
    return [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", value)]


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


async def answer_from(entry, request_headers, send, head):
    """A 304 when If-None-Match matches the entry, else the entry in full (no body for HEAD)."""
    if etag_matches(header(request_headers, b"if-none-match"), entry.etag):
        # A 304 repeats the caching, Vary and CORS headers the full response would carry.
        kept = [(k, v) for k, v in entry.headers
                if k.lower() in (b"cache-control", b"vary") or k.lower().startswith(b"access-control-")]
        await send({"type": "http.response.start", "status": 304, "headers": kept + [(b"etag", entry.etag)]})
        await send({"type": "http.response.body", "body": b""})
        return
    await answer(send, 200, entry.headers + [(b"etag", entry.etag)], entry.body, head)


class Policy:
    """Which requests the cache may answer, and the Cache-Control it gives feeds and clock pages."""

    def __init__(self, datasette):
        config = datasette.plugin_config("response-cache") or {}
        self.datasette = datasette
        self.feed_suffixes = tuple(config.get("feed_suffixes") or (".ics",))
        self.uncached = set(config.get("uncached") or ())
        self.uncached_paths = set(config.get("uncached_paths") or ())
        self.routes = set(config.get("routes") or ())  # pages outside /<database>/ that depend on the databases

    def database_hash(self, segments):
        """The hash that fixes every answer under this path, or None when there is none: the home page,
        a route's page and a database's page are fixed by the databases' hashes, when all are immutable
        (the site's pages and each edition's read each other: built together, they change together)."""
        if segments != [""] and segments[0] not in self.routes and segments[0] not in self.datasette.databases:
            return None
        served = [d for n, d in self.datasette.databases.items() if n != "_internal"]
        hashes = [d.hash for d in served if not d.is_mutable and d.hash]
        return "+".join(hashes) if served and len(hashes) == len(served) else None

    def key(self, scope, segments):
        """The cache key of a request, or None when the cache must not answer it."""
        headers = scope.get("headers", [])
        if header(headers, b"cookie") or header(headers, b"authorization") or self.depends_on_clock(segments):
            return None
        db_hash = self.database_hash(segments)
        return request_key(scope, db_hash) if db_hash else None

    def depends_on_clock(self, segments):
        return (len(segments) > 1 and segments[1] in self.uncached) or "/".join(segments) in self.uncached_paths

    def cache_control(self, scope, segments, status, headers):
        """The Cache-Control of a response: by kind (feed, clock page, page) for the immutable database."""
        control = header(headers, b"cache-control")
        if b"private" in control or b"no-store" in control:
            return headers
        if self.depends_on_clock(segments):
            return with_cache_control(headers, CLOCK_CACHE_CONTROL)
        if status != 200 or not self.database_hash(segments) or b"_ttl=" in scope.get("query_string", b""):
            return headers  # errors, other databases and an explicit ?_ttl= keep Datasette's
        if scope.get("path", "").endswith(self.feed_suffixes):
            return with_cache_control(headers, FEED_CACHE_CONTROL)
        return with_cache_control(headers, PAGE_CACHE_CONTROL)


def wrap(app, datasette, cache):
    policy = Policy(datasette)

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        segments = normalised_segments(scope)
        key = policy.key(scope, segments)
        adjust = lambda status, headers: policy.cache_control(scope, segments, status, headers)  # noqa: E731
        if key is None:
            return await app(scope, receive, adjusting(send, adjust))
        entry = cache.get(key)
        head = scope["method"] == "HEAD"
        if entry is None:
            captured = Capture(send, head, adjust)
            await app(dict(scope, method="GET"), receive, captured)
            if captured.streaming:
                return
            if not (captured.complete and storable(captured.status, captured.headers, captured.body)):
                return await answer(send, captured.status, captured.headers, captured.body, head)
            kept = [(k, v) for k, v in captured.headers if k.lower() not in DROPPED_HEADERS]
            entry = Entry(key, kept, captured.body, lifetime(captured.headers))
            cache.put(key, entry)
        await answer_from(entry, scope.get("headers", []), send, head)

    return wrapped


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
    return lambda app: wrap(app, datasette, cache)
