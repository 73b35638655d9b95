package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
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
	others map[recap.Generator]*pipeline.Pipeline // by generator, for jobs of other models
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
	d := &deps{cfg: cfg, logger: logger, limiter: opt.limiter}
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
	if d.summarizer, err = newSummarizer(cfg, cfg.Summarizer, cfg.LLM.Model, logger, opt.limiter); err != nil {
		return nil, err
	}
	if opt.store {
		if d.store, err = cfg.openStore(ctx, readWrite); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// pipeline assembles the single-video pipeline over these parts: a loader
// for each source kind recap reads.
func (d *deps) pipeline() *pipeline.Pipeline { return d.pipelineWith(d.summarizer, d.cfg.LLM.Model) }

// pipelineWith is the pipeline with summarizer sum, priced for model.
func (d *deps) pipelineWith(sum pipeline.Summarizer, model string) *pipeline.Pipeline {
	p := &pipeline.Pipeline{
		Loaders: pipeline.Loaders{
			recap.SourceYouTube: pipeline.YouTube{Fetcher: d.fetcher},
			recap.SourceFile:    bundle.Loader{},
		},
		Summarizer: sum,
		Labeler:    extractive.New(), // automatic chapters' source_title, whatever the summarizer
		Language:   d.cfg.Lang,
		Logger:     d.logger,
	}
	if d.store != nil {
		p.Cache = d.store
		// A podcast job names an episode stored when its batch expanded.
		p.Loaders[recap.SourcePodcast] = feed.Loader{Episodes: d.store, Client: d.guardedClient()}
	}
	if pr, ok := llm.PricingFor(model, d.cfg.LLM.PriceInput, d.cfg.LLM.PriceOutput); ok {
		p.Pricer = pr
	}
	return p
}

// runner runs stored jobs through the pipeline.
func (d *deps) runner(m *metrics.Metrics) *worker.Runner {
	return &worker.Runner{Store: d.store, Pipeline: d.pipeline(), PipelineFor: d.pipelineFor,
		Lease: d.cfg.JobLease, TaskTimeout: d.cfg.TaskTimeout, Logger: d.logger, Metrics: m, Secrets: d.cfg.secrets()}
}

// pipelineFor makes the pipeline of a job submitted with another generator
// than this process's (worker.Runner.PipelineFor): the same LLM server, key
// and rate limit with the job's model (and its price), or the offline
// summarizer.
func (d *deps) pipelineFor(gen recap.Generator) (*pipeline.Pipeline, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.others[gen]; ok {
		return p, nil
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
		d.others = map[recap.Generator]*pipeline.Pipeline{}
	}
	d.others[gen] = d.pipelineWith(s, gen.Model)
	return d.others[gen], nil
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

// Ways to open the database.
const (
	readWrite = false // migrations applied
	readOnly  = true  // no migration, no write: recap get on a read-only file or role
)

// openStore opens RECAP_DATABASE_URL (sqlite:PATH or postgres://…) to read
// and write (applying migrations) or to read only. The default database's
// folder is made when missing.
func (c *Config) openStore(ctx context.Context, ro bool) (storage.Store, error) {
	if c.noDatabase != nil {
		return nil, c.noDatabase
	}
	if c.defaultDB != "" && !ro {
		if err := os.MkdirAll(filepath.Dir(c.defaultDB), 0o700); err != nil {
			return nil, fmt.Errorf("make the folder of the default database: %w", err)
		}
	}
	var (
		s   storage.Store
		err error
	)
	dbURL := c.DatabaseURL
	path, isSQLite := sqlite.PathFromURL(dbURL)
	switch {
	case isSQLite && ro:
		s, err = sqlite.OpenReadOnly(ctx, path)
	case isSQLite:
		s, err = sqlite.Open(ctx, path)
	case ro:
		s, err = postgres.OpenReadOnly(ctx, dbURL)
	default:
		s, err = postgres.Open(ctx, dbURL)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactURL(dbURL), err)
	}
	return s, nil
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
