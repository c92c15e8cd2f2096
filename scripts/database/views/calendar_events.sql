
select
  p.id, p.day, p.weekday, p.start_local, p.end_local, p.start_iso, p.end_iso, p.duration_min,
  p.title, p.subtitle, p.speakers, p.kind, p.track_id, p.track,
  coalesce(p.room_id, slot.room_id) as room_id, coalesce(p.room, slot_room.name) as room,
  coalesce(p.floor, slot_room.floor) as floor, slot.title as during,
  p.language, p.url, p.parent_id, p.cancelled, p.sequence, p.notes, p.recording_url, p.recording_s, p.recording_from_s,
  p.title || coalesce(': ' || p.subtitle, '') as event_name,
  coalesce(p.start_iso, slot.start_iso, p.day) as event_dtstart,
  coalesce(p.end_iso, slot.end_iso) as event_dtend,
  p.timezone as event_tzid,
  c.id || '-session-' || p.id || '@us.pycon.org' as event_uid,
  coalesce('Speakers: ' || p.speakers || char(10), '')
    || coalesce('Track: ' || p.track || char(10), '')
    || 'Kind: ' || p.kind || char(10)
    || coalesce('Room: ' || coalesce(p.room, slot_room.name)
                || coalesce(' (' || coalesce(p.floor, slot_room.floor) || ')', '') || char(10), '')
    || coalesce('During: ' || slot.title || char(10), '')
    || case when p.start_iso is not null and p.end_iso is null then 'Ends: not announced (shown at its start)' || char(10) else '' end
    || coalesce('Note: ' || p.notes || char(10), '')
    || coalesce('Recording: ' || p.recording_url || char(10), '')
    || coalesce(p.url, c.schedule_url) as event_description,
  -- the room, the venue and its address, each where known (2022's feed names no venue: its city then)
  trim(coalesce(coalesce(p.room, slot_room.name) || ', ', '') || coalesce(c.venue_name || ', ', '')
       || coalesce(c.venue_address, c.city, ''), ', ') as event_location,
  coalesce(p.url, c.schedule_url) as event_url,
  p.kind || coalesce(',' || p.track, '') as event_categories,
  p.sequence as event_sequence,
  case when p.cancelled then 'CANCELLED' else 'CONFIRMED' end as event_status,
  coalesce((select max(ch.imported) from program_changes ch where ch.session_id = p.id), c.updated) as event_dtstamp
from session_details p
  -- a talk of a slot with no time of its own (a lightning talk) is an event during its slot
  left join sessions slot on slot.id = p.parent_id and p.start_iso is null
  left join rooms slot_room on slot_room.id = slot.room_id,
  conference c
where p.kind != 'unfilled'
