"""The headers that tell browsers what a response may do, on every response.

- `X-Content-Type-Options: nosniff`: a JSON, CSV or calendar answer is never read as a page.
- HTML pages get a Content-Security-Policy: scripts, styles, fonts and requests only from this
  site (inline scripts and styles too: Datasette's own pages use them), images from here and
  OpenStreetMap's tile servers (the hotel maps), no plugins, forms posting only here, and
  `frame-ancestors 'none'` (with X-Frame-Options for older browsers): no other site can frame
  a page, so no button on one (say "Add these sessions to my schedule") can be clicked
  through a disguise.
- Referrer-Policy: Datasette sends `no-referrer` on its pages, and OpenStreetMap's tile
  servers refuse requests that carry no Referer (the Leaflet bundled with datasette-leaflet
  1.7.1 has no per-tile referrerPolicy option). HTML pages get the browsers' default policy
  instead, which sends only the site's origin to other sites.
"""
from datasette import hookimpl

POLICY = b"strict-origin-when-cross-origin"
CSP = (b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       b"img-src 'self' data: https://*.tile.openstreetmap.org https://tile.openstreetmap.org; "
       b"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
REPLACED = {b"referrer-policy", b"content-security-policy", b"x-frame-options", b"x-content-type-options"}


def secured(headers):
    is_html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
    policy = [v for k, v in headers if k.lower() == b"referrer-policy"]
    kept = [(k, v) for k, v in headers if k.lower() not in REPLACED]
    kept.append((b"x-content-type-options", b"nosniff"))
    if is_html:
        return kept + [(b"referrer-policy", POLICY), (b"content-security-policy", CSP), (b"x-frame-options", b"DENY")]
    return kept + [(b"referrer-policy", p) for p in policy]


def add_security_headers(app):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def patched_send(event):
            if event["type"] == "http.response.start":
                event = dict(event, headers=secured(list(event.get("headers") or [])))
            await send(event)

        return await app(scope, receive, patched_send)

    return wrapped


@hookimpl
def asgi_wrapper():
    return add_security_headers
