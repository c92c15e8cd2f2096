"""Our own files under /static/ (the stylesheet and the small scripts): pages link them with a
version in the URL, the first 12 hex digits of the file's SHA-256, so browsers and nginx keep a
versioned file for a year and a changed file is a new URL. `static_url('site.css')` is the
template global (and, through datasette.jinja_env, what other plugins use) that writes them.
"""
import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from datasette import hookimpl

STATIC = Path(__file__).resolve().parent.parent / "static"
PREFIX = "/static/"
LONG = b"public, max-age=31536000, immutable"
SHORT = b"public, max-age=300"  # an unversioned URL (an old page, a hand-typed link) may change


@lru_cache(maxsize=None)
def version(name):
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def lifetime(scope):
    """How long a response to this /static/ request may be kept."""
    name = scope["path"][len(PREFIX):]
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [None])[0]
    try:
        return LONG if asked is not None and asked == version(name) else SHORT
    except OSError:  # not one of our files (Datasette's 404 follows)
        return SHORT


def cache_static(app):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(PREFIX):
            return await app(scope, receive, send)
        keep = lifetime(scope)

        async def sending(message):
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": headers + [(b"cache-control", keep)]}
            await send(message)

        return await app(scope, receive, sending)

    return wrapped


@hookimpl
def asgi_wrapper():
    return cache_static


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.globals["static_url"] = lambda name: datasette.urls.path(f"{PREFIX}{name}?v={version(name)}")
