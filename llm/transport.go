package llm

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// attempt records what the HTTP layer saw of one call. go-openai's
// APIError carries no headers, so the transport copies Retry-After (or,
// on a 429 without it, the reset time of an exhausted x-ratelimit limit)
// here, found through the request's context.
type attempt struct {
	sent       bool // the request reached the transport (not refused by the client)
	status     int
	retryAfter time.Duration // 0 when the server gave none
}

type attemptKey struct{}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// headerTransport fills the request's *attempt from the response.
type headerTransport struct {
	next http.RoundTripper
	now  func() time.Time
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if a != nil {
		a.sent = true
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && a != nil {
		a.status = resp.StatusCode
		a.retryAfter = retryAfter(resp.Header, t.now())
		if a.retryAfter == 0 && resp.StatusCode == http.StatusTooManyRequests {
			a.retryAfter = exhaustedReset(resp.Header)
		}
	}
	if err == nil {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: MaxAnswerBytes}
	}
	return resp, err
}

// MaxAnswerBytes bounds one answer from the model server. A chapter's
// JSON is a few kilobytes; the bound leaves room for a reasoning model's
// thoughts and keeps a runaway answer from being held in memory, let alone
// cached.
const MaxAnswerBytes = 1 << 20

// answerTooLargeError is an answer body over MaxAnswerBytes.
type answerTooLargeError struct{ limit int }

func (e *answerTooLargeError) Error() string {
	return fmt.Sprintf("answer is over %d bytes, the limit for one model answer", e.limit)
}

// limitedBody fails a read past its limit, rather than ending the body
// early as io.LimitReader would: a cut answer must not pass for a whole one.
type limitedBody struct {
	io.ReadCloser
	left int
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &answerTooLargeError{limit: MaxAnswerBytes}
	}
	if len(p) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= n
	if b.left < 0 {
		return 0, &answerTooLargeError{limit: MaxAnswerBytes}
	}
	return n, err
}

// wrapClient returns a copy of c whose transport records attempts; the
// caller's client is left as it was.
func wrapClient(c *http.Client) *http.Client {
	cp := *c
	next := cp.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cp.Transport = headerTransport{next: next, now: time.Now}
	return &cp
}

// retryAfter reads Retry-After (seconds or an HTTP date) or the
// millisecond variant some gateways (Azure) send.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// exhaustedReset reads OpenAI's x-ratelimit headers on a 429 without
// Retry-After: when the requests or tokens remaining are 0, the time until
// that limit resets ("1s", "6m0s", "250ms"); the later of the two.
func exhaustedReset(h http.Header) time.Duration {
	var d time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		if strings.TrimSpace(h.Get("x-ratelimit-remaining-"+kind)) != "0" {
			continue
		}
		if r, err := time.ParseDuration(strings.TrimSpace(h.Get("x-ratelimit-reset-" + kind))); err == nil && r > d {
			d = r
		}
	}
	return d
}
