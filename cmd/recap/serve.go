package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap/api"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube"
)

// requeueInterval is how often the store's unfinished jobs are checked
// against Redis, so a job whose task Redis lost runs without a restart.
const requeueInterval = 30 * time.Second

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "recap serve [--addr HOST:PORT] [--workers N]")
	addr := fs.String("addr", "", "listen address (default $RECAP_HTTP_ADDR, else 127.0.0.1:8080)")
	workers := fs.Int("workers", -1, "worker concurrency in this process, 0 for API only (default $RECAP_WORKERS, else 4)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("serve takes no arguments, got %q", strings.Join(pos, " "))
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.HTTPAddr = *addr
	}
	if *workers >= 0 {
		cfg.Workers = *workers
	}
	logger := m.newLogger(cfg, slog.LevelInfo)
	logger.Info("recap serve", slog.String("config", cfg.String()))

	svc, err := m.startService(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer svc.Close()

	public := &api.Server{
		Store:        svc.deps.store,
		Enqueuer:     svc.enqueuer,
		Generator:    svc.deps.summarizer.Generator(),
		Language:     cfg.Lang,
		Tokens:       cfg.APITokens,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Metrics:      svc.metrics,
		Logger:       logger,
		Ready:        svc.pingRedis,
	}
	if cfg.MetricsAddr == "" {
		return m.serveHTTP(ctx, cfg.HTTPAddr, api.NewHandler(public), logger)
	}
	// /metrics on its own address, and not on the public one.
	ops := api.NewOpsHandler(&api.Server{Store: svc.deps.store, Metrics: svc.metrics, Logger: logger, Ready: svc.pingRedis})
	public.Metrics = nil
	return m.serveWithOps(ctx, cfg.HTTPAddr, api.NewHandler(public), cfg.MetricsAddr, ops, logger)
}

func (m *Main) runWorker(ctx context.Context, args []string) error {
	fs := m.newFlagSet("worker", "recap worker [--workers N]")
	workers := fs.Int("workers", -1, "worker concurrency (default $RECAP_WORKERS, else 4)")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("worker takes no arguments, got %q", strings.Join(pos, " "))
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	if *workers >= 0 {
		cfg.Workers = *workers
	}
	if cfg.RedisURL == "" {
		return usagef("recap worker needs RECAP_REDIS_URL (redis://host:port/db) shared with recap serve; for one process, run recap serve")
	}
	if cfg.Workers == 0 {
		return usagef("recap worker needs RECAP_WORKERS ≥ 1")
	}
	logger := m.newLogger(cfg, slog.LevelInfo)
	logger.Info("recap worker", slog.String("config", cfg.String()))
	svc, err := m.startService(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer svc.Close()
	if cfg.MetricsAddr == "" {
		<-ctx.Done()
		return nil
	}
	ops := api.NewOpsHandler(&api.Server{Store: svc.deps.store, Metrics: svc.metrics, Logger: logger, Ready: svc.pingRedis})
	return m.serveHTTP(ctx, cfg.MetricsAddr, ops, logger)
}

// service is the queue side shared by serve and worker: Redis (embedded or
// not), the store, the enqueuer and, when workers > 0, the asynq server.
type service struct {
	deps     *deps
	metrics  *metrics.Metrics
	enqueuer *worker.Enqueuer
	client   *asynq.Client
	rdb      redis.UniversalClient
	server   *asynq.Server
	embedded *miniredis.Miniredis
	stop     context.CancelFunc
	logger   *slog.Logger
}

// startService starts the queue side. requeueLoop keeps re-enqueueing the
// store's unfinished jobs every requeueInterval (recap serve does; workers
// only do it once, at start, so that N workers don't multiply the load).
func (m *Main) startService(ctx context.Context, cfg *Config, logger *slog.Logger, requeueLoop bool) (svc *service, err error) {
	svc = &service{logger: logger}
	defer func() {
		if err != nil {
			svc.Close()
		}
	}()
	var redisOpt asynq.RedisConnOpt
	if cfg.RedisURL == "" {
		// One command runs everything: an in-process Redis. It dies with
		// the process; the store does not, and unfinished jobs are
		// re-enqueued below.
		if svc.embedded, err = miniredis.Run(); err != nil {
			return nil, fmt.Errorf("start embedded Redis: %w", err)
		}
		redisOpt = asynq.RedisClientOpt{Addr: svc.embedded.Addr()}
		logger.Info("using embedded Redis (set RECAP_REDIS_URL to share a queue between processes)")
	} else if redisOpt, err = asynq.ParseRedisURI(cfg.RedisURL); err != nil {
		return nil, fmt.Errorf("RECAP_REDIS_URL: %w", err)
	}
	svc.rdb = redisOpt.MakeRedisClient().(redis.UniversalClient)

	// Every process on this Redis shares the LLM account's pace and its
	// pauses (a 429 holds them all), named by server and model.
	limiter := ratelimit.NewRedis(svc.rdb, "llm "+redactURL(cfg.LLM.BaseURL)+" "+cfg.LLM.Model, llm.Limits(cfg.LLM.RPM, cfg.LLM.TPM))
	ytLimiter := ratelimit.NewRedis(svc.rdb, "youtube", youtube.Limits(cfg.YouTubeRPM))
	if svc.deps, err = m.openDeps(ctx, cfg, logger, depsOptions{store: true, limiter: limiter, youtubeLimiter: ytLimiter}); err != nil {
		return nil, err
	}
	svc.metrics = metrics.New(svc.deps.store, logger)
	svc.deps.summarizer = metrics.Summarizer{Summarizer: svc.deps.summarizer, M: svc.metrics}

	svc.client = asynq.NewClient(redisOpt)
	svc.enqueuer = &worker.Enqueuer{Client: svc.client, Timeout: cfg.TaskTimeout}

	if cfg.Workers > 0 {
		p := svc.deps.pipeline()
		h := &worker.SummarizeVideoHandler{Store: svc.deps.store, Pipeline: p, Logger: logger, Metrics: svc.metrics,
			Secrets: cfg.secrets()}
		svc.server = worker.NewServer(redisOpt, worker.ServerConfig{Concurrency: cfg.Workers, Logger: logger})
		if err := svc.server.Start(worker.NewMux(h)); err != nil {
			return nil, fmt.Errorf("start workers: %w", err)
		}
		logger.Info("workers started", slog.Int("concurrency", cfg.Workers))
	}

	// The store is the source of truth: whatever it holds as queued or
	// running goes back on the queue (tasks still in Redis are kept).
	n, err := worker.RequeueUnfinished(ctx, svc.deps.store, svc.enqueuer)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		logger.Info("re-enqueued unfinished jobs", slog.Int("jobs", n))
	}
	if requeueLoop {
		loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		svc.stop = stop
		go svc.requeueLoop(loopCtx)
	}
	return svc, nil
}

func (svc *service) requeueLoop(ctx context.Context) {
	t := time.NewTicker(requeueInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := worker.RequeueUnfinished(ctx, svc.deps.store, svc.enqueuer); err != nil && ctx.Err() == nil {
				svc.logger.Warn("re-enqueue unfinished jobs", slog.Any("error", err))
			}
		}
	}
}

func (svc *service) pingRedis(ctx context.Context) error {
	return svc.rdb.Ping(ctx).Err()
}

// Close stops taking tasks, lets running ones finish (up to the shutdown
// timeout, then they go back on the queue), and closes everything.
func (svc *service) Close() {
	if svc.stop != nil {
		svc.stop()
	}
	if svc.server != nil {
		svc.server.Shutdown()
	}
	if svc.client != nil {
		svc.client.Close()
	}
	if svc.rdb != nil {
		svc.rdb.Close()
	}
	if svc.deps != nil {
		svc.deps.Close()
	}
	if svc.embedded != nil {
		svc.embedded.Close()
	}
}

// serveHTTP serves h on addr until ctx is done, then shuts down gracefully.
func (m *Main) serveHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	logger.Info("listening", slog.String("url", "http://"+ln.Addr().String()))
	if m.OnListen != nil {
		m.OnListen(ln.Addr().String())
	}
	return serveListener(ctx, ln, h, m.HTTPLimits, logger)
}
