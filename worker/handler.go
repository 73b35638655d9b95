package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
)

// SummarizeVideoHandler runs the job of a task. It is safe to run twice for
// the same job: a finished job is left alone, a running one is left to the
// run that holds it, and finished chapters come from the cache.
type SummarizeVideoHandler struct {
	Runner *Runner
}

// ProcessTask implements asynq.Handler.
func (h *SummarizeVideoHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p SummarizeVideoPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.JobID == "" {
		return fmt.Errorf("decode payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok { // called outside asynq (tests, tools)
		maxRetry = DefaultMaxRetry
	}
	start := time.Now()
	// The last try is asynq's last retry, or the job's last attempt over
	// every delivery (other queues, restarts) as the store counts them.
	_, outcome, err := h.Runner.Run(ctx, p.JobID, RunOptions{Final: retried >= maxRetry, MaxAttempts: maxRetry + 1})
	if m := h.Runner.Metrics; m != nil && outcome != "" && outcome != OutcomeSkipped {
		m.TaskDuration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	}
	// asynq keeps the error in Redis: no secret in it.
	return h.Runner.Secrets.Error(taskError(outcome, err))
}

// taskError is what asynq is told of a run.
func taskError(outcome string, err error) error {
	switch {
	case outcome == OutcomeSkipped:
		// Finished, or held by another run that will finish it; if that run
		// dies, its lease lapses and the re-enqueuer brings the job back.
		return nil
	case outcome == "" && recap.ErrorCode(err) == recap.ENOTFOUND:
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	case outcome == OutcomeFailed && recap.Permanent(err):
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}
