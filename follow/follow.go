// Package follow follows a batch to its end, wherever it runs: in this
// process (its store) or on a recap serve (its API). It shows progress,
// writes each finished item's summary to an output folder as it finishes
// (with an index, rewritten whole), and ends with a report: counts by
// status, every failure and skip with its reason, usage and wall time.
package follow

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/outdir"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

// Source is where a batch is read from.
type Source interface {
	// Batch returns the batch with its counts and usage.
	Batch(ctx context.Context, id string) (*storage.Batch, error)
	// Items returns a page of its items, in source order.
	Items(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error)
	// Document returns the document of a done item's job, and its
	// rendering in format.
	Document(ctx context.Context, jobID, format string) (*recap.Document, []byte, error)
}

// Store reads batches from a store in this process.
type Store struct{ Store storage.Store }

func (s Store) Batch(ctx context.Context, id string) (*storage.Batch, error) {
	return s.Store.GetBatch(ctx, id)
}

func (s Store) Items(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error) {
	return s.Store.ListBatchItems(ctx, f)
}

func (s Store) Document(ctx context.Context, jobID, format string) (*recap.Document, []byte, error) {
	doc, err := s.Store.GetDocument(ctx, jobID)
	if err != nil {
		return nil, nil, err
	}
	data, err := render.Bytes(doc, format)
	return doc, data, err
}

// Defaults.
const (
	// Interval is how often the batch is read.
	Interval = 500 * time.Millisecond
	// IndexEvery is how often, at most, index.md is rewritten while items
	// finish (it is rewritten at the end whatever).
	IndexEvery = 2 * time.Second
	// GiveUp is how long reading the batch may keep failing before
	// Follow gives up.
	GiveUp = 2 * time.Minute
	// pageSize is the items read per request (the API's most).
	pageSize = 100
)

// Follower follows one batch.
type Follower struct {
	Source   Source
	Progress progress.Reporter
	// OutDir, when set, gets a file per done item and an index.
	OutDir *outdir.Dir
	// Resumed says the batch was started by an earlier run: items it
	// finished are not reported one by one.
	Resumed bool
	// Interval is the Interval default when 0.
	Interval time.Duration
	Logger   *slog.Logger

	started   time.Time
	batch     *storage.Batch
	items     []*storage.BatchItem // by position
	cursors   []string             // cursors[k] reads page k
	open      int                  // first page with an unfinished item
	scanned   bool                 // a full scan was made
	finished  int                  // finished items at the last scan
	reported  int                  // items reported finished (quietly too)
	files     map[int]render.IndexEntry
	unwritten map[int]bool // done items whose file is still to write: quiet
	written   int
	indexDue  bool
	indexAt   time.Time
	speed     speed
	lastRead  time.Time
}

func (f *Follower) logger() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Follow reads the batch every Interval until it ends (done, failed,
// canceled or paused: nothing more happens by itself) and returns nil,
// or until ctx is done and returns its error. Read errors are tried
// again for up to GiveUp.
func (f *Follower) Follow(ctx context.Context, id string) error {
	if f.started.IsZero() {
		f.started = time.Now()
	}
	every := f.Interval
	if every <= 0 {
		every = Interval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	f.lastRead = time.Now()
	for {
		ended, err := f.tick(ctx, id)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil && (recap.Permanent(err) || recap.ErrorCode(err) == recap.EUNAUTHORIZED):
			return err
		case err != nil && time.Since(f.lastRead) > GiveUp:
			return fmt.Errorf("gave up following batch %s after %s of errors: %w", id, GiveUp, err)
		case err != nil:
			f.logger().Warn("read the batch; trying again", slog.Any("error", err))
		default:
			f.lastRead = time.Now()
		}
		if ended {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// tick reads the batch, and its items when some finished.
func (f *Follower) tick(ctx context.Context, id string) (ended bool, err error) {
	b, err := f.Source.Batch(ctx, id)
	if err != nil {
		return false, err
	}
	f.batch = b
	if b.Status == storage.BatchExpanding {
		f.Progress.Update(progress.Status{Phase: "listing the sources"})
		return false, nil
	}
	ended = b.Finished() || b.Status == storage.BatchPaused
	if n := finishedCount(b); !f.scanned || n != f.finished || ended {
		if err := f.scan(ctx, !f.scanned); err != nil {
			return false, err
		}
		f.finished = n
	}
	f.writeFiles(ctx)
	f.speed.add(time.Now(), f.finished)
	f.Progress.Update(f.status())
	if f.indexDue && time.Since(f.indexAt) >= IndexEvery {
		f.writeIndex()
	}
	return ended, nil
}

// finishedCount is how many of b's items will not change by themselves.
func finishedCount(b *storage.Batch) int {
	return b.Counts[storage.ItemDone] + b.Counts[storage.ItemFailed] + b.Counts[storage.ItemSkipped] + b.Counts[storage.ItemCanceled]
}

func final(status string) bool {
	switch status {
	case storage.ItemDone, storage.ItemFailed, storage.ItemSkipped, storage.ItemCanceled:
		return true
	}
	return false
}

// notStarted reports whether an item is waiting for the dispatcher.
func notStarted(status string) bool {
	return status == storage.ItemPending || status == storage.ItemPaused
}

// scan reads the items: all of them when full, else from the first page
// with an unfinished item up to the first page with an item not started
// (items start in source order, so nothing after it changed). It reports
// the items that became final.
func (f *Follower) scan(ctx context.Context, full bool) error {
	first := !f.scanned
	page := f.open
	if full {
		page = 0
	}
	if len(f.cursors) == 0 {
		f.cursors = []string{""}
	}
	for ; page < len(f.cursors); page++ {
		p, err := f.Source.Items(ctx, storage.BatchItemFilter{BatchID: f.batch.ID, Limit: pageSize, Cursor: f.cursors[page]})
		if err != nil {
			return err
		}
		if page+1 == len(f.cursors) && p.NextCursor != "" {
			f.cursors = append(f.cursors, p.NextCursor)
		}
		settled, waiting := true, false
		for _, it := range p.Items {
			for len(f.items) <= it.Position {
				f.items = append(f.items, nil)
			}
			old := f.items[it.Position]
			f.items[it.Position] = it
			if !final(it.Status) {
				settled = false
			}
			waiting = waiting || notStarted(it.Status)
			if final(it.Status) && (old == nil || old.Status != it.Status) {
				f.finishedItem(it, first && f.Resumed)
			}
		}
		if settled && page == f.open {
			f.open++
		}
		if !full && waiting {
			break
		}
	}
	if first && f.Resumed {
		f.Progress.Printf("continuing batch %s: %d of %s finished before", f.batch.ID, finishedCount(f.batch), recap.Count(f.batch.Total, "item"))
	}
	f.scanned = true
	return nil
}

// finishedItem records an item that became final: done ones get their
// file first; each is reported (quietly: only counted).
func (f *Follower) finishedItem(it *storage.BatchItem, quiet bool) {
	f.indexDue = true
	if it.Status == storage.ItemDone && f.OutDir != nil {
		if f.unwritten == nil {
			f.unwritten = map[int]bool{}
		}
		f.unwritten[it.Position] = quiet
		return // reported once written
	}
	f.report(it, "", quiet)
}

// report counts a finished item and prints its line unless quiet.
func (f *Follower) report(it *storage.BatchItem, file string, quiet bool) {
	f.reported++
	if quiet {
		return
	}
	f.Progress.Item(progress.Item{
		N: f.reported, Total: f.batch.Total, ID: it.ItemID, Title: it.Title,
		Status: it.Status, Reason: Reason(it), File: file,
	})
}

// Reason is why an item failed or was skipped: its error code, when it
// says more than the status, and message.
func Reason(it *storage.BatchItem) string {
	if it.ErrorCode == "" || it.ErrorCode == it.Status {
		return it.Error
	}
	return it.ErrorCode + ": " + it.Error
}

// writeFiles writes the files of done items not written yet; one that
// cannot be read now is tried again at the next tick.
func (f *Follower) writeFiles(ctx context.Context) {
	for _, pos := range slices.Sorted(maps.Keys(f.unwritten)) {
		quiet, it := f.unwritten[pos], f.items[pos]
		doc, data, err := f.Source.Document(ctx, it.JobID, f.OutDir.Format)
		if err != nil {
			f.logger().Warn("read a summary for the output folder; trying again", slog.String("item", it.ItemID), slog.Any("error", err))
			continue
		}
		name, err := f.OutDir.Write(doc, data)
		if err != nil {
			f.logger().Warn("write a summary; trying again", slog.String("item", it.ItemID), slog.Any("error", err))
			continue
		}
		delete(f.unwritten, pos)
		f.written++
		if f.files == nil {
			f.files = map[int]render.IndexEntry{}
		}
		f.files[pos] = render.IndexEntry{
			Title: doc.Video.Title, ID: it.ItemID, File: name, DurationSeconds: doc.Video.DurationSeconds,
			Published: dateOf(doc.Video.PublishedAt),
		}
		if it.Title == "" {
			it.Title = doc.Video.Title
		}
		f.report(it, name, quiet)
		f.indexDue = true
	}
}

func dateOf(published string) string {
	if d := outdir.Date(published); d != outdir.UnknownDate {
		return d
	}
	return ""
}

// writeIndex rewrites index.md from what is known of every item.
func (f *Follower) writeIndex() {
	if f.OutDir == nil || f.batch == nil {
		return
	}
	entries := make([]render.IndexEntry, 0, len(f.items))
	for pos, it := range f.items {
		if it == nil {
			continue
		}
		if e, ok := f.files[pos]; ok {
			entries = append(entries, e)
			continue
		}
		e := render.IndexEntry{Title: it.Title, ID: it.ItemID, DurationSeconds: int64(it.Duration / time.Second), Status: displayStatus(it.Status)}
		if !it.Published.IsZero() {
			e.Published = it.Published.Format(time.DateOnly)
		}
		if it.Status == storage.ItemFailed || it.Status == storage.ItemSkipped {
			e.Reason = Reason(it)
		}
		entries = append(entries, e)
	}
	if err := f.OutDir.WriteIndex(Title(f.batch), entries); err != nil {
		f.logger().Warn("write the index", slog.Any("error", err))
		return
	}
	f.indexDue, f.indexAt = false, time.Now()
}

// displayStatus is an item's status as users see it (pending is queued).
func displayStatus(s string) string {
	if s == storage.ItemPending {
		return storage.ItemQueued
	}
	return s
}

// Title names a batch: its title, else its sources.
func Title(b *storage.Batch) string {
	if b.Title != "" {
		return b.Title
	}
	return strings.Join(b.Sources, " ")
}

// status is the progress to show.
func (f *Follower) status() progress.Status {
	b := f.batch
	s := progress.Status{
		Total: b.Total, Done: b.Counts[storage.ItemDone], Failed: b.Counts[storage.ItemFailed],
		Skipped: b.Counts[storage.ItemSkipped] + b.Counts[storage.ItemCanceled], Running: b.Counts[storage.ItemRunning],
		Tokens: b.Usage.PromptTokens + b.Usage.CompletionTokens, CostUSD: b.Usage.CostUSD,
	}
	s.ETA = f.speed.eta(b.Total - s.Finished())
	return s
}

// Finish reads the whole batch once more (after an interruption, what
// finished meanwhile), writes what is left to write and the index, and
// returns the report.
func (f *Follower) Finish(ctx context.Context, id string, interrupted bool) (*Report, error) {
	if f.started.IsZero() {
		f.started = time.Now()
	}
	b, err := f.Source.Batch(ctx, id)
	if err != nil {
		return nil, err
	}
	f.batch = b
	if b.Status != storage.BatchExpanding && b.Status != storage.BatchFailed {
		if err := f.scan(ctx, true); err != nil {
			return nil, err
		}
		if f.OutDir != nil {
			f.writeFiles(ctx)
			f.writeIndex()
		}
	}
	f.Progress.Close()
	r := &Report{Batch: b, Wall: time.Since(f.started), Interrupted: interrupted, Written: f.written, Unwritten: len(f.unwritten)}
	if f.OutDir != nil {
		r.OutDir = f.OutDir.Path
	}
	for _, it := range f.items {
		if it != nil && it.Status != storage.ItemDone {
			r.Items = append(r.Items, it)
		}
	}
	return r, nil
}

// speed estimates how fast items finish, over the last Window.
type speed struct{ samples []sample }

type sample struct {
	at       time.Time
	finished int
}

// Window is how far back the ETA looks.
const Window = 10 * time.Minute

func (s *speed) add(at time.Time, finished int) {
	if n := len(s.samples); n > 0 && s.samples[n-1].finished == finished {
		return
	}
	s.samples = append(s.samples, sample{at, finished})
	i := 0
	for i < len(s.samples)-2 && at.Sub(s.samples[i].at) > Window {
		i++
	}
	s.samples = s.samples[i:]
}

// eta is the time left for remaining items, 0 when unknown.
func (s *speed) eta(remaining int) time.Duration {
	if remaining <= 0 || len(s.samples) < 2 {
		return 0
	}
	first, last := s.samples[0], s.samples[len(s.samples)-1]
	n, dt := last.finished-first.finished, time.Since(first.at)
	if n <= 0 || dt < time.Second {
		return 0
	}
	return time.Duration(float64(dt) / float64(n) * float64(remaining))
}
