package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Outcomes of a run, as metrics label them.
const (
	OutcomeDone    = "done"    // the document is stored
	OutcomeWaiting = "waiting" // YouTube pushed back; the job waits in the queue (Waiting)
	OutcomeRetry   = "retry"   // a transient failure; the job is queued again
	OutcomeFailed  = "failed"  // failed for good, with the reason in the job
	OutcomeSkipped = "skipped" // nothing to do: the job is already finished
)

// Runner runs stored jobs, in a worker's task or in `recap summarize`: it
// starts the job, runs the pipeline on the job's input with the job's
// generator, stores the video and transcript once loaded, records progress,
// and finishes, retries or fails the job.
type Runner struct {
	Store storage.Store
	// Pipeline runs the jobs. Its summarizer makes the jobs submitted with
	// its generator.
	Pipeline *pipeline.Pipeline
	// PipelineFor, when set, gives the pipeline of a job submitted with
	// another generator than Pipeline's (an API process configured with
	// another model than this worker). Without it such a job fails.
	PipelineFor func(recap.Generator) (*pipeline.Pipeline, error)
	// Lease is how long a run holds its job without renewing the hold
	// (DefaultLease when 0); the run renews it every Lease/3. Another
	// process takes the job over only once a hold has lapsed, so a run that
	// dies is taken over after at most Lease.
	Lease time.Duration
	// TaskTimeout is how long a job may run (RECAP_TASK_TIMEOUT), named
	// in the error of a job stopped for taking longer.
	TaskTimeout time.Duration
	Logger      *slog.Logger
	Metrics     *metrics.Metrics // optional
	// Secrets are hidden from the error messages the job stores (and,
	// through the handler, from those asynq keeps in Redis).
	Secrets *redact.Secrets
	// Ended, when set, is called once a run has recorded its outcome
	// (OutcomeDone, OutcomeFailed or OutcomeRetry) for job id: a backlog's
	// dispatcher starts the next item then.
	Ended func(id, outcome string)
}

// Waiting reports whether err means the job must wait rather than fail:
// YouTube pushed back (a 429 or a bot check). The job goes back to
// queued with the reason visible, comes back when the pause shared by
// every worker ends, and the wait does not count as an attempt.
func Waiting(err error) bool { return recap.ErrorCode(err) == recap.EBLOCKED }

// DefaultLease is Runner.Lease's default (RECAP_JOB_LEASE).
const DefaultLease = time.Minute

// NewOwner names one holder of a lease in the store (a run, a listing),
// uniquely: host, process and a random part.
func NewOwner() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// RunOptions tune one run.
type RunOptions struct {
	// Final says no retry follows: a transient failure fails the job
	// instead of queueing it again.
	Final bool
	// MaxAttempts, when > 0, also makes the run final once the job has
	// been started that many times, as the store counts them (a wait for
	// YouTube is not counted): a queue's own retry count starts again
	// when its Redis does (the embedded one, at every start), and two
	// processes with a Redis each on one database each count apart.
	MaxAttempts int
	// Progress, when set, sees every step of the pipeline.
	Progress func(pipeline.Progress)
}

// Run runs job id and records its outcome. The error is nil for
// OutcomeDone, and says why otherwise: for OutcomeSkipped, the job is
// finished already or another run holds it (storage.ErrLeased). An unknown
// job is recap.ENOTFOUND with no outcome.
func (r *Runner) Run(ctx context.Context, id string, opt RunOptions) (*recap.Document, string, error) {
	doc, outcome, err := r.run(ctx, id, opt)
	if r.Ended != nil && (outcome == OutcomeDone || outcome == OutcomeFailed || outcome == OutcomeRetry) {
		r.Ended(id, outcome)
	}
	return doc, outcome, err
}

func (r *Runner) run(ctx context.Context, id string, opt RunOptions) (*recap.Document, string, error) {
	log := r.logger().With(slog.String("job_id", id))
	lease := storage.Lease{Owner: NewOwner(), TTL: r.Lease}
	if lease.TTL <= 0 {
		lease.TTL = DefaultLease
	}
	job, err := r.Store.StartJob(ctx, id, lease)
	switch {
	case err == nil:
	case errors.Is(err, storage.ErrLeased): // a duplicate delivery of a running job
		log.Info("job is running elsewhere; leaving it", slog.String("reason", err.Error()))
		return nil, OutcomeSkipped, err
	case recap.ErrorCode(err) == recap.ECONFLICT: // already done or failed: a duplicate delivery
		log.Info("job already finished; skipping")
		return nil, OutcomeSkipped, err
	default:
		return nil, "", fmt.Errorf("start job %s: %w", id, err)
	}
	log = log.With(slog.String("video_id", job.VideoID), slog.Int("attempt", job.Attempts))
	log.Info("job started")

	runCtx, stop := r.hold(ctx, job.ID, lease, log)
	doc, err := r.summarize(runCtx, job, lease.Owner, opt)
	lost := stop()
	bg := context.WithoutCancel(ctx) // record the outcome even when ctx is done
	if lost != nil {
		// Another run has the job: what this one made or failed is not its
		// to record.
		log.Warn("lost the job to another run; leaving it", slog.Any("reason", lost))
		return nil, OutcomeSkipped, lost
	}
	if err == nil {
		// The document is paid for: keep trying through a dropped
		// connection rather than pay for it again on a retry.
		err = pipeline.Durable(bg, func(ctx context.Context) error { return r.Store.FinishJob(ctx, job.ID, lease.Owner, doc) })
		if recap.ErrorCode(err) == recap.ECONFLICT && !errors.Is(err, storage.ErrLeased) {
			// An attempt whose answer the dropped connection lost may
			// have finished the job.
			if cur, gerr := r.Store.GetJob(bg, job.ID); gerr == nil && cur.Status == storage.StatusDone {
				err = nil
			}
		}
		if err == nil {
			log.Info("job done", slog.Int("chapters", len(doc.Chapters)),
				slog.Int("llm_calls", doc.Usage.LLMCalls), slog.Duration("took", time.Since(startedAt(job))))
			return doc, OutcomeDone, nil
		}
		err = fmt.Errorf("store document: %w", err)
	}

	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		err = r.timedOut(err, time.Since(startedAt(job)))
	}
	// Errors quote servers and titles: stored, they must hold no NUL and
	// no secret.
	code, msg := recap.ErrorCode(err), r.Secrets.String(textclean.Line(err.Error()))
	// asynq gives up on a task at its last retry whatever the error, so
	// a job that already used every attempt fails below even if blocked.
	final := opt.Final || (opt.MaxAttempts > 0 && job.Attempts >= opt.MaxAttempts)
	if Waiting(err) && !final {
		until, _ := ratelimit.PausedUntil(err)
		log.Info("job waits: YouTube pushed back", slog.String("code", code), slog.String("error", msg), slog.Time("until", until))
		if rerr := r.Store.RetryJob(bg, job.ID, lease.Owner, code, msg); rerr != nil {
			log.Error("record retry", slog.Any("error", rerr))
		}
		return nil, OutcomeWaiting, err
	}
	if recap.Permanent(err) || final {
		if !recap.Permanent(err) && job.Attempts > 1 {
			msg = fmt.Sprintf("gave up after %d attempts: %s", job.Attempts, msg)
		}
		log.Warn("job failed", slog.String("code", code), slog.String("error", msg))
		if ferr := r.Store.FailJob(bg, job.ID, lease.Owner, code, msg); ferr != nil {
			return nil, OutcomeFailed, fmt.Errorf("%w (and recording it failed: %v)", err, ferr)
		}
		return nil, OutcomeFailed, err
	}
	log.Warn("job will be retried", slog.String("code", code), slog.String("error", msg))
	if rerr := r.Store.RetryJob(bg, job.ID, lease.Owner, code, msg); rerr != nil {
		log.Error("record retry", slog.Any("error", rerr))
	}
	return nil, OutcomeRetry, err
}

// hold renews the run's lease on job id every TTL/3 until stop is called
// (Hold).
func (r *Runner) hold(ctx context.Context, id string, lease storage.Lease, log *slog.Logger) (context.Context, func() (lost error)) {
	return Hold(ctx, lease.TTL/3, func(ctx context.Context) error { return r.Store.RenewLease(ctx, id, lease) }, log)
}

// Hold calls renew every interval until stop is called, to keep a lease
// in the store (a job's, a batch listing's). When the lease is lost
// (renew says ECONFLICT or ENOTFOUND: another holder took it over after
// it lapsed, or what it held is finished or gone) the returned context is
// cancelled, so that the holder stops paying for work no longer its own,
// and stop returns why. A renewal that fails for another reason (the
// database is unreachable) is tried again at the next tick: in-flight
// calls are not cancelled for it.
func Hold(ctx context.Context, interval time.Duration, renew func(context.Context) error, log *slog.Logger) (context.Context, func() (lost error)) {
	heldCtx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	finished := make(chan struct{})
	var lost error // set before finished closes
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			err := renew(context.WithoutCancel(ctx))
			switch {
			case err == nil:
			case recap.ErrorCode(err) == recap.ECONFLICT || recap.ErrorCode(err) == recap.ENOTFOUND:
				lost = err
				cancel(err)
				return
			default:
				log.Warn("renew the lease; trying again", slog.Any("error", err))
			}
		}
	}()
	return heldCtx, func() error {
		close(done)
		<-finished
		cancel(nil)
		return lost
	}
}

// summarize runs the pipeline for job: the one path of pipeline.Run, with
// the video and transcript stored as soon as they are loaded.
func (r *Runner) summarize(ctx context.Context, job *storage.Job, owner string, opt RunOptions) (*recap.Document, error) {
	p, err := r.pipelineFor(job)
	if err != nil {
		return nil, err
	}
	var progressErr error
	doc, err := p.Run(ctx, pipeline.Input{Kind: job.SourceKind, Ref: job.SourceRef}, pipeline.Request{
		ID:              job.ID,
		Language:        job.Language,
		SummaryLanguage: job.SummaryLanguage,
		Transcribe:      job.Transcribe,
		Loaded: func(ctx context.Context, src *recap.Source) error {
			// Keep what was fetched: videos and transcripts outlive documents.
			if err := r.Store.PutVideo(ctx, src.Video); err != nil {
				return fmt.Errorf("store video: %w", err)
			}
			if !src.Transcript.Empty() {
				if err := r.Store.PutTranscript(ctx, src.Video.ID, src.Transcript); err != nil {
					return fmt.Errorf("store transcript: %w", err)
				}
			}
			return nil
		},
		Progress: func(p pipeline.Progress) {
			if opt.Progress != nil {
				opt.Progress(p)
			}
			if p.Stage != pipeline.StageChapters && p.Stage != pipeline.StageSummarize {
				return
			}
			if p.Stage == pipeline.StageSummarize && p.Cached > 0 && r.Metrics != nil && p.Done == p.Total {
				r.Metrics.ChaptersCached.Add(float64(p.Cached))
			}
			if err := r.Store.SetJobProgress(ctx, job.ID, owner, p.Done, p.Total); err != nil && progressErr == nil {
				progressErr = err
			}
		},
	})
	if progressErr != nil {
		r.logger().Warn("record progress", slog.String("job_id", job.ID), slog.Any("error", progressErr))
	}
	return doc, err
}

// pipelineFor is the pipeline that makes job with the generator it was
// submitted with.
func (r *Runner) pipelineFor(job *storage.Job) (*pipeline.Pipeline, error) {
	own := r.Pipeline.Summarizer.Generator()
	want := recap.Generator{Summarizer: job.Summarizer, Model: job.Model}
	// Jobs stored before jobs carried a generator have none: ours.
	if want.Summarizer == "" || (want.Summarizer == own.Summarizer && want.Model == own.Model) {
		return r.Pipeline, nil
	}
	if r.PipelineFor == nil {
		return nil, recap.Errorf(recap.EINVALID, "job %s was submitted for the %s summarizer (model %q), which this process does not run",
			job.ID, want.Summarizer, want.Model)
	}
	return r.PipelineFor(want)
}

// timedOut is the error of a run stopped at its deadline, in words: the
// bare "context deadline exceeded" says nothing to whoever reads the job.
func (r *Runner) timedOut(err error, ran time.Duration) error {
	limit := "its time limit"
	if r.TaskTimeout > 0 {
		limit = "RECAP_TASK_TIMEOUT=" + r.TaskTimeout.String()
	}
	round := time.Second
	if ran < time.Minute {
		round = time.Millisecond
	}
	return recap.WrapError(recap.EINTERNAL, err,
		"the job ran for %s, longer than %s, and was stopped (the chapters it finished are kept for the next attempt)", ran.Round(round), limit)
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func startedAt(j *storage.Job) time.Time {
	if j.StartedAt != nil {
		return *j.StartedAt
	}
	return time.Now()
}
