package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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

// querier is what the pool and a transaction share, so helpers run in either.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// errLostRace means the active job that refused our insert was gone by the
// time we looked for it; submitting again settles it.
var errLostRace = errors.New("active job finished during submit")

// SubmitJob stores j as queued unless an equal job is active or done; see
// storage.Store. Two submissions racing past the lookups meet at the
// partial unique index jobs_one_active: the loser's insert does nothing and
// it returns the winner's job.
func (s *Store) SubmitJob(ctx context.Context, j *storage.Job, force bool) (*storage.Job, bool, error) {
	if err := storage.CheckSubmit(j); err != nil {
		return nil, false, err
	}
	for attempt := 1; ; attempt++ {
		var (
			job     *storage.Job
			created bool
		)
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			job, created, err = s.submitJob(ctx, tx, j, force)
			return err
		})
		if errors.Is(err, errLostRace) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("postgres: submit job: %w", classify(err))
		}
		return job, created, nil
	}
}

func (s *Store) submitJob(ctx context.Context, tx pgx.Tx, j *storage.Job, force bool) (*storage.Job, bool, error) {
	active, err := findActiveJob(ctx, tx, j.VideoID, j.OptionsKey)
	if err == nil && active != nil && storage.TakesOver(active, j) {
		active, err = takeOver(ctx, tx, active, j, s.now())
	}
	if err != nil || active != nil {
		return active, false, err
	}
	if !force {
		done, err := findJob(ctx, tx, `video_id = $1 AND options_key = $2 AND status = 'done'
			ORDER BY created_at DESC, id DESC LIMIT 1`, j.VideoID, j.OptionsKey)
		if err != nil || done != nil {
			return done, false, err
		}
	}

	if err := storage.PrepareJob(j, s.now()); err != nil {
		return nil, false, err
	}

	tag, err := tx.Exec(ctx, `INSERT INTO jobs (`+jobColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, NULL, NULL, '', NULL, $19, $20)
		ON CONFLICT (video_id, options_key) WHERE status IN ('queued', 'running') DO NOTHING`,
		j.ID, j.VideoID, j.SourceKind, j.SourceRef, j.Input, j.Language, j.Priority, j.Summarizer, j.Model,
		j.OptionsKey, j.Status, j.Done, j.Total,
		j.ErrorCode, j.Error, j.Attempts, j.CreatedAt, j.UpdatedAt, j.SummaryLanguage, j.Transcribe)
	if isUniqueViolation(err, "jobs_pkey") {
		return nil, false, recap.Errorf(recap.ECONFLICT, "a job with id %q already exists", j.ID)
	}
	if err != nil {
		return nil, false, err
	}
	if tag.RowsAffected() == 0 {
		// The insert waited for a concurrent one to commit; this statement
		// sees that commit (READ COMMITTED takes a snapshot per statement).
		winner, err := findActiveJob(ctx, tx, j.VideoID, j.OptionsKey)
		if err != nil {
			return nil, false, err
		}
		if winner == nil {
			return nil, false, errLostRace
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
func takeOver(ctx context.Context, tx pgx.Tx, active, j *storage.Job, now time.Time) (*storage.Job, error) {
	taken, err := scanJob(tx.QueryRow(ctx, `UPDATE jobs SET source_kind = $1, source_ref = $2, input = $3, attempts = 0, updated_at = $4
		WHERE id = $5 AND status = 'queued' RETURNING `+jobSelect, j.SourceKind, j.SourceRef, j.Input, now, active.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		return active, nil
	}
	return taken, err
}

// videoTitle returns the stored title of a video, "" when there is none.
func videoTitle(ctx context.Context, q querier, videoID string) (string, error) {
	var title string
	err := q.QueryRow(ctx, `SELECT title FROM videos WHERE id = $1`, videoID).Scan(&title)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return title, err
}

func findActiveJob(ctx context.Context, q querier, videoID, optionsKey string) (*storage.Job, error) {
	return findJob(ctx, q, `video_id = $1 AND options_key = $2 AND status IN ('queued', 'running')`, videoID, optionsKey)
}

// findJob returns the first job matching where, or nil.
func findJob(ctx context.Context, q querier, where string, args ...any) (*storage.Job, error) {
	j, err := scanJob(q.QueryRow(ctx, `SELECT `+jobSelect+` FROM jobs WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return j, err
}

func scanJob(row pgx.Row) (*storage.Job, error) {
	var j storage.Job
	var started, finished, leaseExpires *time.Time
	if err := row.Scan(&j.ID, &j.VideoID, &j.SourceKind, &j.SourceRef, &j.Input, &j.Language, &j.Priority,
		&j.Summarizer, &j.Model, &j.OptionsKey, &j.Status,
		&j.Done, &j.Total, &j.ErrorCode, &j.Error, &j.Attempts, &j.CreatedAt, &j.UpdatedAt, &started, &finished,
		&j.LeaseOwner, &leaseExpires, &j.SummaryLanguage, &j.Transcribe, &j.VideoTitle); err != nil {
		return nil, err
	}
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	j.StartedAt, j.FinishedAt, j.LeaseExpiresAt = utc(started), utc(finished), utc(leaseExpires)
	return &j, nil
}

func queryJobs(ctx context.Context, q querier, sql string, args ...any) ([]*storage.Job, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*storage.Job, error) { return scanJob(row) })
}

// GetJob returns the job with the id.
func (s *Store) GetJob(ctx context.Context, id string) (*storage.Job, error) {
	j, err := findJob(ctx, s.pool, `id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get job %s: %w", id, classify(err))
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
	jobs, err := queryJobs(ctx, s.pool, q, args...)
	if err != nil {
		return storage.JobPage{}, fmt.Errorf("postgres: list jobs: %w", classify(err))
	}
	return storage.NewJobPage(jobs, limit), nil
}

// jobStampSelect is what ListJobStamps reads of a job, and the count of
// title changes (the statement's snapshot, as the page).
const jobStampSelect = `id, status, created_at, updated_at, (SELECT n FROM title_changes)`

// ListJobStamps returns the page ListJobs returns, as stamps.
func (s *Store) ListJobStamps(ctx context.Context, f storage.JobFilter) (storage.JobStampPage, error) {
	limit, cur, err := storage.CheckJobFilter(f)
	if err != nil {
		return storage.JobStampPage{}, err
	}
	q, args := newestFirst(jobStampSelect, "jobs", f.Status, cur, limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return storage.JobStampPage{}, fmt.Errorf("postgres: list jobs: %w", classify(err))
	}
	var titleChanges int64
	stamps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.JobStamp, error) {
		var st storage.JobStamp
		err := row.Scan(&st.ID, &st.Status, &st.CreatedAt, &st.UpdatedAt, &titleChanges)
		st.CreatedAt, st.UpdatedAt = st.CreatedAt.UTC(), st.UpdatedAt.UTC()
		return st, err
	})
	if err != nil {
		return storage.JobStampPage{}, fmt.Errorf("postgres: list jobs: %w", classify(err))
	}
	return storage.NewJobStampPage(stamps, limit, titleChanges, 0), nil // no JobListCounter: see storage
}

// GetJobs returns the jobs with the ids, in their order.
func (s *Store) GetJobs(ctx context.Context, ids []string) ([]*storage.Job, error) {
	if err := storage.CheckJobIDs(ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []*storage.Job{}, nil
	}
	jobs, err := queryJobs(ctx, s.pool, `SELECT `+jobSelect+` FROM jobs WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: get jobs: %w", classify(err))
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
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if status != "" {
		where = append(where, `status = `+arg(status))
	}
	if cur != nil {
		where = append(where, `(created_at, id) < (`+arg(cur.CreatedAt)+`, `+arg(cur.ID)+`)`)
	}
	q := `SELECT ` + columns + ` FROM ` + table
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(limit+1), args
}

// UnfinishedJobs returns the queued and running jobs, oldest first.
func (s *Store) UnfinishedJobs(ctx context.Context) ([]*storage.Job, error) {
	jobs, err := queryJobs(ctx, s.pool, `SELECT `+jobSelect+` FROM jobs
		WHERE status IN ('queued', 'running') ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: unfinished jobs: %w", classify(err))
	}
	return jobs, nil
}

// CountJobs returns the number of jobs in each status, every status present.
func (s *Store) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("postgres: count jobs: %w", classify(err))
	}
	counts := map[string]int{
		storage.StatusQueued: 0, storage.StatusRunning: 0, storage.StatusDone: 0, storage.StatusFailed: 0,
	}
	var (
		status string
		n      int
	)
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		counts[status] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: count jobs: %w", classify(err))
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		j, err = transition(ctx, tx, id, "start",
			`status = 'running', attempts = attempts + 1, started_at = $1, updated_at = $1, lease_owner = $2, lease_expires_at = $3`,
			[]any{now, lease.Owner, storage.LeaseExpiry(now, lease)}, claimable, now)
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, now)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: start job: %w", classify(err))
	}
	return j, nil
}

// RenewLease extends the owner's lease of a running job.
func (s *Store) RenewLease(ctx context.Context, id string, lease storage.Lease) error {
	if err := storage.CheckLease(lease); err != nil {
		return err
	}
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := transition(ctx, tx, id, "renew the lease of",
			`lease_expires_at = $1`, []any{storage.LeaseExpiry(now, lease)}, heldBy, lease.Owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: renew lease: %w", err)
	}
	return nil
}

// SetJobProgress records done of total chapters of an unfinished job.
func (s *Store) SetJobProgress(ctx context.Context, id, owner string, done, total int) error {
	if err := storage.CheckProgress(done, total); err != nil {
		return err
	}
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := transition(ctx, tx, id, "record progress of",
			`done = $1, total = $2, updated_at = $3`, []any{done, total, now}, heldBy, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: set job progress: %w", classify(err))
	}
	return nil
}

// RetryJob puts an unfinished job back to queued, unheld, with the error
// for display.
func (s *Store) RetryJob(ctx context.Context, id, owner, code, message string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		j, err := transition(ctx, tx, id, "retry",
			`status = 'queued', error_code = $1, error = $2, updated_at = $3,
			attempts = CASE WHEN $4 AND attempts > 0 THEN attempts - 1 ELSE attempts END, `+release,
			[]any{code, message, now, code == recap.EBLOCKED}, heldBy, owner)
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, now)
	})
	if err != nil {
		return fmt.Errorf("postgres: retry job: %w", classify(err))
	}
	return nil
}

// FailJob marks an unfinished job failed for good.
func (s *Store) FailJob(ctx context.Context, id, owner, code, message string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		j, err := transition(ctx, tx, id, "fail",
			`status = 'failed', error_code = $1, error = $2, finished_at = $3, updated_at = $3, `+release,
			[]any{code, message, now}, heldBy, owner)
		if err != nil {
			return err
		}
		return followJob(ctx, tx, j, storage.BatchUsage{}, now)
	})
	if err != nil {
		return fmt.Errorf("postgres: fail job: %w", classify(err))
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		n := len(doc.Chapters)
		j, err := transition(ctx, tx, id, "finish",
			`status = 'done', done = $1, total = $1, error_code = '', error = '', finished_at = $2, updated_at = $2, `+release,
			[]any{n, now}, heldBy, owner)
		if err != nil {
			return err
		}
		if err := insertDocument(ctx, tx, j, doc, now); err != nil {
			return err
		}
		if err := followJob(ctx, tx, j, storage.DocumentUsage(doc), now); err != nil {
			return err
		}
		return indexVideo(ctx, tx, j.VideoID)
	})
	if err != nil {
		return fmt.Errorf("postgres: finish job: %w", classify(err))
	}
	return nil
}

// Who may change a job (the conditions of transition), written with
// placeholders %[1]s, %[2]s… for their parameters:
const (
	// claimable: queued, or running under a lapsed lease (a lease from
	// before leases, NULL, has lapsed). Its parameter is now.
	claimable = `(status = 'queued' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at <= %[1]s)))`
	// heldBy: unfinished and held by the owner given ('' for nobody).
	heldBy = `status IN ('queued', 'running') AND lease_owner = %[1]s`
	// release is the SET clause that lets a job go.
	release = `lease_owner = '', lease_expires_at = NULL`
)

// transition applies set, whose parameters are setArgs ($1…), to job id
// if cond holds, and returns the job as it is then. cond's parameters
// (condArgs) are numbered after setArgs and the id. Otherwise
// TransitionError says why: unknown, finished, or held by another run. The
// row lock of the UPDATE orders concurrent transitions of one job.
func transition(ctx context.Context, tx pgx.Tx, id, op, set string, setArgs []any, cond string, condArgs ...any) (*storage.Job, error) {
	args := append(setArgs, id)
	idParam := "$" + strconv.Itoa(len(args))
	var params []any
	for range condArgs {
		params = append(params, "$"+strconv.Itoa(len(args)+len(params)+1))
	}
	args = append(args, condArgs...)
	j, err := scanJob(tx.QueryRow(ctx, `UPDATE jobs SET `+set+`
		WHERE id = `+idParam+` AND `+fmt.Sprintf(cond, params...)+` RETURNING `+jobSelect, args...))
	if !errors.Is(err, pgx.ErrNoRows) {
		return j, err
	}
	cur, err := findJob(ctx, tx, `id = $1`, id)
	if err != nil {
		return nil, err
	}
	return nil, storage.TransitionError(id, op, cur)
}
