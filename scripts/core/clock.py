"""The conference clock: the real time, or the moment in PYCON_NOW (ISO 8601) to show the site as at that
moment (tests and demonstrations set it instead of depending on today). The conference is over once
the clock passes its last session's end (the conference_clock view)."""
import math
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# The clock beside the conference's span: the moment asked for (now when :at is empty), and whether
# the conference is over then. Every page that depends on the clock reads it.
CLOCK = """select *, pycon_local_time(:at, timezone) as moment,
  pycon_local_time(:at, timezone) > last_end as over
from conference_clock"""


def setting():
    """PYCON_NOW as set, or "" for the real time: what a cached page shown at a moment depends on."""
    return os.environ.get("PYCON_NOW", "")


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


# What a page shows of the clock, and so when what it shows can next change: the minute it was asked
# at (now_next names it), the day that is on (/schedule goes to it), or only whether the conference
# has started or is over (the home page, My schedule).
MINUTE, DAY, SPAN = "minute", "day", "span"


def seconds_until_change(kind, now, first_start, last_end):
    """Seconds from `now` (aware) until a page of `kind` can show something else, or None when it never
    will; first_start and last_end are the conference's, local 'YYYY-MM-DD HH:MM' (or None)."""
    moments = [datetime.fromisoformat(m).replace(tzinfo=now.tzinfo) for m in (first_start, last_end) if m]
    if kind == MINUTE:
        moments.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    elif kind == DAY and len(moments) == 2 and moments[0] <= now < moments[1]:  # a day of the conference
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        moments.append(datetime.combine(midnight.date() + timedelta(days=1), midnight.time(), now.tzinfo))
    # Seconds as timestamps count them: across a change of the zone's offset, wall times do not.
    later = [m.timestamp() - now.timestamp() for m in moments if m.timestamp() > now.timestamp()]
    return max(1, math.ceil(min(later))) if later else None
