package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Local is a limiter for one process (e.g. `recap summarize`). It is safe
// for concurrent use.
type Local struct {
	cfg Config
	now func() time.Time

	mu          sync.Mutex
	req, tok    *gcra // nil when not limited
	pausedUntil time.Time
	level       int       // Blocks in a row
	forgetAt    time.Time // when level goes back to 0
}

// NewLocal returns a limiter kept in memory.
func NewLocal(cfg Config) *Local {
	l := &Local{cfg: cfg.withDefaults(), now: time.Now}
	l.req = newGCRA(cfg.Requests)
	l.tok = newGCRA(cfg.Tokens)
	return l
}

// Wait blocks until one request of cost tokens may start (cost is
// charged to the Tokens rate only). It returns a *PausedError when paused
// for longer than MaxWait, or ctx's error.
func (l *Local) Wait(ctx context.Context, cost int) error {
	return wait(ctx, l, l.cfg.MaxWait, cost)
}

// Pause lets no request start for d, or for longer if a longer pause is
// already set: the service asked to slow down (e.g. Retry-After).
func (l *Local) Pause(_ context.Context, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.now().Add(d); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	return nil
}

// Block pauses every request for a growing time: the service refused us
// (YouTube's 429 or bot check). A Block while paused changes nothing: the
// request it reports was sent before the pause began. It returns the end
// of the pause.
func (l *Local) Block(context.Context) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil, nil
	}
	if !now.Before(l.forgetAt) {
		l.level = 0
	}
	l.level++
	l.pausedUntil = now.Add(l.cfg.backoff(l.level))
	l.forgetAt = l.pausedUntil.Add(l.cfg.MaxBackoff)
	return l.pausedUntil, nil
}

func (l *Local) reserve(_ context.Context, cost int) (time.Duration, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now), true, nil
	}
	cost = max(cost, 0)
	start := now
	if l.req != nil {
		start = later(start, l.req.due(1))
	}
	if l.tok != nil {
		start = later(start, l.tok.due(cost))
	}
	if l.req != nil {
		l.req.take(start, 1)
	}
	if l.tok != nil {
		l.tok.take(start, cost)
	}
	return start.Sub(now), false, nil
}

func (l *Local) pausedFor(context.Context) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(0, l.pausedUntil.Sub(l.now())), nil
}

// gcra is one rate's state: tat is the theoretical arrival time, when the
// bucket will be empty again.
type gcra struct {
	interval time.Duration
	burst    int
	tat      time.Time
}

func newGCRA(r Rate) *gcra {
	interval, burst, ok := r.pace()
	if !ok {
		return nil
	}
	return &gcra{interval: interval, burst: burst}
}

// due is when a request of cost units conforms: once the bucket has room
// for it. A request larger than the burst goes when the bucket is empty
// (rather than never) and the requests after it wait until it is paid
// for; a window can then hold that request's excess over the burst
// beyond the rate.
func (g *gcra) due(cost int) time.Time {
	return g.tat.Add(time.Duration(cost-max(g.burst, cost)) * g.interval)
}

// take charges cost units to a request starting at start.
func (g *gcra) take(start time.Time, cost int) {
	g.tat = later(g.tat, start).Add(time.Duration(cost) * g.interval)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
