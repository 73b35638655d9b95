-- A batch may ask for every item's transcript from speech-to-text,
-- whatever captions the items have (false: only for items without one).
ALTER TABLE batches ADD COLUMN transcribe boolean NOT NULL DEFAULT false;
