"""SQL functions for canned queries: conference-local time for `now_next`, safe FTS5 queries for
`search` and the tables' own search boxes, and the session ids of an `agenda` however they are
separated."""
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from datasette import hookimpl


def now(tz):
    """The conference clock: the real time, or PYCON_NOW (ISO 8601) to show the site as at that moment
    (for tests and demonstrations; with no offset it is read in the conference's time zone)."""
    fixed = os.environ.get("PYCON_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
    return datetime.now(tz)


def pycon_local_time(at, tz_name):
    """`at` (ISO 8601, with or without offset; empty for now) as 'YYYY-MM-DD HH:MM' in tz_name.

    Returns NULL for anything unparseable, so a bad parameter gives an empty result, not an error.
    """
    try:
        tz = ZoneInfo(tz_name)
    except Exception:
        return None
    if at is None or not str(at).strip():
        moment = now(tz)
    else:
        try:
            moment = datetime.fromisoformat(str(at).strip())
            moment = moment.astimezone(tz) if moment.tzinfo else moment
        except (ValueError, OverflowError):  # unreadable, or out of range in this zone
            return None
    return moment.strftime("%Y-%m-%d %H:%M")


MAX_IDS = 500
DIGITS = re.compile(r"\d{1,12}")


def pycon_ids(text):
    """',105,66,' from '105 66', '105+66', '105;66;66;' or '105,,66': ids however people separate them.

    Duplicates and blanks are dropped; anything that is not a run of digits separates ids.
    """
    ids = list(dict.fromkeys(str(int(d)) for d in DIGITS.findall(str(text or ""))))[:MAX_IDS]
    return "," + ",".join(ids) + "," if ids else ""


WORD = re.compile(r"\w+")
MAX_WORDS, MAX_WORD = 16, 64


def pycon_fts_query(text, mode="all"):
    """What a person typed, as an FTS5 query that cannot be a syntax error.

    Every word becomes a quoted prefix term ("secur"* finds security); mode "all" requires
    every word, "any" one of them (the search falls back to it when "all" finds nothing).
    Quotes, operators, column filters and NEAR( are read as the words they contain. Text
    with no word matches nothing.
    """
    words = [w[:MAX_WORD] for w in WORD.findall(str(text or ""))][:MAX_WORDS]
    terms = [f'"{w}"*' for w in words]
    if not terms:
        return '""'
    return " OR ".join(terms) if mode == "any" else " ".join(terms)


def escape_fts(text):
    """For the search box of a table page: each word a quoted term, so no input is FTS5 syntax.

    Replaces Datasette's own, which turned a lone `"` into an empty query, an FTS5 syntax error.
    """
    return " ".join(f'"{w}"' for w in WORD.findall(str(text or ""))[:MAX_WORDS]) or '""'


# trylast: registered after Datasette's own escape_fts, so this one is the one SQLite calls.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("pycon_local_time", 2, pycon_local_time, deterministic=False)
    conn.create_function("pycon_fts_query", 1, pycon_fts_query, deterministic=True)
    conn.create_function("pycon_fts_query", 2, pycon_fts_query, deterministic=True)
    conn.create_function("pycon_ids", 1, pycon_ids, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts, deterministic=True)
