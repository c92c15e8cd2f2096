"""Bounds on what one SQL query may make, and what it may read, on every connection Datasette opens.

- No string or blob over MAX_LENGTH (SQLite's own SQLITE_LIMIT_LENGTH): `zeroblob`,
  `randomblob`, `hex`, `replace` and `printf` fail at once with "string or blob too big".
- `printf('%.*c', N, 'x')` repeats a character N times one step at a time in SQLite 3.40,
  past the length limit and past the progress handler that enforces sql_time_limit_ms
  (900 million steps took 7 s): printf and format refuse such a precision before it runs.
- No result over MAX_RESULT bytes: rows are counted as they are read, and a query whose
  rows outgrow the budget stops with a clear error instead of filling the server's memory.
- LIKE and GLOB patterns are short (a long pattern of wildcards backtracks for seconds).
- Nothing private: `pragma_database_list` shows no file path, `fts3_tokenizer` (which
  returns a live memory address) is refused.
"""
import re
import sqlite3
import threading
import weakref

from datasette import hookimpl

MAX_LENGTH = 2_000_000
MAX_RESULT = 16_000_000
MAX_PATTERN = 200
CONVERSION = re.compile(r"%[-+ 0#,!]*(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])")
_helpers = threading.local()


class ResultTooLarge(sqlite3.OperationalError):
    pass


def _helper():
    """A private connection whose printf is SQLite's own, for the guard to hand checked calls to."""
    conn = getattr(_helpers, "conn", None)
    if conn is None:
        conn = _helpers.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    return conn


def widest_repeat(fmt, args):
    """The largest precision given to a %c conversion in `fmt` (whose `*` take values from args)."""
    widest, position = 0, 0
    for width, precision, kind in CONVERSION.findall(fmt):
        if width == "*":
            position += 1
        if precision == "*":
            precision = args[position] if position < len(args) else 0
            position += 1
        if kind == "c":
            try:
                widest = max(widest, int(precision or 0))
            except (TypeError, ValueError):
                pass
        if kind != "%":
            position += 1
    return widest


def guarded_printf(*args):
    if not args or args[0] is None:
        return None
    if widest_repeat(str(args[0]), args[1:]) > MAX_LENGTH:
        raise OverflowError("string or blob too big")  # SQLite reports it under that name
    placeholders = ", ".join("?" * len(args))
    return _helper().execute(f"select printf({placeholders})", args).fetchone()[0]


def budgeted_rows(budget):
    """A row factory that counts the bytes each cursor has read and stops one that reads too much."""
    def row_factory(cursor, row):
        size = budget.get(cursor, 0) + sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in row)
        if size > MAX_RESULT:
            raise ResultTooLarge(f"query result too large: over {MAX_RESULT // 1_000_000} MB; "
                                 "select fewer rows or columns")
        budget[cursor] = size
        return sqlite3.Row(cursor, row)

    return row_factory


def authorizer(action, arg1, arg2, db_name, source):
    if action == sqlite3.SQLITE_READ and arg1 == "pragma_database_list" and arg2 == "file":
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    if action == sqlite3.SQLITE_FUNCTION and arg2 == "fts3_tokenizer":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_PATTERN)
    for name in ("printf", "format"):
        conn.create_function(name, -1, guarded_printf, deterministic=True)
    conn.row_factory = budgeted_rows(weakref.WeakKeyDictionary())
    conn.set_authorizer(authorizer)
