package asr

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/ratelimit"
)

// Defaults applied to zero Config fields.
const (
	DefaultBaseURL     = "https://api.openai.com/v1"
	DefaultModel       = "whisper-1"
	DefaultConcurrency = 4
	DefaultMaxUploadMB = 25
	DefaultMaxRetries  = 5
	DefaultTimeout     = 10 * time.Minute
	// DefaultRateLimitPatience outlasts a provider's one-minute window
	// several times over, as the LLM's does.
	DefaultRateLimitPatience = 5 * time.Minute
	// DefaultPricePerMinute is OpenAI's price for whisper-1, used when the
	// base URL and model are the defaults and no price is set.
	DefaultPricePerMinute = 0.006
)

// openAIPrices are OpenAI's prices per minute of audio, used at its base
// URL when no price is set: whisper-1's, and the per-minute estimates
// OpenAI gives for its GPT transcription models (billed in audio tokens).
var openAIPrices = map[string]float64{
	DefaultModel:             DefaultPricePerMinute,
	"gpt-4o-transcribe":      0.006,
	"gpt-4o-mini-transcribe": 0.003,
}

// Config configures a Transcriber. Zero fields take the defaults above.
type Config struct {
	// BaseURL of an OpenAI-compatible API that serves
	// /audio/transcriptions, e.g. http://localhost:8000/v1 for speaches.
	BaseURL string
	// APIKey may be empty for local servers; it is never logged.
	APIKey string
	Model  string
	// Concurrency bounds the uploads in flight across all calls.
	Concurrency int
	// MaxUploadMB is the upload cap in MiB of file bytes: longer audio is
	// cut into chunks under it.
	MaxUploadMB int
	// MaxUploadBytes, when set, is the cap in bytes instead (tests, and
	// services with odd limits).
	MaxUploadBytes int64
	// PricePerMinute is the USD price of a minute of audio uploaded, for
	// Result.CostUSD; negative when unknown (ConfigFromEnv: not set, and
	// not OpenAI's whisper-1), 0 when free.
	PricePerMinute float64
	// MaxRetries is the most attempts one chunk gets, the first included,
	// for 5xx, timeouts and network faults. 429s do not count: they have
	// RateLimitPatience.
	MaxRetries int
	// RateLimitPatience is how long one chunk waits out 429 answers in
	// all before failing with ERATELIMITED (transient).
	RateLimitPatience time.Duration
	// Language is an ISO 639-1 code to ask for (RECAP_LANG); "" lets the
	// service detect it.
	Language string
	// Overlap is the audio two consecutive chunks share
	// (audio.DefaultOverlap when 0).
	Overlap time.Duration
	// TextChunk is the longest chunk sent to a model that gives no
	// timestamps (DefaultTextChunk when 0), and TextOverlap what those
	// chunks share (DefaultTextOverlap when 0, negative for none).
	TextChunk, TextOverlap time.Duration
	// Timeout bounds each attempt.
	Timeout time.Duration
	// Limiter, when set, paces uploads (e.g. shared by all workers
	// through Redis); nil means no pacing beyond Concurrency.
	Limiter Limiter
	// Store keeps each chunk's answer; nil keeps nothing.
	Store ChunkStore
	// TempDir holds converted audio; "" is the system's.
	TempDir string
	// FFmpeg is the ffmpeg program; "" looks it up on PATH.
	FFmpeg     string
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Sleep waits between attempts; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Limiter paces uploads: Wait blocks until an upload of about seconds of
// audio may start; Pause holds every upload sharing the limiter for d
// after a 429. ratelimit's Local and Redis limiters implement it (seconds
// as their token cost), so a service's requests-per-minute and
// audio-seconds-per-hour limits are kept as the LLM's are.
type Limiter interface {
	Wait(ctx context.Context, seconds int) error
	Pause(ctx context.Context, d time.Duration) error
}

// String hides the API key from %v and %+v.
func (c Config) String() string {
	return fmt.Sprintf("asr.Config{BaseURL:%q Model:%q APIKey:%s Concurrency:%d MaxUploadMB:%d PricePerMinute:%g MaxRetries:%d Language:%q}",
		c.BaseURL, c.Model, maskKey(c.APIKey), c.Concurrency, c.MaxUploadMB, c.PricePerMinute, c.MaxRetries, c.Language)
}

// LogValue hides the API key from slog.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("model", c.Model),
		slog.String("api_key", maskKey(c.APIKey)),
		slog.Int("concurrency", c.Concurrency),
		slog.Int("max_upload_mb", c.MaxUploadMB),
	)
}

func maskKey(k string) string {
	if k == "" {
		return "none"
	}
	return "set"
}

// ConfigFromEnv reads the RECAP_ASR_* settings, and RECAP_LANG: when it is
// set, that language is asked for; when it is not, the service detects
// the language (so read the variable, not the CLI's "en" default).
// llmBaseURL and llmAPIKey
// are the LLM's resolved settings: the ASR key falls back to the LLM key
// when both base URLs are the same server. ok is false when speech-to-text
// is not configured (neither RECAP_ASR_BASE_URL nor RECAP_ASR_API_KEY is
// set). A malformed value is EINVALID, naming the variable.
func ConfigFromEnv(getenv func(string) string, llmBaseURL, llmAPIKey string) (cfg Config, ok bool, err error) {
	cfg = Config{
		BaseURL:  strings.TrimSpace(getenv("RECAP_ASR_BASE_URL")),
		APIKey:   strings.TrimSpace(getenv("RECAP_ASR_API_KEY")),
		Model:    strings.TrimSpace(getenv("RECAP_ASR_MODEL")),
		Language: strings.TrimSpace(getenv("RECAP_LANG")),
	}
	if cfg.BaseURL == "" && cfg.APIKey == "" {
		return Config{}, false, nil
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.APIKey == "" && sameServer(cfg.BaseURL, orDefault(llmBaseURL, DefaultBaseURL)) {
		cfg.APIKey = llmAPIKey
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"RECAP_ASR_CONCURRENCY", &cfg.Concurrency},
		{"RECAP_ASR_MAX_UPLOAD_MB", &cfg.MaxUploadMB},
	} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return Config{}, false, recap.Errorf(recap.EINVALID, "%s=%q: expected a whole number ≥ 1", v.name, s)
		}
		*v.dst = n
	}
	cfg.PricePerMinute = -1 // not set: the default applies
	if s := strings.TrimSpace(getenv("RECAP_ASR_PRICE_PER_MINUTE")); s != "" {
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || p < 0 || p != p {
			return Config{}, false, recap.Errorf(recap.EINVALID, "RECAP_ASR_PRICE_PER_MINUTE=%q: expected USD per minute of audio, such as 0.006", s)
		}
		cfg.PricePerMinute = p
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, false, err
	}
	return cfg, true, nil
}

// WithDefaults fills zero fields. A negative (unknown) PricePerMinute
// becomes OpenAI's price for whisper-1, gpt-4o-transcribe and
// gpt-4o-mini-transcribe at OpenAI's base URL, and stays unknown for
// every other server and model.
func (c Config) WithDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxUploadMB == 0 {
		c.MaxUploadMB = DefaultMaxUploadMB
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
	if c.Overlap == 0 {
		c.Overlap = audio.DefaultOverlap
	}
	if c.TextChunk == 0 {
		c.TextChunk = DefaultTextChunk
	}
	if c.TextOverlap == 0 {
		c.TextOverlap = DefaultTextOverlap
	}
	if p, ok := openAIPrices[c.Model]; ok && c.PricePerMinute < 0 && sameServer(c.BaseURL, DefaultBaseURL) {
		c.PricePerMinute = p
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
	return c
}

// Validate checks a Config after WithDefaults; errors are EINVALID and
// name the setting.
func (c Config) Validate() error {
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return recap.Errorf(recap.EINVALID, "RECAP_ASR_BASE_URL=%q: expected an http(s) URL such as https://api.openai.com/v1", c.BaseURL)
	case c.Concurrency < 1:
		return recap.Errorf(recap.EINVALID, "RECAP_ASR_CONCURRENCY=%d: expected at least 1", c.Concurrency)
	case c.MaxUploadMB < 1 || c.MaxUploadMB > 1024:
		return recap.Errorf(recap.EINVALID, "RECAP_ASR_MAX_UPLOAD_MB=%d: expected 1 to 1024 (MiB)", c.MaxUploadMB)
	case c.MaxRetries < 1:
		return recap.Errorf(recap.EINVALID, "ASR max retries is %d, want at least 1", c.MaxRetries)
	case c.Timeout < 0:
		return recap.Errorf(recap.EINVALID, "ASR timeout is %s, want a positive duration", c.Timeout)
	case c.TextChunk < 0 || c.TextChunk <= c.TextOverlap:
		return recap.Errorf(recap.EINVALID, "ASR text chunks of %s are too short for an overlap of %s", c.TextChunk, c.TextOverlap)
	case c.RateLimitPatience < 0:
		return recap.Errorf(recap.EINVALID, "ASR rate-limit patience is %s, want a positive duration", c.RateLimitPatience)
	case c.Language != "" && !validLanguage(c.Language):
		return recap.Errorf(recap.EINVALID, "RECAP_LANG=%q: expected a language code such as en", c.Language)
	}
	return nil
}

// maxUpload is the cap in bytes.
func (c Config) maxUpload() int64 {
	if c.MaxUploadBytes > 0 {
		return c.MaxUploadBytes
	}
	return int64(c.MaxUploadMB) << 20
}

// sameServer reports whether two base URLs name the same server and path.
func sameServer(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "/")) }
	return norm(a) == norm(b)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
