"""Bounds on what one SQL query may cost and read, on every connection Datasette opens,
enforced by SQLite itself rather than by reading the SQL.

- No string or blob over MAX_LENGTH (SQLite's own SQLITE_LIMIT_LENGTH): `zeroblob`,
  `randomblob`, `hex` and the like fail at once with "string or blob too big".
- Every function a statement calls passes SQLite's authorizer, which sees each call by name
  after SQLite has parsed the statement (in views and subqueries too). Only the functions in
  FUNCTIONS are allowed: those whose one call costs time about linear in its arguments, which
  the length limit bounds, so that the progress handler enforcing sql_time_limit_ms (it runs
  between steps, never inside one) always gets its turn. Any other name, a new SQLite's new
  function included, is refused ("not authorized") until someone reviews it. `json_patch`
  (13.8 s in one call for two 100,000-key objects), `fts3_tokenizer` (a memory address),
  `load_extension` and the R*Tree helpers are refused.
- Three of SQLite's functions can run unbounded in one call, and are replaced:
  `instr` and `replace` compare each position with the whole needle in SQLite 3.40 (a 1 MB
  haystack and a 0.5 MB needle: 5.5 s); here they are Python's, whose search is linear.
  `printf` and `format` repeat a `%c` once per unit of precision however the precision is
  written (`%.*c` with a negative or huge argument, `%.900000000lc`, after a `%n`...); SQLite's
  own printf runs them, in a child process that is killed when one call passes CALL_SECONDS,
  so no reading of the format is needed and none can be bypassed.
- No result over MAX_RESULT bytes as it will be sent: each value is counted at its length
  once escaped for JSON (the widest of our formats), each cell and column name besides, as the
  rows are read (a bound of it first, which costs a third as much, and the exact count of every row
  once that bound passes the budget); a query whose rows outgrow the budget stops with a clear error.
- LIKE and GLOB patterns are short (a 200-character literal against 2 MB took 0.7 s).
- Nothing private: `pragma_database_list` shows no file path.
"""
import json
import marshal
import pickle
import select
import sqlite3
import subprocess
import sys
import threading
import weakref
from json.encoder import encode_basestring_ascii

from datasette import hookimpl

from scripts.core import limits
from scripts.core.limits import MAX_LENGTH, TOO_LARGE, ResultTooLarge, create_function, statement_started
MAX_PATTERN = 100
CELL = 160  # what one cell adds to a page beyond its value: markup, a key, separators
# No legitimate printf takes a millisecond (its result is under 2 MB); a call past this is a
# runaway %c, and is stopped. The progress handler stops the statement at its time limit
# between calls, so a statement ends at most CALL_SECONDS past that limit.
CALL_SECONDS = 0.25
START_SECONDS = 10  # the child's own start-up, before any call is timed
_threads = threading.local()

# Reviewed against `select name from pragma_function_list` of SQLite 3.40: one call of each
# costs time about linear in its arguments (aggregates and window functions: one row a step).
FUNCTIONS = frozenset("""
-> ->> abs acos acosh asin asinh atan atan2 atanh avg bm25 ceil ceiling changes char coalesce
cos cosh count cume_dist current_date current_time current_timestamp date datetime degrees
dense_rank exp first_value floor glob group_concat hex highlight ifnull iif json json_array
json_array_length json_extract json_group_array json_group_object json_insert json_object
json_quote json_remove json_replace json_set json_type json_valid julianday lag last_insert_rowid
last_value lead length like likelihood likely ln log log10 log2 lower ltrim match matchinfo max
min mod nth_value ntile nullif offsets percent_rank pi pow power radians random randomblob rank
round row_number rtrim sign sin sinh snippet soundex sqlite_compileoption_get
sqlite_compileoption_used sqlite_source_id sqlite_version sqrt strftime substr substring subtype
sum tan tanh time total total_changes trim trunc typeof unicode unixepoch unlikely upper
zeroblob
instr replace printf format
pycon_local_time pycon_overlaps pycon_fts_query pycon_ids escape_fts pycon_program_query pycon_spell pycon_search_marks
pycon_topic
""".split())


def as_text(value):
    """A value as SQLite's text affinity gives it (numbers in SQLite's own spelling)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float):  # SQLite spells 1e20 as 1.0e+20
        if not hasattr(_threads, "plain"):
            _threads.plain = sqlite3.connect(":memory:")
        return _threads.plain.execute("select cast(? as text)", (value,)).fetchone()[0]
    return str(value)


def linear_instr(haystack, needle):
    """SQLite's instr(): the 1-based position of needle (in bytes for two blobs, else characters)."""
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        return haystack.find(needle) + 1
    return as_text(haystack).find(as_text(needle)) + 1


def linear_replace(text, old, new):
    """SQLite's replace(): text with every old replaced by new; an empty old leaves text as it is."""
    if text is None or old is None or new is None:
        return None
    old = as_text(old)
    if old == "":
        return text
    text, new = as_text(text), as_text(new)
    # The result's length, counted before it is built: built first, three nested replaces took 2 GB.
    if len(text) + text.count(old) * (len(new) - len(old)) > MAX_LENGTH:
        raise OverflowError("string or blob too big")  # SQLite reports OverflowError under that name
    return text.replace(old, new)


# SQLite's own printf, in a process of its own: one call to a function, one answer.
WORKER = """
import pickle, sqlite3, sys
conn = sqlite3.connect(":memory:")
conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(sys.argv[1]))
read, write = sys.stdin.buffer.read, sys.stdout.buffer
write.write(b"R")  # ready: its start-up never counts against a call's time
write.flush()
while len(head := read(4)) == 4:
    name, args = pickle.loads(read(int.from_bytes(head, "big")))
    try:
        answer = ("ok", conn.execute(f"select {name}({', '.join('?' * len(args))})", args).fetchone()[0])
    except sqlite3.Error as exc:
        answer = ("error", str(exc))
    data = pickle.dumps(answer)
    write.write(len(data).to_bytes(4, "big") + data)
    write.flush()
"""


class PrintfProcess:
    """A child process running SQLite's printf; killed (and later restarted) when a call outlives its time."""

    def __init__(self):
        self.proc = None

    def call(self, name, args, seconds):
        """The result of name(*args), or TimeoutError when it takes longer than `seconds`."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        request = pickle.dumps((name, args))
        try:
            self.proc.stdin.write(len(request).to_bytes(4, "big") + request)
            if not select.select([self.proc.stdout], [], [], max(seconds, 0))[0]:
                raise TimeoutError(name)
            kind, value = pickle.loads(self.read(int.from_bytes(self.read(4), "big")))
        except (OSError, EOFError, TimeoutError, pickle.UnpicklingError):
            self.stop()
            raise TimeoutError(name) from None
        if kind == "error":
            raise OverflowError(value) if "too big" in value else ValueError(value)
        return value

    def start(self):
        """A new child, once it says it is ready (on a loaded machine, Python's start-up took over 0.25 s: a
        plain printf('%05d', 42) was refused 2 times in 24 when the start counted against the call)."""
        self.proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", WORKER, str(MAX_LENGTH)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        if not select.select([self.proc.stdout], [], [], START_SECONDS)[0] or self.proc.stdout.read(1) != b"R":
            self.stop()
            raise TimeoutError("printf")

    def read(self, n):
        chunks = []
        while n > 0:
            chunk = self.proc.stdout.read(n)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def printf_in_child(conn, name):
    def run(*args):
        worker = getattr(_threads, "printf", None)
        if worker is None:
            worker = _threads.printf = PrintfProcess()
        try:
            return worker.call(name, args, CALL_SECONDS)
        except TimeoutError:
            conn.interrupt()  # the statement ends as "interrupted": Datasette's "took too long"
            return None

    return run


def encoded_size(value):
    """About how many bytes `value` takes once escaped for JSON, the widest format we send."""
    if isinstance(value, str):
        return len(encode_basestring_ascii(value))
    if isinstance(value, bytes):
        return len(value) * 4 // 3 + 32  # base64 in Datasette's JSON
    return 24


# A row's values as JSON, by the json module's C encoder: one call a row rather than one a value.
ROW_JSON = json.JSONEncoder(ensure_ascii=True, check_circular=False).encode
# No value takes more than WIDEN times its marshal bytes once escaped for JSON: a character is one to four
# bytes of UTF-8 and one to twelve of JSON (a surrogate pair, "\\ud83d\\ude00"); a number is five to nine
# bytes and at most 24 characters; None is one byte and "null"; a blob of n bytes is n + 5 bytes and counts
# as 4n/3 + 32 (an empty one: 5 bytes against 32, hence 7 rather than 6). marshal is C and does no escaping:
# a third of the JSON encoder's time for the same row. Its version 2 writes every value whole (from version
# 3 on, a value met twice is a 5-byte reference).
WIDEN = 7
MARSHAL_VERSION = 2


def row_size(row):
    """About how many bytes a row's values take once escaped for JSON (its brackets and commas besides)."""
    try:
        return len(ROW_JSON(row))
    except TypeError:  # a blob: JSON has none
        return sum(encoded_size(v) for v in row)


def row_bound(row):
    """At least row_size(row), for a third of its time."""
    return WIDEN * len(marshal.dumps(row, MARSHAL_VERSION))


class Spent:
    """What one cursor's rows will weigh when sent: a cheap bound while it stays under budget, and the
    exact count (of every row so far) once the bound passes it, so that no result under budget is refused."""
    __slots__ = ("total", "per_row", "rows")

    def __init__(self, description):
        self.total = 0
        # each row repeats the column names (JSON objects, CSV's header once) and a cell's markup
        self.per_row = sum(len(encode_basestring_ascii(d[0] or "")) + CELL for d in description)
        self.rows = []  # kept while the bound is counted, to count them exactly if it passes the budget

    def add(self, row):
        if self.rows is None:
            self.total += self.per_row + row_size(row)
        else:
            self.rows.append(row)
            self.total += self.per_row + row_bound(row)
            if self.total > limits.MAX_RESULT:
                self.total = sum(self.per_row + row_size(r) for r in self.rows)
                self.rows = None
        if self.total > limits.MAX_RESULT:
            raise ResultTooLarge(TOO_LARGE)


def budgeted_rows(budget):
    """A row factory that counts the bytes each cursor's rows will take when sent, and stops one over budget."""
    def row_factory(cursor, row):
        spent = budget.get(cursor)
        if spent is None:
            spent = budget[cursor] = Spent(cursor.description)
        spent.add(row)
        return sqlite3.Row(cursor, row)

    return row_factory


def authorizer(action, arg1, arg2, db_name, source):
    if action == sqlite3.SQLITE_READ and arg1 == "pragma_database_list" and arg2 == "file":
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_PATTERN)
    conn.set_trace_callback(statement_started)
    create_function(conn, "instr", 2, linear_instr)
    create_function(conn, "replace", 3, linear_replace)
    for name in ("printf", "format"):
        create_function(conn, name, -1, printf_in_child(conn, name))
    conn.row_factory = budgeted_rows(weakref.WeakKeyDictionary())
    # sqlite3's own UTF-8 decoder, in C, where Datasette sets a Python function for each text value (a third
    # of a 200-row query's time): the databases hold UTF-8 only, and a query that casts other bytes to text
    # is told so (an error naming the column) rather than given replacement characters.
    conn.text_factory = str
    conn.set_authorizer(authorizer)
