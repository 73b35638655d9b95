package pipeline

import (
	"context"
	"time"

	"github.com/recap-dev/recap"
)

// The backoff of Durable: from durableFirst, doubling to durableMax, for
// about durableBudget in all.
var (
	durableFirst   = 100 * time.Millisecond
	durableMax     = 5 * time.Second
	durableBudget  = time.Minute
	durableAttempt = 30 * time.Second // each attempt at most
)

// Durable runs a store operation until it succeeds, fails with an answer
// rather than a fault (an error with a recap code: invalid, conflict, not
// found…), ctx is done, or about a minute has passed, backing off between
// attempts. A dropped database connection is a fault: the next attempt
// gets a new one.
//
// Saving what was paid for (an LLM answer, a finished document) goes
// through Durable with context.WithoutCancel, so that neither a dropped
// connection nor the end of the run loses it.
func Durable(ctx context.Context, op func(context.Context) error) error {
	deadline := time.Now().Add(durableBudget)
	wait := durableFirst
	for {
		actx, cancel := context.WithTimeout(ctx, durableAttempt)
		err := op(actx)
		cancel()
		if err == nil || recap.ErrorCode(err) != recap.EINTERNAL || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, durableMax)
	}
}
