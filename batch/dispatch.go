package batch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/worker"
)

// Dispatcher defaults.
const (
	// StaleClaim is how long a claimed item may wait for its job before
	// another dispatch submits it (the dispatcher that claimed it died).
	StaleClaim = 2 * time.Minute
	// DispatchInterval is how often `recap serve` tops up the window
	// besides when items finish.
	DispatchInterval = 10 * time.Second
)

// DefaultWindow is the window of a process running workers jobs at once:
// twice that, so that a worker coming free finds the next item queued,
// while a single URL submitted meanwhile waits behind at most the items
// already running.
func DefaultWindow(workers int) int { return max(2, 2*workers) }

// Dispatcher moves batch items from the store to the queue: it claims as
// many as the window has room for (storage.Store.ClaimBatchItems: round-
// robin over running batches, within budgets), submits a low-priority job
// for each through the one Submitter (work already done makes the item
// done without any call), and records the job. It runs when kicked (an
// item finished, a batch expanded) and every interval; processes share
// the window through the store.
type Dispatcher struct {
	Store     storage.Store
	Submitter *worker.Submitter
	// Window is the most batch items queued or running at once, over
	// every batch and process (RECAP_BATCH_WINDOW).
	Window int
	// StaleAfter is StaleClaim when 0.
	StaleAfter time.Duration
	Logger     *slog.Logger

	mu   sync.Mutex // one dispatch at a time in this process
	kick kicker
}

// Kick asks Run for a dispatch soon; it never blocks, and a nil
// dispatcher ignores it.
func (d *Dispatcher) Kick() {
	if d != nil {
		d.kick.Kick()
	}
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Run dispatches at once, then whenever kicked and every interval, until
// ctx is done.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	d.kick.run(ctx, every, func() {
		if _, err := d.Dispatch(ctx); err != nil && ctx.Err() == nil {
			d.logger().Warn("dispatch batch items", slog.Any("error", err))
		}
	})
}

// kicker runs work at once, then whenever kicked and every interval.
type kicker struct {
	once sync.Once
	c    chan struct{}
}

func (k *kicker) kicks() chan struct{} {
	k.once.Do(func() { k.c = make(chan struct{}, 1) })
	return k.c
}

// Kick asks for a run soon; it never blocks.
func (k *kicker) Kick() {
	select {
	case k.kicks() <- struct{}{}:
	default:
	}
}

// run calls work at once, then whenever kicked and every interval, until
// ctx is done.
func (k *kicker) run(ctx context.Context, every time.Duration, work func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		work()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-k.kicks():
		}
	}
}

// Dispatch fills the window and returns how many items it submitted.
func (d *Dispatcher) Dispatch(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	stale := d.StaleAfter
	if stale <= 0 {
		stale = StaleClaim
	}
	n := 0
	for {
		items, err := d.Store.ClaimBatchItems(ctx, storage.ClaimOptions{Window: d.Window, StaleAfter: stale})
		if err != nil {
			return n, err
		}
		if len(items) == 0 {
			return n, nil
		}
		batches := map[string]*storage.Batch{}
		freed := false
		for _, it := range items {
			job, err := d.submit(ctx, batches, it)
			if err != nil {
				// The item stays claimed; a later dispatch submits it
				// again once the claim is stale.
				return n, err
			}
			n++
			// Work already done (or failed) leaves room in the window.
			freed = freed || job == nil || job.Finished()
		}
		if !freed {
			return n, nil
		}
	}
}

// submit submits the job of a claimed item and records it; a submission
// refused for good fails the item (job nil).
func (d *Dispatcher) submit(ctx context.Context, batches map[string]*storage.Batch, it *storage.BatchItem) (*storage.Job, error) {
	b, ok := batches[it.BatchID]
	if !ok {
		var err error
		if b, err = d.Store.GetBatch(ctx, it.BatchID); err != nil {
			return nil, fmt.Errorf("dispatch item %s: %w", it.ItemID, err)
		}
		batches[it.BatchID] = b
	}
	display := it.Ref
	if it.Kind == recap.SourceYouTube {
		display = recap.WatchURL(it.Ref)
	}
	job, _, err := d.Submitter.Submit(ctx, worker.Submission{
		Input:      pipeline.Input{Kind: it.Kind, Ref: it.Ref},
		Display:    display,
		Language:   b.Options.Language,
		Priority:   storage.PriorityLow,
		Force:      b.Options.Force,
		Transcribe: b.Options.Transcribe,
	})
	if err != nil {
		if !recap.Permanent(err) {
			return nil, fmt.Errorf("dispatch item %s: %w", it.ItemID, err)
		}
		d.logger().Warn("batch item refused", slog.String("batch_id", it.BatchID), slog.String("item", it.ItemID), slog.Any("error", err))
		if err := d.Store.FailBatchItem(ctx, it.BatchID, it.Position, recap.ErrorCode(err), recap.ErrorMessage(err)); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if err := d.Store.LinkBatchItem(ctx, it.BatchID, it.Position, job.ID); err != nil {
		return nil, err
	}
	return job, nil
}
