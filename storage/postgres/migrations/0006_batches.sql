-- Backlogs: batches of items, the podcast episodes they name, and
-- subscriptions that add items as their sources grow.

-- A podcast episode as the feed gave it (feed.Episode as JSON), so that any
-- process can run its job.
CREATE TABLE episodes (
	id         text COLLATE "C" PRIMARY KEY,
	body       jsonb NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE TABLE batches (
	id           text COLLATE "C" PRIMARY KEY,
	sources      jsonb NOT NULL, -- array of the SOURCE strings
	title        text NOT NULL DEFAULT '',
	status       text NOT NULL CHECK (status IN ('expanding', 'running', 'paused', 'done', 'canceled', 'failed')),
	language     text NOT NULL DEFAULT '',
	force        boolean NOT NULL DEFAULT false,
	item_limit   integer NOT NULL DEFAULT 0,
	since        timestamptz,      -- NULL for none
	max_cost_usd double precision, -- NULL: no budget
	resume_key   text NOT NULL DEFAULT '',
	error_code   text NOT NULL DEFAULT '',
	error        text NOT NULL DEFAULT '',
	-- Round-robin order of dispatch: the batch served longest ago has the
	-- smallest number.
	dispatch_seq bigint NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	expanded_at  timestamptz,
	finished_at  timestamptz
);

CREATE INDEX batches_created_at ON batches (created_at, id);
CREATE INDEX batches_status ON batches (status, dispatch_seq, created_at);
-- The same sources and options continue their unfinished batch.
CREATE UNIQUE INDEX batches_one_unfinished ON batches (resume_key)
	WHERE resume_key <> '' AND status IN ('expanding', 'running', 'paused');

CREATE TABLE batch_items (
	batch_id          text COLLATE "C" NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
	position          integer NOT NULL,
	item_id           text NOT NULL,
	kind              text NOT NULL DEFAULT '',
	ref               text NOT NULL DEFAULT '',
	title             text NOT NULL DEFAULT '',
	duration_ms       bigint NOT NULL DEFAULT 0,
	published         timestamptz,
	status            text NOT NULL CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'skipped', 'paused', 'canceled')),
	job_id            text COLLATE "C" NOT NULL DEFAULT '',
	error_code        text NOT NULL DEFAULT '',
	error             text NOT NULL DEFAULT '',
	estimate_usd      double precision,
	llm_calls         integer NOT NULL DEFAULT 0,
	prompt_tokens     bigint NOT NULL DEFAULT 0,
	completion_tokens bigint NOT NULL DEFAULT 0,
	cost_usd          double precision,
	claimed_at        timestamptz,
	updated_at        timestamptz NOT NULL,
	PRIMARY KEY (batch_id, position),
	UNIQUE (batch_id, item_id)
);

-- A job's items follow it (several batches can share one job).
CREATE INDEX batch_items_job ON batch_items (job_id) WHERE job_id <> '';
-- Counts by status, the next pending items, listing by status.
CREATE INDEX batch_items_status ON batch_items (batch_id, status, position);
-- The window: items in flight over every batch.
CREATE INDEX batch_items_in_flight ON batch_items (status) WHERE status IN ('queued', 'running');

CREATE TABLE subscriptions (
	id               text COLLATE "C" PRIMARY KEY,
	url              text NOT NULL UNIQUE,
	interval_ms      bigint NOT NULL,
	backfill         integer NOT NULL DEFAULT 0,
	batch_id         text COLLATE "C" NOT NULL REFERENCES batches (id),
	polls            integer NOT NULL DEFAULT 0,
	next_poll_at     timestamptz NOT NULL,
	last_poll_at     timestamptz,
	last_error_code  text NOT NULL DEFAULT '',
	last_error       text NOT NULL DEFAULT '',
	lease_owner      text NOT NULL DEFAULT '',
	lease_expires_at timestamptz,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL
);

CREATE INDEX subscriptions_due ON subscriptions (next_poll_at);

-- Every item a subscription's source has listed: each is summarized once.
CREATE TABLE subscription_seen (
	subscription_id text COLLATE "C" NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	item_id         text NOT NULL,
	PRIMARY KEY (subscription_id, item_id)
);
