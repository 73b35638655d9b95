package llm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/ratelimit"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultBaseURL       = "https://api.openai.com/v1"
	DefaultModel         = "gpt-4.1-mini"
	DefaultConcurrency   = 20
	DefaultChapterTokens = 8000
	DefaultMaxRetries    = 5
	DefaultTimeout       = 2 * time.Minute
	// DefaultRateLimitPatience outlasts a provider's one-minute window
	// several times over.
	DefaultRateLimitPatience = 5 * time.Minute
)

// Config configures a Summarizer. Zero fields take the defaults above.
type Config struct {
	// BaseURL of an OpenAI-compatible API, e.g. http://localhost:11434/v1
	// for Ollama.
	BaseURL string
	// APIKey may be empty for local servers; it is never logged.
	APIKey string
	Model  string
	// Concurrency bounds the calls in flight across all goroutines.
	Concurrency int
	// RPM and TPM limit requests and tokens per minute; 0 is unlimited.
	RPM, TPM int
	// Limiter, when set, replaces the local RPM/TPM limiter (e.g. with one
	// shared by all workers through Redis).
	Limiter Limiter
	// ChapterTokens is Budget(): the most transcript tokens one call
	// carries; a longer chapter is summarized in parts.
	ChapterTokens int
	// MaxRetries is the most attempts one call gets, the first included,
	// for transient errors and invalid answers: 5 means "failed after 5
	// attempts". 429s do not count: they have RateLimitPatience.
	MaxRetries int
	// RateLimitPatience is how long one call waits out 429 answers in
	// all before it fails with recap.ERATELIMITED.
	RateLimitPatience time.Duration
	// Timeout bounds each attempt.
	Timeout    time.Duration
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Sleep waits between attempts; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Limiter paces calls: Wait blocks until a call of about tokens tokens
// (prompt and expected answer) may start. Pause holds every call sharing
// the limiter for d: the server answered 429, so its window is full for
// all of them, not only for the call that was told. ratelimit's Local and
// Redis limiters implement it.
type Limiter interface {
	Wait(ctx context.Context, tokens int) error
	Pause(ctx context.Context, d time.Duration) error
}

// String hides the API key from %v and %+v.
func (c Config) String() string {
	return fmt.Sprintf("llm.Config{BaseURL:%q Model:%q APIKey:%s Concurrency:%d RPM:%d TPM:%d ChapterTokens:%d MaxRetries:%d Timeout:%s}",
		c.BaseURL, c.Model, maskKey(c.APIKey), c.Concurrency, c.RPM, c.TPM, c.ChapterTokens, c.MaxRetries, c.Timeout)
}

// LogValue hides the API key from slog.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("model", c.Model),
		slog.String("api_key", maskKey(c.APIKey)),
		slog.Int("concurrency", c.Concurrency),
		slog.Int("rpm", c.RPM),
		slog.Int("tpm", c.TPM),
		slog.Int("chapter_tokens", c.ChapterTokens),
	)
}

func maskKey(k string) string {
	if k == "" {
		return "none"
	}
	return "set"
}

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.ChapterTokens == 0 {
		c.ChapterTokens = DefaultChapterTokens
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.RateLimitPatience == 0 {
		c.RateLimitPatience = DefaultRateLimitPatience
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = ratelimit.Sleep
	}
	if c.Limiter == nil {
		c.Limiter = NewLimiter(c.RPM, c.TPM)
	}
	return c
}

func (c Config) validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return recap.Errorf(recap.EINVALID, "LLM base URL %q is not an http(s) URL like https://api.openai.com/v1", c.BaseURL)
	}
	switch {
	case c.Concurrency < 0:
		return recap.Errorf(recap.EINVALID, "LLM concurrency is %d, want at least 1", c.Concurrency)
	case c.RPM < 0 || c.TPM < 0:
		return recap.Errorf(recap.EINVALID, "LLM rate limits are %d RPM and %d TPM, want 0 (unlimited) or more", c.RPM, c.TPM)
	case c.ChapterTokens < MinChapterTokens:
		return recap.Errorf(recap.EINVALID, "LLM chapter budget is %d tokens, want at least %d", c.ChapterTokens, MinChapterTokens)
	case c.MaxRetries < 0:
		return recap.Errorf(recap.EINVALID, "LLM max retries is %d, want at least 1", c.MaxRetries)
	case c.Timeout < 0:
		return recap.Errorf(recap.EINVALID, "LLM timeout is %s, want a positive duration", c.Timeout)
	case c.RateLimitPatience < 0:
		return recap.Errorf(recap.EINVALID, "LLM rate-limit patience is %s, want a positive duration", c.RateLimitPatience)
	}
	return nil
}

// MinChapterTokens keeps a budget from being so small that a chapter
// splits into hundreds of calls.
const MinChapterTokens = 50
