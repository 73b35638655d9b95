-- The process listing an expanding batch's sources holds it, as a run
-- holds its job: `recap batch` lists its own batch with its user's files,
-- and a server leaves it alone while that hold lasts.
ALTER TABLE batches ADD COLUMN expand_owner text NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN expand_lease_expires_at timestamptz;
