-- The conference's span as the program has it: its time zone, its first and last day, the first
-- session's start and the last one's end (wall time there). The site compares the moment now
-- (pycon_local_time, plugins/time_functions.py, scripts/core/clock.py; PYCON_NOW in tests) with last_end to know the
-- conference is over: the home page, /schedule, now_next and My schedule all read this view.
select
  c.name,
  c.timezone,
  c.start_date as first_day,
  c.end_date as last_day,
  (select min(start_local) from calendar_events) as first_start,
  (select max(coalesce(end_local, start_local)) from calendar_events) as last_end
from conference c
