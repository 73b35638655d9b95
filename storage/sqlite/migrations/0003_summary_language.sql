-- The language a job's summary is written in; '' is the transcript's.
ALTER TABLE jobs ADD COLUMN summary_language TEXT NOT NULL DEFAULT '';
