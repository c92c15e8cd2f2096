"""The conference clock: the real time, or the moment in PYCON_NOW (ISO 8601) to show the site as at that
moment (tests and demonstrations set it instead of depending on today). The conference is over once
the clock passes its last session's end (the conference_clock view)."""
import os
from datetime import datetime
from zoneinfo import ZoneInfo

# The clock beside the conference's span: the moment asked for (now when :at is empty), and whether
# the conference is over then. Every page that depends on the clock reads it.
CLOCK = """select *, pycon_local_time(:at, timezone) as moment,
  pycon_local_time(:at, timezone) > last_end as over
from conference_clock"""


def now(tz):
    """Now in `tz`, or PYCON_NOW (with no offset it is read in `tz`)."""
    fixed = os.environ.get("PYCON_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
    return datetime.now(tz)


def local_time(at, tz_name):
    """`at` (ISO 8601, with or without offset; empty for now) as 'YYYY-MM-DD HH:MM' in tz_name, or None
    for anything unreadable, so a bad parameter gives an empty result, not an error."""
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
    # Four digits of year always (strftime writes year 1 as '1', which no date parser reads back).
    return f"{moment.year:04d}-{moment:%m-%d %H:%M}"


async def conference_clock(db, at=""):
    """The conference_clock row of a database with `moment` and `over` at `at` (now when empty)."""
    clock = dict((await db.execute(CLOCK, {"at": at})).first())
    clock["over"] = bool(clock["over"])
    return clock
