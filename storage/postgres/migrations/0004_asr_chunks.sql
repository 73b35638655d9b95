-- What speech-to-text answered for each chunk of audio, so that a retried
-- or resumed transcription pays only for the chunks it lacks.
CREATE TABLE asr_chunks (
	model      text NOT NULL,
	language   text NOT NULL, -- asked for; '' when the service detects it
	hash       text NOT NULL, -- hex SHA-256 of the chunk's bytes
	offset_ns  bigint NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (model, language, hash, offset_ns)
);
