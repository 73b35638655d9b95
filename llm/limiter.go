package llm

import (
	"github.com/recap-dev/recap/ratelimit"
)

// Limits is how recap paces an LLM account of rpm requests and tpm tokens
// a minute (0 = unlimited): smoothly, with a burst of 1% of a minute's
// allowance, so that a provider counting over a sliding minute never sees
// more than its limit. Pauses (a 429's Retry-After) are slept through.
// The shared limiter of `recap serve` and `recap worker` uses the same
// Limits through Redis.
func Limits(rpm, tpm int) ratelimit.Config {
	return ratelimit.Config{Requests: ratelimit.PerMinute(rpm), Tokens: ratelimit.PerMinute(tpm)}
}

// NewLimiter paces calls within one process: Limits(rpm, tpm) in memory.
func NewLimiter(rpm, tpm int) Limiter {
	return ratelimit.NewLocal(Limits(rpm, tpm))
}
