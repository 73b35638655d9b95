package main

import (
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/storage/postgres"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube"
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
	YouTubeRPM  int
	Workers     int
	TaskTimeout time.Duration
	// JobLease is how long a job stays held by a run that stopped
	// renewing its hold (a crashed process) before another takes it over.
	JobLease     time.Duration
	MaxBodyBytes int64
	// LogLevel is RECAP_LOG_LEVEL; logLevelSet says it was given (each
	// command has its own default).
	LogLevel    slog.Level
	logLevelSet bool
	LogFormat   string

	// AllowPrivateURLs lets feeds, transcripts, chapters and audio be
	// fetched from private addresses (netguard.Config.AllowPrivate).
	AllowPrivateURLs bool
	// BatchWindow is the most batch items queued or running at once
	// (RECAP_BATCH_WINDOW); 0 means batch.DefaultWindow(Workers).
	BatchWindow int
	// BatchDir is the folder API batches and subscriptions may read local
	// sources from (RECAP_BATCH_DIR); "" means none.
	BatchDir string

	// llmBaseURLSet records that RECAP_LLM_BASE_URL was given, before the
	// default filled it in.
	llmBaseURLSet bool
	// defaultDB is the database file used when RECAP_DATABASE_URL is
	// unset ("" when it is set); its folder is made when missing.
	defaultDB string
	// noDatabase says why there is no database: RECAP_DATABASE_URL unset
	// and no home folder for the default.
	noDatabase error
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
		// Without a home folder there is no default; only the commands
		// that open the database fail for it (openStore).
		if path, err := defaultDatabasePath(getenv); err != nil {
			c.noDatabase = err
		} else {
			c.DatabaseURL, c.defaultDB = "sqlite:"+path, path
		}
	}
	tokens := getenv("RECAP_API_TOKENS")
	for _, t := range strings.Split(tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.APITokens = append(c.APITokens, t)
		}
	}
	if tokens != "" && len(c.APITokens) == 0 {
		// Set but empty (" , "): meant to protect the API, but names no
		// token; refusing to start beats serving an open API.
		return nil, recap.Errorf(recap.EINVALID, "RECAP_API_TOKENS=%q holds no token: give comma-separated tokens, or unset it for an open API", tokens)
	}
	if s := strings.TrimSpace(getenv("RECAP_LOG_LEVEL")); s != "" {
		if err := c.LogLevel.UnmarshalText([]byte(s)); err != nil {
			return nil, recap.Errorf(recap.EINVALID, "RECAP_LOG_LEVEL=%q: expected debug, info, warn or error", s)
		}
		c.logLevelSet = true
	}
	// Defaults are their owners': the LLM's in llm, YouTube's in youtube,
	// the worker's here.
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
		{"RECAP_YOUTUBE_RPM", &c.YouTubeRPM, youtube.DefaultRPM, 0},
		{"RECAP_BATCH_WINDOW", &c.BatchWindow, 0, 0},
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

// batchWindow is the window of batch items in flight.
func (c *Config) batchWindow() int {
	if c.BatchWindow > 0 {
		return c.BatchWindow
	}
	return batch.DefaultWindow(c.Workers)
}

func (c *Config) withDefaults() error {
	if c.HTTPAddr == "" {
		c.HTTPAddr = defaultHTTPAddr
	} else if err := checkAddr("RECAP_HTTP_ADDR", c.HTTPAddr); err != nil {
		return err
	}
	if c.MetricsAddr != "" {
		if err := checkAddr("RECAP_METRICS_ADDR", c.MetricsAddr); err != nil {
			return err
		}
	}
	lang, err := recap.ParseLanguage("RECAP_LANG", c.Lang)
	if err != nil {
		return err
	}
	c.Lang = lang
	if c.Lang == "" {
		c.Lang = "en"
	}
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
	if _, ok := sqlite.PathFromURL(c.DatabaseURL); !ok && !postgres.IsURL(c.DatabaseURL) && c.noDatabase == nil {
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
