package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RedisLimiter is the LLM rate limit (requests and tokens a minute) shared
// by every worker on one Redis, so that ten `recap worker` processes stay
// within one API key's limits together. It implements llm.Limiter with
// GCRA (github.com/go-redis/redis_rate).
type RedisLimiter struct {
	limiter  *redis_rate.Limiter
	rpm, tpm int
	key      string
}

// NewRedisLimiter limits to rpm requests and tpm tokens a minute (0 = no
// limit) under key, which should name the API account (e.g. its base URL
// and model), never the API key itself.
func NewRedisLimiter(rdb redis.UniversalClient, key string, rpm, tpm int) *RedisLimiter {
	return &RedisLimiter{limiter: redis_rate.NewLimiter(rdb), rpm: rpm, tpm: tpm, key: "recap:llm:" + key}
}

// Wait blocks until one request of about tokens tokens may be sent.
func (r *RedisLimiter) Wait(ctx context.Context, tokens int) error {
	if r.rpm > 0 {
		if err := r.take(ctx, ":rpm", redis_rate.PerMinute(r.rpm), 1); err != nil {
			return err
		}
	}
	if r.tpm > 0 {
		// A request larger than the whole budget would never pass; it
		// takes the full minute's budget instead.
		if err := r.take(ctx, ":tpm", redis_rate.PerMinute(r.tpm), max(1, min(tokens, r.tpm))); err != nil {
			return err
		}
	}
	return nil
}

func (r *RedisLimiter) take(ctx context.Context, suffix string, limit redis_rate.Limit, n int) error {
	for {
		res, err := r.limiter.AllowN(ctx, r.key+suffix, limit, n)
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if res.Allowed > 0 {
			return nil
		}
		wait := res.RetryAfter
		if wait <= 0 {
			wait = 10 * time.Millisecond
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
