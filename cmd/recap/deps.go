package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/postgres"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube"
)

const levelWarn = slog.LevelWarn

// deps are the parts every command assembles from the configuration.
type deps struct {
	cfg        *Config
	logger     *slog.Logger
	fetcher    *youtube.Client
	summarizer pipeline.Summarizer
	limiter    llm.Limiter   // the LLM rate limit, shared by every summarizer
	store      storage.Store // nil when not opened
	// wrap, when set, wraps every summarizer made (metrics).
	wrap func(pipeline.Summarizer) pipeline.Summarizer

	mu     sync.Mutex
	others map[recap.Generator]pipeline.Summarizer // by generator, for jobs of other models
}

type depsOptions struct {
	store bool // open RECAP_DATABASE_URL
	// limiter, when set, replaces the LLM's local rate limiter (the
	// worker shares one through Redis).
	limiter llm.Limiter
}

func (m *Main) openDeps(ctx context.Context, cfg *Config, logger *slog.Logger, opt depsOptions) (*deps, error) {
	d := &deps{cfg: cfg, logger: logger, limiter: opt.limiter}
	yt, err := youtube.New(youtube.Config{
		HTTPClient: newHTTPClient(30 * time.Second),
		Endpoint:   cfg.YouTubeEndpoint,
		Logger:     logger,
	})
	if err != nil {
		return nil, err
	}
	d.fetcher = yt
	if d.summarizer, err = newSummarizer(cfg, cfg.Summarizer, cfg.LLM.Model, logger, opt.limiter); err != nil {
		return nil, err
	}
	if opt.store {
		if d.store, err = openStore(ctx, cfg.DatabaseURL); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// pipeline assembles the single-video pipeline over these parts: a loader
// for each source kind recap reads.
func (d *deps) pipeline() *pipeline.Pipeline {
	p := &pipeline.Pipeline{
		Loaders: pipeline.Loaders{
			recap.SourceYouTube: pipeline.YouTube{Fetcher: d.fetcher},
			recap.SourceFile:    bundle.Loader{},
		},
		Summarizer: d.summarizer,
		Language:   d.cfg.Lang,
		Logger:     d.logger,
	}
	if d.store != nil {
		p.Cache = d.store
		// A podcast job names an episode stored when its batch expanded.
		p.Loaders[recap.SourcePodcast] = feed.Loader{Episodes: d.store, Client: d.guardedClient()}
	}
	return p
}

// runner runs stored jobs through the pipeline.
func (d *deps) runner(m *metrics.Metrics) *worker.Runner {
	return &worker.Runner{Store: d.store, Pipeline: d.pipeline(), Summarizers: d.summarizerFor,
		Lease: d.cfg.JobLease, Logger: d.logger, Metrics: m}
}

// summarizerFor makes the summarizer of a job submitted with another
// generator than this process's (worker.Runner.Summarizers): the same LLM
// server, key and rate limit with the job's model, or the offline
// summarizer.
func (d *deps) summarizerFor(gen recap.Generator) (pipeline.Summarizer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.others[gen]; ok {
		return s, nil
	}
	switch gen.Summarizer {
	case recap.SummarizerLLM, recap.SummarizerExtractive:
	default:
		return nil, recap.Errorf(recap.EINVALID, "the job is to be summarized by %q, which recap does not know: expected llm or extractive", gen.Summarizer)
	}
	if gen.Summarizer == recap.SummarizerLLM && !d.cfg.llmConfigured() {
		return nil, recap.Errorf(recap.EINVALID, "the job is to be summarized by the LLM (model %q), but this process has no LLM configured: set RECAP_LLM_API_KEY or RECAP_LLM_BASE_URL", gen.Model)
	}
	s, err := newSummarizer(d.cfg, gen.Summarizer, gen.Model, d.logger, d.limiter)
	if err != nil {
		return nil, err
	}
	if d.wrap != nil {
		s = d.wrap(s)
	}
	if d.others == nil {
		d.others = map[recap.Generator]pipeline.Summarizer{}
	}
	d.others[gen] = s
	return s, nil
}

func (d *deps) Close() error {
	if d.store != nil {
		return d.store.Close()
	}
	return nil
}

// newSummarizer makes the summarizer of kind (recap.SummarizerLLM or
// SummarizerExtractive); an LLM one talks to model.
func newSummarizer(cfg *Config, kind, model string, logger *slog.Logger, limiter llm.Limiter) (pipeline.Summarizer, error) {
	if kind == recap.SummarizerExtractive {
		return extractive.New(), nil
	}
	return llm.New(llm.Config{
		BaseURL:       cfg.LLM.BaseURL,
		APIKey:        cfg.LLM.APIKey,
		Model:         model,
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
