package llm

import (
	"context"
	"testing"
	"time"
)

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
