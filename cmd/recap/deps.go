package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/postgres"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/youtube"
)

const levelWarn = slog.LevelWarn

// deps are the parts every command assembles from the configuration.
type deps struct {
	cfg        *Config
	logger     *slog.Logger
	fetcher    *youtube.Client
	summarizer pipeline.Summarizer
	store      storage.Store // nil when not opened
}

type depsOptions struct {
	store bool // open RECAP_DATABASE_URL
	// limiter, when set, replaces the LLM's local rate limiter (the
	// worker shares one through Redis).
	limiter llm.Limiter
	// youtubeLimiter, when set, replaces the local YouTube limiter.
	youtubeLimiter youtube.Limiter
}

func (m *Main) openDeps(ctx context.Context, cfg *Config, logger *slog.Logger, opt depsOptions) (*deps, error) {
	d := &deps{cfg: cfg, logger: logger}
	ytLimiter := opt.youtubeLimiter
	if ytLimiter == nil {
		ytLimiter = ratelimit.NewLocal(youtube.Limits(cfg.YouTubeRPM))
	}
	yt, err := youtube.New(youtube.Config{
		HTTPClient: newHTTPClient(30 * time.Second),
		Endpoint:   cfg.YouTubeEndpoint,
		Logger:     logger,
		Limiter:    ytLimiter,
	})
	if err != nil {
		return nil, err
	}
	d.fetcher = yt
	if d.summarizer, err = newSummarizer(cfg, logger, opt.limiter); err != nil {
		return nil, err
	}
	if opt.store {
		if d.store, err = openStore(ctx, cfg.DatabaseURL); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// pipeline assembles the single-video pipeline over these parts.
func (d *deps) pipeline() *pipeline.Pipeline {
	p := &pipeline.Pipeline{
		Fetcher:    d.fetcher,
		Bundles:    bundle.Loader{},
		Summarizer: d.summarizer,
		Labeler:    extractive.New(), // automatic chapters' source_title, whatever the summarizer
		Language:   d.cfg.Lang,
		Logger:     d.logger,
	}
	if d.store != nil {
		p.Cache = d.store
	}
	if pr, ok := llm.PricingFor(d.cfg.LLM.Model, d.cfg.LLM.PriceInput, d.cfg.LLM.PriceOutput); ok {
		p.Pricer = pr
	}
	return p
}

func (d *deps) Close() error {
	if d.store != nil {
		return d.store.Close()
	}
	return nil
}

func newSummarizer(cfg *Config, logger *slog.Logger, limiter llm.Limiter) (pipeline.Summarizer, error) {
	if cfg.Summarizer == "extractive" {
		return extractive.New(), nil
	}
	return llm.New(llm.Config{
		BaseURL:       cfg.LLM.BaseURL,
		APIKey:        cfg.LLM.APIKey,
		Model:         cfg.LLM.Model,
		Concurrency:   cfg.LLM.Concurrency,
		RPM:           cfg.LLM.RPM,
		TPM:           cfg.LLM.TPM,
		Limiter:       limiter,
		ChapterTokens: cfg.LLM.ChapterTokens,
		MaxRetries:    cfg.LLM.MaxRetries,
		HTTPClient:    newHTTPClient(0),
		Logger:        logger,
	})
}

// openStore opens sqlite:PATH or postgres://… and applies migrations.
func openStore(ctx context.Context, dbURL string) (storage.Store, error) {
	switch {
	case strings.HasPrefix(dbURL, "sqlite:"):
		path := strings.TrimPrefix(dbURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("RECAP_DATABASE_URL=sqlite: needs a file path, e.g. sqlite:recap.db")
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", dbURL, err)
		}
		return s, nil
	default:
		s, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redactURL(dbURL), err)
		}
		return s, nil
	}
}

// newHTTPClient is a client with connect and header timeouts; total is the
// whole-request limit (0 = none: the LLM client sets its own per call).
func newHTTPClient(total time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = 5 * time.Minute
	tr.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: tr, Timeout: total}
}
