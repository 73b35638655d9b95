package worker

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/storage"
)

// A secret in a job's error (an LLM server may echo the API key) is kept
// out of the store, where users read job errors, and out of the error
// asynq keeps in Redis; a permanent failure still skips retries.
func TestJobErrorsHideSecrets(t *testing.T) {
	const key = "k3y"
	for name, fail := range map[string]error{
		"permanent": recap.Errorf(recap.ELLM, "model server rejected the request: 401 Incorrect API key provided: %s", key),
		"transient": errors.New("503 overloaded for key " + key),
	} {
		b := setup(t)
		b.runner.Secrets = redact.New(key)
		b.sum.failAt = map[int]error{0: fail}
		j := b.submit(t, "dQw4w9WgXcQ")
		err := b.handler.ProcessTask(context.Background(), b.task(t, j))
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("%s: error handed to asynq = %v; want one without the key", name, err)
		}
		got := b.job(t, j.ID)
		if got.Error == "" || strings.Contains(got.Error, key) || !strings.Contains(got.Error, redact.Mask) {
			t.Errorf("%s: stored job error %q; want the key redacted", name, got.Error)
		}
		if permanent := name == "permanent"; errors.Is(err, asynq.SkipRetry) != permanent ||
			(got.Status == storage.StatusFailed) != permanent {
			t.Errorf("%s: SkipRetry %v, status %s: redaction changed the outcome", name, errors.Is(err, asynq.SkipRetry), got.Status)
		}
	}
}
