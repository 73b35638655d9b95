package worker

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap/ratelimit"
)

// ServerConfig configures the asynq server that runs the handlers.
type ServerConfig struct {
	Concurrency int // tasks in flight in this process
	// ShutdownTimeout is how long a SIGTERM waits for running tasks before
	// putting them back on the queue (their finished chapters are cached).
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// NewServer returns an asynq server on the weighted queues.
func NewServer(redis asynq.RedisConnOpt, cfg ServerConfig) *asynq.Server {
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	return asynq.NewServer(redis, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          Queues,
		StrictPriority:  true,
		ShutdownTimeout: cfg.ShutdownTimeout,
		RetryDelayFunc:  RetryDelay,
		// A job that waits for YouTube has not failed: its retry count
		// stays, and the queue's error rate too.
		IsFailure: func(err error) bool { return !Waiting(err) },
		Logger:    slogAdapter{cfg.Logger},
		LogLevel:  asynq.WarnLevel,
		// Poll often: a summary is interactive work.
		TaskCheckInterval:        200 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
	})
}

// NewMux routes recap's task types to their handlers.
func NewMux(r *Runner) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Handle(TypeSummarizeVideo, &SummarizeVideoHandler{Runner: r})
	return mux
}

// RetryDelay backs off exponentially from 5 s to 10 min, with jitter so
// that jobs failed by one outage don't all come back at once. An error
// that says until when every request is paused (YouTube pushed back)
// brings the job back just after the pause, spread over a tenth of it.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if until, ok := ratelimit.PausedUntil(err); ok {
		d := max(time.Until(until), time.Second)
		return d + rand.N(d/10+1)
	}
	d := 5 * time.Second << min(n, 7)
	if d > 10*time.Minute {
		d = 10 * time.Minute
	}
	return d/2 + rand.N(d/2+1)
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) log(level slog.Level, args []any) {
	if a.l == nil {
		return
	}
	a.l.Log(context.Background(), level, "asynq: "+fmt.Sprint(args...))
}
func (a slogAdapter) Debug(args ...any) { a.log(slog.LevelDebug, args) }
func (a slogAdapter) Info(args ...any)  { a.log(slog.LevelInfo, args) }
func (a slogAdapter) Warn(args ...any)  { a.log(slog.LevelWarn, args) }
func (a slogAdapter) Error(args ...any) { a.log(slog.LevelError, args) }
func (a slogAdapter) Fatal(args ...any) { a.log(slog.LevelError+4, args) }
