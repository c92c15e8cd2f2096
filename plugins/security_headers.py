"""Let map tiles load: OpenStreetMap's tile servers refuse requests that carry no Referer.

Datasette sends `Referrer-Policy: no-referrer` on its pages, and the Leaflet bundled with
datasette-leaflet (1.7.1) has no per-tile referrerPolicy option. HTML pages get the browsers'
default policy instead, which sends only the site's origin to other sites.
"""
from datasette import hookimpl

POLICY = b"strict-origin-when-cross-origin"


def rewrite_referrer_policy(app):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def patched_send(event):
            if event["type"] == "http.response.start":
                headers = event.get("headers") or []
                is_html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if is_html:
                    event = dict(event, headers=[(k, POLICY) if k.lower() == b"referrer-policy" else (k, v)
                                                 for k, v in headers])
            await send(event)

        return await app(scope, receive, patched_send)

    return wrapped


@hookimpl
def asgi_wrapper():
    return rewrite_referrer_policy
