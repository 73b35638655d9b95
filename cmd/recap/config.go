package main

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/youtube"
)

// Config is recap's configuration, read from RECAP_* variables (see the
// table in README.md); flags may override fields.
type Config struct {
	RedisURL    string
	DatabaseURL string
	HTTPAddr    string
	// MetricsAddr, when set, is where /metrics and /healthz are served
	// apart: recap worker's only HTTP address, and for recap serve the
	// address that takes /metrics off the public one.
	MetricsAddr string
	APITokens   []string
	Summarizer  string // recap.SummarizerLLM or recap.SummarizerExtractive
	LLM         LLMConfig
	Lang        string
	// YouTubeEndpoint replaces https://www.youtube.com in every request.
	YouTubeEndpoint string
	// YouTubeRPM paces YouTube requests (0 = no pace; pauses still apply).
	YouTubeRPM   int
	Workers      int
	TaskTimeout  time.Duration
	MaxBodyBytes int64
	LogLevel     string
	LogFormat    string

	// AllowPrivateURLs lets feeds, transcripts, chapters and audio be
	// fetched from private addresses (netguard.Config.AllowPrivate).
	AllowPrivateURLs bool
}

// LLMConfig configures the OpenAI-compatible model server.
type LLMConfig struct {
	BaseURL       string
	APIKey        string
	Model         string
	Concurrency   int
	RPM           int
	TPM           int
	ChapterTokens int
	MaxRetries    int
	// PriceInput and PriceOutput are USD per million tokens; nil takes
	// the built-in price of the model, if any.
	PriceInput, PriceOutput *float64
}

const (
	defaultLLMBaseURL = "https://api.openai.com/v1"
	defaultLLMModel   = "gpt-4.1-mini"
)

// ConfigFromEnv reads the configuration and applies defaults. It fails
// with recap.EINVALID naming the variable when a value is malformed.
func ConfigFromEnv(getenv func(string) string) (*Config, error) {
	c := &Config{
		RedisURL:        getenv("RECAP_REDIS_URL"),
		DatabaseURL:     getenv("RECAP_DATABASE_URL"),
		HTTPAddr:        getenv("RECAP_HTTP_ADDR"),
		MetricsAddr:     strings.TrimSpace(getenv("RECAP_METRICS_ADDR")),
		Summarizer:      strings.ToLower(strings.TrimSpace(getenv("RECAP_SUMMARIZER"))),
		Lang:            strings.TrimSpace(getenv("RECAP_LANG")),
		YouTubeEndpoint: strings.TrimSpace(getenv("RECAP_YOUTUBE_ENDPOINT")),
		LogLevel:        getenv("RECAP_LOG_LEVEL"),
		LogFormat:       getenv("RECAP_LOG_FORMAT"),
		LLM: LLMConfig{
			BaseURL: strings.TrimSpace(getenv("RECAP_LLM_BASE_URL")),
			APIKey:  strings.TrimSpace(getenv("RECAP_LLM_API_KEY")),
			Model:   strings.TrimSpace(getenv("RECAP_LLM_MODEL")),
		},
	}
	if c.LLM.APIKey == "" {
		c.LLM.APIKey = strings.TrimSpace(getenv("OPENAI_API_KEY"))
	}
	tokens := getenv("RECAP_API_TOKENS")
	for _, t := range strings.Split(tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.APITokens = append(c.APITokens, t)
		}
	}
	if tokens != "" && len(c.APITokens) == 0 {
		// Meant to protect the API, but names no token: refusing to start
		// beats serving an open API.
		return nil, recap.Errorf(recap.EINVALID, "RECAP_API_TOKENS is set but holds no token: expected comma-separated tokens, or unset it for an open API")
	}
	ints := []struct {
		name string
		dst  *int
		def  int
	}{
		{"RECAP_LLM_CONCURRENCY", &c.LLM.Concurrency, 20},
		{"RECAP_LLM_RPM", &c.LLM.RPM, 0},
		{"RECAP_LLM_TPM", &c.LLM.TPM, 0},
		{"RECAP_LLM_CHAPTER_TOKENS", &c.LLM.ChapterTokens, 8000},
		{"RECAP_LLM_MAX_RETRIES", &c.LLM.MaxRetries, 5},
		{"RECAP_WORKERS", &c.Workers, 4},
		{"RECAP_YOUTUBE_RPM", &c.YouTubeRPM, youtube.DefaultRPM},
	}
	for _, v := range ints {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			*v.dst = v.def
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, recap.Errorf(recap.EINVALID, "%s=%q: expected a whole number ≥ 0", v.name, s)
		}
		*v.dst = n
	}
	for _, v := range []struct {
		name string
		dst  **float64
	}{{"RECAP_LLM_PRICE_INPUT", &c.LLM.PriceInput}, {"RECAP_LLM_PRICE_OUTPUT", &c.LLM.PriceOutput}} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, recap.Errorf(recap.EINVALID, "%s=%q: expected US dollars per million tokens, such as 0.40", v.name, s)
		}
		*v.dst = &f
	}
	c.TaskTimeout = 30 * time.Minute
	if s := strings.TrimSpace(getenv("RECAP_TASK_TIMEOUT")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_TASK_TIMEOUT=%q: expected a duration such as 30m", s)
		}
		c.TaskTimeout = d
	}
	if s := strings.TrimSpace(getenv("RECAP_ALLOW_PRIVATE_URLS")); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_ALLOW_PRIVATE_URLS=%q: expected true or false", s)
		}
		c.AllowPrivateURLs = b
	}
	c.MaxBodyBytes = 1 << 20
	return c, c.withDefaults()
}

func (c *Config) withDefaults() error {
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:recap.db"
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	lang, err := recap.ParseLanguage("RECAP_LANG", c.Lang)
	if err != nil {
		return err
	}
	c.Lang = lang
	if c.Lang == "" {
		c.Lang = "en"
	}
	llmConfigured := c.LLM.APIKey != "" || c.LLM.BaseURL != ""
	if c.LLM.BaseURL == "" {
		c.LLM.BaseURL = defaultLLMBaseURL
	}
	if c.LLM.Model == "" {
		c.LLM.Model = defaultLLMModel
	}
	if c.LLM.Concurrency == 0 {
		c.LLM.Concurrency = 1
	}
	switch c.Summarizer {
	case "":
		c.Summarizer = recap.SummarizerExtractive
		if llmConfigured {
			c.Summarizer = recap.SummarizerLLM
		}
	case recap.SummarizerLLM:
		if !llmConfigured {
			return recap.Errorf(recap.EINVALID, "RECAP_SUMMARIZER=llm needs RECAP_LLM_API_KEY (or OPENAI_API_KEY) or RECAP_LLM_BASE_URL")
		}
	case recap.SummarizerExtractive:
	default:
		return recap.Errorf(recap.EINVALID, "RECAP_SUMMARIZER=%q: expected llm or extractive", c.Summarizer)
	}
	if u, err := url.Parse(c.LLM.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return recap.Errorf(recap.EINVALID, "RECAP_LLM_BASE_URL=%q: expected an http(s) URL such as http://localhost:11434/v1", c.LLM.BaseURL)
	}
	if c.YouTubeEndpoint != "" {
		if u, err := url.Parse(c.YouTubeEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return recap.Errorf(recap.EINVALID, "RECAP_YOUTUBE_ENDPOINT=%q: expected an http(s) URL", c.YouTubeEndpoint)
		}
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return recap.Errorf(recap.EINVALID, "RECAP_REDIS_URL=%q: expected redis://host:port/db", c.RedisURL)
		}
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return recap.Errorf(recap.EINVALID, "RECAP_DATABASE_URL=%q: expected sqlite:PATH or postgres://…", c.DatabaseURL)
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return recap.Errorf(recap.EINVALID, "RECAP_LOG_FORMAT=%q: expected text or json", c.LogFormat)
	}
	return nil
}

// String describes the configuration without secrets, for logs.
func (c *Config) String() string {
	return fmt.Sprintf("summarizer=%s model=%s llm=%s redis=%s database=%s workers=%d lang=%s",
		c.Summarizer, c.LLM.Model, redactURL(c.LLM.BaseURL), redactURL(orEmbedded(c.RedisURL)), redactURL(c.DatabaseURL), c.Workers, c.Lang)
}

// secrets are the values no log line or stored error may show: the LLM
// API key and the API tokens.
func (c *Config) secrets() *redact.Secrets {
	return redact.New(append([]string{c.LLM.APIKey}, c.APITokens...)...)
}

func orEmbedded(s string) string {
	if s == "" {
		return "embedded"
	}
	return s
}

// redactURL hides a password in a URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
