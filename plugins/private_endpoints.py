"""Datasette's debugging pages that tell more than a public site should: 404 for everyone.

`/-/threads` lists the server's threads and tasks with the Python source paths of their code.
"""
from datasette import hookimpl

HIDDEN = ("/-/threads", "/-/threads.json")


def hide(app):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") in HIDDEN:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"Not found.\n"})
            return
        return await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper():
    return hide
