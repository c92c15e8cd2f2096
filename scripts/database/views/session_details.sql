
select
  sessions.id, sessions.day, sessions.weekday, sessions.start_local, sessions.end_local,
  sessions.start_iso, sessions.end_iso, sessions.duration_min, sessions.timezone,
  sessions.title, sessions.subtitle, sessions.kind, sessions.track_id, tracks.name as track,
  sessions.room_id, rooms.name as room, rooms.floor, sessions.speakers, sessions.language,
  sessions.level, sessions.url, sessions.parent_id, sessions.cancelled, sessions.sequence, sessions.notes,
  (select r.watch_url from certain_recordings r where r.session_id = sessions.id order by r.id limit 1) as recording_url,
  (select r.duration_s from certain_recordings r where r.session_id = sessions.id order by r.id limit 1) as recording_s,
  (select r.start_s from certain_recordings r where r.session_id = sessions.id order by r.id limit 1) as recording_from_s
from sessions
  left join rooms on rooms.id = sessions.room_id
  left join tracks on tracks.id = sessions.track_id
order by sessions.start_iso is null, sessions.start_iso, sessions.day, rooms.name, sessions.id
