-- A page of jobs (ListJobStamps) tells a kept view of a finished job from
-- a stale one without looking up each job's video title: n changes
-- whenever a video is stored for the first time or its title changes.
CREATE TABLE title_changes (
	id integer PRIMARY KEY CHECK (id = 1),
	n  bigint NOT NULL
);
INSERT INTO title_changes (id, n) VALUES (1, 1);

CREATE FUNCTION count_title_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE title_changes SET n = n + 1;
	RETURN NULL;
END;
$$;

CREATE TRIGGER videos_title_inserted AFTER INSERT ON videos
	FOR EACH ROW EXECUTE FUNCTION count_title_change();

CREATE TRIGGER videos_title_updated AFTER UPDATE OF title ON videos
	FOR EACH ROW WHEN (old.title IS DISTINCT FROM new.title) EXECUTE FUNCTION count_title_change();
