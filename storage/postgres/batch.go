package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const batchColumns = `id, sources, title, status, language, force, item_limit, since, max_cost_usd, resume_key,
	error_code, error, created_at, updated_at, expanded_at, finished_at, transcribe, expand_owner, expand_lease_expires_at`

const itemColumns = `batch_id, position, item_id, kind, ref, title, duration_ms, published, status, job_id,
	error_code, error, estimate_usd, llm_calls, prompt_tokens, completion_tokens, cost_usd, updated_at`

// unfinishedItem are the item statuses that keep a batch from being done.
const unfinishedItem = `('pending', 'queued', 'running', 'paused')`

// claimLockKey is the second key of the advisory lock (in lockNamespace)
// that makes ClaimBatchItems one at a time, per schema.
const claimLockKey = `$1::int4, hashtext(coalesce(current_schema(), '') || ':batch-claim')`

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func scanBatch(row pgx.Row) (*storage.Batch, error) {
	var (
		b                  storage.Batch
		sources            []byte
		since              *time.Time
		expanded, finished *time.Time
		expandLease        *time.Time
	)
	if err := row.Scan(&b.ID, &sources, &b.Title, &b.Status, &b.Options.Language, &b.Options.Force, &b.Options.Limit,
		&since, &b.Options.MaxCostUSD, &b.ResumeKey, &b.ErrorCode, &b.Error, &b.CreatedAt, &b.UpdatedAt,
		&expanded, &finished, &b.Options.Transcribe, &b.ExpandOwner, &expandLease); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(sources, &b.Sources); err != nil {
		return nil, fmt.Errorf("batch %s: stored sources: %w", b.ID, err)
	}
	b.Options.Since = timeOrZero(since)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	b.ExpandedAt, b.FinishedAt = utc(expanded), utc(finished)
	b.ExpandLeaseExpiresAt = utc(expandLease)
	return &b, nil
}

func findBatch(ctx context.Context, q querier, where string, args ...any) (*storage.Batch, error) {
	b, err := scanBatch(q.QueryRow(ctx, `SELECT `+batchColumns+` FROM batches WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// withStats fills each batch's Total, Counts and Usage.
func withStats(ctx context.Context, q querier, batches ...*storage.Batch) error {
	for _, b := range batches {
		rows, err := q.Query(ctx, `SELECT status, count(*), coalesce(sum(llm_calls), 0), coalesce(sum(prompt_tokens), 0),
			coalesce(sum(completion_tokens), 0), count(cost_usd), coalesce(sum(cost_usd), 0)
			FROM batch_items WHERE batch_id = $1 GROUP BY status`, b.ID)
		if err != nil {
			return err
		}
		b.Counts, b.Total = storage.NewCounts(), 0
		b.Usage = storage.SumUsage(0, 0, 0, 0, 0, 0)
		var (
			status                    string
			n, known                  int
			calls, prompt, completion int64
			cost                      float64
		)
		_, err = pgx.ForEachRow(rows, []any{&status, &n, &calls, &prompt, &completion, &known, &cost}, func() error {
			b.Counts[status] = n
			b.Total += n
			if status == storage.ItemDone {
				b.Usage = storage.SumUsage(int(calls), int(prompt), int(completion), n, known, cost)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateBatch stores b, or returns the unfinished batch with its resume key.
func (s *Store) CreateBatch(ctx context.Context, b *storage.Batch) (*storage.Batch, bool, error) {
	if err := storage.CheckNewBatch(b); err != nil {
		return nil, false, err
	}
	for attempt := 1; ; attempt++ {
		var (
			out     *storage.Batch
			created bool
		)
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			out, created, err = s.createBatch(ctx, tx, b)
			return err
		})
		// Two processes creating the same batch at once meet at the unique
		// index; the loser finds the winner's batch on its next try.
		if isUniqueViolation(err, "batches_one_unfinished") && attempt < 3 {
			b.ID = ""
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("postgres: create batch: %w", classify(err))
		}
		return out, created, nil
	}
}

func (s *Store) createBatch(ctx context.Context, tx pgx.Tx, b *storage.Batch) (*storage.Batch, bool, error) {
	if b.ResumeKey != "" {
		old, err := findBatch(ctx, tx, `resume_key = $1 AND status IN ('expanding', 'running', 'paused')`, b.ResumeKey)
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
	_, err = tx.Exec(ctx, `INSERT INTO batches (`+batchColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', '', $11, $12, NULL, NULL, $13, '', NULL)`,
		b.ID, sources, b.Title, b.Status, b.Options.Language, b.Options.Force, b.Options.Limit,
		optionalTime(b.Options.Since), b.Options.MaxCostUSD, b.ResumeKey, b.CreatedAt, b.UpdatedAt, b.Options.Transcribe)
	if isUniqueViolation(err, "batches_pkey") {
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
	b, err := findBatch(ctx, s.pool, `id = $1`, id)
	if err == nil && b != nil {
		err = withStats(ctx, s.pool, b)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get batch %s: %w", id, err)
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
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return storage.BatchPage{}, fmt.Errorf("postgres: list batches: %w", err)
	}
	batches, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*storage.Batch, error) { return scanBatch(row) })
	if err != nil {
		return storage.BatchPage{}, fmt.Errorf("postgres: list batches: %w", err)
	}
	page := storage.NewBatchPage(batches, limit)
	if err := withStats(ctx, s.pool, page.Batches...); err != nil {
		return storage.BatchPage{}, fmt.Errorf("postgres: list batches: %w", err)
	}
	return page, nil
}

// AddBatchItems appends the new items of a batch.
func (s *Store) AddBatchItems(ctx context.Context, batchID string, items []*storage.BatchItem) (int, error) {
	if err := storage.CheckBatchItems(items); err != nil {
		return 0, err
	}
	var added int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		added, err = addItems(ctx, tx, batchID, items, s.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: add batch items: %w", classify(err))
	}
	return added, nil
}

// addItems appends items to a batch that is not canceled or failed: those
// not in it yet, loaded with COPY. The batch row is locked, so that two
// calls for one batch take turns.
func addItems(ctx context.Context, tx pgx.Tx, batchID string, items []*storage.BatchItem, now time.Time) (int, error) {
	b, err := findBatch(ctx, tx, `id = $1 FOR UPDATE`, batchID)
	if err != nil {
		return 0, err
	}
	if b == nil {
		return 0, storage.BatchNotFound(batchID)
	}
	if b.Status == storage.BatchCanceled || b.Status == storage.BatchFailed {
		return 0, recap.Errorf(recap.ECONFLICT, "batch %s is %s: no items can be added", batchID, b.Status)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ItemID
	}
	rows, err := tx.Query(ctx, `SELECT item_id FROM batch_items WHERE batch_id = $1 AND item_id = ANY($2)`, batchID, ids)
	if err != nil {
		return 0, err
	}
	known, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	have := make(map[string]bool, len(items))
	for _, id := range known {
		have[id] = true
	}
	var next int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), -1) + 1 FROM batch_items WHERE batch_id = $1`, batchID).Scan(&next); err != nil {
		return 0, err
	}
	var (
		fresh    [][]any
		epIDs    []string
		epBodies [][]byte
		pending  int
	)
	for _, it := range items {
		if have[it.ItemID] {
			continue
		}
		have[it.ItemID] = true
		status := storage.NewItemStatus(it)
		code := ""
		if status == storage.ItemSkipped {
			code = recap.ESKIPPED
		} else {
			pending++
		}
		fresh = append(fresh, []any{batchID, next + len(fresh), it.ItemID, it.Kind, it.Ref, it.Title, it.Duration.Milliseconds(),
			optionalTime(it.Published), status, "", code, it.Error, it.EstimateUSD, 0, 0, 0, nil, now})
		if len(it.Episode) > 0 {
			epIDs, epBodies = append(epIDs, it.ItemID), append(epBodies, it.Episode)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	cols := strings.Split(strings.Join(strings.Fields(itemColumns), ""), ",")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"batch_items"}, cols, pgx.CopyFromRows(fresh)); err != nil {
		return 0, err
	}
	if len(epIDs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO episodes (id, body, updated_at)
			SELECT id, body, $3 FROM unnest($1::text[], $2::jsonb[]) AS e (id, body)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
			epIDs, epBodies, now); err != nil {
			return 0, fmt.Errorf("store episodes: %w", err)
		}
	}
	if pending > 0 && b.Status == storage.BatchDone {
		if _, err := tx.Exec(ctx, `UPDATE batches SET status = 'running', finished_at = NULL, updated_at = $1
			WHERE id = $2`, now, batchID); err != nil {
			return 0, err
		}
	}
	return len(fresh), nil
}

// batchChangeError explains why a change to batch id matched nothing.
func batchChangeError(ctx context.Context, q querier, id, op string) error {
	b, err := findBatch(ctx, q, `id = $1`, id)
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
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE batches SET status = 'running', expanded_at = $1, updated_at = $1,
			title = CASE WHEN $2 <> '' THEN $2 ELSE title END
			WHERE id = $3 AND status = 'expanding'`, now, title, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return batchChangeError(ctx, tx, id, "finish expanding")
		}
		return settle(ctx, tx, now, []string{id})
	})
	if err != nil {
		return fmt.Errorf("postgres: finish expansion: %w", classify(err))
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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE batches SET expand_owner = $1, expand_lease_expires_at = $2
			WHERE id = $3 AND status = 'expanding'
			AND (expand_owner IN ('', $1) OR expand_lease_expires_at IS NULL OR expand_lease_expires_at <= $4)`,
			lease.Owner, storage.LeaseExpiry(now, lease), id, now)
		if err != nil || tag.RowsAffected() > 0 {
			return err
		}
		b, err := findBatch(ctx, tx, `id = $1`, id)
		if err == nil && b != nil && b.Status == storage.BatchExpanding {
			return storage.ExpansionLeaseError(b)
		}
		return batchChangeError(ctx, tx, id, "list the sources of")
	})
	if err != nil {
		return fmt.Errorf("postgres: hold expansion: %w", classify(err))
	}
	return nil
}

// FailBatch marks an expanding batch failed.
func (s *Store) FailBatch(ctx context.Context, id, code, message string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE batches SET status = 'failed', error_code = $1, error = $2,
			finished_at = $3, updated_at = $3 WHERE id = $4 AND status = 'expanding'`, code, message, now, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return batchChangeError(ctx, tx, id, "fail")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: fail batch: %w", classify(err))
	}
	return nil
}

// settle marks done the running batches among ids whose items are all
// finished. It locks them first, in id order: under READ COMMITTED, two
// transactions finishing a batch's last two items would each see the
// other's item unfinished; taking turns, the second sees the first's.
func settle(ctx context.Context, tx pgx.Tx, now time.Time, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT id FROM batches WHERE id = ANY($1) AND status = 'running'
		ORDER BY id FOR UPDATE`, ids); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE batches SET status = 'done', finished_at = $1, updated_at = $1
		WHERE status = 'running' AND id = ANY($2) AND NOT EXISTS (SELECT 1 FROM batch_items i
			WHERE i.batch_id = batches.id AND i.status IN `+unfinishedItem+`)`, now, ids)
	return err
}

func scanItem(row pgx.Row) (*storage.BatchItem, error) {
	var (
		it         storage.BatchItem
		ms         int64
		published  *time.Time
		prompt     int64
		completion int64
	)
	if err := row.Scan(&it.BatchID, &it.Position, &it.ItemID, &it.Kind, &it.Ref, &it.Title, &ms, &published, &it.Status,
		&it.JobID, &it.ErrorCode, &it.Error, &it.EstimateUSD, &it.Usage.LLMCalls, &prompt,
		&completion, &it.Usage.CostUSD, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.Duration = time.Duration(ms) * time.Millisecond
	it.Published = timeOrZero(published)
	it.Usage.PromptTokens, it.Usage.CompletionTokens = int(prompt), int(completion)
	it.UpdatedAt = it.UpdatedAt.UTC()
	return &it, nil
}

func queryItems(ctx context.Context, q querier, sql string, args ...any) ([]*storage.BatchItem, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*storage.BatchItem, error) { return scanItem(row) })
}

// ListBatchItems returns one page of a batch's items in source order.
func (s *Store) ListBatchItems(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error) {
	limit, after, err := storage.CheckBatchItemFilter(f)
	if err != nil {
		return storage.BatchItemPage{}, err
	}
	if b, err := findBatch(ctx, s.pool, `id = $1`, f.BatchID); err != nil {
		return storage.BatchItemPage{}, fmt.Errorf("postgres: list batch items: %w", err)
	} else if b == nil {
		return storage.BatchItemPage{}, storage.BatchNotFound(f.BatchID)
	}
	q := `SELECT ` + itemColumns + ` FROM batch_items WHERE batch_id = $1 AND position > $2`
	args := []any{f.BatchID, after}
	if len(f.Statuses) > 0 {
		q += ` AND status = ANY($3)`
		args = append(args, f.Statuses)
	}
	q += ` ORDER BY position LIMIT ` + strconv.Itoa(limit+1)
	items, err := queryItems(ctx, s.pool, q, args...)
	if err != nil {
		return storage.BatchItemPage{}, fmt.Errorf("postgres: list batch items: %w", err)
	}
	return storage.NewBatchItemPage(items, limit), nil
}

// ClaimBatchItems picks the items to start now; see storage.Store. An
// advisory lock makes claims take turns, so that the window holds over
// every process.
func (s *Store) ClaimBatchItems(ctx context.Context, opt storage.ClaimOptions) ([]*storage.BatchItem, error) {
	now := s.now()
	var out []*storage.BatchItem
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+claimLockKey+`)`, lockNamespace); err != nil {
			return err
		}
		stale, err := queryItems(ctx, tx, `UPDATE batch_items SET claimed_at = $1, updated_at = $1
			WHERE status = 'queued' AND job_id = '' AND claimed_at < $2 RETURNING `+itemColumns,
			now, now.Add(-opt.StaleAfter))
		if err != nil {
			return err
		}
		out = stale
		var inFlight int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM batch_items WHERE status IN ('queued', 'running')`).Scan(&inFlight); err != nil {
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
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(dispatch_seq), 0) FROM batches`).Scan(&seq); err != nil {
			return err
		}
		for _, it := range claims {
			if _, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'queued', claimed_at = $1, updated_at = $1
				WHERE batch_id = $2 AND position = $3`, now, it.BatchID, it.Position); err != nil {
				return err
			}
			seq++
			if _, err := tx.Exec(ctx, `UPDATE batches SET dispatch_seq = $1 WHERE id = $2`, seq, it.BatchID); err != nil {
				return err
			}
			it.Status, it.UpdatedAt = storage.ItemQueued, now
			out = append(out, it)
		}
		for _, p := range pauses {
			if _, err := tx.Exec(ctx, `UPDATE batches SET status = 'paused', error_code = $1, error = $2, updated_at = $3
				WHERE id = $4 AND status = 'running'`, recap.EOVERBUDGET, p.Reason, now, p.BatchID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'paused', updated_at = $1
				WHERE batch_id = $2 AND status = 'pending'`, now, p.BatchID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim batch items: %w", classify(err))
	}
	return out, nil
}

// candidates reads the running batches with pending items, least recently
// served first (locking them, in id order): each with its first free
// pending items and, when it has a budget, what it spent and has in
// flight.
func candidates(ctx context.Context, tx pgx.Tx, free int) ([]*storage.DispatchCandidate, error) {
	if _, err := tx.Exec(ctx, `SELECT id FROM batches WHERE status = 'running' ORDER BY id FOR UPDATE`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, max_cost_usd FROM batches WHERE status = 'running'
		ORDER BY dispatch_seq, created_at, id`)
	if err != nil {
		return nil, err
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*storage.DispatchCandidate, error) {
		var c storage.DispatchCandidate
		return &c, row.Scan(&c.BatchID, &c.MaxCostUSD)
	})
	if err != nil {
		return nil, err
	}
	var cands []*storage.DispatchCandidate
	for _, c := range all {
		if c.Pending, err = queryItems(ctx, tx, `SELECT `+itemColumns+` FROM batch_items
			WHERE batch_id = $1 AND status = 'pending' ORDER BY position LIMIT $2`, c.BatchID, free); err != nil {
			return nil, err
		}
		if len(c.Pending) == 0 {
			continue
		}
		if c.MaxCostUSD != nil {
			if err := tx.QueryRow(ctx, `SELECT
				coalesce(sum(cost_usd) FILTER (WHERE status = 'done'), 0),
				coalesce(sum(estimate_usd) FILTER (WHERE status IN ('queued', 'running')), 0),
				count(*) FILTER (WHERE status IN ('queued', 'running'))
				FROM batch_items WHERE batch_id = $1`, c.BatchID).Scan(&c.SpentUSD, &c.InFlightUSD, &c.InFlight); err != nil {
				return nil, err
			}
		}
		cands = append(cands, c)
	}
	return cands, nil
}

// LinkBatchItem records a claimed item's job and takes its status. The
// job row is locked first, so that a job finishing meanwhile either
// finishes before (and the item takes its final status here) or after
// (and finds the item pointing at it).
func (s *Store) LinkBatchItem(ctx context.Context, batchID string, position int, jobID string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		j, err := findJob(ctx, tx, `id = $1 FOR UPDATE`, jobID)
		if err != nil {
			return err
		}
		if j == nil {
			return storage.JobNotFound(jobID)
		}
		var u storage.BatchUsage
		if j.Status == storage.StatusDone {
			var body []byte
			if err := tx.QueryRow(ctx, `SELECT body FROM documents WHERE id = $1`, j.ID).Scan(&body); err != nil {
				return fmt.Errorf("document of job %s: %w", j.ID, err)
			}
			doc, err := storage.DecodeDocument(body)
			if err != nil {
				return err
			}
			u = storage.DocumentUsage(doc)
		}
		if _, err := tx.Exec(ctx, `UPDATE batch_items SET job_id = $1, status = $2, error_code = $3, error = $4,
			llm_calls = $5, prompt_tokens = $6, completion_tokens = $7, cost_usd = $8, updated_at = $9
			WHERE batch_id = $10 AND position = $11 AND status = 'queued'`,
			j.ID, j.Status, j.ErrorCode, j.Error, u.LLMCalls, u.PromptTokens, u.CompletionTokens, u.CostUSD, now,
			batchID, position); err != nil {
			return err
		}
		return settle(ctx, tx, now, []string{batchID})
	})
	if err != nil {
		return fmt.Errorf("postgres: link batch item: %w", classify(err))
	}
	return nil
}

// FailBatchItem marks a claimed item failed.
func (s *Store) FailBatchItem(ctx context.Context, batchID string, position int, code, message string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'failed', error_code = $1, error = $2, updated_at = $3
			WHERE batch_id = $4 AND position = $5 AND status = 'queued'`, code, message, now, batchID, position); err != nil {
			return err
		}
		return settle(ctx, tx, now, []string{batchID})
	})
	if err != nil {
		return fmt.Errorf("postgres: fail batch item: %w", classify(err))
	}
	return nil
}

// followJob gives the items of job j its new status, in the transaction
// that changed the job; u is the usage of its document when done.
func followJob(ctx context.Context, tx pgx.Tx, j *storage.Job, u storage.BatchUsage, now time.Time) error {
	var (
		rows pgx.Rows
		err  error
	)
	switch j.Status {
	case storage.StatusRunning:
		_, err = tx.Exec(ctx, `UPDATE batch_items SET status = 'running', updated_at = $1
			WHERE job_id = $2 AND status = 'queued'`, now, j.ID)
	case storage.StatusQueued:
		_, err = tx.Exec(ctx, `UPDATE batch_items SET status = 'queued', updated_at = $1
			WHERE job_id = $2 AND status = 'running'`, now, j.ID)
	case storage.StatusFailed:
		rows, err = tx.Query(ctx, `UPDATE batch_items SET status = 'failed', error_code = $1, error = $2, updated_at = $3
			WHERE job_id = $4 AND status IN ('queued', 'running') RETURNING batch_id`, j.ErrorCode, j.Error, now, j.ID)
	case storage.StatusDone:
		rows, err = tx.Query(ctx, `UPDATE batch_items SET status = 'done', error_code = '', error = '',
			llm_calls = $1, prompt_tokens = $2, completion_tokens = $3, cost_usd = $4, updated_at = $5
			WHERE job_id = $6 AND status IN ('queued', 'running') RETURNING batch_id`,
			u.LLMCalls, u.PromptTokens, u.CompletionTokens, u.CostUSD, now, j.ID)
	}
	if err != nil || rows == nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return settle(ctx, tx, now, ids)
}

// CancelBatch cancels what has not started.
func (s *Store) CancelBatch(ctx context.Context, id string) ([]*storage.Job, error) {
	now := s.now()
	var canceled []*storage.Job
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		canceled = nil
		b, err := findBatch(ctx, tx, `id = $1 FOR UPDATE`, id)
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
		if _, err := tx.Exec(ctx, `UPDATE batches SET status = 'canceled', finished_at = $1, updated_at = $1 WHERE id = $2`,
			now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'canceled', error_code = $1, error = $2, updated_at = $3
			WHERE batch_id = $4 AND (status IN ('pending', 'paused') OR (status = 'queued' AND job_id = ''))`,
			recap.ECANCELED, msg, now, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT job_id FROM batch_items
			WHERE batch_id = $1 AND status = 'queued' AND job_id <> '' ORDER BY job_id`, id)
		if err != nil {
			return err
		}
		jobIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, jobID := range jobIDs {
			j, err := scanJob(tx.QueryRow(ctx, `UPDATE jobs SET status = 'failed', error_code = $1, error = $2,
				finished_at = $3, updated_at = $3, `+release+`
				WHERE id = $4 AND status = 'queued' AND lease_owner = '' AND priority = 'low'
				AND NOT EXISTS (SELECT 1 FROM batch_items o WHERE o.job_id = jobs.id AND o.batch_id <> $5
					AND o.status IN ('queued', 'running'))
				RETURNING `+jobSelect, recap.ECANCELED, msg, now, jobID, id))
			if errors.Is(err, pgx.ErrNoRows) {
				continue // started, or needed elsewhere: it runs
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'canceled', error_code = $1, error = $2, updated_at = $3
				WHERE batch_id = $4 AND job_id = $5 AND status = 'queued'`, recap.ECANCELED, msg, now, id, j.ID); err != nil {
				return err
			}
			canceled = append(canceled, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: cancel batch: %w", classify(err))
	}
	return canceled, nil
}

// RetryBatch requeues a batch's failed and paused items.
func (s *Store) RetryBatch(ctx context.Context, id string) (int, error) {
	now := s.now()
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b, err := findBatch(ctx, tx, `id = $1 FOR UPDATE`, id)
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
			_, err := tx.Exec(ctx, `UPDATE batches SET status = 'expanding', error_code = '', error = '',
				finished_at = NULL, updated_at = $1 WHERE id = $2`, now, id)
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE batch_items SET status = 'pending', job_id = '', error_code = '', error = '',
			claimed_at = NULL, updated_at = $1 WHERE batch_id = $2 AND status IN ('failed', 'paused')`, now, id)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if n == 0 && b.Status != storage.BatchPaused {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE batches SET status = 'running', error_code = '', error = '',
			finished_at = NULL, updated_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		return settle(ctx, tx, now, []string{id})
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: retry batch: %w", classify(err))
	}
	return int(n), nil
}

// GetEpisode returns a stored podcast episode.
func (s *Store) GetEpisode(ctx context.Context, id string) (json.RawMessage, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM episodes WHERE id = $1`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, recap.Errorf(recap.ENOTFOUND, "podcast episode %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get episode %s: %w", id, err)
	}
	return json.RawMessage(body), nil
}
