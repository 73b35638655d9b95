-- A batch may ask for every item's transcript from speech-to-text,
-- whatever captions the items have (0: only for items without one).
ALTER TABLE batches ADD COLUMN transcribe INTEGER NOT NULL DEFAULT 0;
