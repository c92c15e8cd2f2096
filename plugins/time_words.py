"""Times as pages say them, as Jinja filters: every time a page shows is formatted here.

`when`: "Fri 15 May, 09:45–10:30" from a row's start_local/end_local (the day alone when its time is
unknown); `when_in_words`: "Friday 15 May, 09:45–10:30 PDT"; `hhmm`: "09:45"; `day_label`, `day_title`,
`date_range` ("19–23 April"); `clock`: where in a video ("14:31")."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from datasette import hookimpl

from scripts.core.times import hhmm
from scripts.core.vocabulary import NO_TIME


def as_dict(row):
    return row if isinstance(row, dict) else dict(zip(row.keys(), row))


def day_label(day):
    d = date.fromisoformat(str(day)[:10])
    return f"{d:%a} {d.day} {d:%b}"


def day_title(day):
    d = date.fromisoformat(str(day)[:10])
    return f"{d:%A} {d.day} {d:%B}"


def when(row):
    row = as_dict(row)
    start, end = row.get("start_local"), row.get("end_local")
    day = day_label(row.get("day") or start)
    if not start:
        return f"{day}, during {row['during']}" if row.get("during") else f"{day}, {NO_TIME}"
    if not end or end == start:
        return f"{day}, {hhmm(start)}" + (" (end not announced)" if not end else "")
    return f"{day}, {hhmm(start)}–{hhmm(end)}"


def when_in_words(row):
    """'Friday 15 May, 09:45–10:30 PDT' (the zone of the moment), or the day alone when the time is not known."""
    row = as_dict(row)
    words = day_title(row["day"])
    if not row["start_iso"]:
        return f"{words}, during {row['during']}" if row.get("during") else f"{words}, {NO_TIME}"
    start = datetime.fromisoformat(row["start_iso"])
    zone = start.astimezone(ZoneInfo(row["event_tzid"])).tzname() if row.get("event_tzid") else ""
    end = f"–{hhmm(row['end_local'])}" if row["end_local"] and row["end_local"] != row["start_local"] else ""
    return f"{words}, {hhmm(row['start_local'])}{end} {zone}".rstrip()


def clock(seconds):
    """Where in a video: '14:31', or '1:02:03' past an hour."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def weekdays(days):
    """ISO days as weekdays in words: 'Friday', 'Wednesday and Thursday', 'Friday to Sunday' (days in a row),
    'Friday, Sunday and Tuesday' (apart)."""
    dates = sorted(date.fromisoformat(str(d)[:10]) for d in days)
    names = [f"{d:%A}" for d in dates]
    if len(names) <= 1:
        return "".join(names)
    in_a_row = all((b - a).days == 1 for a, b in zip(dates, dates[1:]))
    if in_a_row and len(names) > 2:
        return f"{names[0]} to {names[-1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def date_range(start, end):
    """'19–23 April <year>', '30 April – 2 May <year>': a conference's span in words."""
    a, b = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    return f"{a.day} {a:%B} – {b.day} {b:%B %Y}" if a.year == b.year else f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"


@hookimpl
def prepare_jinja2_environment(env):
    env.filters.update(when=when, when_in_words=when_in_words, hhmm=hhmm, clock=clock, day_label=day_label,
                       day_title=day_title, date_range=date_range, weekdays=weekdays)
