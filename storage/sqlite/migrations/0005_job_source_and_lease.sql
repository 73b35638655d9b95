-- A job carries what to fetch (a source kind and a reference), its
-- priority rather than an asynq queue name, and the summarizer and model it
-- is to be made with.

ALTER TABLE jobs ADD COLUMN source_kind TEXT NOT NULL DEFAULT 'youtube';
ALTER TABLE jobs ADD COLUMN source_ref TEXT NOT NULL DEFAULT '';
-- Every job before this migration was a YouTube video.
UPDATE jobs SET source_ref = video_id;

ALTER TABLE jobs RENAME COLUMN queue TO priority;
UPDATE jobs SET priority = CASE priority WHEN 'batch' THEN 'low' ELSE 'high' END;

-- '' (jobs from before this migration): the generator of the process that
-- runs the job.
ALTER TABLE jobs ADD COLUMN summarizer TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN model TEXT NOT NULL DEFAULT '';

-- Running a job is exclusive: the run that holds it, and until when.
ALTER TABLE jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_expires_at TEXT;
