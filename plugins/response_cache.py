"""HTTP caching for an immutable database: ETags, 304s and a bounded in-memory response cache.

The database never changes while it is served, so a GET response under /<database>/ (and the
home page) depends only on the database's hash and the request (path, parameters, host). Its ETag is derived
from those, If-None-Match is answered with 304 before any SQL runs, and 200 responses are
kept in an LRU cache bounded in entries and bytes. Feeds (calendars, schedule exports) get a
Cache-Control suited to apps that poll them. Configured in metadata.yml under
plugins.response-cache: `feed_suffixes`, and `uncached` (queries whose result depends on the
clock, like now_next).
"""
import hashlib
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

VERSION = "2"  # bump when the renderers change, so clients do not keep stale responses
FEED_CACHE_CONTROL = b"public, max-age=3600"
MAX_ENTRIES = 2048
MAX_BYTES = 64 * 1024 * 1024
MAX_BODY = 8 * 1024 * 1024
DROPPED_HEADERS = {b"content-length", b"date", b"server", b"etag"}


class ResponseCache:
    """An LRU of (headers, body), bounded in entries and in bytes."""

    def __init__(self, max_entries=MAX_ENTRIES, max_bytes=MAX_BYTES):
        self.entries = OrderedDict()
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, entry):
        if key in self.entries:
            self.size -= len(self.entries.pop(key)[1])
        self.entries[key] = entry
        self.size += len(entry[1])
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, body) = self.entries.popitem(last=False)
            self.size -= len(body)

    def clear(self):
        self.entries.clear()
        self.size = 0


def response_key(db_hash, path, query_string, host):
    """The cache key and ETag of a request: database hash, path, sorted parameters and host."""
    params = sorted(parse_qsl(query_string, keep_blank_values=True))
    key = f"{VERSION}\n{db_hash}\n{host}\n{path}?{urlencode(params)}"
    return key, '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def etag_matches(header, etag):
    if not header:
        return False
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


def with_cache_control(headers, is_feed):
    """Feeds get a Cache-Control for apps that poll them; other responses keep Datasette's."""
    if not is_feed:
        return headers
    return [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", FEED_CACHE_CONTROL)]


def wrap(app, datasette, cache):
    config = datasette.plugin_config("response-cache") or {}
    feed_suffixes = tuple(config.get("feed_suffixes") or (".ics",))
    uncached = set(config.get("uncached") or ())

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        path = scope.get("path", "")
        parts = path.strip("/").split("/")
        name = parts[1].split(".")[0] if len(parts) > 1 else ""
        if path in ("/", "/.json"):
            # The home page lists every database: cacheable when all of them are immutable.
            served = [d for n, d in datasette.databases.items() if n != "_internal"]
            hashes = [d.hash for d in served if not d.is_mutable and d.hash]
            db_hash = "+".join(hashes) if served and len(hashes) == len(served) else None
        else:
            db = datasette.databases.get(parts[0].split(".")[0]) if parts and parts[0] else None
            db_hash = db.hash if db is not None and not db.is_mutable else None
        if not db_hash or name in uncached:
            return await app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        key, etag = response_key(db_hash, path, scope.get("query_string", b"").decode("latin-1"),
                                 headers.get(b"host", b"").decode("latin-1"))
        is_feed = path.endswith(feed_suffixes)
        entry = cache.get(key)
        if etag_matches(headers.get(b"if-none-match", b"").decode("latin-1"), etag):
            # A 304 repeats the caching and CORS headers the full response would carry.
            if entry is not None:
                kept = [(k, v) for k, v in entry[0] if k.lower().startswith(b"access-control-") or k.lower() == b"cache-control"]
            else:
                kept = [(b"access-control-allow-origin", b"*")] if datasette.cors else []
                kept = with_cache_control(kept, is_feed)
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag.encode())] + kept})
            await send({"type": "http.response.body", "body": b""})
            return
        if entry is None:
            captured = {"start": None, "body": []}

            async def capture(event):
                if event["type"] == "http.response.start":
                    captured["start"] = event
                else:
                    captured["body"].append(event.get("body", b""))

            await app(scope, receive, capture)
            start, body = captured["start"], b"".join(captured["body"])
            raw_headers = start.get("headers", [])
            if start["status"] != 200 or any(k.lower() == b"set-cookie" for k, _ in raw_headers):
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            kept = with_cache_control([(k, v) for k, v in raw_headers if k.lower() not in DROPPED_HEADERS], is_feed)
            entry = (kept, body)
            if len(body) <= MAX_BODY:
                cache.put(key, entry)
        kept, body = entry
        await send({"type": "http.response.start", "status": 200,
                    "headers": kept + [(b"etag", etag.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    cache = ResponseCache()
    datasette._response_cache = cache  # for tests and the benchmark, which need to empty it
    return lambda app: wrap(app, datasette, cache)
