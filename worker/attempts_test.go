package worker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/storage"
)

// A job's retries are counted by the store, over every delivery: a task
// delivered afresh each time (another process's Redis, an embedded Redis
// started again), whose own retry count never reaches the last, still
// fails the job at its last attempt, with the reason, rather than leave it
// queued for ever. Waits for YouTube are not attempts.
func TestLastAttemptFailsTheJob(t *testing.T) {
	b := setup(t)
	j := b.submit(t, "dQw4w9WgXcQ")
	ctx := context.Background()

	// Two waits first: they use up nothing.
	b.fetcher.err = &ratelimit.PausedError{Until: time.Now().Add(time.Second), Err: recap.Errorf(recap.EBLOCKED, "YouTube is rate-limiting requests (HTTP 429)")}
	for range 2 {
		b.handler.ProcessTask(ctx, b.task(t, j))
	}
	if got := b.job(t, j.ID); got.Status != storage.StatusQueued || got.Attempts != 0 {
		t.Fatalf("after two waits: %s, %d attempts; want queued, 0", got.Status, got.Attempts)
	}

	b.fetcher.err = recap.WrapError(recap.EFETCH, errors.New("connect: connection refused"), "YouTube unreachable while fetching video dQw4w9WgXcQ")
	for i := 1; i <= DefaultMaxRetry+1; i++ {
		// Called outside asynq: every delivery looks like a first one.
		err := b.handler.ProcessTask(ctx, b.task(t, j))
		if err == nil {
			t.Fatalf("attempt %d succeeded", i)
		}
		got := b.job(t, j.ID)
		if got.Attempts != i {
			t.Fatalf("attempt %d: the job counts %d", i, got.Attempts)
		}
		if i <= DefaultMaxRetry && got.Status != storage.StatusQueued {
			t.Fatalf("attempt %d of %d: job %s, want queued for a retry", i, DefaultMaxRetry+1, got.Status)
		}
	}
	got := b.job(t, j.ID)
	if got.Status != storage.StatusFailed || got.ErrorCode != recap.EFETCH ||
		!strings.Contains(got.Error, "gave up after 11 attempts") || !strings.Contains(got.Error, "YouTube unreachable") {
		t.Fatalf("after the last attempt: %s %s %q; want failed, %s, with the reason", got.Status, got.ErrorCode, got.Error, recap.EFETCH)
	}
}
