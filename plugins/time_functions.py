"""SQL functions of time: `pycon_local_time(at, zone)`, the conference clock (scripts/core/clock.py) as
'YYYY-MM-DD HH:MM' in the conference's zone, for now_next and the conference_clock view's readers; and
`pycon_overlaps(a_start, a_end, b_start, b_end)`, the one overlap rule (scripts/core/times.py) for a
session's "at the same time"."""
from datasette import hookimpl

from scripts.core.limits import create_function
from scripts.core.clock import local_time
from scripts.core.times import overlaps


MAX_TIME = 64  # characters of a time: an ISO 8601 moment is under 40


def pycon_overlaps(a_start, a_end, b_start, b_end):
    if None in (a_start, a_end, b_start, b_end):
        return 0
    times = [str(t) for t in (a_start, a_end, b_start, b_end)]  # times are text: a number is read as one
    if any(len(t) > MAX_TIME for t in times):
        raise OverflowError("string or blob too big")  # SQLite says so for an OverflowError
    return int(overlaps(*times))


def pycon_local_time(at, tz_name):
    """The conference clock's local time; a moment or zone too long to be one is none (NULL), at once."""
    if len(str(at or "")) > MAX_TIME or len(str(tz_name or "")) > MAX_TIME:
        return None
    return local_time(at, tz_name)


@hookimpl
def prepare_connection(conn):
    create_function(conn, "pycon_local_time", 2, pycon_local_time, deterministic=False)
    create_function(conn, "pycon_overlaps", 4, pycon_overlaps)
