-- Every day of the conference, first to last (data/conference.yaml's start_date and end_date): the one
-- list of days the day tabs, the header, /schedule and the day grids read. None while they are not announced.
with recursive days(day) as (
  select start_date from conference where start_date is not null
  union all
  select date(day, '+1 day') from days, conference where day < conference.end_date
)
select day from days
