package storage

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/recap-dev/recap"
)

// Batch statuses.
const (
	BatchExpanding = "expanding" // its sources are being listed (the batch:expand task)
	BatchRunning   = "running"   // its items are being summarized
	BatchPaused    = "paused"    // its budget stops it from starting more items; Error says why
	BatchDone      = "done"      // every item is finished (done, failed or skipped)
	BatchCanceled  = "canceled"  // canceled: items not started were dropped
	BatchFailed    = "failed"    // its sources could not be listed; Error says why
)

// Batch item statuses. An item's status follows its job's: the store
// changes both in one transaction.
const (
	ItemPending  = "pending"  // waiting for the dispatcher (no job yet); shown as queued
	ItemQueued   = "queued"   // its job is queued (or being submitted)
	ItemRunning  = "running"  // its job is running
	ItemDone     = "done"     // its job is done: the document is the job's
	ItemFailed   = "failed"   // its job failed (or could not be submitted); Error says why
	ItemSkipped  = "skipped"  // cannot be summarized (private, deleted…); Error says why
	ItemPaused   = "paused"   // held back by the batch's budget
	ItemCanceled = "canceled" // canceled with its batch before it started
)

// ItemStatuses are every item status, in the order a batch moves through
// them.
var ItemStatuses = []string{ItemPending, ItemQueued, ItemRunning, ItemDone, ItemFailed, ItemSkipped, ItemPaused, ItemCanceled}

// BatchOptions are the options of every item of a batch. Together with the
// sources they make its resume key.
type BatchOptions struct {
	// Language is the caption language, a canonical BCP 47 tag.
	Language string
	// Force summarizes items again even when the same work is done.
	Force bool
	// Limit and Since narrow what the sources expand to (source.Options);
	// 0 and the zero time keep everything.
	Limit int
	Since time.Time
	// MaxCostUSD is the batch's budget; nil means none.
	MaxCostUSD *float64
	// Transcribe asks every item's job for its transcript from
	// speech-to-text, whatever captions it has (worker.Submission).
	Transcribe bool
}

// BatchUsage is what a batch's done items cost: the sum of the usage of
// their documents.
type BatchUsage struct {
	LLMCalls         int
	PromptTokens     int
	CompletionTokens int
	// CostUSD is nil while any done item's cost is unknown.
	CostUSD *float64
}

// Batch is a backlog: sources expanded into items, each summarized by a
// job of its own.
type Batch struct {
	ID string
	// Sources are the SOURCE strings as given (URLs, ids, paths).
	Sources []string
	// Title names the batch: the playlist's, channel's or feed's title.
	Title   string
	Status  string
	Options BatchOptions
	// ResumeKey identifies the same sources and options: CreateBatch
	// returns the unfinished batch with the key instead of making another,
	// so the same `recap batch` command continues its batch. "" for none.
	ResumeKey string
	// ErrorCode and Error say why a batch failed or is paused.
	ErrorCode string
	Error     string

	// Computed by GetBatch and ListBatches (ignored by CreateBatch):
	// Total items, Counts by item status (every status present) and the
	// usage of done items.
	Total  int
	Counts map[string]int
	Usage  BatchUsage

	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpandedAt is when expansion finished; FinishedAt when the batch
	// became done, canceled or failed.
	ExpandedAt *time.Time
	FinishedAt *time.Time
	// ExpandOwner is the process listing the sources of an expanding
	// batch ("" when none holds it), and ExpandLeaseExpiresAt when its
	// hold lapses unless renewed; see HoldExpansion. Ignored by
	// CreateBatch.
	ExpandOwner          string
	ExpandLeaseExpiresAt *time.Time
}

// ExpansionHeld reports whether a process other than owner holds the
// expansion of b at now.
func (b *Batch) ExpansionHeld(owner string, now time.Time) bool {
	return b.ExpandOwner != "" && b.ExpandOwner != owner && b.ExpandLeaseExpiresAt != nil && now.Before(*b.ExpandLeaseExpiresAt)
}

// ExpansionLeaseError is the error of HoldExpansion when another process
// holds the expansion of b: an ECONFLICT wrapping ErrLeased.
func ExpansionLeaseError(b *Batch) error {
	return recap.WrapError(recap.ECONFLICT, ErrLeased, "the sources of batch %s are being listed by %q until %s",
		b.ID, b.ExpandOwner, b.ExpandLeaseExpiresAt.UTC().Format(time.RFC3339))
}

// Finished reports whether nothing more will happen to the batch by
// itself: done, canceled or failed.
func (b *Batch) Finished() bool {
	return b.Status == BatchDone || b.Status == BatchCanceled || b.Status == BatchFailed
}

// BatchItem is one item of a batch, at its place in source order.
type BatchItem struct {
	BatchID  string
	Position int // 0-based, source order
	// ItemID is the item's stable id (source.Item.ID): a YouTube video id,
	// an episode id; unique in the batch.
	ItemID string
	// Kind and Ref say what the item's job fetches (storage.Job.SourceKind
	// and SourceRef): recap.SourceYouTube and a video id,
	// recap.SourcePodcast and an episode id, recap.SourceFile and the path
	// of an .info.json.
	Kind      string
	Ref       string
	Title     string
	Duration  time.Duration // 0 when unknown
	Published time.Time     // zero when unknown
	Status    string
	JobID     string // "" until its job is submitted
	ErrorCode string
	Error     string
	// EstimateUSD is what the item is expected to cost, for the budget;
	// nil when unknown.
	EstimateUSD *float64
	// Usage is its document's, once done.
	Usage     BatchUsage
	UpdatedAt time.Time

	// Episode is the podcast episode (feed.Episode as JSON) of a podcast
	// item, stored by AddBatchItems for GetEpisode; never read back here.
	Episode json.RawMessage
}

// BatchFilter selects batches for ListBatches.
type BatchFilter struct {
	Status string // "" for all
	Limit  int    // 1..100; 0 means 20
	Cursor string // the NextCursor of the previous page, "" for the first
}

// BatchPage is one page of batches, newest first.
type BatchPage struct {
	Batches    []*Batch
	NextCursor string
}

// BatchItemFilter selects the items of a batch for ListBatchItems.
type BatchItemFilter struct {
	BatchID string
	// Statuses keeps items in any of them; empty keeps all.
	Statuses []string
	Limit    int    // 1..100; 0 means 20
	Cursor   string // the NextCursor of the previous page, "" for the first
}

// BatchItemPage is one page of items in source order.
type BatchItemPage struct {
	Items      []*BatchItem
	NextCursor string
}

// ClaimOptions bound ClaimBatchItems.
type ClaimOptions struct {
	// Window is the most batch items in flight (queued or running) at
	// once, over every batch.
	Window int
	// StaleAfter: an item claimed this long ago whose job is still not
	// recorded (the dispatcher died between claim and submit) is claimed
	// again.
	StaleAfter time.Duration
}

// Subscription is a source polled for new items, which are summarized once
// each, as items of the subscription's batch.
type Subscription struct {
	ID       string
	URL      string
	Interval time.Duration
	// Backfill is how many existing items the first poll summarizes (the
	// newest); the rest are only marked seen.
	Backfill int
	// BatchID is the batch its items go to.
	BatchID string
	// Polls counts successful polls; 0 means the next one is the first.
	Polls      int
	NextPollAt time.Time
	LastPollAt *time.Time
	// LastErrorCode and LastError are the last poll's failure, "" after a
	// successful one.
	LastErrorCode string
	LastError     string
	// LeaseOwner and LeaseExpiresAt: the poller holding it, as a job's.
	LeaseOwner     string
	LeaseExpiresAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SubscriptionPoll is the outcome of one poll, for FinishSubscriptionPoll.
type SubscriptionPoll struct {
	// Seen are the ids of every item the source listed.
	Seen []string
	// Items are those to summarize; any already seen before this poll
	// are left out.
	Items []*BatchItem
	// Title, when set, becomes the batch's title.
	Title string
	// ErrorCode and Error, when set, record a failed poll: nothing else
	// is stored.
	ErrorCode string
	Error     string
}

// CheckNewBatch validates the batch given to CreateBatch.
func CheckNewBatch(b *Batch) error {
	switch {
	case b == nil:
		return recap.Errorf(recap.EINVALID, "no batch to create")
	case len(b.Sources) == 0:
		return recap.Errorf(recap.EINVALID, "batch has no source")
	case b.Status != "" && b.Status != BatchExpanding && b.Status != BatchRunning:
		return recap.Errorf(recap.EINVALID, "a new batch is %s or %s, not %q", BatchExpanding, BatchRunning, b.Status)
	case b.Options.Limit < 0:
		return recap.Errorf(recap.EINVALID, "batch limit %d: want 0 (all) or more", b.Options.Limit)
	case b.Options.MaxCostUSD != nil && *b.Options.MaxCostUSD < 0:
		return recap.Errorf(recap.EINVALID, "batch budget %v USD: want 0 or more", *b.Options.MaxCostUSD)
	}
	for _, s := range b.Sources {
		if s == "" {
			return recap.Errorf(recap.EINVALID, "batch has an empty source")
		}
	}
	return nil
}

// PrepareBatch readies b, which CheckNewBatch accepted, to be inserted: an
// id when it has none (a UUIDv7), expanding unless given running, no
// error, now as CreatedAt and UpdatedAt.
func PrepareBatch(b *Batch, now time.Time) error {
	if b.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		b.ID = id
	}
	if b.Status == "" {
		b.Status = BatchExpanding
	}
	b.ErrorCode, b.Error = "", ""
	b.CreatedAt, b.UpdatedAt = now, now
	b.ExpandedAt, b.FinishedAt = nil, nil
	b.ExpandOwner, b.ExpandLeaseExpiresAt = "", nil
	b.Total, b.Counts, b.Usage = 0, NewCounts(), BatchUsage{}
	return nil
}

// CheckBatchItems validates the items given to AddBatchItems.
func CheckBatchItems(items []*BatchItem) error {
	for i, it := range items {
		switch {
		case it == nil:
			return recap.Errorf(recap.EINVALID, "batch item %d is missing", i)
		case it.ItemID == "":
			return recap.Errorf(recap.EINVALID, "batch item %d has no id", i)
		case it.Status != ItemSkipped && (it.Kind == "" || it.Ref == ""):
			return recap.Errorf(recap.EINVALID, "batch item %s does not say what to fetch: kind %q, reference %q", it.ItemID, it.Kind, it.Ref)
		case it.Status != "" && it.Status != ItemPending && it.Status != ItemSkipped:
			return recap.Errorf(recap.EINVALID, "a new batch item is %s or %s, not %q", ItemPending, ItemSkipped, it.Status)
		case len(it.Episode) > 0 && !json.Valid(it.Episode):
			return recap.Errorf(recap.EINVALID, "batch item %s: its episode is not JSON", it.ItemID)
		}
	}
	return nil
}

// NewItemStatus is the status a new item is stored with: skipped when it
// says so, else pending.
func NewItemStatus(it *BatchItem) string {
	if it.Status == ItemSkipped {
		return ItemSkipped
	}
	return ItemPending
}

// CheckBatchFilter validates f for ListBatches and returns its page size
// and cursor (nil for the first page).
func CheckBatchFilter(f BatchFilter) (limit int, c *Cursor, err error) {
	switch f.Status {
	case "", BatchExpanding, BatchRunning, BatchPaused, BatchDone, BatchCanceled, BatchFailed:
	default:
		return 0, nil, recap.Errorf(recap.EINVALID, "unknown batch status %q: want expanding, running, paused, done, canceled or failed", f.Status)
	}
	return timePage(f.Limit, f.Cursor)
}

// NewBatchPage cuts batches, fetched with one row more than limit, to a
// page; see NewJobPage.
func NewBatchPage(batches []*Batch, limit int) BatchPage {
	if batches == nil {
		batches = []*Batch{}
	}
	if len(batches) <= limit {
		return BatchPage{Batches: batches}
	}
	batches = batches[:limit]
	last := batches[limit-1]
	return BatchPage{Batches: batches, NextCursor: encodeTimeCursor(last.CreatedAt, last.ID)}
}

// CheckBatchItemFilter validates f for ListBatchItems and returns its page
// size and the position the page starts after (-1 for the first page).
func CheckBatchItemFilter(f BatchItemFilter) (limit, after int, err error) {
	if f.BatchID == "" {
		return 0, 0, recap.Errorf(recap.EINVALID, "no batch id")
	}
	for _, s := range f.Statuses {
		if !validItemStatus(s) {
			return 0, 0, recap.Errorf(recap.EINVALID, "unknown item status %q: want queued, running, done, failed, skipped, paused or canceled", s)
		}
	}
	if limit, err = pageLimit(f.Limit); err != nil {
		return 0, 0, err
	}
	if f.Cursor == "" {
		return limit, -1, nil
	}
	raw, ok := decodeOpaque(f.Cursor)
	p, perr := strconv.Atoi(raw)
	if !ok || perr != nil || p < 0 {
		return 0, 0, recap.Errorf(recap.EINVALID, "invalid cursor %q: want the next_cursor of a previous page", f.Cursor)
	}
	return limit, p, nil
}

// NewBatchItemPage cuts items, fetched with one row more than limit, to a
// page.
func NewBatchItemPage(items []*BatchItem, limit int) BatchItemPage {
	if items == nil {
		items = []*BatchItem{}
	}
	if len(items) <= limit {
		return BatchItemPage{Items: items}
	}
	items = items[:limit]
	return BatchItemPage{Items: items, NextCursor: encodeOpaque(strconv.Itoa(items[limit-1].Position))}
}

func validItemStatus(s string) bool {
	for _, v := range ItemStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// NewCounts is a count of 0 for every item status.
func NewCounts() map[string]int {
	c := make(map[string]int, len(ItemStatuses))
	for _, s := range ItemStatuses {
		c[s] = 0
	}
	return c
}

// CheckSubscription validates the subscription given to
// CreateSubscription.
func CheckSubscription(s *Subscription) error {
	switch {
	case s == nil:
		return recap.Errorf(recap.EINVALID, "no subscription to create")
	case s.URL == "":
		return recap.Errorf(recap.EINVALID, "subscription has no url")
	case s.Interval <= 0:
		return recap.Errorf(recap.EINVALID, "subscription interval %s: want a positive duration", s.Interval)
	case s.Backfill < 0:
		return recap.Errorf(recap.EINVALID, "subscription backfill %d: want 0 or more", s.Backfill)
	}
	return nil
}

// PrepareSubscription readies s, which CheckSubscription accepted, to be
// inserted with its batch b (prepared with PrepareBatch): an id, the first
// poll due now, no polls, no lease.
func PrepareSubscription(s *Subscription, b *Batch, now time.Time) error {
	if s.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		s.ID = id
	}
	s.BatchID = b.ID
	s.Polls = 0
	s.NextPollAt = now
	s.LastPollAt, s.LastErrorCode, s.LastError = nil, "", ""
	s.LeaseOwner, s.LeaseExpiresAt = "", nil
	s.CreatedAt, s.UpdatedAt = now, now
	return nil
}

// SubscriptionNotFound is the recap.ENOTFOUND error of an unknown
// subscription.
func SubscriptionNotFound(id string) error {
	return recap.Errorf(recap.ENOTFOUND, "subscription %q not found", id)
}

// BatchNotFound is the recap.ENOTFOUND error of an unknown batch.
func BatchNotFound(id string) error { return recap.Errorf(recap.ENOTFOUND, "batch %q not found", id) }

// DocumentUsage is the usage a done item takes from its document.
func DocumentUsage(doc *recap.Document) BatchUsage {
	return BatchUsage{
		LLMCalls:         doc.Usage.LLMCalls,
		PromptTokens:     doc.Usage.PromptTokens,
		CompletionTokens: doc.Usage.CompletionTokens,
		CostUSD:          documentCost(doc),
	}
}

// documentCost is a document's cost in USD, nil when unknown; a document
// made without a call (the offline summarizer) cost nothing.
func documentCost(doc *recap.Document) *float64 {
	switch {
	case doc.Usage.CostUSD != nil:
		c := *doc.Usage.CostUSD
		return &c
	case doc.Usage.LLMCalls == 0 && doc.Usage.PromptTokens == 0 && doc.Usage.CompletionTokens == 0:
		zero := 0.0
		return &zero
	}
	return nil
}

// SumUsage adds up the usage of done items: n of them, known of which have
// a known cost summing to cost.
func SumUsage(calls, prompt, completion, n, known int, cost float64) BatchUsage {
	u := BatchUsage{LLMCalls: calls, PromptTokens: prompt, CompletionTokens: completion}
	if known == n {
		u.CostUSD = &cost
	}
	return u
}

// DispatchCandidate is a running batch as ClaimBatchItems sees it: its
// budget, what it spent and has in flight, and its first pending items.
type DispatchCandidate struct {
	BatchID    string
	MaxCostUSD *float64
	// SpentUSD is the cost of its done items; InFlightUSD the estimates
	// of its queued and running items, InFlight how many there are.
	SpentUSD    float64
	InFlightUSD float64
	InFlight    int
	// Pending are its first pending items in source order.
	Pending []*BatchItem
}

// DispatchPause is a batch the budget pauses.
type DispatchPause struct {
	BatchID string
	Reason  string
}

// PlanDispatch picks up to free pending items round-robin over cands (in
// the order given: least recently served first), so that batches progress
// side by side. A batch with a budget stops at the first item that would
// take spent + in flight + the item's estimate past it; when it has
// nothing in flight either, it is paused, with the reason.
func PlanDispatch(free int, cands []*DispatchCandidate) (claims []*BatchItem, pauses []DispatchPause) {
	next := make([]int, len(cands))
	stopped := make([]bool, len(cands))
	for free > 0 {
		progressed := false
		for i, c := range cands {
			if free == 0 {
				break
			}
			if stopped[i] || next[i] >= len(c.Pending) {
				continue
			}
			it := c.Pending[next[i]]
			est := 0.0
			if it.EstimateUSD != nil {
				est = *it.EstimateUSD
			}
			if c.MaxCostUSD != nil && c.SpentUSD+c.InFlightUSD+est > *c.MaxCostUSD+1e-9 {
				stopped[i] = true
				if c.InFlight == 0 {
					pauses = append(pauses, DispatchPause{BatchID: c.BatchID, Reason: fmt.Sprintf(
						"paused by the budget: spent $%.4f, and item %d (%s) is estimated at $%.4f, which would pass max_cost_usd $%.4f",
						c.SpentUSD, it.Position+1, it.ItemID, est, *c.MaxCostUSD)})
				}
				continue
			}
			c.InFlightUSD += est
			c.InFlight++
			next[i]++
			claims = append(claims, it)
			free--
			progressed = true
		}
		if !progressed {
			break
		}
	}
	return claims, pauses
}

// SubscriptionLeaseError is the error of a change to subscription sub by
// a poller (owner) that does not hold it: an ECONFLICT wrapping ErrLeased.
func SubscriptionLeaseError(sub *Subscription, owner string) error {
	holder := "no poller"
	if sub.LeaseOwner != "" {
		holder = fmt.Sprintf("poller %q", sub.LeaseOwner)
	}
	return recap.WrapError(recap.ECONFLICT, ErrLeased, "subscription %s is held by %s, not %q", sub.ID, holder, owner)
}
