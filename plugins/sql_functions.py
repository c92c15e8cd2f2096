"""SQL functions for canned queries: conference-local time for `now_next`."""
from datetime import datetime
from zoneinfo import ZoneInfo

from datasette import hookimpl


def pycon_local_time(at, tz_name):
    """`at` (ISO 8601, with or without offset; empty for now) as 'YYYY-MM-DD HH:MM' in tz_name.

    Returns NULL for anything unparseable, so a bad parameter gives an empty result, not an error.
    """
    try:
        tz = ZoneInfo(tz_name)
    except Exception:
        return None
    if at is None or not str(at).strip():
        moment = datetime.now(tz)
    else:
        try:
            moment = datetime.fromisoformat(str(at).strip())
        except ValueError:
            return None
        moment = moment.astimezone(tz) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%d %H:%M")


@hookimpl
def prepare_connection(conn):
    conn.create_function("pycon_local_time", 2, pycon_local_time, deterministic=False)
