package llm

import (
	"context"
	"testing"
	"time"
)

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
