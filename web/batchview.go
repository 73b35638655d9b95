package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

// BatchLink is the page of batch id.
func BatchLink(id string) string { return "/b/" + url.PathEscape(id) }

// itemsPerPage is how many items the batch page lists at once.
const itemsPerPage = 50

// Batch is the batch page, and as JSON what its script polls to follow
// the batch (progress.json).
type Batch struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Sources are what the batch was made of, as given.
	Sources []BatchSource `json:"-"`
	Status  string        `json:"status"`
	Stage   string        `json:"stage"` // a sentence: "Summarizing: 12 of 40 finished"
	// Reason is why the batch is paused or failed.
	Reason   string `json:"reason"`
	Total    int    `json:"total"`
	Finished int    `json:"finished"` // done, failed, skipped or canceled
	// Counts are the items by status (every status, as users see them),
	// each a link to the items of that status.
	Counts []StatusCount `json:"counts"`
	Usage  string        `json:"usage"` // LLM calls, tokens and cost of the done items
	// Live: the batch changes by itself (expanding, running); the page
	// follows it.
	Live      bool   `json:"live"`
	CanCancel bool   `json:"can_cancel"`
	CanRetry  bool   `json:"can_retry"`
	Created   string `json:"-"` // RFC 3339
	CreatedAt string `json:"-"` // for people
	// Items are one page of items, of Filter's status ("" for all).
	Items  []BatchItem `json:"items"`
	Filter string      `json:"-"`
	Next   string      `json:"-"` // the next page of items, "" on the last
	First  string      `json:"-"` // the first page, "" on it
	Link   string      `json:"link"`
	// Progress is the URL the script polls, for the same items.
	Progress string `json:"-"`
	// Requeued, after a retry, is how many items it put back (-1: none
	// was asked for).
	Requeued int `json:"-"`
	// Blank is an empty item, the page's template of an item row.
	Blank BatchItem `json:"-"`
}

// BatchSource is one source of a batch: its text, and a link when it is
// an http(s) URL.
type BatchSource struct{ Text, Link string }

// StatusCount is how many items have a status.
type StatusCount struct {
	Status  string `json:"status"`
	N       int    `json:"n"`
	Link    string `json:"-"` // the batch page showing those items
	Current bool   `json:"-"` // the page shows those items
}

// BatchItem is one item of the batch page.
type BatchItem struct {
	Position int    `json:"position"` // 1-based, in source order
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Reason   string `json:"reason"` // why it was skipped or failed
	// Link is its summary page: the summary once done, the job's
	// progress or failure until then; "" before it has a job.
	Link     string `json:"link"`
	Duration string `json:"duration"`
	Date     string `json:"date"`
}

// NewBatch makes the batch page of b, showing items (a page of them, of
// the status filter; next is the store's cursor of the page after it,
// cursor the page's own).
func NewBatch(b *storage.Batch, items []*storage.BatchItem, filter, cursor, next string) Batch {
	link := BatchLink(b.ID)
	v := Batch{
		ID: b.ID, Title: batchTitle(b), Status: b.Status, Total: b.Total,
		Live:    b.Status == storage.BatchExpanding || b.Status == storage.BatchRunning,
		Created: b.CreatedAt.UTC().Format(time.RFC3339), CreatedAt: b.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"),
		Filter: filter, Link: link, Requeued: -1, Items: []BatchItem{},
	}
	for _, s := range b.Sources {
		v.Sources = append(v.Sources, BatchSource{Text: s, Link: render.LinkTarget(s)})
	}
	counts := batch.ShownCounts(b.Counts)
	all := StatusCount{Status: "all", N: b.Total, Link: link, Current: filter == ""}
	v.Counts = append(v.Counts, all)
	for _, s := range batch.ShownStatuses {
		v.Counts = append(v.Counts, StatusCount{Status: s, N: counts[s], Link: itemsURL(link, s, ""), Current: filter == s})
	}
	v.Finished = counts[storage.ItemDone] + counts[storage.ItemFailed] + counts[storage.ItemSkipped] + counts[storage.ItemCanceled]
	v.Stage = batchStage(b, v.Finished)
	if b.Status == storage.BatchPaused || b.Status == storage.BatchFailed {
		v.Reason = b.Error
	}
	u := b.Usage
	v.Usage = fmt.Sprintf("%d LLM calls, %d prompt + %d completion tokens, %s", u.LLMCalls, u.PromptTokens, u.CompletionTokens, render.USD(u.CostUSD))
	v.CanCancel = !b.Finished()
	v.CanRetry = b.Status == storage.BatchFailed ||
		(b.Status != storage.BatchCanceled && b.Status != storage.BatchExpanding && counts[storage.ItemFailed]+counts[storage.ItemPaused] > 0)
	for _, it := range items {
		v.Items = append(v.Items, newBatchItem(it))
	}
	if next != "" {
		v.Next = itemsURL(link, filter, next)
	}
	if cursor != "" {
		v.First = itemsURL(link, filter, "")
	}
	v.Progress = itemsURL(link+"/progress.json", filter, cursor)
	return v
}

// itemsURL is the batch page (or its progress.json) at link showing the
// items of a status from a cursor.
func itemsURL(link, status, cursor string) string {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return link
	}
	return link + "?" + q.Encode()
}

func batchTitle(b *storage.Batch) string {
	if t := strings.TrimSpace(b.Title); t != "" {
		return t
	}
	if len(b.Sources) == 1 {
		return b.Sources[0]
	}
	return fmt.Sprintf("A batch of %d sources", len(b.Sources))
}

// batchStage says in a few words where a batch is, beside its status.
func batchStage(b *storage.Batch, finished int) string {
	switch b.Status {
	case storage.BatchExpanding:
		return "Listing the sources"
	case storage.BatchFailed:
		return "The sources could not be listed"
	}
	return fmt.Sprintf("%d of %s finished", finished, recap.Count(b.Total, "item"))
}

func newBatchItem(it *storage.BatchItem) BatchItem {
	v := BatchItem{
		Position: it.Position + 1, ID: it.ItemID, Title: titleOr(it.Title, it.ItemID), Status: batch.ShownStatus(it.Status),
		Reason: it.Error, Duration: duration(int64(it.Duration / time.Second)),
	}
	if !it.Published.IsZero() {
		v.Date = it.Published.UTC().Format(time.DateOnly)
	}
	if it.JobID != "" {
		v.Link = "/s/" + url.PathEscape(it.JobID)
	}
	return v
}

// BatchRow is one batch of the batches page.
type BatchRow struct {
	Link, Title, Status, Stage string
	Total, Finished            int
	Created, CreatedAt         string
}

// Batches is the batches page: newest first.
type Batches struct {
	Batches []BatchRow
	Next    string // the next page, "" on the last
	First   bool   // the first page
}

// NewBatches makes the batches page of one page of batches.
func NewBatches(p storage.BatchPage, first bool) Batches {
	v := Batches{First: first}
	for _, b := range p.Batches {
		bv := NewBatch(b, nil, "", "", "")
		v.Batches = append(v.Batches, BatchRow{Link: bv.Link, Title: bv.Title, Status: bv.Status, Stage: bv.Stage,
			Total: bv.Total, Finished: bv.Finished, Created: bv.Created, CreatedAt: bv.CreatedAt})
	}
	if p.NextCursor != "" {
		v.Next = "/b?" + url.Values{"cursor": {p.NextCursor}}.Encode()
	}
	return v
}

// Subscriptions is the subscriptions page: every subscription, and the
// form that adds one (with what was sent, and what was wrong with it).
type Subscriptions struct {
	Subscriptions []Subscription
	URL           string
	Interval      string
	Backfill      string
	Transcribe    bool
	Error         string
	// CanTranscribe offers "transcribe" (a speech-to-text service is
	// configured).
	CanTranscribe bool
}

// Subscription is one subscription of the subscriptions page.
type Subscription struct {
	ID       string
	URL      string
	Link     string // the URL when it is http(s)
	Interval string // "1h", "30m", "1d"
	Backfill int
	Polls    int
	LastPoll string // "" before the first
	NextPoll string
	Error    string // the last poll's failure
	Batch    string // the page of its batch
	Delete   string // where its delete form posts
}

// NewSubscriptions makes the subscriptions page.
func NewSubscriptions(subs []*storage.Subscription) Subscriptions {
	v := Subscriptions{Interval: Every(batch.DefaultInterval), Backfill: "0"}
	for _, s := range subs {
		sv := Subscription{
			ID: s.ID, URL: s.URL, Link: render.LinkTarget(s.URL), Interval: Every(s.Interval), Backfill: s.Backfill,
			Polls: s.Polls, NextPoll: s.NextPollAt.UTC().Format("2006-01-02 15:04 UTC"), Error: s.LastError,
			Batch: BatchLink(s.BatchID), Delete: "/subscriptions/" + url.PathEscape(s.ID) + "/delete",
		}
		if s.LastPollAt != nil {
			sv.LastPoll = s.LastPollAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		v.Subscriptions = append(v.Subscriptions, sv)
	}
	return v
}

// Every writes an interval as batch.ParseInterval reads it: "1d", "1h",
// "1h30m", "45m".
func Every(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
