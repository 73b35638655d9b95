-- recap's first schema; the same shape as the SQLite one.

CREATE TABLE videos (
	id            text PRIMARY KEY,
	url           text NOT NULL DEFAULT '',
	title         text NOT NULL DEFAULT '',
	channel       text NOT NULL DEFAULT '',
	published_at  text NOT NULL DEFAULT '', -- YYYY-MM-DD as the source gives it, or ''
	duration_ms   bigint NOT NULL DEFAULT 0,
	thumbnail_url text NOT NULL DEFAULT '',
	description   text NOT NULL DEFAULT '',
	updated_at    timestamptz NOT NULL
);

-- No foreign key to videos: a transcript may be stored before (or without)
-- the video's metadata.
CREATE TABLE transcripts (
	video_id   text NOT NULL,
	language   text NOT NULL,
	source     text NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (video_id, language)
);

-- One row per caption cue, so that transcript moments can be searched.
CREATE TABLE transcript_segments (
	video_id text NOT NULL,
	language text NOT NULL,
	idx      integer NOT NULL,
	start_ms bigint NOT NULL,
	end_ms   bigint NOT NULL,
	text     text NOT NULL,
	PRIMARY KEY (video_id, language, idx),
	FOREIGN KEY (video_id, language) REFERENCES transcripts (video_id, language) ON DELETE CASCADE
);

-- Job ids compare byte by byte ("C"), as in SQLite, so that pages break
-- ties between equal created_at the same way in both stores.
CREATE TABLE jobs (
	id          text COLLATE "C" PRIMARY KEY,
	video_id    text NOT NULL,
	input       text NOT NULL DEFAULT '',
	language    text NOT NULL DEFAULT '',
	queue       text NOT NULL DEFAULT '',
	options_key text NOT NULL,
	status      text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	done        integer NOT NULL DEFAULT 0,
	total       integer NOT NULL DEFAULT 0,
	error_code  text NOT NULL DEFAULT '',
	error       text NOT NULL DEFAULT '',
	attempts    integer NOT NULL DEFAULT 0,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz
);

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
	id             text COLLATE "C" PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
	video_id       text NOT NULL,
	language       text NOT NULL,
	summarizer     text NOT NULL,
	model          text NOT NULL,
	prompt_version text NOT NULL,
	body           jsonb NOT NULL,
	created_at     timestamptz NOT NULL
);

CREATE INDEX documents_video_created_at ON documents (video_id, created_at, id);
CREATE INDEX documents_key ON documents (video_id, language, summarizer, model, prompt_version, created_at, id);

CREATE TABLE chapter_cache (
	key        text PRIMARY KEY,
	summary    jsonb NOT NULL,
	created_at timestamptz NOT NULL
);
