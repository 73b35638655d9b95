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

func TestLocalLimiter(t *testing.T) {
	// 60 tokens a minute: a full bucket at first, then one token a second.
	l := NewLimiter(0, 60)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, 1000); err != nil {
		t.Fatalf("first call over the bucket should wait for a full bucket, which is there: %v", err)
	}
	if err := l.Wait(ctx, 30); err == nil {
		t.Error("second call passed an empty token bucket at once")
	}
	r := NewLimiter(120, 0)
	for i := range 120 {
		if err := r.Wait(ctx, 0); err != nil {
			t.Fatalf("request %d of the first minute's 120 waited: %v", i+1, err)
		}
	}
	if err := r.Wait(ctx, 0); err == nil {
		t.Error("request 121 passed at once under 120 RPM")
	}
	if err := NewLimiter(0, 0).Wait(ctx, 1<<20); err != nil {
		t.Errorf("unlimited limiter waited: %v", err)
	}
}
