package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/storage/postgres"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/worker"
)

// Defaults of the settings cmd owns.
const (
	defaultWorkers  = 4                // RECAP_WORKERS: jobs at once in a process
	defaultHTTPAddr = "127.0.0.1:8080" // RECAP_HTTP_ADDR
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
	// LogLevel is RECAP_LOG_LEVEL; logLevelSet says it was given (each
	// command has its own default).
	LogLevel    slog.Level
	logLevelSet bool
	LogFormat   string
	// llmBaseURLSet records that RECAP_LLM_BASE_URL was given, before the
	// default filled it in.
	llmBaseURLSet bool
	// defaultDB is the database file used when RECAP_DATABASE_URL is
	// unset ("" when it is set); its folder is made when missing.
	defaultDB string
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
	if c.DatabaseURL == "" {
		path, err := defaultDatabasePath(getenv)
		if err != nil {
			return nil, err
		}
		c.DatabaseURL, c.defaultDB = "sqlite:"+path, path
	}
	tokens := getenv("RECAP_API_TOKENS")
	for _, t := range strings.Split(tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.APITokens = append(c.APITokens, t)
		}
	}
	if tokens != "" && len(c.APITokens) == 0 {
		// Set but empty (" , "): an open API would be a surprise.
		return nil, recap.Errorf(recap.EINVALID, "RECAP_API_TOKENS=%q holds no token: give comma-separated tokens, or unset it for an open API", tokens)
	}
	if s := strings.TrimSpace(getenv("RECAP_LOG_LEVEL")); s != "" {
		if err := c.LogLevel.UnmarshalText([]byte(s)); err != nil {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_LOG_LEVEL=%q: expected debug, info, warn or error", s)
		}
		c.logLevelSet = true
	}
	// Defaults are their owners': the LLM's in llm, the worker's here.
	ints := []struct {
		name     string
		dst      *int
		def, min int
	}{
		{"RECAP_LLM_CONCURRENCY", &c.LLM.Concurrency, llm.DefaultConcurrency, 1},
		{"RECAP_LLM_RPM", &c.LLM.RPM, 0, 0},
		{"RECAP_LLM_TPM", &c.LLM.TPM, 0, 0},
		{"RECAP_LLM_CHAPTER_TOKENS", &c.LLM.ChapterTokens, llm.DefaultChapterTokens, llm.MinChapterTokens},
		{"RECAP_LLM_MAX_RETRIES", &c.LLM.MaxRetries, llm.DefaultMaxRetries, 1},
		{"RECAP_WORKERS", &c.Workers, defaultWorkers, 0},
	}
	for _, v := range ints {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			*v.dst = v.def
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < v.min {
			return nil, recap.Errorf(recap.EINVALID, "%s=%q: expected a whole number ≥ %d", v.name, s, v.min)
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
	c.MaxBodyBytes = 1 << 20
	return c, c.withDefaults()
}

func (c *Config) withDefaults() error {
	if c.HTTPAddr == "" {
		c.HTTPAddr = defaultHTTPAddr
	} else if err := checkAddr("RECAP_HTTP_ADDR", c.HTTPAddr); err != nil {
		return err
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
		c.LLM.BaseURL = llm.DefaultBaseURL
	}
	if c.LLM.Model == "" {
		c.LLM.Model = llm.DefaultModel
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
	if _, ok := sqlite.PathFromURL(c.DatabaseURL); !ok && !postgres.IsURL(c.DatabaseURL) {
		return recap.Errorf(recap.EINVALID, "RECAP_DATABASE_URL=%q: expected sqlite:PATH or postgres://…", redactURL(c.DatabaseURL))
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return recap.Errorf(recap.EINVALID, "RECAP_LOG_FORMAT=%q: expected text or json", c.LogFormat)
	}
	return nil
}

// defaultDatabasePath is where recap keeps its SQLite database when
// RECAP_DATABASE_URL is unset: recap/recap.db in the XDG data folder
// ($XDG_DATA_HOME, else ~/.local/share), the same whatever folder a
// command runs in.
func defaultDatabasePath(getenv func(string) string) (string, error) {
	data := getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) { // the XDG spec: a relative value is ignored
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", recap.Errorf(recap.EINVALID, "RECAP_DATABASE_URL is unset and there is no home folder ($HOME) for the default database: set RECAP_DATABASE_URL, e.g. sqlite:/var/lib/recap/recap.db")
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "recap", "recap.db"), nil
}

// llmConfigured reports whether an LLM server was given: an API key or a
// base URL.
func (c *Config) llmConfigured() bool { return c.LLM.APIKey != "" || c.llmBaseURLSet }

// String describes the configuration without secrets, for logs: the
// summarizer in use, and an LLM's model and server only when it is one.
func (c *Config) String() string {
	sum := "summarizer=" + c.Summarizer
	if c.Summarizer == recap.SummarizerLLM {
		sum += fmt.Sprintf(" model=%s llm=%s", c.LLM.Model, redactURL(c.LLM.BaseURL))
	}
	return fmt.Sprintf("%s redis=%s database=%s workers=%d lang=%s",
		sum, redactURL(orEmbedded(c.RedisURL)), redactURL(c.DatabaseURL), c.Workers, c.Lang)
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
