package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Waiting reports whether err means the job must wait rather than fail:
// YouTube pushed back (a 429 or a bot check). The job goes back to
// queued with the reason visible, comes back when the pause shared by
// every worker ends, and the wait does not count as an attempt.
func Waiting(err error) bool { return recap.ErrorCode(err) == recap.EBLOCKED }

// SummarizeVideoHandler runs the pipeline for one job. It is safe to run
// twice for the same job: a finished job is left alone, and finished
// chapters come from the cache.
type SummarizeVideoHandler struct {
	Store    storage.Store
	Pipeline *pipeline.Pipeline
	Logger   *slog.Logger
	Metrics  *metrics.Metrics // optional
	// Secrets are hidden from the error messages the job stores and from
	// the errors handed to asynq (which keeps them in Redis).
	Secrets *redact.Secrets
}

// ProcessTask implements asynq.Handler.
func (h *SummarizeVideoHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p SummarizeVideoPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.JobID == "" {
		return fmt.Errorf("decode payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	start := time.Now()
	outcome, err := h.run(ctx, p.JobID)
	if h.Metrics != nil && outcome != "" {
		h.Metrics.TaskDuration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	}
	return h.Secrets.Error(err)
}

func (h *SummarizeVideoHandler) run(ctx context.Context, jobID string) (outcome string, err error) {
	log := h.Logger.With(slog.String("job_id", jobID))
	job, err := h.Store.StartJob(ctx, jobID)
	switch recap.ErrorCode(err) {
	case "":
	case recap.ECONFLICT: // already done or failed: a duplicate delivery
		log.Info("job already finished; skipping")
		return "", nil
	case recap.ENOTFOUND:
		return "", fmt.Errorf("job %s: %w", jobID, asynq.SkipRetry)
	default:
		return "", fmt.Errorf("start job %s: %w", jobID, err)
	}
	log = log.With(slog.String("video_id", job.VideoID), slog.Int("attempt", job.Attempts))
	log.Info("job started")

	doc, err := h.summarize(ctx, job)
	if err == nil {
		if err = h.Store.FinishJob(context.WithoutCancel(ctx), job.ID, doc); err == nil {
			log.Info("job done", slog.Int("chapters", len(doc.Chapters)),
				slog.Int("llm_calls", doc.Usage.LLMCalls), slog.Duration("took", time.Since(startedAt(job))))
			return "done", nil
		}
		err = fmt.Errorf("store document: %w", err)
	}

	// Errors quote servers and titles: stored, they must hold no NUL.
	code, msg := recap.ErrorCode(err), h.Secrets.String(textclean.Line(err.Error()))
	bg := context.WithoutCancel(ctx) // record the outcome even when ctx is done
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok { // called outside asynq (tests, tools)
		maxRetry = DefaultMaxRetry
	}
	// asynq gives up on a task at its last retry whatever the error, so
	// a job that already used every attempt fails below even if blocked.
	if Waiting(err) && retried < maxRetry {
		until, _ := ratelimit.PausedUntil(err)
		log.Info("job waits: YouTube pushed back", slog.String("code", code), slog.String("error", msg), slog.Time("until", until))
		if rerr := h.Store.RetryJob(bg, job.ID, code, msg); rerr != nil {
			log.Error("record retry", slog.Any("error", rerr))
		}
		return "waiting", err
	}
	if recap.Permanent(err) {
		log.Warn("job failed", slog.String("code", code), slog.String("error", msg))
		if ferr := h.Store.FailJob(bg, job.ID, code, msg); ferr != nil {
			return "failed", fmt.Errorf("%v (and recording it failed: %v)", err, ferr)
		}
		return "failed", fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if retried >= maxRetry {
		msg = fmt.Sprintf("gave up after %d attempts: %s", retried+1, msg)
		log.Warn("job failed", slog.String("code", code), slog.String("error", msg))
		if ferr := h.Store.FailJob(bg, job.ID, code, msg); ferr != nil {
			return "failed", fmt.Errorf("%v (and recording it failed: %v)", err, ferr)
		}
		return "failed", err
	}
	log.Warn("job will be retried", slog.String("code", code), slog.String("error", msg), slog.Int("retried", retried))
	if rerr := h.Store.RetryJob(bg, job.ID, code, msg); rerr != nil {
		log.Error("record retry", slog.Any("error", rerr))
	}
	return "retry", err
}

func (h *SummarizeVideoHandler) summarize(ctx context.Context, job *storage.Job) (*recap.Document, error) {
	in, err := pipeline.ParseInput(job.VideoID)
	if err != nil {
		return nil, err
	}
	src, err := h.Pipeline.Load(ctx, in, job.Language)
	if err != nil {
		return nil, err
	}
	// Keep what was fetched: videos and transcripts outlive documents.
	if err := h.Store.PutVideo(ctx, src.Video); err != nil {
		return nil, fmt.Errorf("store video: %w", err)
	}
	if !src.Transcript.Empty() {
		if err := h.Store.PutTranscript(ctx, src.Video.ID, src.Transcript); err != nil {
			return nil, fmt.Errorf("store transcript: %w", err)
		}
	}
	var progressErr error
	doc, err := h.Pipeline.Summarize(ctx, src, pipeline.Request{
		ID:              job.ID,
		Language:        job.Language,
		SummaryLanguage: job.SummaryLanguage,
		Progress: func(p pipeline.Progress) {
			if p.Stage != pipeline.StageChapters && p.Stage != pipeline.StageSummarize {
				return
			}
			if p.Stage == pipeline.StageSummarize && p.Cached > 0 && h.Metrics != nil && p.Done == p.Total {
				h.Metrics.ChaptersCached.Add(float64(p.Cached))
			}
			if err := h.Store.SetJobProgress(ctx, job.ID, p.Done, p.Total); err != nil && progressErr == nil {
				progressErr = err
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if progressErr != nil {
		h.Logger.Warn("record progress", slog.String("job_id", job.ID), slog.Any("error", progressErr))
	}
	return doc, nil
}

func startedAt(j *storage.Job) time.Time {
	if j.StartedAt != nil {
		return *j.StartedAt
	}
	return time.Now()
}
