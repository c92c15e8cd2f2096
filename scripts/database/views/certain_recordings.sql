-- The recordings a session shows as its own: every match but "shared-video" (pyvideo gives that video to
-- another session too, and one of the two is wrong). Every count and link of a session's recording reads this.
select * from recordings where match is null or match != 'shared-video'
