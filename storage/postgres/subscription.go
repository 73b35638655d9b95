package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const subscriptionColumns = `id, url, interval_ms, backfill, batch_id, polls, next_poll_at, last_poll_at,
	last_error_code, last_error, lease_owner, lease_expires_at, created_at, updated_at`

func scanSubscription(row pgx.Row) (*storage.Subscription, error) {
	var (
		s           storage.Subscription
		intervalMS  int64
		last, lease *time.Time
	)
	if err := row.Scan(&s.ID, &s.URL, &intervalMS, &s.Backfill, &s.BatchID, &s.Polls, &s.NextPollAt, &last,
		&s.LastErrorCode, &s.LastError, &s.LeaseOwner, &lease, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.Interval = time.Duration(intervalMS) * time.Millisecond
	s.NextPollAt, s.CreatedAt, s.UpdatedAt = s.NextPollAt.UTC(), s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.LastPollAt, s.LeaseExpiresAt = utc(last), utc(lease)
	return &s, nil
}

func findSubscription(ctx context.Context, q querier, where string, args ...any) (*storage.Subscription, error) {
	s, err := scanSubscription(q.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE `+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

func querySubscriptions(ctx context.Context, q querier, sql string, args ...any) ([]*storage.Subscription, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	subs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*storage.Subscription, error) { return scanSubscription(row) })
	if subs == nil {
		subs = []*storage.Subscription{}
	}
	return subs, err
}

// CreateSubscription stores s and its batch, or returns the subscription
// to the same URL.
func (s *Store) CreateSubscription(ctx context.Context, sub *storage.Subscription, b *storage.Batch) (*storage.Subscription, bool, error) {
	if err := storage.CheckSubscription(sub); err != nil {
		return nil, false, err
	}
	if b == nil {
		return nil, false, recap.Errorf(recap.EINVALID, "subscription %s has no batch", sub.URL)
	}
	b.Status = storage.BatchRunning
	if err := storage.CheckNewBatch(b); err != nil {
		return nil, false, err
	}
	for attempt := 1; ; attempt++ {
		var (
			out     *storage.Subscription
			created bool
		)
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			old, err := findSubscription(ctx, tx, `url = $1`, sub.URL)
			if err != nil || old != nil {
				out = old
				return err
			}
			if _, _, err := s.createBatch(ctx, tx, b); err != nil {
				return err
			}
			now := s.now()
			if err := storage.PrepareSubscription(sub, b, now); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
				VALUES ($1, $2, $3, $4, $5, 0, $6, NULL, '', '', '', NULL, $7, $8)`,
				sub.ID, sub.URL, sub.Interval.Milliseconds(), sub.Backfill, sub.BatchID, sub.NextPollAt, sub.CreatedAt, sub.UpdatedAt)
			if err != nil {
				return err
			}
			c := *sub
			out, created = &c, true
			return nil
		})
		// Two processes subscribing to one URL at once meet at its unique
		// constraint; the loser finds the winner's subscription next time.
		if isUniqueViolation(err, "subscriptions_url_key") && attempt < 3 {
			sub.ID, b.ID = "", ""
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("postgres: create subscription: %w", classify(err))
		}
		return out, created, nil
	}
}

// GetSubscription returns the subscription with the id.
func (s *Store) GetSubscription(ctx context.Context, id string) (*storage.Subscription, error) {
	sub, err := findSubscription(ctx, s.pool, `id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get subscription %s: %w", id, err)
	}
	if sub == nil {
		return nil, storage.SubscriptionNotFound(id)
	}
	return sub, nil
}

// ListSubscriptions returns every subscription, newest first.
func (s *Store) ListSubscriptions(ctx context.Context) ([]*storage.Subscription, error) {
	subs, err := querySubscriptions(ctx, s.pool, `SELECT `+subscriptionColumns+` FROM subscriptions
		ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list subscriptions: %w", err)
	}
	return subs, nil
}

// DeleteSubscription deletes a subscription and what it has seen.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM subscriptions WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete subscription %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return storage.SubscriptionNotFound(id)
	}
	return nil
}

// ClaimSubscriptions leases the subscriptions due for a poll. SKIP LOCKED
// lets pollers racing for them each take different ones.
func (s *Store) ClaimSubscriptions(ctx context.Context, lease storage.Lease, limit int) ([]*storage.Subscription, error) {
	if err := storage.CheckLease(lease); err != nil {
		return nil, err
	}
	now := s.now()
	subs, err := querySubscriptions(ctx, s.pool, `UPDATE subscriptions SET lease_owner = $1, lease_expires_at = $2, updated_at = $3
		WHERE id IN (SELECT id FROM subscriptions WHERE next_poll_at <= $3
			AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at <= $3)
			ORDER BY next_poll_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING `+subscriptionColumns,
		lease.Owner, storage.LeaseExpiry(now, lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim subscriptions: %w", err)
	}
	return subs, nil
}

// FinishSubscriptionPoll records a poll and lets the subscription go.
func (s *Store) FinishSubscriptionPoll(ctx context.Context, id, owner string, poll storage.SubscriptionPoll) (int, error) {
	if err := storage.CheckBatchItems(poll.Items); err != nil {
		return 0, err
	}
	now := s.now()
	var added int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		added = 0
		sub, err := findSubscription(ctx, tx, `id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if sub == nil {
			return storage.SubscriptionNotFound(id)
		}
		if sub.LeaseOwner != owner {
			return storage.SubscriptionLeaseError(sub, owner)
		}
		code, msg := poll.ErrorCode, poll.Error
		polls := sub.Polls
		if code == "" && msg == "" {
			polls++
			added, code, msg, err = recordPoll(ctx, tx, sub, poll, now)
			if err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE subscriptions SET polls = $1, last_poll_at = $2, next_poll_at = $3,
			last_error_code = $4, last_error = $5, updated_at = $2, `+release+` WHERE id = $6`,
			polls, now, now.Add(sub.Interval), code, msg, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: finish subscription poll: %w", classify(err))
	}
	return added, nil
}

// recordPoll adds the items of a successful poll not seen before to the
// subscription's batch and marks every listed item seen. A batch that no
// longer takes items (canceled) is reported as the poll's error.
func recordPoll(ctx context.Context, tx pgx.Tx, sub *storage.Subscription, poll storage.SubscriptionPoll,
	now time.Time) (added int, code, msg string, err error) {
	ids := make([]string, 0, len(poll.Seen)+len(poll.Items))
	for _, it := range poll.Items {
		ids = append(ids, it.ItemID)
	}
	rows, err := tx.Query(ctx, `SELECT item_id FROM subscription_seen WHERE subscription_id = $1 AND item_id = ANY($2)`, sub.ID, ids)
	if err != nil {
		return 0, "", "", err
	}
	known, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, "", "", err
	}
	seen := make(map[string]bool, len(known))
	for _, id := range known {
		seen[id] = true
	}
	var fresh []*storage.BatchItem
	for _, it := range poll.Items {
		if !seen[it.ItemID] {
			fresh = append(fresh, it)
		}
	}
	added, err = addItems(ctx, tx, sub.BatchID, fresh, now)
	if recap.ErrorCode(err) == recap.ECONFLICT || recap.ErrorCode(err) == recap.ENOTFOUND {
		added, code, msg = 0, recap.ErrorCode(err), recap.ErrorMessage(err)+": new items are only marked seen"
	} else if err != nil {
		return 0, "", "", err
	}
	if poll.Title != "" {
		if _, err := tx.Exec(ctx, `UPDATE batches SET title = $1 WHERE id = $2 AND title = ''`, poll.Title, sub.BatchID); err != nil {
			return 0, "", "", err
		}
	}
	// A poll that found nothing new leaves nothing to do.
	if err := settle(ctx, tx, now, []string{sub.BatchID}); err != nil {
		return 0, "", "", err
	}
	ids = append(ids, poll.Seen...)
	if _, err := tx.Exec(ctx, `INSERT INTO subscription_seen (subscription_id, item_id)
		SELECT DISTINCT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, sub.ID, ids); err != nil {
		return 0, "", "", err
	}
	return added, code, msg, nil
}
