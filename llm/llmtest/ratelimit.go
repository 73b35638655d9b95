package llmtest

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimit is a provider's request limit: at most Requests calls in any
// sliding Window, counted on arrival. Beyond it the server answers 429
// with Retry-After (whole seconds, rounded up) and retry-after-ms, as
// OpenAI does, set to when the oldest counted call leaves the window.
// Every answer carries x-ratelimit-limit-requests,
// x-ratelimit-remaining-requests and x-ratelimit-reset-requests.
type RateLimit struct {
	Requests int
	// Window is time.Minute when 0; tests may shrink it to scale time.
	Window time.Duration
	// CountRejected counts refused calls against the window too: OpenAI
	// documents that unsuccessful requests count towards the limit, so
	// a client that retries at once only digs itself deeper.
	CountRejected bool
}

// WithRateLimit enforces l on chat calls, before any script or option.
func WithRateLimit(l RateLimit) Option {
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	return func(s *Server) { s.limit = l }
}

// RateLimited counts the calls answered 429 by the rate limit.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// admit counts a call arriving at now against the limit and returns the
// 429 to answer, or nil to go on; h gets the x-ratelimit headers. The
// caller holds s.mu.
func (s *Server) admit(now time.Time, h http.Header) *Reply {
	l := s.limit
	if l.Requests <= 0 {
		return nil
	}
	// Drop arrivals that left the window (t ≤ now - Window).
	cut := 0
	for cut < len(s.window) && !s.window[cut].After(now.Add(-l.Window)) {
		cut++
	}
	s.window = s.window[cut:]

	full := len(s.window) >= l.Requests
	if !full || l.CountRejected {
		s.window = append(s.window, now)
	}
	remaining := max(0, l.Requests-len(s.window))
	reset := s.window[0].Add(l.Window).Sub(now) // the oldest call leaves the window
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(l.Requests))
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(remaining))
	h.Set("x-ratelimit-reset-requests", reset.Round(time.Millisecond).String())
	if !full {
		return nil
	}
	s.rateLimited++
	r := Error(http.StatusTooManyRequests, "Rate limit reached for requests per min (RPM): Limit "+
		strconv.Itoa(l.Requests)+", Used "+strconv.Itoa(len(s.window))+". Please try again in "+reset.Round(time.Millisecond).String()+".")
	r.Header = http.Header{
		"Retry-After":    {strconv.FormatInt(int64((reset+time.Second-1)/time.Second), 10)},
		"Retry-After-Ms": {strconv.FormatInt(reset.Milliseconds()+1, 10)},
	}
	return r
}
