-- A job may ask for its transcript from speech-to-text, whatever captions
-- the video has (false: only when it has none).
ALTER TABLE jobs ADD COLUMN transcribe boolean NOT NULL DEFAULT false;
