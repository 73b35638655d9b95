-- A job may ask for its transcript from speech-to-text, whatever captions
-- the video has (0: only when it has none).
ALTER TABLE jobs ADD COLUMN transcribe INTEGER NOT NULL DEFAULT 0;
