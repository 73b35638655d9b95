package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/api"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube"
)

// requeueInterval is how often the store's unfinished jobs are checked
// against Redis, so a job whose task Redis lost runs without a restart: at
// most every 30 s, and once a job lease, so that a job whose run died is
// taken over soon after its lease lapses.
func requeueInterval(lease time.Duration) time.Duration { return min(30*time.Second, lease) }

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", serveUsage)
	addr := fs.String("addr", "", "listen on `HOST:PORT` (default $RECAP_HTTP_ADDR, else "+defaultHTTPAddr+")")
	var workers optionalInt
	fs.Var(&workers, "workers", "run `N` jobs at once in this process; 0 for API only (default $RECAP_WORKERS, else "+strconv.Itoa(defaultWorkers)+")")
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
		if err := checkAddr("--addr", *addr); err != nil {
			return err
		}
		cfg.HTTPAddr = *addr
	}
	if workers.set {
		cfg.Workers = workers.n
	}
	logger := m.newLogger(cfg, slog.LevelInfo)
	logger.Info("recap serve", slog.String("config", cfg.String()))

	// The ports first: when one is taken, no worker has started a job.
	ln, err := listen(cfg.HTTPAddr, "")
	if err != nil {
		return err
	}
	defer ln.Close()
	var opsLn net.Listener
	if cfg.MetricsAddr != "" {
		if opsLn, err = listen(cfg.MetricsAddr, "RECAP_METRICS_ADDR"); err != nil {
			return err
		}
		defer opsLn.Close()
	}
	svc, err := m.startService(ctx, cfg, logger, serveOptions)
	if err != nil {
		return err
	}
	defer svc.Close()

	public := &api.Server{
		Store:   svc.deps.store,
		Batches: svc.backlogs.service,
		Submitter: &worker.Submitter{
			Store: svc.deps.store, Pipeline: svc.deps.pipeline(), Queue: svc.enqueuer, Logger: logger,
		},
		Tokens:       cfg.APITokens,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Metrics:      svc.metrics,
		Logger:       logger,
		Ready:        svc.pingRedis,
	}
	if opsLn == nil {
		return m.serveHTTP(ctx, ln, api.NewHandler(public), logger)
	}
	// /metrics on its own address, and not on the public one.
	ops := api.NewOpsHandler(&api.Server{Store: svc.deps.store, Metrics: svc.metrics, Logger: logger, Ready: svc.pingRedis})
	public.Metrics = nil
	return m.serveWithOps(ctx, ln, api.NewHandler(public), opsLn, ops, logger)
}

func (m *Main) runWorker(ctx context.Context, args []string) error {
	fs := m.newFlagSet("worker", workerUsage)
	var workers optionalInt
	fs.Var(&workers, "workers", "run `N` jobs at once in this process (default $RECAP_WORKERS, else "+strconv.Itoa(defaultWorkers)+")")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("worker takes no arguments, got %q", strings.Join(pos, " "))
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	if workers.set {
		cfg.Workers = workers.n
	}
	if cfg.RedisURL == "" {
		return usagef("recap worker needs RECAP_REDIS_URL (redis://host:port/db) shared with recap serve; for one process, run recap serve")
	}
	if cfg.Workers == 0 {
		return usagef("recap worker needs RECAP_WORKERS ≥ 1")
	}
	logger := m.newLogger(cfg, slog.LevelInfo)
	logger.Info("recap worker", slog.String("config", cfg.String()))
	var ln net.Listener
	if cfg.MetricsAddr != "" {
		if ln, err = listen(cfg.MetricsAddr, "RECAP_METRICS_ADDR"); err != nil {
			return err
		}
		defer ln.Close()
	}
	svc, err := m.startService(ctx, cfg, logger, workerOptions)
	if err != nil {
		return err
	}
	defer svc.Close()
	if ln == nil {
		<-ctx.Done()
		return nil
	}
	ops := api.NewOpsHandler(&api.Server{Store: svc.deps.store, Metrics: svc.metrics, Logger: logger, Ready: svc.pingRedis})
	return m.serveHTTP(ctx, ln, ops, logger)
}

// service is the queue side shared by serve, worker and batch: Redis
// (embedded or not), the store, the enqueuer and, when workers > 0, the
// asynq server.
type service struct {
	deps     *deps
	metrics  *metrics.Metrics
	enqueuer *worker.Enqueuer
	client   *asynq.Client
	inspect  *asynq.Inspector
	backlogs *backlogs
	loops    sync.WaitGroup // background loops, waited for by Close
	rdb      redis.UniversalClient
	server   *asynq.Server
	handlers sync.WaitGroup // tasks being handled, waited for by Stop
	stopOnce sync.Once
	embedded *miniredis.Miniredis
	stop     context.CancelFunc
	logger   *slog.Logger
}

// serviceOptions are what serve, worker and batch run differently.
type serviceOptions struct {
	// requeueLoop keeps re-enqueueing the store's unfinished jobs every
	// requeueInterval (recap serve and recap batch do; workers only do it
	// once, at start, so that N workers don't multiply the load).
	requeueLoop bool
	// expansions re-enqueues the expansions of batches the store holds
	// as expanding (at start, and in the requeue loop).
	expansions bool
	// poll polls subscriptions.
	poll bool
	// shutdownTimeout is how long Close lets running tasks finish before
	// they go back on the queue (worker.ServerConfig's default when 0).
	shutdownTimeout time.Duration
}

var (
	serveOptions  = serviceOptions{requeueLoop: true, expansions: true, poll: true}
	workerOptions = serviceOptions{expansions: true}
)

// startService starts the queue side.
func (m *Main) startService(ctx context.Context, cfg *Config, logger *slog.Logger, opt serviceOptions) (_ *service, err error) {
	svc := &service{logger: logger}
	defer func() {
		if err != nil {
			svc.Close() // what was started so far
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
	svc.deps.wrap = func(s pipeline.Summarizer) pipeline.Summarizer {
		return metrics.Summarizer{Summarizer: s, M: svc.metrics}
	}
	svc.deps.summarizer = svc.deps.wrap(svc.deps.summarizer)

	svc.client = asynq.NewClient(redisOpt)
	svc.inspect = asynq.NewInspector(redisOpt)
	svc.enqueuer = &worker.Enqueuer{Client: svc.client, Timeout: cfg.TaskTimeout, Inspector: svc.inspect}
	svc.backlogs = svc.newBacklogs(cfg, logger)

	if cfg.Workers > 0 {
		runner := svc.deps.runner(svc.metrics)
		// An item that finishes makes room in the batch window.
		runner.Ended = func(string, string) { svc.backlogs.dispatcher.Kick() }
		mux := worker.NewMux(runner)
		mux.Handle(batch.TypeExpand, batch.ExpandHandler{Service: svc.backlogs.service})
		// A task asynq gave up waiting for at shutdown still records its
		// outcome: Stop waits for it before the store closes.
		mux.Use(func(h asynq.Handler) asynq.Handler {
			return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
				svc.handlers.Add(1)
				defer svc.handlers.Done()
				return h.ProcessTask(ctx, t)
			})
		})
		svc.server = worker.NewServer(redisOpt, worker.ServerConfig{Concurrency: cfg.Workers, Logger: logger, ShutdownTimeout: opt.shutdownTimeout})
		if err := svc.server.Start(mux); err != nil {
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
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	svc.stop = stop
	if opt.requeueLoop {
		svc.loops.Go(func() { svc.requeueLoop(loopCtx, requeueInterval(cfg.JobLease), opt.expansions) })
	}
	// The store holds every batch item; the dispatcher queues a window of
	// them, and serve polls subscriptions.
	svc.backlogs.start(loopCtx, &svc.loops, opt, logger)
	return svc, nil
}

func (svc *service) requeueLoop(ctx context.Context, every time.Duration, expansions bool) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := worker.RequeueUnfinished(ctx, svc.deps.store, svc.enqueuer); err != nil && ctx.Err() == nil {
				svc.logger.Warn("re-enqueue unfinished jobs", slog.Any("error", err))
			}
			if !expansions {
				continue
			}
			if _, err := svc.backlogs.service.RequeueExpansions(ctx); err != nil && ctx.Err() == nil {
				svc.logger.Warn("re-enqueue batch expansions", slog.Any("error", err))
			}
		}
	}
}

func (svc *service) pingRedis(ctx context.Context) error {
	return svc.rdb.Ping(ctx).Err()
}

// handlerGrace is how long Stop waits, after the shutdown timeout, for
// the tasks it cut short to record their outcome.
const handlerGrace = 5 * time.Second

// Stop stops taking tasks and the background loops, and lets running
// tasks finish (up to the shutdown timeout, then they go back on the
// queue); the store stays open. It may be called more than once.
func (svc *service) Stop() { svc.stopOnce.Do(svc.stopWork) }

func (svc *service) stopWork() {
	if svc.server != nil {
		svc.server.Stop() // no new task from here on
	}
	if svc.stop != nil {
		svc.stop()
	}
	svc.loops.Wait()
	if svc.server != nil {
		svc.server.Shutdown()
		waited := make(chan struct{})
		go func() { svc.handlers.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(handlerGrace):
			svc.logger.Warn("tasks still running after the shutdown; their jobs go back to the queue once their lease lapses")
		}
	}
}

// Close stops the work (Stop) and closes everything.
func (svc *service) Close() {
	svc.Stop()
	if svc.client != nil {
		svc.client.Close()
	}
	if svc.inspect != nil {
		svc.inspect.Close()
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

// listen binds addr, checked by checkAddr; setting, when not "", names
// where addr came from in the error. A port that is taken, or an address
// this machine does not have, is a failure (exit 1).
func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if setting != "" {
			return nil, fmt.Errorf("listen on %s (%s): %w", addr, setting, err)
		}
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// checkAddr checks a listen address given by setting or flag (name):
// HOST:PORT, the host optional, the port a number.
func checkAddr(name, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = fmt.Errorf("port %q is not a number from 0 to 65535", port)
		}
	}
	if err != nil {
		return recap.Errorf(recap.EINVALID, "%s=%q: expected HOST:PORT, e.g. %s (%v)", name, addr, defaultHTTPAddr, err)
	}
	return nil
}

// serveHTTP serves h on ln until ctx is done, then shuts down gracefully.
func (m *Main) serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	logger.Info("listening", slog.String("url", "http://"+ln.Addr().String()))
	if m.OnListen != nil {
		m.OnListen(ln.Addr().String())
	}
	return serveListener(ctx, ln, h, m.HTTPLimits, logger)
}
