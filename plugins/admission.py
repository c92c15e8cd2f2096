"""A fast refusal instead of a growing queue: at most ACTIVE requests run the application at
once, at most WAITING more wait for a turn, none longer than MAX_WAIT seconds. Past that a
request gets 503 with Retry-After at once, so under overload clients are told quickly (and
nginx tries the other replica) rather than all of them timing out.

This wraps the application inside the response cache (tryfirst: the first wrapper applied is
the innermost), so answers the cache already holds never wait here: only work does.
"""
import asyncio

from datasette import hookimpl

ACTIVE = 6
WAITING = 24
MAX_WAIT = 1.0
BUSY = b"The site is busy: please try again in a second.\n"


class Gate:
    """Counts the requests it has let in or keeps waiting, so the bound holds however they interleave."""

    def __init__(self, active=ACTIVE, waiting=WAITING, max_wait=MAX_WAIT):
        self.slots = asyncio.Semaphore(active)
        self.capacity, self.max_wait, self.taken = active + waiting, max_wait, 0

    async def enter(self):
        """True once a slot is held; False when the queue is full or the wait too long."""
        if self.taken >= self.capacity:
            return False
        self.taken += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), self.max_wait)
            return True
        except asyncio.TimeoutError:
            self.taken -= 1
            return False

    def leave(self):
        self.slots.release()
        self.taken -= 1


async def refuse(send):
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"1"),
                            (b"cache-control", b"no-store"), (b"content-length", str(len(BUSY)).encode())]})
    await send({"type": "http.response.body", "body": BUSY})


def admitting(app, gate_holder):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        gate = gate_holder.get("gate") or gate_holder.setdefault("gate", Gate())  # made on the server's loop
        if not await gate.enter():
            return await refuse(send)
        try:
            await app(scope, receive, send)
        finally:
            gate.leave()

    return wrapped


@hookimpl(tryfirst=True)
def asgi_wrapper(datasette):
    holder = {}
    return lambda app: admitting(app, holder)
