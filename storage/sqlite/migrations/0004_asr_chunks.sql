-- What speech-to-text answered for each chunk of audio, so that a retried
-- or resumed transcription pays only for the chunks it lacks.
CREATE TABLE asr_chunks (
	model      TEXT NOT NULL,
	language   TEXT NOT NULL, -- asked for; '' when the service detects it
	hash       TEXT NOT NULL, -- hex SHA-256 of the chunk's bytes
	offset_ns  INTEGER NOT NULL,
	body       TEXT NOT NULL CHECK (json_valid(body)),
	created_at TEXT NOT NULL,
	PRIMARY KEY (model, language, hash, offset_ns)
) STRICT;
