package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const batchColumns = `id, sources, title, status, language, force, item_limit, since, max_cost_usd, resume_key,
	error_code, error, created_at, updated_at, expanded_at, finished_at, transcribe, expand_owner, expand_lease_expires_at`

const itemColumns = `batch_id, position, item_id, kind, ref, title, duration_ms, published, status, job_id,
	error_code, error, estimate_usd, llm_calls, prompt_tokens, completion_tokens, cost_usd, updated_at`

// unfinishedItem are the item statuses that keep a batch from being done.
const unfinishedItem = `('pending', 'queued', 'running', 'paused')`

func formatOptionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func parseOptionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func scanBatch(row scanner) (*storage.Batch, error) {
	var (
		b                 storage.Batch
		sources, since    string
		maxCost           sql.NullFloat64
		created, updated  string
		expanded, finishd sql.NullString
		expandLease       sql.NullString
	)
	if err := row.Scan(&b.ID, &sources, &b.Title, &b.Status, &b.Options.Language, &b.Options.Force, &b.Options.Limit,
		&since, &maxCost, &b.ResumeKey, &b.ErrorCode, &b.Error, &created, &updated, &expanded, &finishd,
		&b.Options.Transcribe, &b.ExpandOwner, &expandLease); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(sources), &b.Sources); err != nil {
		return nil, fmt.Errorf("batch %s: stored sources: %w", b.ID, err)
	}
	b.Options.MaxCostUSD = floatPtr(maxCost)
	var err error
	if b.Options.Since, err = parseOptionalTime(since); err != nil {
		return nil, err
	}
	if b.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if b.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if b.ExpandedAt, err = parseNullTime(expanded); err != nil {
		return nil, err
	}
	if b.FinishedAt, err = parseNullTime(finishd); err != nil {
		return nil, err
	}
	if b.ExpandLeaseExpiresAt, err = parseNullTime(expandLease); err != nil {
		return nil, err
	}
	return &b, nil
}

func findBatch(ctx context.Context, q querier, where string, args ...any) (*storage.Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// withStats fills each batch's Total, Counts and Usage.
func withStats(ctx context.Context, q querier, batches ...*storage.Batch) error {
	for _, b := range batches {
		rows, err := q.QueryContext(ctx, `SELECT status, count(*), total(llm_calls), total(prompt_tokens),
			total(completion_tokens), count(cost_usd), total(cost_usd)
			FROM batch_items WHERE batch_id = ? GROUP BY status`, b.ID)
		if err != nil {
			return err
		}
		b.Counts, b.Total, b.Usage = storage.NewCounts(), 0, storage.BatchUsage{}
		for rows.Next() {
			var (
				status                    string
				n, known                  int
				calls, prompt, completion float64
				cost                      float64
			)
			if err := rows.Scan(&status, &n, &calls, &prompt, &completion, &known, &cost); err != nil {
				rows.Close()
				return err
			}
			b.Counts[status] = n
			b.Total += n
			if status == storage.ItemDone {
				b.Usage = storage.SumUsage(int(calls), int(prompt), int(completion), n, known, cost)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if b.Counts[storage.ItemDone] == 0 {
			b.Usage = storage.SumUsage(0, 0, 0, 0, 0, 0)
		}
	}
	return nil
}

// CreateBatch stores b, or returns the unfinished batch with its resume key.
func (s *Store) CreateBatch(ctx context.Context, b *storage.Batch) (*storage.Batch, bool, error) {
	if err := storage.CheckNewBatch(b); err != nil {
		return nil, false, err
	}
	var (
		out     *storage.Batch
		created bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, created, err = s.createBatch(ctx, tx, b)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: create batch: %w", classify(err))
	}
	return out, created, nil
}

func (s *Store) createBatch(ctx context.Context, tx *sql.Tx, b *storage.Batch) (*storage.Batch, bool, error) {
	if b.ResumeKey != "" {
		old, err := findBatch(ctx, tx, `resume_key = ? AND status IN ('expanding', 'running', 'paused')`, b.ResumeKey)
		if err != nil {
			return nil, false, err
		}
		if old != nil {
			return old, false, withStats(ctx, tx, old)
		}
	}
	if err := storage.PrepareBatch(b, s.now()); err != nil {
		return nil, false, err
	}
	sources, err := json.Marshal(b.Sources)
	if err != nil {
		return nil, false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO batches (`+batchColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, NULL, NULL, ?, '', NULL)`,
		b.ID, string(sources), b.Title, b.Status, b.Options.Language, b.Options.Force, b.Options.Limit,
		formatOptionalTime(b.Options.Since), nullFloat(b.Options.MaxCostUSD), b.ResumeKey,
		formatTime(b.CreatedAt), formatTime(b.UpdatedAt), b.Options.Transcribe)
	if isPrimaryKeyViolation(err) {
		return nil, false, recap.Errorf(recap.ECONFLICT, "a batch with id %q already exists", b.ID)
	}
	if err != nil {
		return nil, false, err
	}
	out := *b
	return &out, true, nil
}

// GetBatch returns the batch with its counts and usage.
func (s *Store) GetBatch(ctx context.Context, id string) (*storage.Batch, error) {
	b, err := findBatch(ctx, s.read, `id = ?`, id)
	if err == nil && b != nil {
		err = withStats(ctx, s.read, b)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get batch %s: %w", id, err)
	}
	if b == nil {
		return nil, storage.BatchNotFound(id)
	}
	return b, nil
}

// ListBatches returns one page of batches, newest first.
func (s *Store) ListBatches(ctx context.Context, f storage.BatchFilter) (storage.BatchPage, error) {
	limit, cur, err := storage.CheckBatchFilter(f)
	if err != nil {
		return storage.BatchPage{}, err
	}
	q, args := newestFirst(batchColumns, "batches", f.Status, cur, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return storage.BatchPage{}, fmt.Errorf("sqlite: list batches: %w", err)
	}
	var batches []*storage.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			rows.Close()
			return storage.BatchPage{}, fmt.Errorf("sqlite: list batches: %w", err)
		}
		batches = append(batches, b)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return storage.BatchPage{}, fmt.Errorf("sqlite: list batches: %w", err)
	}
	page := storage.NewBatchPage(batches, limit)
	if err := withStats(ctx, s.read, page.Batches...); err != nil {
		return storage.BatchPage{}, fmt.Errorf("sqlite: list batches: %w", err)
	}
	return page, nil
}

// AddBatchItems appends the new items of a batch.
func (s *Store) AddBatchItems(ctx context.Context, batchID string, items []*storage.BatchItem) (int, error) {
	if err := storage.CheckBatchItems(items); err != nil {
		return 0, err
	}
	var added int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = addItems(ctx, tx, batchID, items, s.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: add batch items: %w", classify(err))
	}
	return added, nil
}

// addItems appends items to a batch that is not canceled or failed.
func addItems(ctx context.Context, tx *sql.Tx, batchID string, items []*storage.BatchItem, now time.Time) (int, error) {
	b, err := findBatch(ctx, tx, `id = ?`, batchID)
	if err != nil {
		return 0, err
	}
	if b == nil {
		return 0, storage.BatchNotFound(batchID)
	}
	if b.Status == storage.BatchCanceled || b.Status == storage.BatchFailed {
		return 0, recap.Errorf(recap.ECONFLICT, "batch %s is %s: no items can be added", batchID, b.Status)
	}
	var next int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), -1) + 1 FROM batch_items WHERE batch_id = ?`, batchID).Scan(&next); err != nil {
		return 0, err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO batch_items (`+itemColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, 0, 0, 0, NULL, ?)
		ON CONFLICT (batch_id, item_id) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	ep, err := tx.PrepareContext(ctx, `INSERT INTO episodes (id, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`)
	if err != nil {
		return 0, err
	}
	defer ep.Close()
	added, pending := 0, 0
	for _, it := range items {
		status, code := storage.NewItemStatus(it), ""
		if status == storage.ItemSkipped {
			code = recap.ESKIPPED
		}
		res, err := ins.ExecContext(ctx, batchID, next, it.ItemID, it.Kind, it.Ref, it.Title, it.Duration.Milliseconds(),
			formatOptionalTime(it.Published), status, code, it.Error, nullFloat(it.EstimateUSD), formatTime(now))
		if err != nil {
			return 0, fmt.Errorf("item %s: %w", it.ItemID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			continue
		}
		next++
		added++
		if status == storage.ItemPending {
			pending++
		}
		if len(it.Episode) > 0 {
			if _, err := ep.ExecContext(ctx, it.ItemID, string(it.Episode), formatTime(now)); err != nil {
				return 0, fmt.Errorf("episode %s: %w", it.ItemID, err)
			}
		}
	}
	if pending > 0 && b.Status == storage.BatchDone {
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'running', finished_at = NULL, updated_at = ?
			WHERE id = ?`, formatTime(now), batchID); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// batchChangeError explains why a change to batch id matched nothing.
func batchChangeError(ctx context.Context, q querier, id, op string) error {
	b, err := findBatch(ctx, q, `id = ?`, id)
	if err != nil {
		return err
	}
	if b == nil {
		return storage.BatchNotFound(id)
	}
	return recap.Errorf(recap.ECONFLICT, "cannot %s batch %s: it is %s", op, id, b.Status)
}

// FinishExpansion marks an expanding batch running, or done when it has
// nothing to do.
func (s *Store) FinishExpansion(ctx context.Context, id, title string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'running', expanded_at = ?, updated_at = ?,
			title = CASE WHEN ? <> '' THEN ? ELSE title END
			WHERE id = ? AND status = 'expanding'`, now, now, title, title, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return batchChangeError(ctx, tx, id, "finish expanding")
		}
		return settle(ctx, tx, now, `id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("sqlite: finish expansion: %w", classify(err))
	}
	return nil
}

// HoldExpansion claims or renews the owner's hold on listing an expanding
// batch's sources.
func (s *Store) HoldExpansion(ctx context.Context, id string, lease storage.Lease) error {
	if err := storage.CheckLease(lease); err != nil {
		return err
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET expand_owner = ?, expand_lease_expires_at = ?
			WHERE id = ? AND status = 'expanding'
			AND (expand_owner IN ('', ?) OR expand_lease_expires_at IS NULL OR expand_lease_expires_at <= ?)`,
			lease.Owner, formatTime(storage.LeaseExpiry(now, lease)), id, lease.Owner, formatTime(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		b, err := findBatch(ctx, tx, `id = ?`, id)
		if err == nil && b != nil && b.Status == storage.BatchExpanding {
			return storage.ExpansionLeaseError(b)
		}
		return batchChangeError(ctx, tx, id, "list the sources of")
	})
	if err != nil {
		return fmt.Errorf("sqlite: hold expansion: %w", classify(err))
	}
	return nil
}

// FailBatch marks an expanding batch failed.
func (s *Store) FailBatch(ctx context.Context, id, code, message string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'failed', error_code = ?, error = ?,
			finished_at = ?, updated_at = ? WHERE id = ? AND status = 'expanding'`, code, message, now, now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return batchChangeError(ctx, tx, id, "fail")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: fail batch: %w", classify(err))
	}
	return nil
}

// settle marks done the running batches matching cond whose items are all
// finished.
func settle(ctx context.Context, tx *sql.Tx, now string, cond string, args ...any) error {
	_, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'done', finished_at = ?, updated_at = ?
		WHERE status = 'running' AND `+cond+` AND NOT EXISTS (SELECT 1 FROM batch_items i
			WHERE i.batch_id = batches.id AND i.status IN `+unfinishedItem+`)`,
		append([]any{now, now}, args...)...)
	return err
}

func scanItem(row scanner) (*storage.BatchItem, error) {
	var (
		it                 storage.BatchItem
		ms                 int64
		published, updated string
		est, cost          sql.NullFloat64
	)
	if err := row.Scan(&it.BatchID, &it.Position, &it.ItemID, &it.Kind, &it.Ref, &it.Title, &ms, &published, &it.Status,
		&it.JobID, &it.ErrorCode, &it.Error, &est, &it.Usage.LLMCalls, &it.Usage.PromptTokens,
		&it.Usage.CompletionTokens, &cost, &updated); err != nil {
		return nil, err
	}
	it.Duration = time.Duration(ms) * time.Millisecond
	it.EstimateUSD, it.Usage.CostUSD = floatPtr(est), floatPtr(cost)
	var err error
	if it.Published, err = parseOptionalTime(published); err != nil {
		return nil, err
	}
	if it.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &it, nil
}

func queryItems(ctx context.Context, q querier, query string, args ...any) ([]*storage.BatchItem, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []*storage.BatchItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// placeholders is "?, ?, …" for n parameters.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// ListBatchItems returns one page of a batch's items in source order.
func (s *Store) ListBatchItems(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error) {
	limit, after, err := storage.CheckBatchItemFilter(f)
	if err != nil {
		return storage.BatchItemPage{}, err
	}
	if b, err := findBatch(ctx, s.read, `id = ?`, f.BatchID); err != nil {
		return storage.BatchItemPage{}, fmt.Errorf("sqlite: list batch items: %w", err)
	} else if b == nil {
		return storage.BatchItemPage{}, storage.BatchNotFound(f.BatchID)
	}
	q := `SELECT ` + itemColumns + ` FROM batch_items WHERE batch_id = ? AND position > ?`
	args := []any{f.BatchID, after}
	if len(f.Statuses) > 0 {
		q += ` AND status IN (` + placeholders(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	q += ` ORDER BY position LIMIT ?`
	args = append(args, limit+1)
	items, err := queryItems(ctx, s.read, q, args...)
	if err != nil {
		return storage.BatchItemPage{}, fmt.Errorf("sqlite: list batch items: %w", err)
	}
	return storage.NewBatchItemPage(items, limit), nil
}

// ClaimBatchItems picks the items to start now; see storage.Store.
func (s *Store) ClaimBatchItems(ctx context.Context, opt storage.ClaimOptions) ([]*storage.BatchItem, error) {
	now := s.now()
	var out []*storage.BatchItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ts := formatTime(now)
		stale, err := queryItems(ctx, tx, `UPDATE batch_items SET claimed_at = ?, updated_at = ?
			WHERE status = 'queued' AND job_id = '' AND claimed_at < ? RETURNING `+itemColumns,
			ts, ts, formatTime(now.Add(-opt.StaleAfter)))
		if err != nil {
			return err
		}
		out = stale
		var inFlight int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM batch_items WHERE status IN ('queued', 'running')`).Scan(&inFlight); err != nil {
			return err
		}
		free := opt.Window - inFlight
		if free <= 0 {
			return nil
		}
		cands, err := candidates(ctx, tx, free)
		if err != nil {
			return err
		}
		claims, pauses := storage.PlanDispatch(free, cands)
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(dispatch_seq), 0) FROM batches`).Scan(&seq); err != nil {
			return err
		}
		for _, it := range claims {
			if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'queued', claimed_at = ?, updated_at = ?
				WHERE batch_id = ? AND position = ?`, ts, ts, it.BatchID, it.Position); err != nil {
				return err
			}
			seq++
			if _, err := tx.ExecContext(ctx, `UPDATE batches SET dispatch_seq = ? WHERE id = ?`, seq, it.BatchID); err != nil {
				return err
			}
			it.Status, it.UpdatedAt = storage.ItemQueued, now
			out = append(out, it)
		}
		for _, p := range pauses {
			if _, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'paused', error_code = ?, error = ?, updated_at = ?
				WHERE id = ? AND status = 'running'`, recap.EOVERBUDGET, p.Reason, ts, p.BatchID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'paused', updated_at = ?
				WHERE batch_id = ? AND status = 'pending'`, ts, p.BatchID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim batch items: %w", classify(err))
	}
	return out, nil
}

// candidates reads the running batches with pending items, least recently
// served first: each with its first free pending items and, when it has a
// budget, what it spent and has in flight.
func candidates(ctx context.Context, tx *sql.Tx, free int) ([]*storage.DispatchCandidate, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, max_cost_usd FROM batches WHERE status = 'running'
		ORDER BY dispatch_seq, created_at, id`)
	if err != nil {
		return nil, err
	}
	var all []*storage.DispatchCandidate
	for rows.Next() {
		var (
			c       storage.DispatchCandidate
			maxCost sql.NullFloat64
		)
		if err := rows.Scan(&c.BatchID, &maxCost); err != nil {
			rows.Close()
			return nil, err
		}
		c.MaxCostUSD = floatPtr(maxCost)
		all = append(all, &c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	var cands []*storage.DispatchCandidate
	for _, c := range all {
		if c.Pending, err = queryItems(ctx, tx, `SELECT `+itemColumns+` FROM batch_items
			WHERE batch_id = ? AND status = 'pending' ORDER BY position LIMIT ?`, c.BatchID, free); err != nil {
			return nil, err
		}
		if len(c.Pending) == 0 {
			continue
		}
		if c.MaxCostUSD != nil {
			if err := tx.QueryRowContext(ctx, `SELECT
				total(CASE WHEN status = 'done' THEN cost_usd END),
				total(CASE WHEN status IN ('queued', 'running') THEN estimate_usd END),
				count(CASE WHEN status IN ('queued', 'running') THEN 1 END)
				FROM batch_items WHERE batch_id = ?`, c.BatchID).Scan(&c.SpentUSD, &c.InFlightUSD, &c.InFlight); err != nil {
				return nil, err
			}
		}
		cands = append(cands, c)
	}
	return cands, nil
}

// LinkBatchItem records a claimed item's job and takes its status.
func (s *Store) LinkBatchItem(ctx context.Context, batchID string, position int, jobID string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		j, err := findJob(ctx, tx, `id = ?`, jobID)
		if err != nil {
			return err
		}
		if j == nil {
			return storage.JobNotFound(jobID)
		}
		var u storage.BatchUsage
		if j.Status == storage.StatusDone {
			var body string
			if err := tx.QueryRowContext(ctx, `SELECT body FROM documents WHERE id = ?`, j.ID).Scan(&body); err != nil {
				return fmt.Errorf("document of job %s: %w", j.ID, err)
			}
			doc, err := storage.DecodeDocument([]byte(body))
			if err != nil {
				return err
			}
			u = storage.DocumentUsage(doc)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET job_id = ?, status = ?, error_code = ?, error = ?,
			llm_calls = ?, prompt_tokens = ?, completion_tokens = ?, cost_usd = ?, updated_at = ?
			WHERE batch_id = ? AND position = ? AND status = 'queued'`,
			j.ID, j.Status, j.ErrorCode, j.Error, u.LLMCalls, u.PromptTokens, u.CompletionTokens, nullFloat(u.CostUSD), now,
			batchID, position); err != nil {
			return err
		}
		return settle(ctx, tx, now, `id = ?`, batchID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: link batch item: %w", classify(err))
	}
	return nil
}

// FailBatchItem marks a claimed item failed.
func (s *Store) FailBatchItem(ctx context.Context, batchID string, position int, code, message string) error {
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'failed', error_code = ?, error = ?, updated_at = ?
			WHERE batch_id = ? AND position = ? AND status = 'queued'`, code, message, now, batchID, position); err != nil {
			return err
		}
		return settle(ctx, tx, now, `id = ?`, batchID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: fail batch item: %w", classify(err))
	}
	return nil
}

// followJob gives the items of job j its new status, in the transaction
// that changed the job; u is the usage of its document when done.
func followJob(ctx context.Context, tx *sql.Tx, j *storage.Job, u storage.BatchUsage, now string) error {
	var err error
	switch j.Status {
	case storage.StatusRunning:
		_, err = tx.ExecContext(ctx, `UPDATE batch_items SET status = 'running', updated_at = ?
			WHERE job_id = ? AND status = 'queued'`, now, j.ID)
	case storage.StatusQueued:
		_, err = tx.ExecContext(ctx, `UPDATE batch_items SET status = 'queued', updated_at = ?
			WHERE job_id = ? AND status = 'running'`, now, j.ID)
	case storage.StatusFailed:
		_, err = tx.ExecContext(ctx, `UPDATE batch_items SET status = 'failed', error_code = ?, error = ?, updated_at = ?
			WHERE job_id = ? AND status IN ('queued', 'running')`, j.ErrorCode, j.Error, now, j.ID)
	case storage.StatusDone:
		_, err = tx.ExecContext(ctx, `UPDATE batch_items SET status = 'done', error_code = '', error = '',
			llm_calls = ?, prompt_tokens = ?, completion_tokens = ?, cost_usd = ?, updated_at = ?
			WHERE job_id = ? AND status IN ('queued', 'running')`,
			u.LLMCalls, u.PromptTokens, u.CompletionTokens, nullFloat(u.CostUSD), now, j.ID)
	}
	if err != nil || !j.Finished() {
		return err
	}
	return settle(ctx, tx, now, `id IN (SELECT batch_id FROM batch_items WHERE job_id = ?)`, j.ID)
}

// CancelBatch cancels what has not started.
func (s *Store) CancelBatch(ctx context.Context, id string) ([]*storage.Job, error) {
	now := formatTime(s.now())
	var canceled []*storage.Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b, err := findBatch(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if b == nil {
			return storage.BatchNotFound(id)
		}
		if b.Finished() {
			return nil
		}
		msg := "canceled with batch " + id + " before it started"
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'canceled', finished_at = ?, updated_at = ? WHERE id = ?`,
			now, now, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'canceled', error_code = ?, error = ?, updated_at = ?
			WHERE batch_id = ? AND (status IN ('pending', 'paused') OR (status = 'queued' AND job_id = ''))`,
			recap.ECANCELED, msg, now, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT job_id FROM batch_items
			WHERE batch_id = ? AND status = 'queued' AND job_id <> ''`, id)
		if err != nil {
			return err
		}
		var jobIDs []string
		for rows.Next() {
			var j string
			if err := rows.Scan(&j); err != nil {
				rows.Close()
				return err
			}
			jobIDs = append(jobIDs, j)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, jobID := range jobIDs {
			j, err := findJob(ctx, tx, `id = ? AND status = 'queued' AND lease_owner = '' AND priority = 'low'
				AND NOT EXISTS (SELECT 1 FROM batch_items o WHERE o.job_id = jobs.id AND o.batch_id <> ?
					AND o.status IN ('queued', 'running'))`, jobID, id)
			if err != nil {
				return err
			}
			if j == nil {
				continue // started, or needed elsewhere: it runs
			}
			j, err = transition(ctx, tx, j.ID, "cancel",
				`status = 'failed', error_code = ?, error = ?, finished_at = ?, updated_at = ?, `+release,
				[]any{recap.ECANCELED, msg, now, now}, heldBy, "")
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'canceled', error_code = ?, error = ?, updated_at = ?
				WHERE batch_id = ? AND job_id = ? AND status = 'queued'`, recap.ECANCELED, msg, now, id, j.ID); err != nil {
				return err
			}
			canceled = append(canceled, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: cancel batch: %w", classify(err))
	}
	return canceled, nil
}

// RetryBatch requeues a batch's failed and paused items.
func (s *Store) RetryBatch(ctx context.Context, id string) (int, error) {
	now := formatTime(s.now())
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b, err := findBatch(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if b == nil {
			return storage.BatchNotFound(id)
		}
		switch b.Status {
		case storage.BatchCanceled, storage.BatchExpanding:
			return recap.Errorf(recap.ECONFLICT, "batch %s is %s: nothing to retry", id, b.Status)
		case storage.BatchFailed:
			_, err := tx.ExecContext(ctx, `UPDATE batches SET status = 'expanding', error_code = '', error = '',
				finished_at = NULL, updated_at = ? WHERE id = ?`, now, id)
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE batch_items SET status = 'pending', job_id = '', error_code = '', error = '',
			claimed_at = NULL, updated_at = ? WHERE batch_id = ? AND status IN ('failed', 'paused')`, now, id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if n == 0 && b.Status != storage.BatchPaused {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE batches SET status = 'running', error_code = '', error = '',
			finished_at = NULL, updated_at = ? WHERE id = ?`, now, id)
		if err != nil {
			return err
		}
		return settle(ctx, tx, now, `id = ?`, id)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: retry batch: %w", classify(err))
	}
	return int(n), nil
}

// GetEpisode returns a stored podcast episode.
func (s *Store) GetEpisode(ctx context.Context, id string) (json.RawMessage, error) {
	var body string
	err := s.read.QueryRowContext(ctx, `SELECT body FROM episodes WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recap.Errorf(recap.ENOTFOUND, "podcast episode %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get episode %s: %w", id, err)
	}
	return json.RawMessage(body), nil
}
