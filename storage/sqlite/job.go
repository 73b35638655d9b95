package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const jobColumns = `id, video_id, source_kind, source_ref, input, language, priority, summarizer, model,
	options_key, status, done, total,
	error_code, error, attempts, created_at, updated_at, started_at, finished_at, lease_owner, lease_expires_at,
	summary_language, transcribe`

// jobSelect is what every read of a job selects: its columns and its
// video's title, looked up in the same statement (an index probe per row),
// so that a page of jobs is one query.
const jobSelect = jobColumns + `,
	coalesce((SELECT v.title FROM videos v WHERE v.id = jobs.video_id), '')`

// querier is what *sql.DB and *sql.Tx share, so helpers run in either.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SubmitJob stores j as queued unless an equal job is active or done; see
// storage.Store. The lookups and the insert run in one IMMEDIATE
// transaction, so concurrent submissions are serialized.
func (s *Store) SubmitJob(ctx context.Context, j *storage.Job, force bool) (*storage.Job, bool, error) {
	if err := storage.CheckSubmit(j); err != nil {
		return nil, false, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: submit job: %w", classify(err))
	}
	defer tx.Rollback()

	job, created, err := s.submitJob(ctx, tx, j, force)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: submit job: %w", classify(err))
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("sqlite: submit job: %w", classify(err))
	}
	return job, created, nil
}

func (s *Store) submitJob(ctx context.Context, tx *sql.Tx, j *storage.Job, force bool) (*storage.Job, bool, error) {
	active, err := findActiveJob(ctx, tx, j.VideoID, j.OptionsKey)
	if err == nil && active != nil && storage.TakesOver(active, j) {
		active, err = takeOver(ctx, tx, active, j, s.now())
	}
	if err != nil || active != nil {
		return active, false, err
	}
	if !force {
		done, err := findJob(ctx, tx, `video_id = ? AND options_key = ? AND status = 'done'
			ORDER BY created_at DESC, id DESC LIMIT 1`, j.VideoID, j.OptionsKey)
		if err != nil || done != nil {
			return done, false, err
		}
	}

	if err := storage.PrepareJob(j, s.now()); err != nil {
		return nil, false, err
	}

	res, err := tx.ExecContext(ctx, `INSERT INTO jobs (`+jobColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, '', NULL, ?, ?)
		ON CONFLICT (video_id, options_key) WHERE status IN ('queued', 'running') DO NOTHING`,
		j.ID, j.VideoID, j.SourceKind, j.SourceRef, j.Input, j.Language, j.Priority, j.Summarizer, j.Model,
		j.OptionsKey, j.Status, j.Done, j.Total,
		j.ErrorCode, j.Error, j.Attempts, formatTime(j.CreatedAt), formatTime(j.UpdatedAt), j.SummaryLanguage, j.Transcribe)
	if isPrimaryKeyViolation(err) {
		return nil, false, recap.Errorf(recap.ECONFLICT, "a job with id %q already exists", j.ID)
	}
	if err != nil {
		return nil, false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, false, err
	} else if n == 0 {
		// Another writer (another process) made the active job first: the
		// partial unique index refused ours, so theirs is the answer.
		winner, err := findActiveJob(ctx, tx, j.VideoID, j.OptionsKey)
		if err != nil {
			return nil, false, err
		}
		if winner == nil {
			return nil, false, fmt.Errorf("active job for video %s vanished during submit", j.VideoID)
		}
		return winner, false, nil
	}
	created := *j
	if created.VideoTitle, err = videoTitle(ctx, tx, j.VideoID); err != nil {
		return nil, false, err
	}
	return &created, true, nil
}

// takeOver gives queued job active the source of submission j
// (storage.TakesOver). active is returned as it was when a run has
// claimed it since.
func takeOver(ctx context.Context, tx *sql.Tx, active, j *storage.Job, now time.Time) (*storage.Job, error) {
	taken, err := scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET source_kind = ?, source_ref = ?, input = ?, attempts = 0, updated_at = ?
		WHERE id = ? AND status = 'queued' RETURNING `+jobSelect, j.SourceKind, j.SourceRef, j.Input, formatTime(now), active.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return active, nil
	}
	return taken, err
}

// videoTitle returns the stored title of a video, "" when there is none.
func videoTitle(ctx context.Context, q querier, videoID string) (string, error) {
	var title string
	err := q.QueryRowContext(ctx, `SELECT title FROM videos WHERE id = ?`, videoID).Scan(&title)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return title, err
}

func findActiveJob(ctx context.Context, q querier, videoID, optionsKey string) (*storage.Job, error) {
	return findJob(ctx, q, `video_id = ? AND options_key = ? AND status IN ('queued', 'running')`, videoID, optionsKey)
}

// findJob returns the first job matching where, or nil.
func findJob(ctx context.Context, q querier, where string, args ...any) (*storage.Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobSelect+` FROM jobs WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return j, err
}

type scanner interface{ Scan(dest ...any) error }

func scanJob(row scanner) (*storage.Job, error) {
	var (
		j                 storage.Job
		created, updated  string
		started, finished sql.NullString
		leaseExpires      sql.NullString
	)
	if err := row.Scan(&j.ID, &j.VideoID, &j.SourceKind, &j.SourceRef, &j.Input, &j.Language, &j.Priority,
		&j.Summarizer, &j.Model, &j.OptionsKey, &j.Status,
		&j.Done, &j.Total, &j.ErrorCode, &j.Error, &j.Attempts, &created, &updated, &started, &finished,
		&j.LeaseOwner, &leaseExpires, &j.SummaryLanguage, &j.Transcribe, &j.VideoTitle); err != nil {
		return nil, err
	}
	var err error
	if j.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if j.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if j.StartedAt, err = parseNullTime(started); err != nil {
		return nil, err
	}
	if j.FinishedAt, err = parseNullTime(finished); err != nil {
		return nil, err
	}
	if j.LeaseExpiresAt, err = parseNullTime(leaseExpires); err != nil {
		return nil, err
	}
	return &j, nil
}

func scanJobs(rows *sql.Rows) ([]*storage.Job, error) {
	defer rows.Close()
	var jobs []*storage.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// GetJob returns the job with the id.
func (s *Store) GetJob(ctx context.Context, id string) (*storage.Job, error) {
	j, err := findJob(ctx, s.reads, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get job %s: %w", id, classify(err))
	}
	if j == nil {
		return nil, storage.JobNotFound(id)
	}
	return j, nil
}

// ListJobs returns one page of jobs, newest first.
func (s *Store) ListJobs(ctx context.Context, f storage.JobFilter) (storage.JobPage, error) {
	limit, cur, err := storage.CheckJobFilter(f)
	if err != nil {
		return storage.JobPage{}, err
	}
	q, args := newestFirst(jobSelect, "jobs", f.Status, cur, limit)
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return storage.JobPage{}, fmt.Errorf("sqlite: list jobs: %w", classify(err))
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return storage.JobPage{}, fmt.Errorf("sqlite: list jobs: %w", classify(err))
	}
	return storage.NewJobPage(jobs, limit), nil
}

// jobStampsQuery is the query of a page of stamps (ListJobStamps): the
// page ListJobs reads, as one row holding a line "id status created_at
// updated_at" for each job, and the counts of title and job changes. The
// driver then steps and converts one row, not one a job: stepping through
// 51 rows and their columns was most of the time of a page of stamps. None
// of the four holds a space or a line break (UUIDs, statuses, timeLayout).
func jobStampsQuery(status string, cur *storage.Cursor, limit int) (string, []any) {
	q, args := newestFirst(`id, status, created_at, updated_at`, "jobs", status, cur, limit)
	return `SELECT coalesce(group_concat(id || ' ' || status || ' ' || created_at || ' ' || updated_at, char(10)), ''),
		(SELECT n FROM title_changes), (SELECT n FROM job_changes) FROM (` + q + `)`, args
}

// JobListChanges returns the counts of job and title changes
// (storage.JobListCounter): two single-row tables that triggers keep
// (migrations 0012 and 0013).
func (s *Store) JobListChanges(ctx context.Context) (jobChanges, titleChanges int64, err error) {
	err = s.reads.QueryRowContext(ctx, `SELECT (SELECT n FROM job_changes), (SELECT n FROM title_changes)`).Scan(&jobChanges, &titleChanges)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: count job changes: %w", classify(err))
	}
	return jobChanges, titleChanges, nil
}

// ListJobStamps returns the page ListJobs returns, as stamps.
func (s *Store) ListJobStamps(ctx context.Context, f storage.JobFilter) (storage.JobStampPage, error) {
	limit, cur, err := storage.CheckJobFilter(f)
	if err != nil {
		return storage.JobStampPage{}, err
	}
	q, args := jobStampsQuery(f.Status, cur, limit)
	var (
		lines                    string
		titleChanges, jobChanges int64
	)
	if err := s.reads.QueryRowContext(ctx, q, args...).Scan(&lines, &titleChanges, &jobChanges); err != nil {
		return storage.JobStampPage{}, fmt.Errorf("sqlite: list jobs: %w", classify(err))
	}
	stamps := make([]storage.JobStamp, 0, limit+1)
	for line := range strings.Lines(lines) {
		st, err := parseJobStamp(strings.TrimSuffix(line, "\n"))
		if err != nil {
			return storage.JobStampPage{}, fmt.Errorf("sqlite: list jobs: %w", err)
		}
		stamps = append(stamps, st)
	}
	// group_concat's order is SQLite's to choose: the page's is newest first.
	slices.SortFunc(stamps, func(a, b storage.JobStamp) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	return storage.NewJobStampPage(stamps, limit, titleChanges, jobChanges), nil
}

// parseJobStamp reads a line of jobStampsQuery.
func parseJobStamp(line string) (storage.JobStamp, error) {
	id, rest, ok1 := strings.Cut(line, " ")
	status, rest, ok2 := strings.Cut(rest, " ")
	created, updated, ok3 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !ok3 || id == "" || status == "" || strings.Contains(updated, " ") {
		return storage.JobStamp{}, fmt.Errorf("job stamp %q: want id, status, created_at and updated_at", line)
	}
	st := storage.JobStamp{ID: id, Status: status}
	var err error
	if st.CreatedAt, err = parseTime(created); err != nil {
		return storage.JobStamp{}, err
	}
	if st.UpdatedAt, err = parseTime(updated); err != nil {
		return storage.JobStamp{}, err
	}
	return st, nil
}

// GetJobs returns the jobs with the ids, in their order. The ids go in
// as one JSON array, so that every call is the same prepared statement.
func (s *Store) GetJobs(ctx context.Context, ids []string) ([]*storage.Job, error) {
	if err := storage.CheckJobIDs(ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []*storage.Job{}, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get jobs: %w", err)
	}
	rows, err := s.reads.QueryContext(ctx, `SELECT `+jobSelect+` FROM jobs
		WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get jobs: %w", classify(err))
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get jobs: %w", classify(err))
	}
	return storage.OrderJobs(ids, jobs), nil
}

// newestFirst is the query of one page of a table's rows (jobs, batches),
// newest first by (created_at, id): those with the status ("" for all)
// after the cursor (nil for the first page), one row more than limit to
// tell whether another page follows.
func newestFirst(columns, table, status string, cur *storage.Cursor, limit int) (string, []any) {
	var (
		where []string
		args  []any
	)
	if status != "" {
		where = append(where, `status = ?`)
		args = append(args, status)
	}
	if cur != nil {
		where = append(where, `(created_at, id) < (?, ?)`)
		args = append(args, formatTime(cur.CreatedAt), cur.ID)
	}
	q := `SELECT ` + columns + ` FROM ` + table
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit+1)
}

// UnfinishedJobs returns the queued and running jobs, oldest first.
func (s *Store) UnfinishedJobs(ctx context.Context) ([]*storage.Job, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+jobSelect+` FROM jobs
		WHERE status IN ('queued', 'running') ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: unfinished jobs: %w", classify(err))
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: unfinished jobs: %w", classify(err))
	}
	return jobs, nil
}

// CountJobs returns the number of jobs in each status, every status present.
func (s *Store) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, count(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count jobs: %w", classify(err))
	}
	defer rows.Close()
	counts := map[string]int{
		storage.StatusQueued: 0, storage.StatusRunning: 0, storage.StatusDone: 0, storage.StatusFailed: 0,
	}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("sqlite: count jobs: %w", classify(err))
		}
		counts[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: count jobs: %w", classify(err))
	}
	return counts, nil
}

// StartJob claims job id for the lease's owner and counts the attempt.
// StartedAt is the start of the latest attempt.
func (s *Store) StartJob(ctx context.Context, id string, lease storage.Lease) (*storage.Job, error) {
	if err := storage.CheckLease(lease); err != nil {
		return nil, err
	}
	now := s.now()
	var j *storage.Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = transition(ctx, tx, id, "start",
			`status = 'running', attempts = attempts + 1, started_at = ?, updated_at = ?, lease_owner = ?, lease_expires_at = ?`,
			[]any{formatTime(now), formatTime(now), lease.Owner, formatTime(storage.LeaseExpiry(now, lease))},
			claimable, formatTime(now))
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, formatTime(now))
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: start job: %w", classify(err))
	}
	return j, nil
}

// RenewLease extends the owner's lease of a running job.
func (s *Store) RenewLease(ctx context.Context, id string, lease storage.Lease) error {
	if err := storage.CheckLease(lease); err != nil {
		return err
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := transition(ctx, tx, id, "renew the lease of",
			`lease_expires_at = ?`, []any{formatTime(storage.LeaseExpiry(now, lease))},
			heldBy, lease.Owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: renew lease: %w", err)
	}
	return nil
}

// SetJobProgress records done of total chapters of an unfinished job.
func (s *Store) SetJobProgress(ctx context.Context, id, owner string, done, total int) error {
	if err := storage.CheckProgress(done, total); err != nil {
		return err
	}
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := transition(ctx, tx, id, "record progress of",
			`done = ?, total = ?, updated_at = ?`, []any{done, total, now}, heldBy, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: set job progress: %w", classify(err))
	}
	return nil
}

// RetryJob puts an unfinished job back to queued, unheld, with the error
// for display.
func (s *Store) RetryJob(ctx context.Context, id, owner, code, message string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		j, err := transition(ctx, tx, id, "retry",
			`status = 'queued', error_code = ?, error = ?, updated_at = ?,
			attempts = CASE WHEN ? AND attempts > 0 THEN attempts - 1 ELSE attempts END, `+release,
			[]any{code, message, now, code == recap.EBLOCKED}, heldBy, owner)
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, now)
	})
	if err != nil {
		return fmt.Errorf("sqlite: retry job: %w", classify(err))
	}
	return nil
}

// FailJob marks an unfinished job failed for good.
func (s *Store) FailJob(ctx context.Context, id, owner, code, message string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		j, err := transition(ctx, tx, id, "fail",
			`status = 'failed', error_code = ?, error = ?, finished_at = ?, updated_at = ?, `+release,
			[]any{code, message, now, now}, heldBy, owner)
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, now)
	})
	if err != nil {
		return fmt.Errorf("sqlite: fail job: %w", classify(err))
	}
	return nil
}

// FinishJob stores doc and marks the job done, with its progress complete
// and its error cleared, in one transaction. Here and in StartJob,
// RetryJob and FailJob, the job's batch items follow it (followJob).
func (s *Store) FinishJob(ctx context.Context, id, owner string, doc *recap.Document) error {
	if err := storage.CheckFinish(id, doc); err != nil {
		return err
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n := len(doc.Chapters)
		j, err := transition(ctx, tx, id, "finish",
			`status = 'done', done = ?, total = ?, error_code = '', error = '', finished_at = ?, updated_at = ?, `+release,
			[]any{n, n, formatTime(now), formatTime(now)}, heldBy, owner)
		if err != nil {
			return err
		}
		if err := insertDocument(ctx, tx, j, doc, now); err != nil {
			return err
		}
		if err := followJob(ctx, tx, j, storage.DocumentUsage(doc), formatTime(now)); err != nil {
			return err
		}
		return indexVideo(ctx, tx, j.VideoID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: finish job: %w", classify(err))
	}
	return nil
}

// inTx runs fn in a write transaction and commits when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Who may change a job (the conditions of transition):
const (
	// claimable: queued, or running under a lapsed lease (a lease from
	// before leases, NULL, has lapsed). Its parameter is now.
	claimable = `(status = 'queued' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= ?)))`
	// heldBy: unfinished and held by the owner given ('' for nobody).
	heldBy = `status IN ('queued', 'running') AND lease_owner = ?`
	// release is the SET clause that lets a job go.
	release = `lease_owner = '', lease_expires_at = NULL`
)

// transition applies set (with setArgs) to job id if cond (with condArgs)
// holds, and returns the job as it is then. Otherwise TransitionError says
// why: unknown, finished, or held by another run.
func transition(ctx context.Context, tx *sql.Tx, id, op, set string, setArgs []any, cond string, condArgs ...any) (*storage.Job, error) {
	args := append(append(setArgs, id), condArgs...)
	j, err := scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET `+set+`
		WHERE id = ? AND `+cond+` RETURNING `+jobSelect, args...))
	if !errors.Is(err, sql.ErrNoRows) {
		return j, err
	}
	cur, err := findJob(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	return nil, storage.TransitionError(id, op, cur)
}
