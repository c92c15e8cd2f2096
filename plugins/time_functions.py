"""SQL functions of time: `pycon_local_time(at, zone)`, the conference clock (scripts/core/clock.py) as
'YYYY-MM-DD HH:MM' in the conference's zone, for now_next and the conference_clock view's readers; and
`pycon_overlaps(a_start, a_end, b_start, b_end)`, the one overlap rule (scripts/core/times.py) for a
session's "at the same time"."""
from datasette import hookimpl

from scripts.core.clock import local_time
from scripts.core.times import overlaps


def pycon_overlaps(a_start, a_end, b_start, b_end):
    if None in (a_start, a_end, b_start, b_end):
        return 0
    return int(overlaps(a_start, a_end, b_start, b_end))


@hookimpl
def prepare_connection(conn):
    conn.create_function("pycon_local_time", 2, local_time, deterministic=False)
    conn.create_function("pycon_overlaps", 4, pycon_overlaps, deterministic=True)
