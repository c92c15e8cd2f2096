"""What one answer may weigh and how long one statement may run, shared by the SQL limits
(plugins/sql_limits.py), the SQL functions of every plugin (registered through `create_function`
here) and the formats that render a query's rows (plugins/calendar_feed.py): each counts the bytes it
will send against the same budget, and stops at the same time limit."""
import sqlite3
import threading
import time

MAX_LENGTH = 2_000_000  # the longest string or blob a query may make (SQLite's SQLITE_LIMIT_LENGTH)
MAX_RESULT = 16_000_000  # the most an answer may weigh as it will be sent
TIME_LIMIT_MS = 1000  # Datasette's sql_time_limit_ms: no statement runs longer

_statement = threading.local()


class ResultTooLarge(sqlite3.OperationalError):
    """A query's rows outgrew MAX_RESULT as they would be sent."""


TOO_LARGE = f"query result too large: over {MAX_RESULT // 1_000_000} MB; select fewer rows or columns"


def statement_started(sql):
    """SQLite's trace callback: a statement (new or one of the statement cache's) starts running on this
    thread, so its time starts now."""
    _statement.started = time.monotonic()


def past_time_limit():
    started = getattr(_statement, "started", None)
    return started is not None and time.monotonic() - started > TIME_LIMIT_MS / 1000


def create_function(conn, name, arity, function, deterministic=True):
    """conn.create_function, with a function that checks the statement's time itself: SQLite's progress
    handler (Datasette's time limit) runs only between about 1,000 steps of its machine, and a function
    called once a row can run for seconds in between (hardening 4, H1: 34 calls of 0.45 s). Past the
    limit, the call interrupts the statement, which ends as "interrupted" (Datasette's "took too long")."""
    def bounded(*args):
        if past_time_limit():
            conn.interrupt()
            return None
        return function(*args)

    conn.create_function(name, arity, bounded, deterministic=deterministic)
