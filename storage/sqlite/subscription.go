package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const subscriptionColumns = `id, url, interval_ms, backfill, batch_id, polls, next_poll_at, last_poll_at,
	last_error_code, last_error, lease_owner, lease_expires_at, created_at, updated_at`

func scanSubscription(row scanner) (*storage.Subscription, error) {
	var (
		s                      storage.Subscription
		intervalMS             int64
		next, created, updated string
		last, lease            sql.NullString
	)
	if err := row.Scan(&s.ID, &s.URL, &intervalMS, &s.Backfill, &s.BatchID, &s.Polls, &next, &last,
		&s.LastErrorCode, &s.LastError, &s.LeaseOwner, &lease, &created, &updated); err != nil {
		return nil, err
	}
	s.Interval = time.Duration(intervalMS) * time.Millisecond
	var err error
	if s.NextPollAt, err = parseTime(next); err != nil {
		return nil, err
	}
	if s.LastPollAt, err = parseNullTime(last); err != nil {
		return nil, err
	}
	if s.LeaseExpiresAt, err = parseNullTime(lease); err != nil {
		return nil, err
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &s, nil
}

func findSubscription(ctx context.Context, q querier, where string, args ...any) (*storage.Subscription, error) {
	s, err := scanSubscription(q.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return s, err
}

func querySubscriptions(ctx context.Context, q querier, query string, args ...any) ([]*storage.Subscription, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	subs := []*storage.Subscription{}
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		subs = append(subs, s)
	}
	return subs, rows.Err()
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
	var (
		out     *storage.Subscription
		created bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := findSubscription(ctx, tx, `url = ?`, sub.URL)
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
		_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
			VALUES (?, ?, ?, ?, ?, 0, ?, NULL, '', '', '', NULL, ?, ?)`,
			sub.ID, sub.URL, sub.Interval.Milliseconds(), sub.Backfill, sub.BatchID,
			formatTime(sub.NextPollAt), formatTime(sub.CreatedAt), formatTime(sub.UpdatedAt))
		if isPrimaryKeyViolation(err) {
			return recap.Errorf(recap.ECONFLICT, "a subscription with id %q already exists", sub.ID)
		}
		if err != nil {
			return err
		}
		c := *sub
		out, created = &c, true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: create subscription: %w", classify(err))
	}
	return out, created, nil
}

// GetSubscription returns the subscription with the id.
func (s *Store) GetSubscription(ctx context.Context, id string) (*storage.Subscription, error) {
	sub, err := findSubscription(ctx, s.read, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get subscription %s: %w", id, err)
	}
	if sub == nil {
		return nil, storage.SubscriptionNotFound(id)
	}
	return sub, nil
}

// ListSubscriptions returns every subscription, newest first.
func (s *Store) ListSubscriptions(ctx context.Context) ([]*storage.Subscription, error) {
	subs, err := querySubscriptions(ctx, s.read, `SELECT `+subscriptionColumns+` FROM subscriptions
		ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list subscriptions: %w", err)
	}
	return subs, nil
}

// DeleteSubscription deletes a subscription and what it has seen.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete subscription %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete subscription %s: %w", id, err)
	} else if n == 0 {
		return storage.SubscriptionNotFound(id)
	}
	return nil
}

// ClaimSubscriptions leases the subscriptions due for a poll.
func (s *Store) ClaimSubscriptions(ctx context.Context, lease storage.Lease, limit int) ([]*storage.Subscription, error) {
	if err := storage.CheckLease(lease); err != nil {
		return nil, err
	}
	now := s.now()
	var subs []*storage.Subscription
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ts := formatTime(now)
		var err error
		subs, err = querySubscriptions(ctx, tx, `UPDATE subscriptions SET lease_owner = ?, lease_expires_at = ?, updated_at = ?
			WHERE id IN (SELECT id FROM subscriptions WHERE next_poll_at <= ?
				AND (lease_owner = '' OR lease_expires_at IS NULL OR lease_expires_at <= ?)
				ORDER BY next_poll_at, id LIMIT ?)
			RETURNING `+subscriptionColumns,
			lease.Owner, formatTime(storage.LeaseExpiry(now, lease)), ts, ts, ts, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim subscriptions: %w", err)
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sub, err := findSubscription(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if sub == nil {
			return storage.SubscriptionNotFound(id)
		}
		if sub.LeaseOwner != owner {
			return storage.SubscriptionLeaseError(sub, owner)
		}
		ts, next := formatTime(now), formatTime(now.Add(sub.Interval))
		code, msg := poll.ErrorCode, poll.Error
		if code == "" && msg == "" {
			added, code, msg, err = s.recordPoll(ctx, tx, sub, poll, now)
			if err != nil {
				return err
			}
		}
		polls := sub.Polls
		if poll.ErrorCode == "" && poll.Error == "" {
			polls++
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET polls = ?, last_poll_at = ?, next_poll_at = ?,
			last_error_code = ?, last_error = ?, updated_at = ?, `+release+` WHERE id = ?`,
			polls, ts, next, code, msg, ts, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: finish subscription poll: %w", classify(err))
	}
	return added, nil
}

// recordPoll adds the items of a successful poll not seen before to the
// subscription's batch and marks every listed item seen. A batch that no
// longer takes items (canceled) is reported as the poll's error.
func (s *Store) recordPoll(ctx context.Context, tx *sql.Tx, sub *storage.Subscription, poll storage.SubscriptionPoll,
	now time.Time) (added int, code, msg string, err error) {
	seen, err := tx.PrepareContext(ctx, `SELECT count(*) FROM subscription_seen WHERE subscription_id = ? AND item_id = ?`)
	if err != nil {
		return 0, "", "", err
	}
	defer seen.Close()
	var fresh []*storage.BatchItem
	for _, it := range poll.Items {
		var n int
		if err := seen.QueryRowContext(ctx, sub.ID, it.ItemID).Scan(&n); err != nil {
			return 0, "", "", err
		}
		if n == 0 {
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
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET title = ? WHERE id = ? AND title = ''`, poll.Title, sub.BatchID); err != nil {
			return 0, "", "", err
		}
	}
	// A poll that found nothing new leaves nothing to do.
	if err := settle(ctx, tx, formatTime(now), `id = ?`, sub.BatchID); err != nil {
		return 0, "", "", err
	}
	mark, err := tx.PrepareContext(ctx, `INSERT INTO subscription_seen (subscription_id, item_id) VALUES (?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, "", "", err
	}
	defer mark.Close()
	for _, id := range poll.Seen {
		if _, err := mark.ExecContext(ctx, sub.ID, id); err != nil {
			return 0, "", "", err
		}
	}
	for _, it := range poll.Items {
		if _, err := mark.ExecContext(ctx, sub.ID, it.ItemID); err != nil {
			return 0, "", "", err
		}
	}
	return added, code, msg, nil
}
