package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
	"github.com/recap-dev/recap/worker"
)

// TypeExpand expands the sources of one batch into its items.
const TypeExpand = "batch:expand"

// ExpandPayload is the task's payload: the batch id; the rest is read
// from the store.
type ExpandPayload struct {
	BatchID string `json:"batch_id"`
}

// Expansion tasks: a listing that fails for a while (YouTube pausing
// everyone, a feed host down) is tried again later; after the last try
// the batch fails with the reason.
const (
	ExpandMaxRetry = 8
	ExpandTimeout  = 30 * time.Minute
	// addChunk items are stored per transaction.
	addChunk = 1000
)

// NewExpandTask is the expansion task of batch id, with a task id of its
// own so that it is queued at most once at a time. It runs on the
// interactive queue: someone is waiting for the batch to start.
func NewExpandTask(id string) (*asynq.Task, error) {
	payload, err := json.Marshal(ExpandPayload{BatchID: id})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeExpand, payload, asynq.TaskID("expand:"+id), asynq.Queue(worker.QueueInteractive),
		asynq.MaxRetry(ExpandMaxRetry), asynq.Timeout(ExpandTimeout)), nil
}

func enqueueExpand(ctx context.Context, q TaskQueue, id string) error {
	t, err := NewExpandTask(id)
	if err != nil {
		return err
	}
	if _, err := q.EnqueueContext(ctx, t); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue the expansion of batch %s: %w", id, err)
	}
	return nil
}

// ExpandHandler runs expansion tasks.
type ExpandHandler struct{ Service *Service }

// ProcessTask implements asynq.Handler. Failures are recorded in the
// batch, so the task itself ends (and its id is free for a retry of the
// batch) except when a transient one will be tried again.
func (h ExpandHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p ExpandPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.BatchID == "" {
		return fmt.Errorf("decode payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok {
		maxRetry = 0
	}
	return h.Service.Expand(ctx, p.BatchID, retried >= maxRetry)
}

// Expand lists the sources of an expanding batch and stores its items
// (the same item twice once; skipped ones as skipped, with the reason),
// then lets it run. A source that cannot be recognised or is gone fails
// the batch with the reason; a transient failure is returned to be tried
// again, unless final, when it fails the batch too. A batch that is not
// expanding (done already, canceled) is left alone.
func (s *Service) Expand(ctx context.Context, id string, final bool) error {
	b, err := s.Store.GetBatch(ctx, id)
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if b.Status != storage.BatchExpanding {
		return nil
	}
	log := s.logger().With(slog.String("batch_id", id))
	ctx, stop, err := s.holdExpansion(ctx, id, log)
	switch {
	case errors.Is(err, storage.ErrLeased):
		// Its owner lists it (`recap batch`, with its user's files); if
		// the owner dies, its hold lapses and RequeueExpansions brings the
		// batch back.
		log.Info("another process is listing the sources; leaving them to it", slog.String("reason", err.Error()))
		return nil
	case recap.ErrorCode(err) == recap.ECONFLICT: // no longer expanding
		return nil
	case err != nil:
		return err
	}
	defer stop()
	exp, err := s.Resolver.ExpandAll(ctx, b.Sources, source.Options{Limit: b.Options.Limit, Since: b.Options.Since})
	if err != nil {
		if !recap.Permanent(err) && !final {
			log.Warn("expansion will be tried again", slog.Any("error", err))
			return err
		}
		code, msg := recap.ErrorCode(err), recap.ErrorMessage(err)
		if !recap.Permanent(err) {
			msg = "gave up listing the sources: " + msg
		}
		log.Warn("expansion failed", slog.String("code", code), slog.String("error", msg))
		if ferr := s.Store.FailBatch(ctx, id, code, msg); ferr != nil && recap.ErrorCode(ferr) != recap.ECONFLICT {
			return ferr
		}
		return nil
	}
	items, err := s.Items(exp.Items, b.Options.Transcribe)
	if err != nil {
		return err
	}
	for start := 0; start < len(items); start += addChunk {
		if _, err := s.Store.AddBatchItems(ctx, id, items[start:min(start+addChunk, len(items))]); err != nil {
			if recap.ErrorCode(err) == recap.ECONFLICT { // canceled meanwhile
				return nil
			}
			return err
		}
	}
	if err := s.Store.FinishExpansion(ctx, id, textclean.Line(exp.Title)); err != nil {
		if recap.ErrorCode(err) == recap.ECONFLICT {
			return nil
		}
		return err
	}
	log.Info("batch expanded", slog.Int("items", len(items)), slog.String("title", exp.Title))
	s.Dispatcher.Kick()
	return nil
}

// processOwner names this process's holds on expansions.
var processOwner = sync.OnceValue(worker.NewOwner)

// holdExpansion takes the hold on listing batch id's sources and renews it
// every ExpandLease/3 until stop is called (worker.Hold). When the hold is
// lost (the batch was canceled, or another process took it over after a
// renewal failed for longer than the lease) the returned context is
// cancelled.
func (s *Service) holdExpansion(ctx context.Context, id string, log *slog.Logger) (context.Context, func(), error) {
	lease := storage.Lease{Owner: s.Owner, TTL: s.ExpandLease}
	if lease.Owner == "" {
		lease.Owner = processOwner()
	}
	if lease.TTL <= 0 {
		lease.TTL = DefaultExpandLease
	}
	if err := s.Store.HoldExpansion(ctx, id, lease); err != nil {
		return nil, nil, err
	}
	holdCtx, stop := worker.Hold(ctx, lease.TTL/3, func(ctx context.Context) error { return s.Store.HoldExpansion(ctx, id, lease) }, log)
	return holdCtx, func() { stop() }, nil
}

// Items turns expanded items into batch items, each with what its job
// fetches and its cost estimate (nil without prices), speech-to-text
// included for the items it would transcribe (all with transcribe).
func (s *Service) Items(in []source.Item, transcribe bool) ([]*storage.BatchItem, error) {
	out := make([]*storage.BatchItem, 0, len(in))
	for _, it := range in {
		bi := &storage.BatchItem{ItemID: it.ID, Title: textclean.Line(it.Title), Duration: it.Duration(), Published: it.Published}
		if it.Skip != "" {
			bi.Status, bi.Error = storage.ItemSkipped, textclean.Line(it.Skip)
			out = append(out, bi)
			continue
		}
		switch it.Kind {
		case source.KindYouTube:
			bi.Kind, bi.Ref = recap.SourceYouTube, it.VideoID
		case source.KindFile:
			bi.Kind, bi.Ref = recap.SourceFile, it.InfoPath
		case source.KindPodcast:
			if it.Episode == nil {
				return nil, fmt.Errorf("podcast item %s has no episode", it.ID)
			}
			data, err := json.Marshal(it.Episode)
			if err != nil {
				return nil, fmt.Errorf("podcast item %s: %w", it.ID, err)
			}
			bi.Kind, bi.Ref, bi.Episode = recap.SourcePodcast, it.Episode.ID, data
		default:
			return nil, fmt.Errorf("item %s is of kind %q, which batches do not know", it.ID, it.Kind)
		}
		bi.EstimateUSD = EstimateSource(it, s.Pricer, s.ASR, transcribe).CostUSD
		out = append(out, bi)
	}
	return out, nil
}
