-- recap's first schema. Times are UTC text, 'YYYY-MM-DDTHH:MM:SS.ffffffZ',
-- so that text order is time order.

CREATE TABLE videos (
	id            TEXT PRIMARY KEY,
	url           TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	channel       TEXT NOT NULL DEFAULT '',
	published_at  TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD as the source gives it
	duration_ms   INTEGER NOT NULL DEFAULT 0,
	thumbnail_url TEXT NOT NULL DEFAULT '',
	description   TEXT NOT NULL DEFAULT '',
	updated_at    TEXT NOT NULL
) STRICT;

-- No foreign key to videos: a transcript may be stored before (or without)
-- the video's metadata.
CREATE TABLE transcripts (
	video_id   TEXT NOT NULL,
	language   TEXT NOT NULL,
	source     TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (video_id, language)
) STRICT;

-- One row per caption cue, so that transcript moments can be searched.
CREATE TABLE transcript_segments (
	video_id TEXT NOT NULL,
	language TEXT NOT NULL,
	idx      INTEGER NOT NULL,
	start_ms INTEGER NOT NULL,
	end_ms   INTEGER NOT NULL,
	text     TEXT NOT NULL,
	PRIMARY KEY (video_id, language, idx),
	FOREIGN KEY (video_id, language) REFERENCES transcripts (video_id, language) ON DELETE CASCADE
) STRICT;

CREATE TABLE jobs (
	id          TEXT PRIMARY KEY,
	video_id    TEXT NOT NULL,
	input       TEXT NOT NULL DEFAULT '',
	language    TEXT NOT NULL DEFAULT '',
	queue       TEXT NOT NULL DEFAULT '',
	options_key TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	done        INTEGER NOT NULL DEFAULT 0,
	total       INTEGER NOT NULL DEFAULT 0,
	error_code  TEXT NOT NULL DEFAULT '',
	error       TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT
) STRICT;

-- ListJobs pages on (created_at, id), with or without a status.
CREATE INDEX jobs_created_at ON jobs (created_at, id);
CREATE INDEX jobs_status_created_at ON jobs (status, created_at, id);
-- SubmitJob looks for the newest done job of a video and options on every
-- call: with status and time in the index that is one index probe.
CREATE INDEX jobs_video_options ON jobs (video_id, options_key, status, created_at, id);
-- At most one active job per video and options, whoever submits it.
CREATE UNIQUE INDEX jobs_one_active ON jobs (video_id, options_key)
	WHERE status IN ('queued', 'running');

-- A document is the product of the job with the same id.
CREATE TABLE documents (
	id             TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
	video_id       TEXT NOT NULL,
	language       TEXT NOT NULL,
	summarizer     TEXT NOT NULL,
	model          TEXT NOT NULL,
	prompt_version TEXT NOT NULL,
	body           TEXT NOT NULL CHECK (json_valid(body)),
	created_at     TEXT NOT NULL
) STRICT;

CREATE INDEX documents_video_created_at ON documents (video_id, created_at, id);
CREATE INDEX documents_key ON documents (video_id, language, summarizer, model, prompt_version, created_at, id);

CREATE TABLE chapter_cache (
	key        TEXT PRIMARY KEY,
	summary    TEXT NOT NULL CHECK (json_valid(summary)),
	created_at TEXT NOT NULL
) STRICT;
