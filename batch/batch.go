// Package batch runs backlogs: a batch is one or more sources (playlists,
// channels, feeds, lists, folders) expanded into items, each summarized by
// a job of its own; a subscription is a source polled for new items.
//
// The store is the source of truth for every item. Expansion is a task of
// its own (TypeExpand). The Dispatcher keeps only a bounded window of
// items queued, round-robin over the running batches and within each
// batch's budget, and tops it up as items finish; interactive jobs
// overtake the backlog (the interactive queue runs in strict priority).
// The Poller polls due subscriptions, leased in the store so that two
// processes never poll one.
package batch

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Limits of a batch request.
const (
	MaxSources      = 1000 // sources in one batch
	MaxSourceLength = 4096 // characters of one source
)

// Request is a batch to make: the sources, as the user gave them, and the
// options of every item.
type Request struct {
	Sources []string
	// Language is the caption language; "" means the service's.
	Language string
	// Force summarizes items again even when the same work is done.
	Force bool
	// Limit keeps the first Limit items of each source (the newest of a
	// channel); 0 keeps all.
	Limit int
	// Since keeps items published on or after it; zero keeps all.
	Since time.Time
	// MaxCostUSD is the budget; nil means none.
	MaxCostUSD *float64
	// Transcribe takes every item's transcript from speech-to-text,
	// whatever captions it has; it needs Service.ASR.
	Transcribe bool
}

// TaskQueue enqueues tasks; *asynq.Client is one.
type TaskQueue interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// JobRemover drops the queued task of a canceled job; worker.Enqueuer is
// one.
type JobRemover interface {
	Remove(ctx context.Context, job *storage.Job) error
}

// Service creates, expands, cancels and retries batches, and keeps
// subscriptions. The API, `recap serve` and `recap batch` share it.
type Service struct {
	Store storage.Store
	// Resolver expands sources; a server's reads local files only under
	// RECAP_BATCH_DIR (source.FilesUnder), or none.
	Resolver *source.Resolver
	// Tasks takes the expansion tasks; without it Create leaves the
	// batch expanding, for the caller to Expand.
	Tasks TaskQueue
	// Jobs drops the tasks of jobs canceled with their batch (optional).
	Jobs JobRemover
	// Dispatcher, when set, is kicked when items become pending, and
	// Poller when a subscription is made.
	Dispatcher *Dispatcher
	Poller     *Poller
	// Pricer prices estimates (llm.Pricing); nil means unknown prices,
	// and then a budget cannot be kept.
	Pricer Pricer
	// ASR is the speech-to-text service items are transcribed with; nil
	// when none is configured: then a batch cannot ask for it, and
	// episodes without a transcript fail.
	ASR *ASR
	// Language is the default caption language.
	Language string
	Logger   *slog.Logger
	// Owner names this service's hold on the expansions it lists
	// (storage.Store.HoldExpansion); the process's name when "", so that
	// a retried listing finds its own hold. RequeueExpansions leaves the
	// batches another process holds: `recap batch` lists its own.
	Owner string
	// ExpandLease is how long a hold on an expansion lasts unless renewed
	// (DefaultExpandLease when 0); it is renewed every ExpandLease/3.
	ExpandLease time.Duration
	// Now tells the time holds are compared with (time.Now when nil).
	Now func() time.Time
}

// DefaultExpandLease is Service.ExpandLease's default.
const DefaultExpandLease = time.Minute

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// normalize checks a request and fills in its defaults.
func (s *Service) normalize(req Request) (Request, error) {
	if len(req.Sources) == 0 {
		return req, recap.Errorf(recap.EINVALID, "no source given: expected a playlist, channel or feed URL, a list of URLs, or a folder of yt-dlp downloads")
	}
	if len(req.Sources) > MaxSources {
		return req, recap.Errorf(recap.EINVALID, "%d sources in one batch: the most is %d", len(req.Sources), MaxSources)
	}
	srcs := make([]string, 0, len(req.Sources))
	for i, src := range req.Sources {
		src = strings.TrimSpace(src)
		switch {
		case src == "":
			return req, recap.Errorf(recap.EINVALID, "source %d is empty", i+1)
		case len(src) > MaxSourceLength:
			return req, recap.Errorf(recap.EINVALID, "source %d is %d characters long: the most is %d", i+1, len(src), MaxSourceLength)
		case textclean.Text(src) != src || strings.ContainsAny(src, "\n\t"):
			return req, recap.Errorf(recap.EINVALID, "source %d holds control characters or invalid UTF-8: expected a URL, an id or a path", i+1)
		}
		srcs = append(srcs, src)
	}
	req.Sources = srcs
	if req.Limit < 0 {
		return req, recap.Errorf(recap.EINVALID, "limit %d: expected 0 (all) or more", req.Limit)
	}
	if c := req.MaxCostUSD; c != nil {
		if *c <= 0 || math.IsNaN(*c) || math.IsInf(*c, 0) {
			return req, recap.Errorf(recap.EINVALID, "max_cost_usd %v: expected an amount of US dollars above 0", *c)
		}
		if s.Pricer == nil {
			return req, recap.Errorf(recap.EINVALID, "max_cost_usd needs the model's prices, which recap does not know: set RECAP_LLM_PRICE_INPUT and RECAP_LLM_PRICE_OUTPUT")
		}
		if req.Transcribe && s.ASR != nil && s.ASR.PricePerMinute < 0 {
			return req, recap.Errorf(recap.EINVALID, "max_cost_usd with transcribe needs the speech-to-text price, which recap does not know: set RECAP_ASR_PRICE_PER_MINUTE")
		}
	}
	if req.Transcribe && s.ASR == nil {
		return req, pipeline.NoASR()
	}
	lang := req.Language
	if lang == "" {
		lang = s.Language
	}
	if lang == "" {
		lang = "en"
	}
	var err error
	if req.Language, err = recap.ParseLanguage("language", lang); err != nil {
		return req, err
	}
	if !req.Since.IsZero() {
		req.Since = req.Since.UTC()
	}
	return req, nil
}

// ResumeKey identifies a request's sources and options: the same command
// run again continues its batch. Requests are compared after defaults are
// filled in (Service.Create does), so an omitted language and the default
// one are the same.
func ResumeKey(req Request) string {
	key := struct {
		Sources  []string `json:"sources"`
		Language string   `json:"language"`
		Force    bool     `json:"force"`
		Limit    int      `json:"limit"`
		Since    string   `json:"since"`
		MaxCost  *float64 `json:"max_cost_usd"`
		// Left out when false, so that the keys of batches made before
		// it existed still match.
		Transcribe bool `json:"transcribe,omitempty"`
	}{req.Sources, req.Language, req.Force, req.Limit, "", req.MaxCostUSD, req.Transcribe}
	if !req.Since.IsZero() {
		key.Since = req.Since.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(key)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// ParseSince reads a --since or "since" date: YYYY-MM-DD, YYYYMMDD (as
// yt-dlp writes dates) or RFC 3339.
func ParseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "20060102", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, recap.Errorf(recap.EINVALID, "since %q is not a date: expected YYYY-MM-DD", s)
}

// Create stores a batch as expanding and queues its expansion, unless an
// unfinished batch of the same sources and options exists: that one is
// returned (created=false), and its expansion queued again if it is still
// expanding. The batch is not expanded here: that may take many requests.
func (s *Service) Create(ctx context.Context, req Request) (*storage.Batch, bool, error) {
	req, err := s.normalize(req)
	if err != nil {
		return nil, false, err
	}
	b, created, err := s.Store.CreateBatch(ctx, &storage.Batch{
		Sources: req.Sources,
		Options: storage.BatchOptions{
			Language: req.Language, Force: req.Force, Limit: req.Limit, Since: req.Since, MaxCostUSD: req.MaxCostUSD,
			Transcribe: req.Transcribe,
		},
		ResumeKey: ResumeKey(req),
	})
	if err != nil {
		return nil, false, err
	}
	if b.Status == storage.BatchExpanding {
		s.queueExpansion(ctx, b.ID)
	}
	return b, created, nil
}

// queueExpansion enqueues the expansion of batch id. A failure is logged:
// the batch stays expanding in the store, and RequeueExpansions brings
// its task back.
func (s *Service) queueExpansion(ctx context.Context, id string) {
	if s.Tasks == nil {
		return
	}
	if err := enqueueExpand(ctx, s.Tasks, id); err != nil {
		s.logger().Warn("enqueue the expansion; it stays expanding in the store", slog.String("batch_id", id), slog.Any("error", err))
	}
}

// RequeueExpansions enqueues the expansion of every batch the store holds
// as expanding (a task Redis lost); tasks still queued are left alone, and
// so are the batches whose sources another process is listing (its hold
// has not lapsed): `recap batch` lists its own, with its user's files.
func (s *Service) RequeueExpansions(ctx context.Context) (int, error) {
	if s.Tasks == nil {
		return 0, nil
	}
	n := 0
	f := storage.BatchFilter{Status: storage.BatchExpanding, Limit: 100}
	for {
		page, err := s.Store.ListBatches(ctx, f)
		if err != nil {
			return n, fmt.Errorf("requeue expansions: %w", err)
		}
		for _, b := range page.Batches {
			if b.ExpansionHeld(cmp.Or(s.Owner, processOwner()), s.now()) {
				continue
			}
			if err := enqueueExpand(ctx, s.Tasks, b.ID); err != nil {
				return n, fmt.Errorf("requeue expansions: %w", err)
			}
			n++
		}
		if page.NextCursor == "" {
			return n, nil
		}
		f.Cursor = page.NextCursor
	}
}

// Get returns a batch with its counts and usage.
func (s *Service) Get(ctx context.Context, id string) (*storage.Batch, error) {
	return s.Store.GetBatch(ctx, id)
}

// Cancel cancels what has not started: pending and paused items, and
// queued jobs that only this batch needs (their tasks are dropped).
// Running items finish. It returns the batch as it is then.
func (s *Service) Cancel(ctx context.Context, id string) (*storage.Batch, error) {
	jobs, err := s.Store.CancelBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if s.Jobs == nil {
			break
		}
		if err := s.Jobs.Remove(ctx, j); err != nil {
			// The job is failed in the store: if its task runs, it skips.
			s.logger().Warn("drop the task of a canceled job", slog.String("job_id", j.ID), slog.Any("error", err))
		}
	}
	return s.Store.GetBatch(ctx, id)
}

// Retry requeues a batch's failed (and paused) items; a batch whose
// expansion failed is expanded again. It returns the batch and how many
// items were requeued.
func (s *Service) Retry(ctx context.Context, id string) (*storage.Batch, int, error) {
	n, err := s.Store.RetryBatch(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	b, err := s.Store.GetBatch(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if b.Status == storage.BatchExpanding {
		s.queueExpansion(ctx, id)
	}
	if n > 0 {
		s.Dispatcher.Kick()
	}
	return b, n, nil
}
