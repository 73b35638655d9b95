package retry

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/recap-dev/recap/redact"
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
		if got := After(tc.h, now); got != tc.want {
			t.Errorf("After(%v) = %s, want %s", tc.h, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 6: 30 * time.Second, 40: 30 * time.Second} {
		for range 50 {
			if got := Backoff(attempt); got < want/2 || got > want {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", attempt, got, want/2, want)
			}
		}
	}
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		want   bool
	}{
		{429, "rate_limit_exceeded", true},
		{429, "insufficient_quota", false},
		{408, "", true}, {409, "", true}, {425, "", true},
		{500, "", true}, {502, "", true}, {503, "", true},
		{400, "", false}, {401, "", false}, {403, "", false}, {404, "", false}, {413, "", false}, {422, "", false},
	} {
		if got := (&StatusError{Status: tc.status, Code: tc.code}).Transient(); got != tc.want {
			t.Errorf("StatusError{%d %q}.Transient() = %v, want %v", tc.status, tc.code, got, tc.want)
		}
	}
}

func TestStatusOfRedacts(t *testing.T) {
	const key = "sk-secret-0123456789"
	err := &openai.APIError{HTTPStatusCode: 401, Message: "Incorrect API key provided:\n " + key, Code: "invalid_api_key"}
	se := StatusOf(errors.Join(errors.New("call"), err), redact.New(key))
	if se == nil || se.Status != 401 || se.Code != "invalid_api_key" {
		t.Fatalf("StatusOf = %+v, want status 401 code invalid_api_key", se)
	}
	if strings.Contains(se.Error(), key) || strings.Contains(se.Error(), "\n") {
		t.Errorf("StatusError text %q holds the key or a line break", se.Error())
	}
	if StatusOf(errors.New("connection reset"), nil) != nil {
		t.Error("StatusOf of a network error is not nil")
	}
}

func TestAnswerBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	for limit, wantErr := range map[int]bool{0: false, 100: false, 99: true} {
		resp, err := WrapClient(srv.Client(), limit).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		var big *AnswerTooLargeError
		if errors.As(err, &big) != wantErr || (!wantErr && len(b) != 100) {
			t.Errorf("limit %d: read %d bytes, err %v; want too large: %v", limit, len(b), err, wantErr)
		}
	}
}

func TestRateLimited(t *testing.T) {
	for range 50 {
		wait, pause := RateLimited(8*time.Second, 3)
		if pause != 8*time.Second || wait < 8*time.Second || wait > 10*time.Second {
			t.Fatalf("RateLimited(8s) = wait %s, pause %s; want pause 8s, wait 8–10s", wait, pause)
		}
		wait, pause = RateLimited(0, 7)
		if wait < 30*time.Second || wait > time.Minute || pause != wait/2 {
			t.Fatalf("RateLimited(0, 7) = wait %s, pause %s; want 30s–1m, half of it", wait, pause)
		}
	}
}

func TestExhaustedReset(t *testing.T) {
	h := http.Header{
		"X-Ratelimit-Remaining-Requests": {"0"}, "X-Ratelimit-Reset-Requests": {"1.5s"},
		"X-Ratelimit-Remaining-Tokens": {"0"}, "X-Ratelimit-Reset-Tokens": {"6m0s"},
	}
	if got := exhaustedReset(h); got != 6*time.Minute {
		t.Errorf("exhaustedReset = %s, want the later reset, 6m", got)
	}
	h.Set("X-Ratelimit-Remaining-Tokens", "120")
	if got := exhaustedReset(h); got != 1500*time.Millisecond {
		t.Errorf("exhaustedReset = %s, want 1.5s", got)
	}
}
