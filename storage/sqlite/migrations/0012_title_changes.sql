-- A page of jobs (ListJobStamps) tells a kept view of a finished job from
-- a stale one without looking up each job's video title: n changes
-- whenever a video is stored for the first time or its title changes.
CREATE TABLE title_changes (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
) STRICT;
INSERT INTO title_changes (id, n) VALUES (1, 1);

CREATE TRIGGER videos_title_inserted AFTER INSERT ON videos
BEGIN
	UPDATE title_changes SET n = n + 1;
END;

CREATE TRIGGER videos_title_updated AFTER UPDATE OF title ON videos
WHEN old.title IS NOT new.title
BEGIN
	UPDATE title_changes SET n = n + 1;
END;

-- A page of stamps is read from the index alone: the indexes that page
-- jobs by (created_at, id), with or without a status, also hold the rest
-- of a stamp (status, updated_at), so no row of jobs is read for it.
DROP INDEX jobs_created_at;
CREATE INDEX jobs_created_at ON jobs (created_at, id, status, updated_at);
DROP INDEX jobs_status_created_at;
CREATE INDEX jobs_status_created_at ON jobs (status, created_at, id, updated_at);
