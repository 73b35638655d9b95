package llm

import (
	"context"

	"golang.org/x/time/rate"
)

// NewLimiter paces calls within one process: at most rpm requests and tpm
// tokens a minute (0 = unlimited). Each is a token bucket that refills
// continuously and holds one minute's allowance, the window in which
// providers state their limits.
func NewLimiter(rpm, tpm int) Limiter {
	l := &localLimiter{}
	if rpm > 0 {
		l.req = rate.NewLimiter(rate.Limit(float64(rpm)/60), rpm)
	}
	if tpm > 0 {
		l.tok = rate.NewLimiter(rate.Limit(float64(tpm)/60), tpm)
	}
	return l
}

type localLimiter struct {
	req, tok *rate.Limiter
}

func (l *localLimiter) Wait(ctx context.Context, tokens int) error {
	if l.req != nil {
		if err := l.req.Wait(ctx); err != nil {
			return err
		}
	}
	if l.tok != nil && tokens > 0 {
		// A call bigger than a minute's allowance waits for a full bucket
		// instead of failing: the provider would take it the same way.
		if err := l.tok.WaitN(ctx, min(tokens, l.tok.Burst())); err != nil {
			return err
		}
	}
	return nil
}
