package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/worker"
)

// Config is recap's configuration, read from RECAP_* variables (see the
// table in README.md); flags may override fields.
type Config struct {
	RedisURL    string
	DatabaseURL string
	HTTPAddr    string
	APITokens   []string
	Summarizer  string // recap.SummarizerLLM or recap.SummarizerExtractive
	LLM         LLMConfig
	Lang        string
	// YouTubeEndpoint replaces https://www.youtube.com in every request.
	YouTubeEndpoint string
	Workers         int
	TaskTimeout     time.Duration
	// JobLease is how long a job stays held by a run that stopped
	// renewing its hold (a crashed process) before another takes it over.
	JobLease     time.Duration
	MaxBodyBytes int64
	LogLevel     string
	LogFormat    string
	// llmBaseURLSet records that RECAP_LLM_BASE_URL was given, before the
	// default filled it in.
	llmBaseURLSet bool

	// AllowPrivateURLs lets feeds, transcripts, chapters and audio be
	// fetched from private addresses (netguard.Config.AllowPrivate).
	AllowPrivateURLs bool

	// BatchWindow is the most batch items queued or running at once
	// (RECAP_BATCH_WINDOW); 0 means batch.DefaultWindow(Workers).
	BatchWindow int
	// BatchDir is the folder API batches and subscriptions may read local
	// sources from (RECAP_BATCH_DIR); "" means none.
	BatchDir string
}

// batchWindow is the window of batch items in flight.
func (c *Config) batchWindow() int {
	if c.BatchWindow > 0 {
		return c.BatchWindow
	}
	return batch.DefaultWindow(c.Workers)
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
	c.llmBaseURLSet = c.LLM.BaseURL != ""
	for _, t := range strings.Split(getenv("RECAP_API_TOKENS"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.APITokens = append(c.APITokens, t)
		}
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
		{"RECAP_BATCH_WINDOW", &c.BatchWindow, 0},
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
	durations := []struct {
		name, example string
		dst           *time.Duration
		def           time.Duration
	}{
		{"RECAP_TASK_TIMEOUT", "30m", &c.TaskTimeout, worker.DefaultTimeout},
		{"RECAP_JOB_LEASE", "1m", &c.JobLease, worker.DefaultLease},
	}
	for _, v := range durations {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			*v.dst = v.def
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, recap.Errorf(recap.EINVALID, "%s=%q: expected a duration such as %s", v.name, s, v.example)
		}
		*v.dst = d
	}
	if s := strings.TrimSpace(getenv("RECAP_ALLOW_PRIVATE_URLS")); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_ALLOW_PRIVATE_URLS=%q: expected true or false", s)
		}
		c.AllowPrivateURLs = b
	}
	if s := strings.TrimSpace(getenv("RECAP_BATCH_DIR")); s != "" {
		fi, err := os.Stat(s)
		if err != nil || !fi.IsDir() {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_BATCH_DIR=%q: expected a folder that exists", s)
		}
		if c.BatchDir, err = filepath.Abs(s); err != nil {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_BATCH_DIR=%q: %v", s, err)
		}
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
	if c.Lang == "" {
		c.Lang = "en"
	}
	lang, err := recap.ParseLanguage(c.Lang)
	if err != nil {
		return recap.Errorf(recap.EINVALID, "RECAP_LANG=%.40q: %s", c.Lang, recap.ErrorMessage(err))
	}
	c.Lang = lang
	llmConfigured := c.llmConfigured()
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

// llmConfigured reports whether an LLM server was given: an API key or a
// base URL.
func (c *Config) llmConfigured() bool { return c.LLM.APIKey != "" || c.llmBaseURLSet }

// String describes the configuration without secrets, for logs.
func (c *Config) String() string {
	return fmt.Sprintf("summarizer=%s model=%s llm=%s redis=%s database=%s workers=%d lang=%s",
		c.Summarizer, c.LLM.Model, redactURL(c.LLM.BaseURL), redactURL(orEmbedded(c.RedisURL)), redactURL(c.DatabaseURL), c.Workers, c.Lang)
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
