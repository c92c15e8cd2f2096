"""The site is read-only: any method but GET, HEAD and OPTIONS gets 405 before Datasette sees it.

Besides saying so plainly, this spares users Datasette 0.65's own answer to a POST on a table
or a read-only canned query, which is a 500 (an AssertionError inside the view).
"""
from datasette import hookimpl

ALLOWED = {"GET", "HEAD", "OPTIONS"}


def refuse_writes(app):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method") not in ALLOWED:
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS")]})
            await send({"type": "http.response.body", "body": b"This site is read-only: use GET.\n"})
            return
        return await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper():
    return refuse_writes
