package llm

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After": {"-4"}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond},
		{http.Header{}, 0},
	} {
		if got := retryAfter(tc.h, now); got != tc.want {
			t.Errorf("retryAfter(%v) = %s, want %s", tc.h, got, tc.want)
		}
	}
}

// The in-process limiter paces smoothly: one request at once, then one
// every half second at 120 RPM, never a minute's worth in a burst.
func TestLocalLimiter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := NewLimiter(120, 0)
	if err := r.Wait(ctx, 0); err != nil {
		t.Fatalf("first request waited: %v", err)
	}
	if err := r.Wait(ctx, 0); err == nil {
		t.Error("second request passed at once under 120 RPM")
	}
	// 60 tokens a minute: a call bigger than that goes into an empty
	// bucket, and the next waits until it is paid for.
	l := NewLimiter(0, 60)
	if err := l.Wait(ctx, 1000); err != nil {
		t.Fatalf("first call waited: %v", err)
	}
	if err := l.Wait(ctx, 30); err == nil {
		t.Error("second call passed at once after a call of 1000 tokens at 60 TPM")
	}
	if err := NewLimiter(0, 0).Wait(ctx, 1<<20); err != nil {
		t.Errorf("unlimited limiter waited: %v", err)
	}
}
