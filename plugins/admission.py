"""A fast refusal instead of a growing queue, and turns shared fairly between clients: at most ACTIVE
requests run the application at once, at most WAITING more wait for a turn, none longer than MAX_WAIT
seconds. Past that a request gets 503 with Retry-After at once, so under overload clients are told
quickly rather than all of them timing out.

Fair: one client holds at most PER_CLIENT turns, so another finds one free at once; a freed turn goes to
the waiting client with the fewest requests running (the earliest of its requests first), and when the
queue is full a newcomer takes the place of the newest waiting request of the client holding the most
places. One client with 30 connections looping a slow query can no
longer leave another nothing: the other's requests go first. A client is its address as uvicorn
reads it: behind nginx, the X-Forwarded-For of a trusted proxy (scripts/serve.py), never a header
anyone else sends.

This wraps the application inside the response cache (tryfirst: the first wrapper applied is
the innermost), so answers the cache already holds never wait here: only work does.
"""
import asyncio
import itertools
from collections import Counter, deque

from datasette import hookimpl

ACTIVE = 6
WAITING = 24
# One client holds at most this many turns at once, so another always finds one free at once (a freed turn
# it may not take stays free): with all six, a newcomer's wait for one could outlast MAX_WAIT.
PER_CLIENT = ACTIVE - 1
MAX_WAIT = 1.0
BUSY = b"The site is busy: please try again in a second.\n"


class Gate:
    """Hands out ACTIVE turns; the requests waiting for one are queued per client."""

    def __init__(self, active=ACTIVE, waiting=WAITING, max_wait=MAX_WAIT, per_client=PER_CLIENT):
        self.free, self.room, self.max_wait, self.per_client = active, waiting, max_wait, per_client
        self.running = Counter()  # client -> its requests holding a turn
        self.queues = {}  # client -> deque of (arrival, future) of its waiting requests
        self.queued, self.arrivals = 0, itertools.count()

    async def enter(self, client):
        """True once a turn is held; False when the queue is full or the wait too long."""
        if self.free and self.running[client] < self.per_client:  # whoever waits is at their own limit
            self.free -= 1
            self.running[client] += 1
            return True
        if self.queued >= self.room and not self.make_room(client):
            return False
        turn = asyncio.get_running_loop().create_future()
        self.queues.setdefault(client, deque()).append((next(self.arrivals), turn))
        self.queued += 1
        try:
            return await asyncio.wait_for(asyncio.shield(turn), self.max_wait)
        except asyncio.TimeoutError:
            return self.withdraw(client, turn)
        except asyncio.CancelledError:  # the client went away while waiting
            if self.withdraw(client, turn):
                self.leave(client)
            raise

    def leave(self, client):
        """The turn passes to the waiting client with the fewest running, or is freed."""
        self.running[client] -= 1
        if not self.running[client]:
            del self.running[client]
        eligible = [c for c in self.queues if self.running[c] < self.per_client]
        if not eligible:
            self.free += 1
            return
        chosen = min(eligible, key=lambda c: (self.running[c], self.queues[c][0][0]))
        turn = self.take(chosen, 0)
        self.running[chosen] += 1
        turn.set_result(True)

    def make_room(self, client):
        """Refuse the newest waiting request of the client holding the most places, if that is more than
        this client would hold with one more; True when a place was made."""
        if not self.queues:
            return False
        places = lambda c: self.running[c] + len(self.queues.get(c, ()))  # noqa: E731
        greedy = max(self.queues, key=places)
        if places(greedy) <= places(client) + 1:
            return False
        self.take(greedy, -1).set_result(False)
        return True

    def take(self, client, index):
        queue = self.queues[client]
        _, turn = queue.popleft() if index == 0 else queue.pop()
        if not queue:
            del self.queues[client]
        self.queued -= 1
        return turn

    def withdraw(self, client, turn):
        """A request stops waiting: True if it was given a turn meanwhile (it holds it), else False."""
        if turn.done():
            return turn.result()
        queue = self.queues[client]
        queue.remove(next(item for item in queue if item[1] is turn))
        if not queue:
            del self.queues[client]
        self.queued -= 1
        return False


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
        client = (scope.get("client") or ("",))[0]
        if not await gate.enter(client):
            return await refuse(send)
        try:
            await app(scope, receive, send)
        finally:
            gate.leave(client)

    return wrapped


@hookimpl(tryfirst=True)
def asgi_wrapper(datasette):
    holder = {}
    return lambda app: admitting(app, holder)
