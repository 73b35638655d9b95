// Package ratelimit paces requests to an outside service (an LLM
// provider, YouTube) the way its limits are stated, "600 requests a
// minute", and holds them all when the service pushes back.
//
// Pacing is GCRA (the generic cell rate algorithm, a leaky bucket kept as
// one timestamp): one unit every interval, with a small burst after a
// quiet spell, never a minute's allowance at once. A provider counting
// over a sliding window therefore never sees more than its limit.
// Requests do not poll: each reserves its turn and sleeps until it comes.
//
// A pause (Pause, Block) stops every request sharing the limiter. Local
// serves one process; Redis is shared by every process on one Redis, so
// ten workers stay within one API account's limits together.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Rate is a limit as providers state it: at most N units (requests,
// tokens) in any window of Per. N = 0 means no limit.
type Rate struct {
	N   int
	Per time.Duration // time.Minute when 0
	// Burst is how many units may go at once after a quiet spell: 1% of
	// N (at least 1) when 0. The pace leaves room for it within N.
	Burst int
}

// PerMinute is n units a minute.
func PerMinute(n int) Rate { return Rate{N: n, Per: time.Minute} }

// pace is how a Rate is spread: one unit every interval, up to burst
// units at once after a quiet spell. The interval leaves room for the
// burst, so that any window of Per holds at most N units: burst +
// (N-burst) intervals.
func (r Rate) pace() (interval time.Duration, burst int, ok bool) {
	if r.N <= 0 {
		return 0, 0, false
	}
	per := r.Per
	if per <= 0 {
		per = time.Minute
	}
	burst = r.Burst
	if burst <= 0 {
		burst = max(1, r.N/100)
	}
	burst = min(burst, r.N)
	steps := time.Duration(r.N - burst + 1)
	return (per + steps - 1) / steps, burst, true // rounded up: never faster than the limit
}

// Config configures a limiter.
type Config struct {
	// Requests is charged one unit per Wait; Tokens is charged Wait's
	// cost. Zero rates do not limit.
	Requests, Tokens Rate
	// MaxWait: while paused for longer than this, Wait returns a
	// *PausedError at once, so that the caller can reschedule its work
	// instead of holding on. 0 sleeps through any pause.
	MaxWait time.Duration
	// Backoff is the first pause Block sets; each Block after a pause has
	// ended doubles it, up to MaxBackoff. The growth is forgotten
	// MaxBackoff after the last pause ends. Defaults: 30 s and 15 min.
	Backoff, MaxBackoff time.Duration
}

func (c Config) withDefaults() Config {
	if c.Backoff <= 0 {
		c.Backoff = 30 * time.Second
	}
	if c.MaxBackoff < c.Backoff {
		c.MaxBackoff = max(c.Backoff, 15*time.Minute)
	}
	return c
}

// backoff is the pause of the level-th Block in a row (level ≥ 1).
func (c Config) backoff(level int) time.Duration {
	d := c.Backoff
	for i := 1; i < level && d < c.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxBackoff)
}

// PausedError is what Wait returns while the limiter is paused past
// MaxWait, and what callers wrap around the error that caused a pause:
// nothing may be sent before Until.
type PausedError struct {
	Until time.Time
	Err   error // why, when known
}

func (e *PausedError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("paused until %s", e.Until.Format(time.TimeOnly))
}

func (e *PausedError) Unwrap() error { return e.Err }

// PausedUntil finds a *PausedError in err's chain and says until when.
func PausedUntil(err error) (time.Time, bool) {
	var pe *PausedError
	if errors.As(err, &pe) {
		return pe.Until, true
	}
	return time.Time{}, false
}

// backend is where a limiter keeps its state: memory or Redis.
type backend interface {
	// reserve takes a turn for one request of cost tokens. It returns
	// how long to wait for it, or, while paused, the rest of the pause
	// (paused true) and no turn.
	reserve(ctx context.Context, cost int) (wait time.Duration, paused bool, err error)
	// pausedFor is the rest of the current pause, 0 when none.
	pausedFor(ctx context.Context) (time.Duration, error)
}

// wait blocks until a request of cost tokens may start, past any pause.
func wait(ctx context.Context, b backend, maxWait time.Duration, cost int) error {
	for {
		d, paused, err := b.reserve(ctx, cost)
		if err != nil {
			return err
		}
		if paused {
			if maxWait > 0 && d > maxWait {
				return &PausedError{Until: time.Now().Add(d)}
			}
			if err := Sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		if d <= 0 {
			return nil
		}
		if err := Sleep(ctx, d); err != nil {
			return err
		}
		// A pause set while this request waited for its turn holds it
		// too; the turn is given up and a new one taken after the pause.
		if p, err := b.pausedFor(ctx); err != nil || p <= 0 {
			return err
		}
	}
}

// Sleep waits d, or until ctx is done (its error then).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
