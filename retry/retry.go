// Package retry holds recap's rules for calls to OpenAI-compatible servers,
// chat and speech-to-text alike: which failures are worth another attempt,
// how long to wait before it (the server's Retry-After, else exponential
// backoff with jitter), and an HTTP transport that records Retry-After,
// because go-openai's errors carry no headers.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

const (
	baseBackoff = time.Second
	maxBackoff  = 30 * time.Second
)

// Backoff is exponential with jitter: about 1s, 2s, 4s … up to 30s for
// attempt 1, 2, 3 …, each drawn from its upper half so that parallel
// callers spread out.
func Backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt >= 1 && attempt < 6 {
		d = min(maxBackoff, baseBackoff<<(attempt-1))
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or less if ctx ends first (then it returns ctx's
// error): the wait between attempts.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Attempt records what the HTTP layer saw of one call, found by the
// transport of WrapClient through the request's context.
type Attempt struct {
	Sent       bool // the request reached the transport (not refused by the client)
	Status     int
	RetryAfter time.Duration // 0 when the server gave none
}

type attemptKey struct{}

// WithAttempt returns a context whose requests, sent through a client from
// WrapClient, fill a.
func WithAttempt(ctx context.Context, a *Attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

// headerTransport fills the request's *Attempt from the response.
type headerTransport struct {
	next http.RoundTripper
	now  func() time.Time
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*Attempt)
	if a != nil {
		a.Sent = true
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && a != nil {
		a.Status = resp.StatusCode
		a.RetryAfter = After(resp.Header, t.now())
	}
	return resp, err
}

// WrapClient returns a copy of c whose transport records attempts; the
// caller's client is left as it was.
func WrapClient(c *http.Client) *http.Client {
	cp := *c
	next := cp.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cp.Transport = headerTransport{next: next, now: time.Now}
	return &cp
}

// After reads Retry-After (seconds or an HTTP date) or the millisecond
// variant some gateways (Azure) send; 0 when there is none.
func After(h http.Header, now time.Time) time.Duration {
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

// StatusError is an HTTP error answer, short and free of the API key.
type StatusError struct {
	Status  int
	Code    string // the API's error code, e.g. "insufficient_quota"
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Transient reports whether the same request may succeed later: 429 (but
// not an exhausted quota, which is billing, not load), 408, 409, 425 and
// 5xx. Every other 4xx (401, 403, 400, 413…) will not change.
func (e *StatusError) Transient() bool {
	switch {
	case e.Status == http.StatusTooManyRequests && e.Code == "insufficient_quota":
		return false
	case e.Status == http.StatusTooManyRequests, e.Status == http.StatusRequestTimeout,
		e.Status == http.StatusConflict, e.Status == http.StatusTooEarly, e.Status >= 500:
		return true
	}
	return e.Status < 400
}

// StatusOf turns go-openai's HTTP errors into a StatusError with key
// redacted from its text, or nil for errors that carry no status.
func StatusOf(err error, key string) *StatusError {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0 {
		se := &StatusError{Status: apiErr.HTTPStatusCode, Message: Redact(apiErr.Message, key)}
		if apiErr.Code != nil {
			se.Code = fmt.Sprint(apiErr.Code)
		}
		return se
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0 {
		body := strings.TrimSpace(string(reqErr.Body))
		if body == "" {
			body = reqErr.HTTPStatus
		}
		return &StatusError{Status: reqErr.HTTPStatusCode, Message: Redact(clip(body, 200), key)}
	}
	return nil
}

// Redact keeps key out of msg, in case a server echoes it.
func Redact(msg, key string) string {
	if len(key) < 8 {
		return msg // too short to tell from ordinary words
	}
	return strings.ReplaceAll(msg, key, "[redacted]")
}

// RedactError is err with key redacted from its text.
func RedactError(err error, key string) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); Redact(msg, key) != msg {
		return errors.New(Redact(msg, key))
	}
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
