-- Backlogs: batches of items, the podcast episodes they name, and
-- subscriptions that add items as their sources grow.

-- A podcast episode as the feed gave it (feed.Episode as JSON), so that any
-- process can run its job.
CREATE TABLE episodes (
	id         TEXT PRIMARY KEY,
	body       TEXT NOT NULL CHECK (json_valid(body)),
	updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE batches (
	id           TEXT PRIMARY KEY,
	sources      TEXT NOT NULL CHECK (json_valid(sources)), -- JSON array of the SOURCE strings
	title        TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL CHECK (status IN ('expanding', 'running', 'paused', 'done', 'canceled', 'failed')),
	language     TEXT NOT NULL DEFAULT '',
	force        INTEGER NOT NULL DEFAULT 0,
	item_limit   INTEGER NOT NULL DEFAULT 0,
	since        TEXT NOT NULL DEFAULT '', -- as times are stored, '' for none
	max_cost_usd REAL,                     -- NULL: no budget
	resume_key   TEXT NOT NULL DEFAULT '',
	error_code   TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	-- Round-robin order of dispatch: the batch served longest ago has the
	-- smallest number.
	dispatch_seq INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	expanded_at  TEXT,
	finished_at  TEXT
) STRICT;

CREATE INDEX batches_created_at ON batches (created_at, id);
CREATE INDEX batches_status ON batches (status, dispatch_seq, created_at);
-- The same sources and options continue their unfinished batch.
CREATE UNIQUE INDEX batches_one_unfinished ON batches (resume_key)
	WHERE resume_key <> '' AND status IN ('expanding', 'running', 'paused');

CREATE TABLE batch_items (
	batch_id          TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
	position          INTEGER NOT NULL,
	item_id           TEXT NOT NULL,
	kind              TEXT NOT NULL DEFAULT '',
	ref               TEXT NOT NULL DEFAULT '',
	title             TEXT NOT NULL DEFAULT '',
	duration_ms       INTEGER NOT NULL DEFAULT 0,
	published         TEXT NOT NULL DEFAULT '',
	status            TEXT NOT NULL CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'skipped', 'paused', 'canceled')),
	job_id            TEXT NOT NULL DEFAULT '',
	error_code        TEXT NOT NULL DEFAULT '',
	error             TEXT NOT NULL DEFAULT '',
	estimate_usd      REAL,
	llm_calls         INTEGER NOT NULL DEFAULT 0,
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	cost_usd          REAL,
	claimed_at        TEXT,
	updated_at        TEXT NOT NULL,
	PRIMARY KEY (batch_id, position),
	UNIQUE (batch_id, item_id)
) STRICT;

-- A job's items follow it (several batches can share one job).
CREATE INDEX batch_items_job ON batch_items (job_id) WHERE job_id <> '';
-- Counts by status, the next pending items, listing by status.
CREATE INDEX batch_items_status ON batch_items (batch_id, status, position);
-- The window: items in flight over every batch.
CREATE INDEX batch_items_in_flight ON batch_items (status) WHERE status IN ('queued', 'running');

CREATE TABLE subscriptions (
	id               TEXT PRIMARY KEY,
	url              TEXT NOT NULL UNIQUE,
	interval_ms      INTEGER NOT NULL,
	backfill         INTEGER NOT NULL DEFAULT 0,
	batch_id         TEXT NOT NULL REFERENCES batches (id),
	polls            INTEGER NOT NULL DEFAULT 0,
	next_poll_at     TEXT NOT NULL,
	last_poll_at     TEXT,
	last_error_code  TEXT NOT NULL DEFAULT '',
	last_error       TEXT NOT NULL DEFAULT '',
	lease_owner      TEXT NOT NULL DEFAULT '',
	lease_expires_at TEXT,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
) STRICT;

CREATE INDEX subscriptions_due ON subscriptions (next_poll_at);

-- Every item a subscription's source has listed: each is summarized once.
CREATE TABLE subscription_seen (
	subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	item_id         TEXT NOT NULL,
	PRIMARY KEY (subscription_id, item_id)
) STRICT, WITHOUT ROWID;
