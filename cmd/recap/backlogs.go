package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/netguard"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/worker"
)

// guardedClient fetches feeds, transcripts and chapter files from other
// hosts: http(s) to public addresses only, unless RECAP_ALLOW_PRIVATE_URLS.
func (d *deps) guardedClient() *http.Client {
	return netguard.NewClient(netguard.Config{AllowPrivate: d.cfg.AllowPrivateURLs})
}

// audioDownloadTimeout bounds one request for a podcast's audio: a
// 2 GiB enclosure at 2 MB/s. A transfer that breaks off is resumed.
const audioDownloadTimeout = 20 * time.Minute

// audioClient fetches podcast enclosures for speech-to-text: the same
// address rules as feeds, with time for a large file.
func (d *deps) audioClient() *http.Client {
	return netguard.NewClient(netguard.Config{AllowPrivate: d.cfg.AllowPrivateURLs, Timeout: audioDownloadTimeout})
}

// backlogs are the batch side of a serve or worker process: the service
// behind /v1/batches and the expansion tasks, the dispatcher that keeps
// the window of batch items queued, and (serve only) the subscription
// poller.
type backlogs struct {
	service    *batch.Service
	dispatcher *batch.Dispatcher
	poller     *batch.Poller
}

// newBacklogs assembles the batch side over the service's parts. The
// resolver reads local sources only under RECAP_BATCH_DIR (none when
// unset): sources come from API users.
func (svc *service) newBacklogs(cfg *Config, logger *slog.Logger) *backlogs {
	d := svc.deps
	files, root := source.FilesNone, ""
	if cfg.BatchDir != "" {
		files, root = source.FilesUnder, cfg.BatchDir
	}
	resolver := d.resolver(files, root)
	resolver.Dir = root
	disp := &batch.Dispatcher{
		Store:     d.store,
		Submitter: &worker.Submitter{Store: d.store, Pipeline: d.pipeline(), Queue: svc.enqueuer, Logger: logger},
		Window:    cfg.batchWindow(),
		Logger:    logger,
	}
	s := &batch.Service{
		Store:      d.store,
		Resolver:   resolver,
		Tasks:      svc.client,
		Jobs:       svc.enqueuer,
		Dispatcher: disp,
		Pricer:     pricer(cfg),
		ASR:        batchASR(cfg),
		Language:   cfg.Lang,
		Logger:     logger,
		// Held as a job is: a listing whose process died is taken over.
		ExpandLease: cfg.JobLease,
	}
	s.Poller = &batch.Poller{Service: s, Logger: logger}
	return &backlogs{service: s, dispatcher: disp, poller: s.Poller}
}

// resolver expands sources: YouTube through the fetcher, feeds and
// transcripts through the guarded client, local files as files allows
// (under root for source.FilesUnder).
func (d *deps) resolver(files source.FileAccess, root string) *source.Resolver {
	return &source.Resolver{
		YouTube: source.YouTube{Client: d.fetcher},
		HTTP:    d.guardedClient(),
		Files:   files,
		Root:    root,
	}
}

// pricer prices batch estimates as documents are priced: the offline
// summarizer is free; an LLM's prices are RECAP_LLM_PRICE_* or the
// built-in ones of its model, and unknown (nil: no budgets) otherwise.
func pricer(cfg *Config) batch.Pricer {
	if cfg.Summarizer == recap.SummarizerExtractive {
		return llm.Pricing{}
	}
	if p, ok := llm.PricingFor(cfg.LLM.Model, cfg.LLM.PriceInput, cfg.LLM.PriceOutput); ok {
		return p
	}
	return nil
}

// batchASR is the speech-to-text service for batches: nil when none is
// configured (RECAP_ASR_*), else its price.
func batchASR(cfg *Config) *batch.ASR {
	if !cfg.ASROn {
		return nil
	}
	return &batch.ASR{PricePerMinute: cfg.ASR.PricePerMinute}
}

// start runs the dispatcher (at once, when an item finishes, every
// batch.DispatchInterval) and, for serve, the subscription poller, until
// ctx is done; it also queues again the expansions Redis lost, unless
// opt says not to.
func (b *backlogs) start(ctx context.Context, loops *sync.WaitGroup, opt serviceOptions, logger *slog.Logger) {
	if opt.expansions { // recap batch expands its own batch, with its user's files
		if n, err := b.service.RequeueExpansions(ctx); err != nil {
			logger.Warn("re-enqueue batch expansions", slog.Any("error", err))
		} else if n > 0 {
			logger.Info("re-enqueued batch expansions", slog.Int("batches", n))
		}
	}
	loops.Go(func() { b.dispatcher.Run(ctx, batch.DispatchInterval) })
	if opt.poll {
		loops.Go(func() { b.poller.Run(ctx, batch.PollInterval) })
	}
}
