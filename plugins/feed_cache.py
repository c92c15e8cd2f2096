"""HTTP caching for feeds (calendar and schedule exports) that calendar apps poll for weeks.

The database is immutable, so a feed's bytes depend only on the database's hash and the
request: the ETag is derived from both, If-None-Match is answered with 304 before any SQL
runs, and rendered feeds are kept in a small in-memory LRU cache. Configured in metadata.yml
under plugins.feed-cache: `suffixes` (which paths are feeds) and `uncached` (queries whose
result depends on the clock, like now_next).
"""
import hashlib
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

VERSION = "1"  # bump when the renderers change, so clients do not keep stale feeds
CACHE_CONTROL = b"public, max-age=3600"
MAX_ENTRIES = 256
MAX_BODY = 8 * 1024 * 1024
CORS = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-headers", b"Authorization, Content-Type"),
        (b"access-control-expose-headers", b"Link, ETag"), (b"access-control-allow-methods", b"GET, OPTIONS")]


class FeedCache:
    def __init__(self, max_entries=MAX_ENTRIES):
        self.entries = OrderedDict()
        self.max_entries = max_entries

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, entry):
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)


def feed_key(db_hash, path, query_string):
    """The cache key and ETag of a feed request: database hash, path and sorted parameters."""
    params = sorted(parse_qsl(query_string, keep_blank_values=True))
    key = f"{VERSION}\n{db_hash}\n{path}?{urlencode(params)}"
    return key, '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def etag_matches(header, etag):
    if not header:
        return False
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


def wrap(app, datasette, cache):
    config = datasette.plugin_config("feed-cache") or {}
    suffixes = tuple(config.get("suffixes") or (".ics",))
    uncached = set(config.get("uncached") or ())

    async def wrapped(scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD") or not path.endswith(suffixes):
            return await app(scope, receive, send)
        parts = path.strip("/").split("/")
        db = datasette.databases.get(parts[0]) if parts and parts[0] else None
        name = parts[1].rsplit(".", 1)[0] if len(parts) > 1 else ""
        if db is None or db.is_mutable or not db.hash or name in uncached:
            return await app(scope, receive, send)
        key, etag = feed_key(db.hash, path, scope.get("query_string", b"").decode("latin-1"))
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        common = [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL)] + (CORS if datasette.cors else [])
        if etag_matches(headers.get(b"if-none-match", b"").decode("latin-1"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        entry = cache.get(key)
        if entry is None:
            captured = {"start": None, "body": []}

            async def capture(event):
                if event["type"] == "http.response.start":
                    captured["start"] = event
                else:
                    captured["body"].append(event.get("body", b""))

            await app(scope, receive, capture)
            start, body = captured["start"], b"".join(captured["body"])
            if start["status"] != 200:
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() in (b"content-type", b"x-skipped-rows")]
            entry = (kept, body)
            if len(body) <= MAX_BODY:
                cache.put(key, entry)
        kept, body = entry
        await send({"type": "http.response.start", "status": 200,
                    "headers": kept + common + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    cache = FeedCache()
    datasette._feed_cache = cache  # for tests and the benchmark, which need to empty it
    return lambda app: wrap(app, datasette, cache)
