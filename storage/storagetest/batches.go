package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// NewBatch returns a valid batch to create: one playlist source, English.
func NewBatch(resumeKey string) *storage.Batch {
	return &storage.Batch{
		Sources:   []string{"https://www.youtube.com/playlist?list=PLx"},
		Options:   storage.BatchOptions{Language: "en"},
		ResumeKey: resumeKey,
	}
}

// NewItems returns n pending YouTube items with ids prefix-0, prefix-1…
// (as video ids and references), each an hour long.
func NewItems(prefix string, n int) []*storage.BatchItem {
	items := make([]*storage.BatchItem, n)
	for i := range items {
		id := fmt.Sprintf("%s-%d", prefix, i)
		items[i] = &storage.BatchItem{ItemID: id, Kind: recap.SourceYouTube, Ref: id, Title: "Video " + id, Duration: time.Hour}
	}
	return items
}

// batch creates a batch with the items, expanded: running.
func (e *env) batch(t *testing.T, items []*storage.BatchItem) *storage.Batch {
	t.Helper()
	b, created, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	if !created {
		t.Fatal("CreateBatch without a resume key: created = false")
	}
	_, err = e.s.AddBatchItems(e.ctx, b.ID, items)
	must(t, err, "AddBatchItems")
	must(t, e.s.FinishExpansion(e.ctx, b.ID, "A playlist"), "FinishExpansion")
	return e.getBatch(t, b.ID)
}

func (e *env) getBatch(t *testing.T, id string) *storage.Batch {
	t.Helper()
	b, err := e.s.GetBatch(e.ctx, id)
	must(t, err, "GetBatch "+id)
	return b
}

func (e *env) items(t *testing.T, batchID string, statuses ...string) []*storage.BatchItem {
	t.Helper()
	var all []*storage.BatchItem
	f := storage.BatchItemFilter{BatchID: batchID, Statuses: statuses, Limit: 100}
	for {
		page, err := e.s.ListBatchItems(e.ctx, f)
		must(t, err, "ListBatchItems")
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		f.Cursor = page.NextCursor
	}
}

func (e *env) claim(t *testing.T, window int) []*storage.BatchItem {
	t.Helper()
	items, err := e.s.ClaimBatchItems(e.ctx, storage.ClaimOptions{Window: window, StaleAfter: time.Minute})
	must(t, err, "ClaimBatchItems")
	return items
}

// link submits a low-priority job for a claimed item and records it.
func (e *env) link(t *testing.T, it *storage.BatchItem) *storage.Job {
	t.Helper()
	j := NewJob(it.Ref, optsKey)
	j.Priority = storage.PriorityLow
	job, _, err := e.s.SubmitJob(e.ctx, j, false)
	must(t, err, "SubmitJob")
	must(t, e.s.LinkBatchItem(e.ctx, it.BatchID, it.Position, job.ID), "LinkBatchItem")
	return job
}

func itemKeys(items []*storage.BatchItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ItemID)
	}
	return out
}

func statuses(items []*storage.BatchItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Status)
	}
	return out
}

// counts is NewCounts with the given statuses set.
func counts(kv ...any) map[string]int {
	c := storage.NewCounts()
	for i := 0; i < len(kv); i += 2 {
		c[kv[i].(string)] = kv[i+1].(int)
	}
	return c
}

func testCreateBatch(t *testing.T, e *env) {
	_, _, err := e.s.CreateBatch(e.ctx, &storage.Batch{})
	wantCode(t, err, recap.EINVALID, "CreateBatch without sources")
	_, _, err = e.s.CreateBatch(e.ctx, &storage.Batch{Sources: []string{"x"}, Status: storage.BatchDone})
	wantCode(t, err, recap.EINVALID, "CreateBatch done")

	in := NewBatch("key-1")
	in.Sources = []string{"https://youtu.be/dQw4w9WgXcQ", "./list.txt"}
	in.Title = "two sources"
	in.Options = storage.BatchOptions{Language: "de", Force: true, Limit: 20,
		Since: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), MaxCostUSD: ptr(2.5), Transcribe: true}
	b, created, err := e.s.CreateBatch(e.ctx, in)
	must(t, err, "CreateBatch")
	if !created {
		t.Fatal("CreateBatch on an empty store: created = false")
	}
	if id, err := uuid.Parse(b.ID); err != nil || id.Version() != 7 {
		t.Errorf("batch id %q: want a UUIDv7", b.ID)
	}
	now := e.clock.Now()
	want := *in
	want.ID, want.Status, want.CreatedAt, want.UpdatedAt = b.ID, storage.BatchExpanding, now, now
	want.Counts = counts()
	want.Usage = storage.BatchUsage{CostUSD: ptr(0.0)}
	deepEqual(t, e.getBatch(t, b.ID), &want, "GetBatch after CreateBatch")

	// The same key continues the unfinished batch; an unknown id is not found.
	again, created, err := e.s.CreateBatch(e.ctx, NewBatch("key-1"))
	must(t, err, "CreateBatch again")
	if created || again.ID != b.ID {
		t.Errorf("CreateBatch with the key of an unfinished batch: created %v, id %s; want batch %s", created, again.ID, b.ID)
	}
	_, err = e.s.GetBatch(e.ctx, "no-such-batch")
	wantCode(t, err, recap.ENOTFOUND, "GetBatch of an unknown id")

	// Once it is finished (here canceled), the key makes a new batch.
	_, err = e.s.CancelBatch(e.ctx, b.ID)
	must(t, err, "CancelBatch")
	fresh, created, err := e.s.CreateBatch(e.ctx, NewBatch("key-1"))
	must(t, err, "CreateBatch after cancel")
	if !created || fresh.ID == b.ID {
		t.Errorf("CreateBatch with the key of a canceled batch: created %v, id %s; want a new batch", created, fresh.ID)
	}
}

func testBatchItems(t *testing.T, e *env) {
	b, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	episode := json.RawMessage(`{"id": "epabcdefghijkl", "title": "Crabs", "transcripts": [{"url": "https://x/t.srt", "type": "application/srt"}]}`)
	items := []*storage.BatchItem{
		{ItemID: "aaaaaaaaaaa", Kind: recap.SourceYouTube, Ref: "aaaaaaaaaaa", Title: "First", Duration: 90 * time.Second,
			Published: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), EstimateUSD: ptr(0.25)},
		{ItemID: "bbbbbbbbbbb", Status: storage.ItemSkipped, Title: "[Private video]", Error: "private video"},
		{ItemID: "epabcdefghijkl", Kind: recap.SourcePodcast, Ref: "epabcdefghijkl", Title: "Crabs", Episode: episode},
		{ItemID: "aaaaaaaaaaa", Kind: recap.SourceYouTube, Ref: "aaaaaaaaaaa", Title: "Twice in one call"},
	}
	n, err := e.s.AddBatchItems(e.ctx, b.ID, items)
	must(t, err, "AddBatchItems")
	if n != 3 {
		t.Errorf("AddBatchItems of 4 items, one twice: added %d; want 3", n)
	}
	// Adding again (an expansion run twice) adds only what is new, after
	// the last.
	e.clock.Advance(time.Second)
	more := NewItems("c", 1)
	n, err = e.s.AddBatchItems(e.ctx, b.ID, append(items[:1:1], more...))
	must(t, err, "AddBatchItems again")
	if n != 1 {
		t.Errorf("AddBatchItems of one old and one new item: added %d; want 1", n)
	}
	_, err = e.s.AddBatchItems(e.ctx, b.ID, []*storage.BatchItem{{ItemID: "x"}})
	wantCode(t, err, recap.EINVALID, "AddBatchItems of an item without kind and reference")
	_, err = e.s.AddBatchItems(e.ctx, "no-such-batch", NewItems("d", 1))
	wantCode(t, err, recap.ENOTFOUND, "AddBatchItems to an unknown batch")

	got := e.items(t, b.ID)
	now := e.clock.Now()
	first := now.Add(-time.Second)
	want := []*storage.BatchItem{
		{BatchID: b.ID, Position: 0, ItemID: "aaaaaaaaaaa", Kind: recap.SourceYouTube, Ref: "aaaaaaaaaaa", Title: "First",
			Duration: 90 * time.Second, Published: items[0].Published, Status: storage.ItemPending, EstimateUSD: ptr(0.25), UpdatedAt: first},
		{BatchID: b.ID, Position: 1, ItemID: "bbbbbbbbbbb", Title: "[Private video]", Status: storage.ItemSkipped,
			ErrorCode: recap.ESKIPPED, Error: "private video", UpdatedAt: first},
		{BatchID: b.ID, Position: 2, ItemID: "epabcdefghijkl", Kind: recap.SourcePodcast, Ref: "epabcdefghijkl", Title: "Crabs",
			Status: storage.ItemPending, UpdatedAt: first},
		{BatchID: b.ID, Position: 3, ItemID: "c-0", Kind: recap.SourceYouTube, Ref: "c-0", Title: "Video c-0",
			Duration: time.Hour, Status: storage.ItemPending, UpdatedAt: now},
	}
	deepEqual(t, got, want, "ListBatchItems")

	ep, err := e.s.GetEpisode(e.ctx, "epabcdefghijkl")
	must(t, err, "GetEpisode")
	var gotEp, wantEp any
	must(t, json.Unmarshal(ep, &gotEp), "stored episode JSON")
	must(t, json.Unmarshal(episode, &wantEp), "episode JSON")
	deepEqual(t, gotEp, wantEp, "GetEpisode")
	_, err = e.s.GetEpisode(e.ctx, "epnosuchepisod")
	wantCode(t, err, recap.ENOTFOUND, "GetEpisode of an unknown id")

	// Pages in source order, with a status filter.
	page, err := e.s.ListBatchItems(e.ctx, storage.BatchItemFilter{BatchID: b.ID, Limit: 2})
	must(t, err, "ListBatchItems page 1")
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("page 1: %d items, cursor %q; want 2 and a cursor", len(page.Items), page.NextCursor)
	}
	page, err = e.s.ListBatchItems(e.ctx, storage.BatchItemFilter{BatchID: b.ID, Limit: 2, Cursor: page.NextCursor})
	must(t, err, "ListBatchItems page 2")
	deepEqual(t, itemKeys(page.Items), []string{"epabcdefghijkl", "c-0"}, "page 2")
	if page.NextCursor != "" {
		t.Errorf("last page has cursor %q", page.NextCursor)
	}
	deepEqual(t, itemKeys(e.items(t, b.ID, storage.ItemSkipped)), []string{"bbbbbbbbbbb"}, "skipped items")
	for _, f := range []storage.BatchItemFilter{
		{BatchID: b.ID, Statuses: []string{"bogus"}},
		{BatchID: b.ID, Limit: 101},
		{BatchID: b.ID, Cursor: "%%%"},
		{},
	} {
		_, err := e.s.ListBatchItems(e.ctx, f)
		wantCode(t, err, recap.EINVALID, fmt.Sprintf("ListBatchItems(%+v)", f))
	}
	_, err = e.s.ListBatchItems(e.ctx, storage.BatchItemFilter{BatchID: "no-such-batch"})
	wantCode(t, err, recap.ENOTFOUND, "ListBatchItems of an unknown batch")

	got1 := e.getBatch(t, b.ID)
	if got1.Total != 4 || !mapsEqual(got1.Counts, counts(storage.ItemPending, 3, storage.ItemSkipped, 1)) {
		t.Errorf("batch total %d, counts %v; want 4: 3 pending, 1 skipped", got1.Total, got1.Counts)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testBatchExpansion(t *testing.T, e *env) {
	// Items to do: running, with the title found.
	b := e.batch(t, NewItems("a", 2))
	if b.Status != storage.BatchRunning || b.Title != "A playlist" || b.ExpandedAt == nil || b.FinishedAt != nil {
		t.Errorf("expanded batch: status %s, title %q, expanded %v, finished %v; want running, A playlist, now, nil",
			b.Status, b.Title, fmtTime(b.ExpandedAt), fmtTime(b.FinishedAt))
	}
	wantCode(t, e.s.FinishExpansion(e.ctx, b.ID, ""), recap.ECONFLICT, "FinishExpansion of a running batch")
	wantCode(t, e.s.FailBatch(e.ctx, b.ID, recap.EINVALID, "x"), recap.ECONFLICT, "FailBatch of a running batch")
	wantCode(t, e.s.FinishExpansion(e.ctx, "no-such-batch", ""), recap.ENOTFOUND, "FinishExpansion of an unknown batch")

	// Nothing to do (every item skipped): done at once.
	skipped := &storage.BatchItem{ItemID: "gone", Status: storage.ItemSkipped, Error: "deleted video"}
	b = e.batch(t, []*storage.BatchItem{skipped})
	if b.Status != storage.BatchDone || b.FinishedAt == nil {
		t.Errorf("batch of skipped items: %s, finished %v; want done", b.Status, fmtTime(b.FinishedAt))
	}

	// A failed expansion keeps its reason; it takes no items.
	f, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	must(t, e.s.FailBatch(e.ctx, f.ID, recap.EINVALID, "not a source recap knows"), "FailBatch")
	f = e.getBatch(t, f.ID)
	if f.Status != storage.BatchFailed || f.ErrorCode != recap.EINVALID || f.Error != "not a source recap knows" || f.FinishedAt == nil {
		t.Errorf("failed batch: %+v", f)
	}
	_, err = e.s.AddBatchItems(e.ctx, f.ID, NewItems("z", 1))
	wantCode(t, err, recap.ECONFLICT, "AddBatchItems to a failed batch")

	// A canceled batch is not expanded further.
	c, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	_, err = e.s.CancelBatch(e.ctx, c.ID)
	must(t, err, "CancelBatch")
	wantCode(t, e.s.FinishExpansion(e.ctx, c.ID, "t"), recap.ECONFLICT, "FinishExpansion of a canceled batch")
}

// testExpansionHold: one process at a time lists a batch's sources; the
// hold is renewed by its owner and taken over once it lapses.
func testExpansionHold(t *testing.T, e *env) {
	b, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	if b = e.getBatch(t, b.ID); b.ExpandOwner != "" || b.ExpandLeaseExpiresAt != nil {
		t.Errorf("new batch held by %q until %v; want no hold", b.ExpandOwner, fmtTime(b.ExpandLeaseExpiresAt))
	}
	cli := storage.Lease{Owner: "cli", TTL: time.Minute}
	must(t, e.s.HoldExpansion(e.ctx, b.ID, cli), "HoldExpansion of a batch nobody holds")
	b = e.getBatch(t, b.ID)
	if want := e.clock.Now().Add(time.Minute); b.ExpandOwner != "cli" || b.ExpandLeaseExpiresAt == nil || !b.ExpandLeaseExpiresAt.Equal(want) {
		t.Errorf("held batch: by %q until %v; want cli until %v", b.ExpandOwner, fmtTime(b.ExpandLeaseExpiresAt), want)
	}
	if !b.ExpansionHeld("server", e.clock.Now()) || b.ExpansionHeld("cli", e.clock.Now()) {
		t.Errorf("ExpansionHeld: for another owner %v, for its own %v; want true, false",
			b.ExpansionHeld("server", e.clock.Now()), b.ExpansionHeld("cli", e.clock.Now()))
	}
	server := storage.Lease{Owner: "server", TTL: time.Minute}
	err = e.s.HoldExpansion(e.ctx, b.ID, server)
	wantCode(t, err, recap.ECONFLICT, "HoldExpansion of a batch another holds")
	if !errors.Is(err, storage.ErrLeased) {
		t.Errorf("HoldExpansion of a held batch: %v; want it to wrap storage.ErrLeased", err)
	}
	e.clock.Advance(50 * time.Second)
	must(t, e.s.HoldExpansion(e.ctx, b.ID, cli), "HoldExpansion renewed by its owner")
	e.clock.Advance(50 * time.Second)
	wantCode(t, e.s.HoldExpansion(e.ctx, b.ID, server), recap.ECONFLICT, "HoldExpansion within the renewed hold")
	e.clock.Advance(11 * time.Second) // the renewed hold has lapsed
	if b = e.getBatch(t, b.ID); b.ExpansionHeld("server", e.clock.Now()) {
		t.Errorf("a lapsed hold still counts as held")
	}
	must(t, e.s.HoldExpansion(e.ctx, b.ID, server), "HoldExpansion of a lapsed hold")
	if b = e.getBatch(t, b.ID); b.ExpandOwner != "server" {
		t.Errorf("batch held by %q after the takeover; want server", b.ExpandOwner)
	}

	must(t, e.s.FinishExpansion(e.ctx, b.ID, ""), "FinishExpansion")
	wantCode(t, e.s.HoldExpansion(e.ctx, b.ID, server), recap.ECONFLICT, "HoldExpansion of a batch no longer expanding")
	wantCode(t, e.s.HoldExpansion(e.ctx, "no-such-batch", server), recap.ENOTFOUND, "HoldExpansion of an unknown batch")
	wantCode(t, e.s.HoldExpansion(e.ctx, b.ID, storage.Lease{}), recap.EINVALID, "HoldExpansion without an owner")
}

// testClaimRoundRobin: the window bounds the items in flight over every
// batch, and batches take turns.
func testClaimRoundRobin(t *testing.T, e *env) {
	a := e.batch(t, NewItems("a", 5))
	e.clock.Advance(time.Second)
	b := e.batch(t, NewItems("b", 5))
	// An expanding batch's items wait for its expansion to finish.
	x, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	_, err = e.s.AddBatchItems(e.ctx, x.ID, NewItems("x", 3))
	must(t, err, "AddBatchItems")

	got := e.claim(t, 4)
	deepEqual(t, itemKeys(got), []string{"a-0", "b-0", "a-1", "b-1"}, "first claim, window 4")
	for _, it := range got {
		if it.Status != storage.ItemQueued {
			t.Errorf("claimed item %s is %s; want queued", it.ItemID, it.Status)
		}
	}
	if more := e.claim(t, 4); len(more) != 0 {
		t.Errorf("claim with a full window: %v; want none", itemKeys(more))
	}
	wantCounts := counts(storage.ItemQueued, 2, storage.ItemPending, 3)
	for _, id := range []string{a.ID, b.ID} {
		if c := e.getBatch(t, id).Counts; !mapsEqual(c, wantCounts) {
			t.Errorf("batch counts %v; want %v", c, wantCounts)
		}
	}

	// One item finishes: one more starts, from the batch served longest ago.
	jobs := map[string]*storage.Job{}
	for _, it := range got {
		jobs[it.ItemID] = e.link(t, it)
	}
	e.finish(t, jobs["a-0"], nil)
	deepEqual(t, itemKeys(e.claim(t, 4)), []string{"a-2"}, "claim after a-0 finished")
	e.finish(t, jobs["b-0"], nil)
	deepEqual(t, itemKeys(e.claim(t, 4)), []string{"b-2"}, "claim after b-0 finished")
	e.finish(t, jobs["a-1"], nil)
	deepEqual(t, itemKeys(e.claim(t, 4)), []string{"a-3"}, "claim after a-1 finished")
	// A bigger window takes the rest in turns.
	deepEqual(t, itemKeys(e.claim(t, 7)), []string{"b-3", "a-4", "b-4"}, "claim with a larger window")
}

// testClaimStale: an item claimed but never linked (the dispatcher died)
// is handed out again once stale, without counting twice.
func testClaimStale(t *testing.T, e *env) {
	e.batch(t, NewItems("a", 3))
	first := e.claim(t, 1)
	deepEqual(t, itemKeys(first), []string{"a-0"}, "first claim")
	e.clock.Advance(30 * time.Second)
	if got := e.claim(t, 1); len(got) != 0 {
		t.Errorf("claim before the item is stale: %v", itemKeys(got))
	}
	e.clock.Advance(31 * time.Second)
	deepEqual(t, itemKeys(e.claim(t, 1)), []string{"a-0"}, "claim once the item is stale")
	e.link(t, first[0])
	e.clock.Advance(2 * time.Minute)
	if got := e.claim(t, 1); len(got) != 0 {
		t.Errorf("claim of a linked item: %v; want none (window full)", itemKeys(got))
	}
}

// testClaimConcurrent: callers racing never exceed the window together.
func testClaimConcurrent(t *testing.T, e *env) {
	e.batch(t, NewItems("a", 30))
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		all []string
	)
	for range 8 {
		wg.Go(func() {
			items, err := e.s.ClaimBatchItems(e.ctx, storage.ClaimOptions{Window: 5, StaleAfter: time.Minute})
			if err != nil {
				t.Errorf("ClaimBatchItems: %v", err)
				return
			}
			mu.Lock()
			all = append(all, itemKeys(items)...)
			mu.Unlock()
		})
	}
	wg.Wait()
	sort.Strings(all)
	deepEqual(t, all, []string{"a-0", "a-1", "a-2", "a-3", "a-4"}, "items claimed by 8 racing callers, window 5")
}

// testItemsFollowJobs: an item's status follows its job's, in the same
// transaction, also when batches share one job.
func testItemsFollowJobs(t *testing.T, e *env) {
	a := e.batch(t, NewItems("v", 2))
	b := e.batch(t, NewItems("v", 1)) // v-0 again: the same job
	claimed := e.claim(t, 10)
	if len(claimed) != 3 {
		t.Fatalf("claimed %v; want 3 items", itemKeys(claimed))
	}
	jobs := map[string]*storage.Job{}
	for _, it := range claimed {
		j := e.link(t, it)
		if prev, ok := jobs[it.ItemID]; ok && prev.ID != j.ID {
			t.Fatalf("item %s has two jobs", it.ItemID)
		}
		jobs[it.ItemID] = j
	}
	shared, other := jobs["v-0"], jobs["v-1"]
	for _, it := range append(e.items(t, a.ID), e.items(t, b.ID)...) {
		if it.Status != storage.ItemQueued || it.JobID != jobs[it.ItemID].ID {
			t.Errorf("linked item %s: %s, job %q; want queued with job %s", it.ItemID, it.Status, it.JobID, jobs[it.ItemID].ID)
		}
	}

	_, err := e.s.StartJob(e.ctx, shared.ID, Lease)
	must(t, err, "StartJob")
	deepEqual(t, statuses(e.items(t, a.ID)), []string{storage.ItemRunning, storage.ItemQueued}, "batch a after StartJob")
	deepEqual(t, statuses(e.items(t, b.ID)), []string{storage.ItemRunning}, "batch b after StartJob")
	must(t, e.s.RetryJob(e.ctx, shared.ID, Lease.Owner, recap.EBLOCKED, "429"), "RetryJob")
	deepEqual(t, statuses(e.items(t, b.ID)), []string{storage.ItemQueued}, "batch b after RetryJob")
	doc := e.finish(t, shared, nil)
	deepEqual(t, statuses(e.items(t, a.ID)), []string{storage.ItemDone, storage.ItemQueued}, "batch a after FinishJob")
	done := e.items(t, b.ID)[0]
	wantUsage := storage.DocumentUsage(doc)
	deepEqual(t, done.Usage, wantUsage, "usage of the done item")
	bb := e.getBatch(t, b.ID)
	if bb.Status != storage.BatchDone || bb.FinishedAt == nil {
		t.Errorf("batch b with its only item done: %s; want done", bb.Status)
	}
	deepEqual(t, bb.Usage, wantUsage, "usage of batch b")

	_, err = e.s.StartJob(e.ctx, other.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.FailJob(e.ctx, other.ID, Lease.Owner, recap.ENOCAPTIONS, "no captions"), "FailJob")
	failed := e.items(t, a.ID)[1]
	if failed.Status != storage.ItemFailed || failed.ErrorCode != recap.ENOCAPTIONS || failed.Error != "no captions" {
		t.Errorf("item of the failed job: %+v", failed)
	}
	ab := e.getBatch(t, a.ID)
	if ab.Status != storage.BatchDone || !mapsEqual(ab.Counts, counts(storage.ItemDone, 1, storage.ItemFailed, 1)) {
		t.Errorf("batch a: %s, counts %v; want done with 1 done, 1 failed", ab.Status, ab.Counts)
	}
	deepEqual(t, ab.Usage, wantUsage, "usage of batch a (only done items count)")
}

// testLinkDoneJob: an item whose work is already done becomes done when
// linked, with the document's usage, and its batch settles.
func testLinkDoneJob(t *testing.T, e *env) {
	earlier := e.submit(t, "v-0", optsKey, false)
	doc := e.finish(t, earlier, nil)
	b := e.batch(t, NewItems("v", 1))
	it := e.claim(t, 2)[0]
	j := e.link(t, it)
	if j.ID != earlier.ID {
		t.Fatalf("SubmitJob of done work returned job %s; want %s", j.ID, earlier.ID)
	}
	got := e.items(t, b.ID)[0]
	if got.Status != storage.ItemDone || got.JobID != earlier.ID {
		t.Errorf("item linked to a done job: %s, job %s", got.Status, got.JobID)
	}
	deepEqual(t, got.Usage, storage.DocumentUsage(doc), "usage of the item")
	if s := e.getBatch(t, b.ID).Status; s != storage.BatchDone {
		t.Errorf("batch: %s; want done", s)
	}

	// A submission that failed fails the item.
	c := e.batch(t, NewItems("w", 1))
	it = e.claim(t, 2)[0]
	must(t, e.s.FailBatchItem(e.ctx, c.ID, it.Position, recap.EINVALID, "bad reference"), "FailBatchItem")
	got = e.items(t, c.ID)[0]
	if got.Status != storage.ItemFailed || got.Error != "bad reference" || e.getBatch(t, c.ID).Status != storage.BatchDone {
		t.Errorf("failed item %+v, batch %s", got, e.getBatch(t, c.ID).Status)
	}
}

// testBudget: a batch whose next item would pass its budget stops starting
// items; with nothing in flight it is paused, and says why.
func testBudget(t *testing.T, e *env) {
	items := NewItems("a", 4)
	for _, it := range items {
		it.EstimateUSD = ptr(0.4)
	}
	b, _, err := e.s.CreateBatch(e.ctx, &storage.Batch{Sources: []string{"s"}, Options: storage.BatchOptions{MaxCostUSD: ptr(1.0)}})
	must(t, err, "CreateBatch")
	_, err = e.s.AddBatchItems(e.ctx, b.ID, items)
	must(t, err, "AddBatchItems")
	must(t, e.s.FinishExpansion(e.ctx, b.ID, ""), "FinishExpansion")
	e.batch(t, NewItems("f", 3)) // no budget: not held back

	got := e.claim(t, 10)
	deepEqual(t, itemKeys(got), []string{"a-0", "f-0", "a-1", "f-1", "f-2"}, "claim under a $1 budget, $0.40 an item")
	if s := e.getBatch(t, b.ID).Status; s != storage.BatchRunning {
		t.Errorf("batch with items in flight: %s; want running", s)
	}
	// Its items fail (nothing spent): the next ones fit again.
	for _, it := range got {
		if it.BatchID != b.ID {
			continue
		}
		must(t, e.s.FailBatchItem(e.ctx, b.ID, it.Position, recap.EINVALID, "x"), "FailBatchItem")
	}
	deepEqual(t, itemKeys(e.claim(t, 10)), []string{"a-2", "a-3"}, "claim once nothing is in flight")

	// An item that alone passes the budget pauses the batch.
	big := NewItems("big", 2)
	big[0].EstimateUSD = ptr(1.5)
	p, _, err := e.s.CreateBatch(e.ctx, &storage.Batch{Sources: []string{"s"}, Options: storage.BatchOptions{MaxCostUSD: ptr(1.0)}})
	must(t, err, "CreateBatch")
	_, err = e.s.AddBatchItems(e.ctx, p.ID, big)
	must(t, err, "AddBatchItems")
	must(t, e.s.FinishExpansion(e.ctx, p.ID, ""), "FinishExpansion")
	if got := e.claim(t, 20); len(got) != 0 {
		t.Errorf("claim over budget: %v; want none", itemKeys(got))
	}
	pb := e.getBatch(t, p.ID)
	if pb.Status != storage.BatchPaused || pb.ErrorCode != recap.EOVERBUDGET || pb.Error == "" ||
		!mapsEqual(pb.Counts, counts(storage.ItemPaused, 2)) {
		t.Errorf("batch over budget: %s (%s: %q), counts %v; want paused, both items paused", pb.Status, pb.ErrorCode, pb.Error, pb.Counts)
	}
	t.Logf("pause reason: %s", pb.Error)
	// Retry puts the paused items back; the budget pauses them again.
	n, err := e.s.RetryBatch(e.ctx, p.ID)
	must(t, err, "RetryBatch")
	if n != 2 || e.getBatch(t, p.ID).Status != storage.BatchRunning {
		t.Errorf("RetryBatch of a paused batch: %d items, %s; want 2, running", n, e.getBatch(t, p.ID).Status)
	}
	e.claim(t, 20)
	if s := e.getBatch(t, p.ID).Status; s != storage.BatchPaused {
		t.Errorf("batch after retry and claim: %s; want paused again", s)
	}
}

// testCancelBatch: cancel drops what has not started; running items and
// jobs other batches need go on.
func testCancelBatch(t *testing.T, e *env) {
	a := e.batch(t, NewItems("v", 5))
	other := e.batch(t, []*storage.BatchItem{NewItems("v", 2)[1]}) // v-1 again
	claimed := e.claim(t, 4)                                       // v-0, v-1 (other), v-1, v-2
	jobs := map[string]*storage.Job{}
	for _, it := range claimed {
		jobs[it.ItemID] = e.link(t, it)
	}
	_, err := e.s.StartJob(e.ctx, jobs["v-0"].ID, Lease)
	must(t, err, "StartJob")

	canceled, err := e.s.CancelBatch(e.ctx, a.ID)
	must(t, err, "CancelBatch")
	if len(canceled) != 1 || canceled[0].ID != jobs["v-2"].ID || canceled[0].Status != storage.StatusFailed ||
		canceled[0].ErrorCode != recap.ECANCELED {
		t.Fatalf("canceled jobs %v; want only v-2's job, failed with code canceled", show(canceled))
	}
	if j := e.get(t, jobs["v-1"].ID); j.Status != storage.StatusQueued {
		t.Errorf("the job another batch needs: %s; want queued", j.Status)
	}
	deepEqual(t, statuses(e.items(t, a.ID)), []string{storage.ItemRunning, storage.ItemQueued, storage.ItemCanceled,
		storage.ItemCanceled, storage.ItemCanceled}, "items after cancel")
	ab := e.getBatch(t, a.ID)
	if ab.Status != storage.BatchCanceled || ab.FinishedAt == nil {
		t.Errorf("canceled batch: %s", ab.Status)
	}
	if s := e.items(t, other.ID)[0].Status; s != storage.ItemQueued {
		t.Errorf("the other batch's item: %s; want queued", s)
	}
	// Nothing of a canceled batch is claimed; cancel again does nothing;
	// its running item finishes and the batch stays canceled.
	if got := e.claim(t, 20); len(got) != 0 {
		t.Errorf("claim after cancel: %v", itemKeys(got))
	}
	again, err := e.s.CancelBatch(e.ctx, a.ID)
	must(t, err, "CancelBatch again")
	if len(again) != 0 {
		t.Errorf("CancelBatch again canceled %d jobs", len(again))
	}
	must(t, e.s.FinishJob(e.ctx, jobs["v-0"].ID, Lease.Owner, newDocument(jobs["v-0"].ID, "v-0", e.clock.Now())), "FinishJob")
	if s := e.getBatch(t, a.ID).Status; s != storage.BatchCanceled {
		t.Errorf("canceled batch after its running item finished: %s", s)
	}
	if s := e.items(t, a.ID)[0].Status; s != storage.ItemDone {
		t.Errorf("running item of a canceled batch: %s; want done", s)
	}
	_, err = e.s.RetryBatch(e.ctx, a.ID)
	wantCode(t, err, recap.ECONFLICT, "RetryBatch of a canceled batch")
	_, err = e.s.CancelBatch(e.ctx, "no-such-batch")
	wantCode(t, err, recap.ENOTFOUND, "CancelBatch of an unknown batch")
}

func testRetryBatch(t *testing.T, e *env) {
	b := e.batch(t, NewItems("v", 2))
	for _, it := range e.claim(t, 5) {
		must(t, e.s.FailBatchItem(e.ctx, b.ID, it.Position, recap.EFETCH, "gave up"), "FailBatchItem")
	}
	if s := e.getBatch(t, b.ID).Status; s != storage.BatchDone {
		t.Fatalf("batch with every item failed: %s; want done", s)
	}
	n, err := e.s.RetryBatch(e.ctx, b.ID)
	must(t, err, "RetryBatch")
	rb := e.getBatch(t, b.ID)
	if n != 2 || rb.Status != storage.BatchRunning || rb.FinishedAt != nil || !mapsEqual(rb.Counts, counts(storage.ItemPending, 2)) {
		t.Errorf("RetryBatch: %d, batch %s, counts %v; want 2 requeued, running, both pending", n, rb.Status, rb.Counts)
	}
	for _, it := range e.items(t, b.ID) {
		if it.JobID != "" || it.Error != "" {
			t.Errorf("retried item keeps job %q, error %q", it.JobID, it.Error)
		}
	}
	if got := e.claim(t, 5); len(got) != 2 {
		t.Errorf("claim after retry: %v; want both items", itemKeys(got))
	}

	// A failed expansion is retried by expanding again.
	f, _, err := e.s.CreateBatch(e.ctx, NewBatch(""))
	must(t, err, "CreateBatch")
	must(t, e.s.FailBatch(e.ctx, f.ID, recap.EFETCH, "feed timed out"), "FailBatch")
	_, err = e.s.RetryBatch(e.ctx, f.ID)
	must(t, err, "RetryBatch of a failed batch")
	if fb := e.getBatch(t, f.ID); fb.Status != storage.BatchExpanding || fb.Error != "" {
		t.Errorf("failed batch after retry: %s (%q); want expanding", fb.Status, fb.Error)
	}
	_, err = e.s.RetryBatch(e.ctx, f.ID)
	wantCode(t, err, recap.ECONFLICT, "RetryBatch of an expanding batch")
}

func testListBatches(t *testing.T, e *env) {
	page, err := e.s.ListBatches(e.ctx, storage.BatchFilter{})
	must(t, err, "ListBatches")
	if page.Batches == nil || len(page.Batches) != 0 {
		t.Errorf("ListBatches on an empty store: %v; want an empty, non-nil page", page.Batches)
	}
	var ids []string
	for i := range 5 {
		b := e.batch(t, NewItems(fmt.Sprintf("b%d", i), i))
		ids = append([]string{b.ID}, ids...)
		e.clock.Advance(time.Second)
	}
	var got []string
	f := storage.BatchFilter{Limit: 2}
	for {
		page, err := e.s.ListBatches(e.ctx, f)
		must(t, err, "ListBatches")
		for _, b := range page.Batches {
			got = append(got, b.ID)
			if want := e.getBatch(t, b.ID); !mapsEqual(b.Counts, want.Counts) || b.Total != want.Total {
				t.Errorf("listed batch %s: total %d, counts %v; GetBatch says %d, %v", b.ID, b.Total, b.Counts, want.Total, want.Counts)
			}
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	deepEqual(t, got, ids, "batches, newest first, over pages")
	page, err = e.s.ListBatches(e.ctx, storage.BatchFilter{Status: storage.BatchDone})
	must(t, err, "ListBatches done")
	if len(page.Batches) != 1 || page.Batches[0].ID != ids[4] {
		t.Errorf("done batches: %d; want the empty one", len(page.Batches))
	}
	_, err = e.s.ListBatches(e.ctx, storage.BatchFilter{Status: "bogus"})
	wantCode(t, err, recap.EINVALID, "ListBatches with an unknown status")
}

func newSubscription(url string) (*storage.Subscription, *storage.Batch) {
	return &storage.Subscription{URL: url, Interval: time.Hour, Backfill: 2},
		&storage.Batch{Sources: []string{url}, Options: storage.BatchOptions{Language: "en"}}
}

func testSubscriptions(t *testing.T, e *env) {
	_, _, err := e.s.CreateSubscription(e.ctx, &storage.Subscription{URL: "x"}, NewBatch(""))
	wantCode(t, err, recap.EINVALID, "CreateSubscription without an interval")

	sub, b := newSubscription("https://www.youtube.com/@crabs")
	got, created, err := e.s.CreateSubscription(e.ctx, sub, b)
	must(t, err, "CreateSubscription")
	now := e.clock.Now()
	if !created || got.BatchID == "" || got.NextPollAt != now || got.Polls != 0 {
		t.Fatalf("CreateSubscription: created %v, %+v", created, got)
	}
	deepEqual(t, e.mustSub(t, got.ID), got, "GetSubscription")
	if sb := e.getBatch(t, got.BatchID); sb.Status != storage.BatchRunning || sb.ResumeKey != "" {
		t.Errorf("subscription batch: %s; want running", sb.Status)
	}
	again, created, err := e.s.CreateSubscription(e.ctx, &storage.Subscription{URL: sub.URL, Interval: time.Minute}, NewBatch(""))
	must(t, err, "CreateSubscription again")
	if created || again.ID != got.ID {
		t.Errorf("a second subscription to one URL: created %v, id %s; want %s", created, again.ID, got.ID)
	}
	e.clock.Advance(time.Second)
	later, lb := newSubscription("https://feeds.example/crabs.xml")
	lb.Options.Transcribe = true
	later, _, err = e.s.CreateSubscription(e.ctx, later, lb)
	must(t, err, "CreateSubscription")
	if !e.getBatch(t, later.BatchID).Options.Transcribe || e.getBatch(t, got.BatchID).Options.Transcribe {
		t.Error("a subscription's batch does not keep its own transcribe option")
	}
	list, err := e.s.ListSubscriptions(e.ctx)
	must(t, err, "ListSubscriptions")
	if len(list) != 2 || list[0].ID != later.ID || list[1].ID != got.ID {
		t.Errorf("ListSubscriptions: %d; want 2, newest first", len(list))
	}

	// Poller A leases both; B gets none.
	a := storage.Lease{Owner: "poller-a", TTL: time.Minute}
	bl := storage.Lease{Owner: "poller-b", TTL: time.Minute}
	claimed, err := e.s.ClaimSubscriptions(e.ctx, a, 10)
	must(t, err, "ClaimSubscriptions")
	if len(claimed) != 2 {
		t.Fatalf("A claimed %d subscriptions; want 2", len(claimed))
	}
	if other, err := e.s.ClaimSubscriptions(e.ctx, bl, 10); err != nil || len(other) != 0 {
		t.Fatalf("B claimed %d (%v); want none while A holds them", len(other), err)
	}

	// B cannot record a poll; A records the first poll: two items to do,
	// five seen.
	poll := storage.SubscriptionPoll{Seen: []string{"v-0", "v-1", "v-2", "v-3", "v-4"}, Items: NewItems("v", 2), Title: "Crabs"}
	_, err = e.s.FinishSubscriptionPoll(e.ctx, got.ID, bl.Owner, poll)
	wantCode(t, err, recap.ECONFLICT, "FinishSubscriptionPoll by a poller without the lease")
	n, err := e.s.FinishSubscriptionPoll(e.ctx, got.ID, a.Owner, poll)
	must(t, err, "FinishSubscriptionPoll")
	polled := e.mustSub(t, got.ID)
	if n != 2 || polled.Polls != 1 || polled.LeaseOwner != "" || polled.NextPollAt != e.clock.Now().Add(time.Hour) ||
		polled.LastPollAt == nil || polled.LastError != "" {
		t.Errorf("after the first poll: added %d, %+v", n, polled)
	}
	_, err = e.s.FinishSubscriptionPoll(e.ctx, later.ID, a.Owner, storage.SubscriptionPoll{})
	must(t, err, "FinishSubscriptionPoll of an empty source")
	if s := e.getBatch(t, later.BatchID).Status; s != storage.BatchDone {
		t.Errorf("batch of a subscription whose poll found nothing: %s; want done (nothing to do)", s)
	}
	must(t, e.s.DeleteSubscription(e.ctx, later.ID), "DeleteSubscription")
	sb := e.getBatch(t, got.BatchID)
	if sb.Title != "Crabs" || sb.Total != 2 {
		t.Errorf("subscription batch after the poll: title %q, total %d", sb.Title, sb.Total)
	}

	// Not due again until its interval has passed; then a poll adds only
	// what is new.
	if c, _ := e.s.ClaimSubscriptions(e.ctx, bl, 10); len(c) != 0 {
		t.Errorf("claimed %d before the next poll is due", len(c))
	}
	e.clock.Advance(time.Hour)
	claimed, err = e.s.ClaimSubscriptions(e.ctx, bl, 1)
	must(t, err, "ClaimSubscriptions")
	if len(claimed) != 1 || claimed[0].ID != got.ID {
		t.Fatalf("B claimed %d after an hour; want the due one", len(claimed))
	}
	n, err = e.s.FinishSubscriptionPoll(e.ctx, got.ID, bl.Owner, storage.SubscriptionPoll{
		Seen: []string{"v-0", "v-5"}, Items: NewItems("v", 6)})
	must(t, err, "FinishSubscriptionPoll")
	if n != 1 {
		t.Errorf("second poll added %d; want 1 (v-5; v-0…v-4 were seen)", n)
	}
	deepEqual(t, itemKeys(e.items(t, got.BatchID)), []string{"v-0", "v-1", "v-5"}, "subscription batch items")

	// A failed poll keeps its error and counts no poll.
	e.clock.Advance(time.Hour)
	claimed, err = e.s.ClaimSubscriptions(e.ctx, a, 1)
	must(t, err, "ClaimSubscriptions")
	_, err = e.s.FinishSubscriptionPoll(e.ctx, got.ID, a.Owner, storage.SubscriptionPoll{ErrorCode: recap.EFETCH, Error: "timed out"})
	must(t, err, "FinishSubscriptionPoll (failed)")
	if f := e.mustSub(t, got.ID); f.Polls != 2 || f.LastError != "timed out" || f.LastErrorCode != recap.EFETCH {
		t.Errorf("after a failed poll: %+v", f)
	}

	// A lapsed lease is taken over, and the old holder can record nothing.
	e.clock.Advance(time.Hour)
	_, err = e.s.ClaimSubscriptions(e.ctx, a, 1)
	must(t, err, "ClaimSubscriptions")
	e.clock.Advance(2 * time.Minute)
	claimed, err = e.s.ClaimSubscriptions(e.ctx, bl, 1)
	must(t, err, "ClaimSubscriptions")
	if len(claimed) != 1 {
		t.Fatalf("B claimed %d after A's lease lapsed; want 1", len(claimed))
	}
	_, err = e.s.FinishSubscriptionPoll(e.ctx, claimed[0].ID, a.Owner, storage.SubscriptionPoll{})
	wantCode(t, err, recap.ECONFLICT, "FinishSubscriptionPoll after losing the lease")

	must(t, e.s.DeleteSubscription(e.ctx, got.ID), "DeleteSubscription")
	_, err = e.s.GetSubscription(e.ctx, got.ID)
	wantCode(t, err, recap.ENOTFOUND, "GetSubscription after delete")
	wantCode(t, e.s.DeleteSubscription(e.ctx, got.ID), recap.ENOTFOUND, "DeleteSubscription twice")
	e.getBatch(t, got.BatchID) // the batch stays
}

func (e *env) mustSub(t *testing.T, id string) *storage.Subscription {
	t.Helper()
	s, err := e.s.GetSubscription(e.ctx, id)
	must(t, err, "GetSubscription")
	return s
}

// testSubscriptionClaimsConcurrent: pollers racing never share a
// subscription.
func testSubscriptionClaimsConcurrent(t *testing.T, e *env) {
	for i := range 6 {
		s, b := newSubscription(fmt.Sprintf("https://feeds.example/%d.xml", i))
		_, _, err := e.s.CreateSubscription(e.ctx, s, b)
		must(t, err, "CreateSubscription")
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]string{}
	)
	for p := range 4 {
		wg.Go(func() {
			owner := fmt.Sprintf("poller-%d", p)
			for range 3 {
				subs, err := e.s.ClaimSubscriptions(e.ctx, storage.Lease{Owner: owner, TTL: time.Minute}, 2)
				if err != nil {
					t.Errorf("ClaimSubscriptions: %v", err)
					return
				}
				mu.Lock()
				for _, s := range subs {
					if prev, ok := got[s.ID]; ok {
						t.Errorf("subscription %s claimed by %s and %s", s.ID, prev, owner)
					}
					got[s.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(got) != 6 {
		t.Errorf("%d of 6 subscriptions claimed", len(got))
	}
}

// testSettleConcurrent: a batch whose last items finish at once is done.
func testSettleConcurrent(t *testing.T, e *env) {
	b := e.batch(t, NewItems("v", 6))
	var jobs []*storage.Job
	for _, it := range e.claim(t, 10) {
		j := e.link(t, it)
		_, err := e.s.StartJob(e.ctx, j.ID, Lease)
		must(t, err, "StartJob")
		jobs = append(jobs, j)
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			if err := e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, e.clock.Now())); err != nil {
				t.Errorf("FinishJob: %v", err)
			}
		})
	}
	wg.Wait()
	if got := e.getBatch(t, b.ID); got.Status != storage.BatchDone || got.Counts[storage.ItemDone] != 6 {
		t.Errorf("batch whose 6 items finished at once: %s, counts %v; want done", got.Status, got.Counts)
	}
}
