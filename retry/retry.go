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
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/textclean"
)

const (
	baseBackoff = time.Second
	maxBackoff  = 30 * time.Second
	// maxRateLimitBackoff caps the backoff between 429s without a
	// Retry-After: long enough to outlast a provider's one-minute window.
	maxRateLimitBackoff = time.Minute
)

// Backoff is exponential with jitter: about 1s, 2s, 4s … up to 30s for
// attempt 1, 2, 3 …, each drawn from its upper half so that parallel
// callers spread out.
func Backoff(attempt int) time.Duration { return jittered(attempt, maxBackoff) }

// RateLimited says how long to wait after the n-th answer of 429 (n ≥ 1)
// and how long every call sharing the limiter should pause. With a
// Retry-After everyone holds for what the server asked, and this call
// comes back a little later, so that the calls it told do not all return
// at the same instant. Without one: 1s, 2s, 4s … up to a minute,
// jittered, everyone holding half of it.
func RateLimited(retryAfter time.Duration, n int) (wait, pause time.Duration) {
	if retryAfter > 0 {
		return retryAfter + rand.N(retryAfter/4+1), retryAfter
	}
	wait = jittered(n, maxRateLimitBackoff)
	return wait, wait / 2
}

// jittered is baseBackoff doubled n-1 times, capped, drawn from its upper
// half.
func jittered(n int, limit time.Duration) time.Duration {
	d := limit
	if n >= 1 && n < 16 {
		d = min(limit, baseBackoff<<(n-1))
	}
	return d/2 + rand.N(d/2+1)
}

// Attempt records what the HTTP layer saw of one call, found by the
// transport of WrapClient through the request's context: go-openai's
// errors carry no headers, so the transport copies Retry-After (or, on a
// 429 without it, the reset time of an exhausted x-ratelimit limit) here.
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

// headerTransport fills the request's *Attempt from the response and
// bounds the answer's body.
type headerTransport struct {
	next    http.RoundTripper
	now     func() time.Time
	maxBody int // 0: no bound
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
		if a.RetryAfter == 0 && resp.StatusCode == http.StatusTooManyRequests {
			a.RetryAfter = exhaustedReset(resp.Header)
		}
	}
	if err == nil && t.maxBody > 0 {
		resp.Body = &limitedBody{ReadCloser: resp.Body, limit: t.maxBody, left: t.maxBody}
	}
	return resp, err
}

// AnswerTooLargeError is an answer body over the bound given to
// WrapClient.
type AnswerTooLargeError struct{ Limit int }

func (e *AnswerTooLargeError) Error() string {
	return fmt.Sprintf("answer is over %d bytes, the limit for one answer", e.Limit)
}

// limitedBody fails a read past its limit, rather than ending the body
// early as io.LimitReader would: a cut answer must not pass for a whole one.
type limitedBody struct {
	io.ReadCloser
	limit, left int
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &AnswerTooLargeError{Limit: b.limit}
	}
	if len(p) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= n
	if b.left < 0 {
		return 0, &AnswerTooLargeError{Limit: b.limit}
	}
	return n, err
}

// WrapClient returns a copy of c whose transport records attempts and
// fails reading an answer past maxBody bytes (0: no bound) with
// *AnswerTooLargeError; the caller's client is left as it was.
func WrapClient(c *http.Client, maxBody int) *http.Client {
	cp := *c
	next := cp.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cp.Transport = headerTransport{next: next, now: time.Now, maxBody: maxBody}
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

// StatusOf turns go-openai's HTTP errors into a StatusError whose text is
// cleaned to one line, with secrets hidden; nil for errors that carry no
// status.
func StatusOf(err error, secrets *redact.Secrets) *StatusError {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0 {
		se := &StatusError{Status: apiErr.HTTPStatusCode, Message: secrets.String(textclean.Line(apiErr.Message))}
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
		return &StatusError{Status: reqErr.HTTPStatusCode, Message: secrets.String(clip(textclean.Line(body), 200))}
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
