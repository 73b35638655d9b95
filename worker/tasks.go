// Package worker submits and runs summary jobs, as asynq tasks on Redis or
// in-process. It is thin: the work is pipeline's, the state is storage's.
// Submitter writes a job row first, then enqueues its task under the job's
// id, so a job is queued once and the store stays the source of truth;
// Runner runs a stored job, whoever delivers it.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap/storage"
)

// TypeSummarizeVideo summarizes the video of one job.
const TypeSummarizeVideo = "video:summarize"

// Queues: high-priority jobs run before backlog work.
const (
	QueueInteractive = "interactive"
	QueueBatch       = "batch"
)

// Queues are the asynq queues and their priorities. The server takes them
// in strict priority (ServerConfig): a free worker always takes an
// interactive task before a backlog one, so a single URL submitted during
// a backlog waits only for the first worker to come free. The backlog
// cannot starve anything else: only a bounded window of its items is ever
// queued (batch.Dispatcher), and the interactive queue empties.
var Queues = map[string]int{QueueInteractive: 9, QueueBatch: 1}

// queueFor is the queue of a job's priority.
func queueFor(priority string) string {
	if priority == storage.PriorityLow {
		return QueueBatch
	}
	return QueueInteractive
}

// SummarizeVideoPayload is the task's payload: only the job id; everything
// else is read from the store, which may have changed since enqueueing.
type SummarizeVideoPayload struct {
	JobID string `json:"job_id"`
}

// Task options. A retried job never pays twice for a finished chapter
// (the chapter cache), so retries are cheap.
const (
	DefaultMaxRetry = 10
	DefaultTimeout  = 30 * time.Minute
)

// NewSummarizeVideoTask builds the task of a job, with the job id as the
// asynq task id so that enqueueing it twice is a no-op.
func NewSummarizeVideoTask(job *storage.Job, maxRetry int, timeout time.Duration) (*asynq.Task, error) {
	payload, err := json.Marshal(SummarizeVideoPayload{JobID: job.ID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeSummarizeVideo, payload,
		asynq.TaskID(job.ID), asynq.Queue(queueFor(job.Priority)), asynq.MaxRetry(maxRetry), asynq.Timeout(timeout)), nil
}

// Enqueuer puts jobs on the queue.
type Enqueuer struct {
	Client   *asynq.Client
	MaxRetry int           // DefaultMaxRetry when 0
	Timeout  time.Duration // DefaultTimeout when 0
	// Inspector, when set, lets Remove drop queued tasks.
	Inspector *asynq.Inspector
	// Now tells the time leases are compared with (time.Now when nil).
	Now func() time.Time
}

// Enqueue enqueues the job's task. A task already in Redis under the job id
// (pending, running or waiting to retry) is not an error: the job is queued.
//
// A job whose run died (running, its lease lapsed) gets a task of its own,
// under TakeoverTaskID: the dead run's task stays active in Redis until
// asynq's own lease on it lapses and its recoverer runs, a minute or more
// later, and re-enqueueing under the job id would wait for that. The store's
// lease keeps the runs exclusive: when the old task comes back it finds the
// job held or finished and leaves it, paying for nothing.
func (e *Enqueuer) Enqueue(ctx context.Context, job *storage.Job) error {
	maxRetry, timeout := e.MaxRetry, e.Timeout
	if maxRetry == 0 {
		maxRetry = DefaultMaxRetry
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	t, err := NewSummarizeVideoTask(job, maxRetry, timeout)
	if err != nil {
		return err
	}
	var opts []asynq.Option
	if e.abandoned(job) {
		opts = append(opts, asynq.TaskID(TakeoverTaskID(job)))
	}
	if _, err := e.Client.EnqueueContext(ctx, t, opts...); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue job %s: %w", job.ID, err)
	}
	return nil
}

// TakeoverTaskID is the task id that takes over job from its latest run,
// which died: one per attempt, so that every process re-enqueueing the
// job queues the same one takeover, and a takeover that dies too is taken
// over in turn.
func TakeoverTaskID(job *storage.Job) string {
	return fmt.Sprintf("%s:takeover:%d", job.ID, job.Attempts)
}

// abandoned reports whether job is running under a lease that has lapsed:
// the run holding it stopped renewing it (its process died).
func (e *Enqueuer) abandoned(job *storage.Job) bool {
	if job.Status != storage.StatusRunning || job.LeaseExpiresAt == nil {
		return false
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	return !now().Before(*job.LeaseExpiresAt)
}

// Expedite makes the job's task run now: one waiting in Redis for its
// retry's backoff (or given up on by asynq) is made pending; one not there
// is enqueued; one pending or running is left. It is for a job whose
// source just changed (storage.TakesOver): what it waited out no longer
// applies. Without Inspector it only enqueues.
func (e *Enqueuer) Expedite(ctx context.Context, job *storage.Job) error {
	if err := e.Enqueue(ctx, job); err != nil || e.Inspector == nil {
		return err
	}
	queue := queueFor(job.Priority)
	info, err := e.Inspector.GetTaskInfo(queue, job.ID)
	if err != nil {
		return fmt.Errorf("expedite job %s: %w", job.ID, err)
	}
	switch info.State {
	case asynq.TaskStateScheduled, asynq.TaskStateRetry, asynq.TaskStateArchived:
		if err := e.Inspector.RunTask(queue, job.ID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return fmt.Errorf("expedite job %s: %w", job.ID, err)
		}
	}
	return nil
}

// Remove deletes the queued task of job (one waiting to run or to be
// retried), so that a canceled job is not delivered; a task that is not
// there (never enqueued, already running or gone with Redis) is no error:
// the runner finds the job finished and skips it. It needs Inspector.
func (e *Enqueuer) Remove(ctx context.Context, job *storage.Job) error {
	if e.Inspector == nil {
		return nil
	}
	err := e.Inspector.DeleteTask(queueFor(job.Priority), job.ID)
	if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		return fmt.Errorf("remove the task of job %s: %w", job.ID, err)
	}
	return nil
}

// RequeueUnfinished enqueues every queued or running job the store holds.
// Redis may have lost them (an embedded or non-persistent Redis dies with
// its process); the store has not. Tasks still in Redis are left alone.
func RequeueUnfinished(ctx context.Context, store storage.Store, e *Enqueuer) (int, error) {
	jobs, err := store.UnfinishedJobs(ctx)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	n := 0
	for _, j := range jobs {
		if err := e.Enqueue(ctx, j); err != nil {
			return n, fmt.Errorf("requeue: %w", err)
		}
		n++
	}
	return n, nil
}
