package batch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Subscription limits.
const (
	MinInterval = time.Minute
	MaxInterval = 30 * 24 * time.Hour
	MaxBackfill = 1000
	// PollLease is how long a poller holds a subscription: long enough to
	// list a large channel. A poller that dies holds it no longer.
	PollLease = 10 * time.Minute
	// PollInterval is how often `recap serve` looks for due subscriptions.
	PollInterval = 15 * time.Second
)

// DefaultInterval is how often a subscription is polled when its
// interval is not given.
const DefaultInterval = time.Hour

// ParseInterval reads a subscription's interval ("1h", "30m", "1d" for a
// day); "" is DefaultInterval.
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultInterval, nil
	}
	d, err := time.ParseDuration(s)
	if n, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		if days, derr := time.ParseDuration(n + "h"); derr == nil {
			d, err = days*24, nil
		}
	}
	if err != nil {
		return 0, recap.Errorf(recap.EINVALID, "interval %q is not a duration: expected e.g. 30m, 1h or 1d", s)
	}
	if d < MinInterval || d > MaxInterval {
		return 0, recap.Errorf(recap.EINVALID, "interval %s: expected between %s and %s", s, MinInterval, "30d")
	}
	return d, nil
}

// Subscribe stores a subscription to url, polled every interval; its
// first poll (soon) summarizes the backfill newest items and marks the
// rest seen. A subscription to the same URL is returned instead
// (created=false).
//
// With transcribe, each item's transcript comes from speech-to-text,
// whatever captions it has (as a batch's Request.Transcribe).
func (s *Service) Subscribe(ctx context.Context, url string, interval time.Duration, backfill int, transcribe bool) (*storage.Subscription, bool, error) {
	url = strings.TrimSpace(url)
	switch {
	case url == "":
		return nil, false, recap.Errorf(recap.EINVALID, `"url" is required: expected a YouTube channel or playlist URL, or a podcast feed URL`)
	case len(url) > MaxSourceLength:
		return nil, false, recap.Errorf(recap.EINVALID, "url is %d characters long: the most is %d", len(url), MaxSourceLength)
	case interval < MinInterval || interval > MaxInterval:
		return nil, false, recap.Errorf(recap.EINVALID, "interval %s: expected between %s and 30d", interval, MinInterval)
	case backfill < 0 || backfill > MaxBackfill:
		return nil, false, recap.Errorf(recap.EINVALID, "backfill %d: expected 0 to %d", backfill, MaxBackfill)
	}
	req, err := s.normalize(Request{Sources: []string{url}, Transcribe: transcribe})
	if err != nil {
		return nil, false, err
	}
	sub, created, err := s.Store.CreateSubscription(ctx, &storage.Subscription{URL: url, Interval: interval, Backfill: backfill},
		&storage.Batch{Sources: req.Sources, Options: storage.BatchOptions{Language: req.Language, Transcribe: req.Transcribe}})
	if err == nil && created {
		s.Poller.Kick()
	}
	return sub, created, err
}

// Subscriptions returns every subscription, newest first.
func (s *Service) Subscriptions(ctx context.Context) ([]*storage.Subscription, error) {
	return s.Store.ListSubscriptions(ctx)
}

// Unsubscribe deletes a subscription. Its batch, and what it summarized,
// stay.
func (s *Service) Unsubscribe(ctx context.Context, id string) error {
	return s.Store.DeleteSubscription(ctx, id)
}

// Poller polls the subscriptions that are due: it leases them in the
// store (two pollers never hold one), expands each source and adds the
// items it has not seen to the subscription's batch, where the
// dispatcher takes them like any batch's.
type Poller struct {
	Service *Service
	// Owner names this poller in leases; a random one when empty.
	Owner  string
	Logger *slog.Logger

	kick kicker
}

// Kick asks Run for a poll soon (a subscription was made); it never
// blocks, and a nil poller ignores it.
func (p *Poller) Kick() {
	if p != nil {
		p.kick.Kick()
	}
}

func (p *Poller) owner() string {
	if p.Owner == "" {
		host, _ := os.Hostname()
		var b [6]byte
		rand.Read(b[:])
		p.Owner = fmt.Sprintf("%s/%d/poller-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	return p.Owner
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run polls due subscriptions at once, then every interval and when
// kicked, until ctx is done.
func (p *Poller) Run(ctx context.Context, every time.Duration) {
	p.kick.run(ctx, every, func() {
		if _, err := p.PollDue(ctx); err != nil && ctx.Err() == nil {
			p.logger().Warn("poll subscriptions", slog.Any("error", err))
		}
	})
}

// PollDue polls every subscription that is due, a few at a time, and
// returns how many it polled.
func (p *Poller) PollDue(ctx context.Context) (int, error) {
	n := 0
	for {
		subs, err := p.Service.Store.ClaimSubscriptions(ctx, storage.Lease{Owner: p.owner(), TTL: PollLease}, 4)
		if err != nil || len(subs) == 0 {
			return n, err
		}
		for _, sub := range subs {
			if err := p.poll(ctx, sub); err != nil {
				return n, err
			}
			n++
		}
	}
}

// poll expands one subscription's source and records what it found. The
// first poll summarizes the Backfill newest items; later ones every item
// not seen before. Skipped items (private, deleted) are not marked seen,
// so that they are summarized once they become available.
func (p *Poller) poll(ctx context.Context, sub *storage.Subscription) error {
	log := p.logger().With(slog.String("subscription_id", sub.ID), slog.String("url", sub.URL))
	var poll storage.SubscriptionPoll
	exp, err := p.Service.Resolver.Expand(ctx, sub.URL, source.Options{})
	var b *storage.Batch
	if err == nil {
		b, err = p.Service.Store.GetBatch(ctx, sub.BatchID)
	}
	if err == nil {
		var items []*storage.BatchItem
		if items, err = p.Service.Items(available(exp.Items), b.Options.Transcribe); err == nil {
			poll.Title = textclean.Line(exp.Title)
			for _, it := range items {
				poll.Seen = append(poll.Seen, it.ItemID)
			}
			poll.Items = items
			if sub.Polls == 0 {
				poll.Items = newest(items, sub.Backfill)
			}
		}
	}
	if err != nil {
		log.Warn("poll failed", slog.Any("error", err))
		poll = storage.SubscriptionPoll{ErrorCode: recap.ErrorCode(err), Error: recap.ErrorMessage(err)}
	}
	added, err := p.Service.Store.FinishSubscriptionPoll(ctx, sub.ID, p.owner(), poll)
	if err != nil {
		if recap.ErrorCode(err) == recap.ECONFLICT || recap.ErrorCode(err) == recap.ENOTFOUND {
			log.Warn("subscription lost or deleted during its poll", slog.Any("error", err))
			return nil
		}
		return err
	}
	if added > 0 {
		log.Info("new items", slog.Int("added", added))
		p.Service.Dispatcher.Kick()
	}
	return nil
}

// available leaves out skipped items.
func available(items []source.Item) []source.Item {
	out := items[:0:0]
	for _, it := range items {
		if it.Skip == "" {
			out = append(out, it)
		}
	}
	return out
}

// newest returns the n newest items (by publish date, items without one
// last), in source order.
func newest(items []*storage.BatchItem, n int) []*storage.BatchItem {
	if n >= len(items) {
		return items
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := items[idx[a]].Published, items[idx[b]].Published
		if pa.IsZero() || pb.IsZero() {
			return !pa.IsZero() && pb.IsZero()
		}
		return pa.After(pb)
	})
	keep := idx[:n]
	sort.Ints(keep)
	out := make([]*storage.BatchItem, 0, n)
	for _, i := range keep {
		out = append(out, items[i])
	}
	return out
}
