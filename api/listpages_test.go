package api

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// stampCounter counts the pages of stamps and the jobs a handler reads;
// countingCounter counts job changes (storage.JobListCounter) too.
type stampCounter struct {
	storage.Store
	mu             sync.Mutex
	stamps, getJob int
}

// add adds one to a count.
func (c *stampCounter) add(n *int) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

// take returns a count and sets it to 0.
func (c *stampCounter) take(n *int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := *n
	*n = 0
	return v
}

func (c *stampCounter) GetJob(ctx context.Context, id string) (*storage.Job, error) {
	c.add(&c.getJob)
	return c.Store.GetJob(ctx, id)
}

func (c *stampCounter) ListJobStamps(ctx context.Context, f storage.JobFilter) (storage.JobStampPage, error) {
	c.add(&c.stamps)
	return c.Store.ListJobStamps(ctx, f)
}

func (c *stampCounter) reads() int    { return c.take(&c.stamps) }
func (c *stampCounter) jobReads() int { return c.take(&c.getJob) }

// countingCounter is a stampCounter whose store counts job changes.
type countingCounter struct{ *stampCounter }

func (c countingCounter) JobListChanges(ctx context.Context) (int64, int64, error) {
	return c.Store.(storage.JobListCounter).JobListChanges(ctx)
}

// A whole list page is kept and answered again, with no page of stamps
// read, while no job and no title has changed; every change of either
// shows on the next request, each filter keeps its own page, and a store
// that does not count its changes has every page read anew.
func TestListPageKeptUntilAChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	sc := &stampCounter{Store: b.store}
	b.server.Store = countingCounter{sc}
	b.handler = NewHandler(b.server)
	var ids []string
	for i := range 3 {
		vid := fmt.Sprintf("vid%08d", i)
		if err := b.store.PutVideo(ctx, recap.Video{ID: vid, Title: "Title " + vid}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "`+vid+`"}`)).ID)
	}
	b.finish(t, ids[0])
	if _, err := b.store.StartJob(ctx, ids[1], storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	list := func(path string, stampReads int) listView {
		t.Helper()
		sc.reads()
		w := b.do(t, "GET", path, "")
		if w.Code != 200 {
			t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
		}
		if n := sc.reads(); n != stampReads {
			t.Errorf("GET %s read %d pages of stamps; want %d", path, n, stampReads)
		}
		return decode[listView](t, w)
	}
	view := func(page listView, id string) *jobView {
		t.Helper()
		for _, v := range page.Summaries {
			if v.ID == id {
				return v
			}
		}
		t.Fatalf("job %s not listed in %d jobs", id, len(page.Summaries))
		return nil
	}
	list("/v1/summaries?limit=50", 1)
	if got := view(list("/v1/summaries?limit=50", 0), ids[1]); got.Progress.Done != 0 {
		t.Errorf("kept page: job progress %d; want 0", got.Progress.Done)
	}

	if err := b.store.SetJobProgress(ctx, ids[1], storagetest.Lease.Owner, 2, 5); err != nil {
		t.Fatal(err)
	}
	if got := view(list("/v1/summaries?limit=50", 1), ids[1]); got.Progress.Done != 2 {
		t.Errorf("after progress: job progress %d; want 2", got.Progress.Done)
	}
	list("/v1/summaries?limit=50", 0)

	if err := b.store.PutVideo(ctx, recap.Video{ID: "vid00000000", Title: "Renamed"}); err != nil {
		t.Fatal(err)
	}
	if got := view(list("/v1/summaries?limit=50", 1), ids[0]); got.Title != "Renamed" {
		t.Errorf("after a rename: title %q; want Renamed", got.Title)
	}

	if err := b.store.FailJob(ctx, ids[2], "", recap.EUNAVAILABLE, "video unavailable"); err != nil {
		t.Fatal(err)
	}
	if got := view(list("/v1/summaries?limit=50", 1), ids[2]); got.Status != storage.StatusFailed {
		t.Errorf("after a failure: status %s; want failed", got.Status)
	}

	added := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "vid00000009"}`)).ID
	if got := list("/v1/summaries?limit=50", 1); len(got.Summaries) != 4 || got.Summaries[0].ID != added {
		t.Errorf("after a submit: %d jobs, newest first; want 4, %s first", len(got.Summaries), added)
	}

	// Each filter has its own page.
	if got := list("/v1/summaries?limit=1", 1); len(got.Summaries) != 1 || got.NextCursor == "" {
		t.Errorf("limit=1: %d jobs, cursor %q; want 1 and a cursor", len(got.Summaries), got.NextCursor)
	}
	if got := list("/v1/summaries?status=done", 1); len(got.Summaries) != 1 || got.Summaries[0].ID != ids[0] {
		t.Errorf("status=done: %d jobs; want only %s", len(got.Summaries), ids[0])
	}
	list("/v1/summaries?limit=1", 0)
	list("/v1/summaries?status=done", 0)
	list("/v1/summaries?limit=50", 0)

	// A store that does not count its changes keeps no page.
	b.server.Store = sc
	b.handler = NewHandler(b.server)
	list("/v1/summaries?limit=50", 1)
	list("/v1/summaries?limit=50", 1)
}

// gatedCounter holds the first page of stamps read until released, and
// counts the reads of the change counts.
type gatedCounter struct {
	countingCounter
	countReads chan struct{}
	release    chan struct{}
	once       sync.Once
}

func (g *gatedCounter) JobListChanges(ctx context.Context) (int64, int64, error) {
	g.countReads <- struct{}{}
	return g.countingCounter.JobListChanges(ctx)
}

func (g *gatedCounter) ListJobStamps(ctx context.Context, f storage.JobFilter) (storage.JobStampPage, error) {
	g.once.Do(func() { <-g.release })
	return g.countingCounter.ListJobStamps(ctx, f)
}

// Requests that find the kept page stale together make it once: the
// rest wait for the first one's page instead of each reading the stamps.
func TestListPageMadeOnceForConcurrentRequests(t *testing.T) {
	const requests = 8
	b := setup(t)
	for i := range 3 {
		b.do(t, "POST", "/v1/summaries", fmt.Sprintf(`{"url": "vid%08d"}`, i))
	}
	g := &gatedCounter{countingCounter: countingCounter{&stampCounter{Store: b.store}},
		countReads: make(chan struct{}, requests), release: make(chan struct{})}
	b.server.Store = g
	b.handler = NewHandler(b.server)
	var wg sync.WaitGroup
	codes := make([]int, requests)
	bodies := make([]string, requests)
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := b.do(t, "GET", "/v1/summaries?limit=50", "")
			codes[i], bodies[i] = w.Code, w.Body.String()
		}()
	}
	for range requests {
		<-g.countReads // every request has read the counts and found no page
	}
	time.Sleep(50 * time.Millisecond) // and would read the stamps now, were it to
	close(g.release)
	wg.Wait()
	if n := g.reads(); n != 1 {
		t.Errorf("%d concurrent requests read %d pages of stamps; want 1", requests, n)
	}
	for i := range requests {
		if codes[i] != 200 || bodies[i] != bodies[0] || !strings.Contains(bodies[i], "vid00000002") {
			t.Fatalf("request %d = %d %s", i, codes[i], bodies[i])
		}
	}
}
