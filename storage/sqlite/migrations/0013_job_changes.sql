-- A whole page of jobs (GET /v1/summaries) can be kept and answered again
-- while nothing it shows has changed: n changes whenever a job is stored,
-- changed or deleted (title_changes counts its videos' titles). SQLite has
-- one writer at a time, so the counter costs a row update, never a wait.
CREATE TABLE job_changes (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
) STRICT;
INSERT INTO job_changes (id, n) VALUES (1, 1);

CREATE TRIGGER jobs_changed_insert AFTER INSERT ON jobs
BEGIN
	UPDATE job_changes SET n = n + 1;
END;

CREATE TRIGGER jobs_changed_update AFTER UPDATE ON jobs
BEGIN
	UPDATE job_changes SET n = n + 1;
END;

CREATE TRIGGER jobs_changed_delete AFTER DELETE ON jobs
BEGIN
	UPDATE job_changes SET n = n + 1;
END;
