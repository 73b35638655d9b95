package batch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/netguard"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/worker"
)

// clock is the store's time, moved by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lister is a YouTube with playlists and channels the test edits.
type lister struct {
	mu       sync.Mutex
	lists    map[string][]source.ListedVideo
	err      error // returned by every call when set
	calls    int
	fetched  map[string]int // video id → Fetch calls
	fetchErr map[string]error
}

func newLister() *lister {
	return &lister{lists: map[string][]source.ListedVideo{}, fetched: map[string]int{}, fetchErr: map[string]error{}}
}

func (l *lister) set(id string, videos ...source.ListedVideo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lists[id] = videos
}

func (l *lister) list(id string, limit int) (*source.Listing, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.err != nil {
		return nil, l.err
	}
	vs, ok := l.lists[id]
	if !ok {
		return nil, recap.Errorf(recap.EUNAVAILABLE, "%s does not exist", id)
	}
	if limit > 0 && limit < len(vs) {
		vs = vs[:limit]
	}
	return &source.Listing{Title: "List " + id, Videos: slices.Clone(vs)}, nil
}

func (l *lister) Playlist(_ context.Context, id string, limit int) (*source.Listing, error) {
	return l.list(id, limit)
}

func (l *lister) Channel(_ context.Context, channel, _ string, limit int, _ bool) (*source.Listing, error) {
	return l.list(channel, limit)
}

// Fetch is the video's metadata and a transcript of four topics.
func (l *lister) Fetch(_ context.Context, id, lang string) (*recap.Source, error) {
	l.mu.Lock()
	l.fetched[id]++
	err := l.fetchErr[id]
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	src := &recap.Source{
		Video:      recap.Video{ID: id, Title: "Video " + id, Duration: 8 * time.Minute},
		Transcript: recap.Transcript{Language: lang, Source: recap.TranscriptYouTube},
	}
	for s := range 96 {
		start := time.Duration(s) * 5 * time.Second
		src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{Start: start, End: start + 5*time.Second,
			Text: fmt.Sprintf("Crabs of kind %d molt their shells in spring. Topic %d is about claws and legs.", s%7, s/24)})
	}
	return src, nil
}

func (l *lister) fetches(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fetched[id]
}

func videos(ids ...string) []source.ListedVideo {
	var out []source.ListedVideo
	for i, id := range ids {
		out = append(out, source.ListedVideo{ID: id, Title: "Video " + id, Duration: 8 * time.Minute,
			Published: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

// memQueue is the job queue: it remembers queued job ids in order.
type memQueue struct {
	mu      sync.Mutex
	ids     []string
	removed []string
}

func (q *memQueue) Enqueue(_ context.Context, j *storage.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !slices.Contains(q.ids, j.ID) {
		q.ids = append(q.ids, j.ID)
	}
	return nil
}

func (q *memQueue) Remove(_ context.Context, j *storage.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = slices.DeleteFunc(q.ids, func(id string) bool { return id == j.ID })
	q.removed = append(q.removed, j.ID)
	return nil
}

func (q *memQueue) pop() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		return "", false
	}
	id := q.ids[0]
	q.ids = q.ids[1:]
	return id, true
}

func (q *memQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ids)
}

// memTasks takes expansion tasks.
type memTasks struct {
	mu    sync.Mutex
	tasks []string
}

func (m *memTasks) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tasks = append(m.tasks, string(t.Payload()))
	return &asynq.TaskInfo{}, nil
}

// fixedPrice charges per million tokens.
type fixedPrice struct{ in, out float64 }

func (p fixedPrice) Estimate(prompt, completion int) float64 {
	return (float64(prompt)*p.in + float64(completion)*p.out) / 1e6
}

type harness struct {
	t      *testing.T
	ctx    context.Context
	store  *sqlite.Store
	clock  *clock
	yt     *lister
	queue  *memQueue
	tasks  *memTasks
	svc    *Service
	disp   *Dispatcher
	runner *worker.Runner
	feeds  *httptest.Server
	dir    string
}

func newHarness(t *testing.T, window int) *harness {
	t.Helper()
	h := &harness{t: t, ctx: t.Context(), yt: newLister(), queue: &memQueue{}, tasks: &memTasks{}, dir: t.TempDir(),
		clock: &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}}
	store, err := sqlite.Open(h.ctx, filepath.Join(h.dir, "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.Now = h.clock.Now
	h.store = store
	h.feeds = httptest.NewServer(http.HandlerFunc(h.serveFeed))
	t.Cleanup(h.feeds.Close)
	// The test-only allowance: the feed server is on 127.0.0.1.
	client := netguard.NewClient(netguard.Config{AllowPrivate: true})
	p := &pipeline.Pipeline{
		Loaders: pipeline.Loaders{
			recap.SourceYouTube: pipeline.YouTube{Fetcher: h.yt},
			recap.SourcePodcast: feed.Loader{Episodes: store, Client: client},
		},
		Summarizer: extractive.New(),
		Language:   "en",
		Cache:      store,
	}
	sub := &worker.Submitter{Store: store, Pipeline: p, Queue: h.queue}
	h.disp = &Dispatcher{Store: store, Submitter: sub, Window: window}
	h.svc = &Service{
		Store:      store,
		Resolver:   &source.Resolver{YouTube: h.yt, HTTP: client, Dir: h.dir},
		Tasks:      h.tasks,
		Jobs:       h.queue,
		Dispatcher: h.disp,
		Language:   "en",
	}
	h.runner = &worker.Runner{Store: store, Pipeline: p}
	return h
}

// serveFeed serves /feed.xml: a podcast of two episodes with SRT
// transcripts, and the transcripts.
func (h *harness) serveFeed(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	switch r.URL.Path {
	case "/feed.xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Shore Talk</title><link>https://shore.example</link><language>en</language>
<item><title>Tides</title><guid>shore-2</guid><pubDate>Tue, 02 Apr 2024 10:00:00 GMT</pubDate>
<enclosure url="%[1]s/2.mp3" type="audio/mpeg" length="1"/>
<podcast:transcript url="%[1]s/2.srt" type="application/srt"/></item>
<item><title>Rock pools</title><guid>shore-1</guid><pubDate>Tue, 26 Mar 2024 10:00:00 GMT</pubDate>
<enclosure url="%[1]s/1.mp3" type="audio/mpeg" length="1"/>
<podcast:transcript url="%[1]s/1.srt" type="application/srt"/></item>
</channel></rss>`, base)
	case "/1.srt", "/2.srt":
		var b strings.Builder
		for i := range 60 {
			fmt.Fprintf(&b, "%d\n00:%02d:%02d,000 --> 00:%02d:%02d,000\nThe tide pool number %d holds anemones and small fish in summer.\n\n",
				i+1, i*5/60, i*5%60, (i*5+5)/60, (i*5+5)%60, i%4)
		}
		w.Write([]byte(b.String()))
	default:
		http.NotFound(w, r)
	}
}

// create makes a batch and runs its expansion as the task would.
func (h *harness) create(req Request) *storage.Batch {
	h.t.Helper()
	b, _, err := h.svc.Create(h.ctx, req)
	if err != nil {
		h.t.Fatalf("Create: %v", err)
	}
	if err := h.svc.Expand(h.ctx, b.ID, false); err != nil {
		h.t.Fatalf("Expand: %v", err)
	}
	return h.get(b.ID)
}

func (h *harness) get(id string) *storage.Batch {
	h.t.Helper()
	b, err := h.svc.Get(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

func (h *harness) dispatch() {
	h.t.Helper()
	if _, err := h.disp.Dispatch(h.ctx); err != nil {
		h.t.Fatalf("Dispatch: %v", err)
	}
}

// run runs queued jobs one at a time, dispatching after each as the
// worker's Ended hook does, until the queue is empty; it returns the
// video ids of the jobs in the order they ran, and checks the window.
func (h *harness) run() []string {
	h.t.Helper()
	h.dispatch()
	var order []string
	for {
		if n := h.inFlight(); n > h.disp.Window {
			h.t.Fatalf("%d batch items in flight; window %d", n, h.disp.Window)
		}
		id, ok := h.queue.pop()
		if !ok {
			return order
		}
		j, err := h.store.GetJob(h.ctx, id)
		if err != nil {
			h.t.Fatal(err)
		}
		if _, outcome, err := h.runner.Run(h.ctx, id, worker.RunOptions{Final: true}); outcome == "" {
			h.t.Fatalf("run job %s: %v", id, err)
		}
		order = append(order, j.VideoID)
		h.dispatch()
	}
}

// inFlight counts batch items queued or running over every batch.
func (h *harness) inFlight() int {
	h.t.Helper()
	page, err := h.store.ListBatches(h.ctx, storage.BatchFilter{Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, b := range page.Batches {
		n += b.Counts[storage.ItemQueued] + b.Counts[storage.ItemRunning]
	}
	return n
}

func (h *harness) items(id string) []*storage.BatchItem {
	h.t.Helper()
	page, err := h.store.ListBatchItems(h.ctx, storage.BatchItemFilter{BatchID: id, Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return page.Items
}

func TestPlaylistAndFeedEndToEnd(t *testing.T) {
	h := newHarness(t, 2)
	vs := videos("aaaaaaaaaa1", "bbbbbbbbbb2", "ccccccccc-3")
	vs[1].Skip = "private video"
	h.yt.set("PLcrabs", vs...)
	b := h.create(Request{Sources: []string{
		"https://www.youtube.com/playlist?list=PLcrabs",
		h.feeds.URL + "/feed.xml",
		"https://youtu.be/aaaaaaaaaa1", // again: one item
	}})
	if b.Status != storage.BatchRunning || b.Total != 5 || b.Counts[storage.ItemPending] != 4 || b.Counts[storage.ItemSkipped] != 1 {
		t.Fatalf("expanded batch: %s, total %d, counts %v; want running, 5 items (1 skipped)", b.Status, b.Total, b.Counts)
	}
	items := h.items(b.ID)
	if items[1].Status != storage.ItemSkipped || items[1].Error != "private video" || items[3].Kind != recap.SourcePodcast {
		t.Errorf("items: %+v", items)
	}
	order := h.run()
	if len(order) != 4 {
		t.Errorf("ran %v; want 4 jobs", order)
	}
	b = h.get(b.ID)
	if b.Status != storage.BatchDone || b.Counts[storage.ItemDone] != 4 || b.FinishedAt == nil {
		t.Fatalf("batch after the run: %s, counts %v", b.Status, b.Counts)
	}
	for _, it := range h.items(b.ID) {
		if it.Status != storage.ItemDone {
			continue
		}
		doc, err := h.store.GetDocument(h.ctx, it.JobID)
		if err != nil || doc.Video.ID != it.ItemID {
			t.Errorf("document of item %s: %v, %v", it.ItemID, doc, err)
		}
		if it.Kind == recap.SourcePodcast && (doc.Video.Source != recap.SourcePodcast || doc.TranscriptSource != recap.TranscriptFeed) {
			t.Errorf("episode %s: video %+v, transcript %s", it.ItemID, doc.Video, doc.TranscriptSource)
		}
	}

	// The same request again continues nothing (the batch is done): a new
	// batch, whose items are done at once, without fetching anything.
	before := h.yt.fetches("aaaaaaaaaa1")
	again := h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLcrabs"}})
	if again.ID == b.ID {
		t.Fatal("a finished batch was continued")
	}
	if ran := h.run(); len(ran) != 0 {
		t.Errorf("ran %v for work already done", ran)
	}
	again = h.get(again.ID)
	if again.Status != storage.BatchDone || again.Counts[storage.ItemDone] != 2 || h.yt.fetches("aaaaaaaaaa1") != before {
		t.Errorf("batch of done work: %s, counts %v, fetches %d → %d", again.Status, again.Counts, before, h.yt.fetches("aaaaaaaaaa1"))
	}
}

func TestResumeContinuesTheUnfinishedBatch(t *testing.T) {
	h := newHarness(t, 2)
	h.yt.set("PLx", videos("aaaaaaaaaa1", "bbbbbbbbbb2", "ccccccccc-3")...)
	req := Request{Sources: []string{"https://www.youtube.com/playlist?list=PLx"}, Limit: 3}
	b := h.create(req)
	// The same command, with the default language spelled out: the same
	// batch.
	req.Language = "EN"
	again, created, err := h.svc.Create(h.ctx, req)
	if err != nil || created || again.ID != b.ID {
		t.Fatalf("Create again: %v, created %v, id %s; want batch %s", err, created, again.ID, b.ID)
	}
	req.Limit = 2
	other, created, err := h.svc.Create(h.ctx, req)
	if err != nil || !created || other.ID == b.ID {
		t.Errorf("Create with another limit: %v, created %v; want a new batch", err, created)
	}
}

func TestExpansionFailure(t *testing.T) {
	h := newHarness(t, 2)
	b := h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLgone"}})
	if b.Status != storage.BatchFailed || b.ErrorCode != recap.EUNAVAILABLE || !strings.Contains(b.Error, "does not exist") {
		t.Errorf("batch of a missing playlist: %s (%s: %s)", b.Status, b.ErrorCode, b.Error)
	}
	b = h.create(Request{Sources: []string{"not a source at all"}})
	if b.Status != storage.BatchFailed || b.ErrorCode != recap.EINVALID || !strings.Contains(b.Error, "not a source recap knows") {
		t.Errorf("batch of an unrecognisable source: %s (%s: %s)", b.Status, b.ErrorCode, b.Error)
	}

	// A transient failure is tried again; at the last try the batch fails.
	h.yt.set("PLok", videos("aaaaaaaaaa1")...)
	h.yt.err = recap.Errorf(recap.EBLOCKED, "YouTube answered 429")
	c, _, err := h.svc.Create(h.ctx, Request{Sources: []string{"https://www.youtube.com/playlist?list=PLok"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Expand(h.ctx, c.ID, false); recap.ErrorCode(err) != recap.EBLOCKED {
		t.Fatalf("Expand during a 429: %v; want the error back, to retry", err)
	}
	if s := h.get(c.ID).Status; s != storage.BatchExpanding {
		t.Fatalf("after a transient failure: %s; want expanding", s)
	}
	if err := h.svc.Expand(h.ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if c = h.get(c.ID); c.Status != storage.BatchFailed || !strings.Contains(c.Error, "gave up") {
		t.Errorf("after the last try: %s (%s)", c.Status, c.Error)
	}
	// Retry expands it again, and now it works.
	h.yt.err = nil
	if _, _, err := h.svc.Retry(h.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Expand(h.ctx, c.ID, false); err != nil {
		t.Fatal(err)
	}
	if c = h.get(c.ID); c.Status != storage.BatchRunning || c.Total != 1 {
		t.Errorf("retried batch: %s, %d items", c.Status, c.Total)
	}
}

// TestTwoBatchesInterleave: two batches progress side by side, and the
// window holds.
func TestTwoBatchesInterleave(t *testing.T) {
	h := newHarness(t, 2)
	var a, b []string
	for i := range 6 {
		a = append(a, fmt.Sprintf("aaaaaaaaa%02d", i))
		b = append(b, fmt.Sprintf("bbbbbbbbb%02d", i))
	}
	h.yt.set("PLa", videos(a...)...)
	h.yt.set("PLb", videos(b...)...)
	h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLa"}})
	h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLb"}})
	order := h.run()
	if len(order) != 12 {
		t.Fatalf("ran %d jobs; want 12", len(order))
	}
	// In every stretch of four jobs both batches had their turn.
	for i := 0; i+4 <= len(order); i++ {
		na := 0
		for _, id := range order[i : i+4] {
			if strings.HasPrefix(id, "a") {
				na++
			}
		}
		if na == 0 || na == 4 {
			t.Fatalf("jobs %d–%d all from one batch: %v", i, i+3, order)
		}
	}
}

func TestBudgetPausesBatch(t *testing.T) {
	h := newHarness(t, 4)
	h.svc.Pricer = fixedPrice{in: 1, out: 4} // $1 / $4 per million tokens
	h.yt.set("PLx", videos("aaaaaaaaaa1", "bbbbbbbbbb2")...)
	est := *EstimateItem(8*time.Minute, h.svc.Pricer).CostUSD
	budget := est / 2
	_, _, err := h.svc.Create(h.ctx, Request{Sources: []string{"x"}, MaxCostUSD: &budget})
	if err != nil {
		t.Fatal(err) // budgets are checked as numbers here; the source at expansion
	}
	b := h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLx"}, MaxCostUSD: &budget})
	if ran := h.run(); len(ran) != 0 {
		t.Errorf("ran %v over budget", ran)
	}
	b = h.get(b.ID)
	if b.Status != storage.BatchPaused || b.ErrorCode != recap.EOVERBUDGET || b.Counts[storage.ItemPaused] != 2 {
		t.Errorf("batch over budget: %s (%s), counts %v; want paused with both items kept", b.Status, b.Error, b.Counts)
	}
	t.Logf("paused: %s", b.Error)

	// Without prices a budget cannot be kept: refused at once.
	h.svc.Pricer = nil
	_, _, err = h.svc.Create(h.ctx, Request{Sources: []string{"x"}, MaxCostUSD: &budget})
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "RECAP_LLM_PRICE_INPUT") {
		t.Errorf("budget without prices: %v", err)
	}
}

func TestCancelAndRetry(t *testing.T) {
	h := newHarness(t, 2)
	var ids []string
	for i := range 5 {
		ids = append(ids, fmt.Sprintf("vvvvvvvvv%02d", i))
	}
	h.yt.set("PLx", videos(ids...)...)
	h.yt.fetchErr[ids[0]] = recap.Errorf(recap.ENOCAPTIONS, "no captions")
	b := h.create(Request{Sources: []string{"https://www.youtube.com/playlist?list=PLx"}})
	h.dispatch()
	if n := h.queue.len(); n != 2 {
		t.Fatalf("%d jobs queued; want the window, 2", n)
	}
	// The first job runs (and fails: no captions); then cancel.
	id, _ := h.queue.pop()
	h.runner.Run(h.ctx, id, worker.RunOptions{Final: true})
	h.dispatch()
	b, err := h.svc.Cancel(h.ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != storage.BatchCanceled || b.Counts[storage.ItemFailed] != 1 || b.Counts[storage.ItemCanceled] != 4 {
		t.Errorf("canceled batch: %s, counts %v; want 1 failed, 4 canceled", b.Status, b.Counts)
	}
	if h.queue.len() != 0 || len(h.queue.removed) != 2 {
		t.Errorf("queue after cancel: %d left, %d removed; want 0 and 2", h.queue.len(), len(h.queue.removed))
	}
	for _, jid := range h.queue.removed {
		if j, _ := h.store.GetJob(h.ctx, jid); j.Status != storage.StatusFailed || j.ErrorCode != recap.ECANCELED {
			t.Errorf("canceled job %s: %s (%s)", jid, j.Status, j.ErrorCode)
		}
	}
	if _, _, err := h.svc.Retry(h.ctx, b.ID); recap.ErrorCode(err) != recap.ECONFLICT {
		t.Errorf("Retry of a canceled batch: %v", err)
	}

	// Retry requeues failed items: the video has captions now.
	c := h.create(Request{Sources: []string{"https://youtu.be/" + ids[0]}})
	h.run()
	if c = h.get(c.ID); c.Counts[storage.ItemFailed] != 1 || c.Status != storage.BatchDone {
		t.Fatalf("batch of a captionless video: %s %v", c.Status, c.Counts)
	}
	delete(h.yt.fetchErr, ids[0])
	c, n, err := h.svc.Retry(h.ctx, c.ID)
	if err != nil || n != 1 || c.Status != storage.BatchRunning {
		t.Fatalf("Retry: %v, %d requeued, %s", err, n, c.Status)
	}
	h.run()
	if c = h.get(c.ID); c.Status != storage.BatchDone || c.Counts[storage.ItemDone] != 1 {
		t.Errorf("retried batch: %s %v", c.Status, c.Counts)
	}
}

func TestSubscriptionPolls(t *testing.T) {
	h := newHarness(t, 4)
	h.yt.set("@crabs", videos("aaaaaaaaaa1", "bbbbbbbbbb2", "ccccccccc-3")...)
	url := "https://www.youtube.com/@crabs"
	sub, created, err := h.svc.Subscribe(h.ctx, url, time.Hour, 1, false)
	if err != nil || !created {
		t.Fatal(err)
	}
	p1 := &Poller{Service: h.svc, Owner: "serve-1"}
	p2 := &Poller{Service: h.svc, Owner: "serve-2"}

	// Two pollers at once: one poll.
	var wg sync.WaitGroup
	for _, p := range []*Poller{p1, p2} {
		wg.Go(func() {
			if _, err := p.PollDue(h.ctx); err != nil {
				t.Errorf("PollDue: %v", err)
			}
		})
	}
	wg.Wait()
	if h.yt.calls != 1 {
		t.Errorf("the channel was listed %d times by two pollers; want once", h.yt.calls)
	}
	// Backfill 1: the newest item only.
	if ran := h.run(); !slices.Equal(ran, []string{"ccccccccc-3"}) {
		t.Errorf("first poll summarized %v; want the newest, ccccccccc-3", ran)
	}

	// Not due again before its interval, even for a new poller (a
	// restarted serve); then only the new video.
	p3 := &Poller{Service: h.svc, Owner: "serve-3"}
	if n, _ := p3.PollDue(h.ctx); n != 0 {
		t.Errorf("polled %d before the interval", n)
	}
	h.yt.set("@crabs", append(videos("aaaaaaaaaa1", "bbbbbbbbbb2", "ccccccccc-3"),
		source.ListedVideo{ID: "ddddddddd_4", Title: "New", Duration: 8 * time.Minute})...)
	h.clock.Advance(time.Hour)
	if n, err := p3.PollDue(h.ctx); n != 1 || err != nil {
		t.Fatalf("PollDue after the interval: %d, %v", n, err)
	}
	if ran := h.run(); !slices.Equal(ran, []string{"ddddddddd_4"}) {
		t.Errorf("second poll summarized %v; want the new video only", ran)
	}
	h.clock.Advance(time.Hour)
	p1.PollDue(h.ctx)
	if ran := h.run(); len(ran) != 0 {
		t.Errorf("third poll summarized %v; want nothing new", ran)
	}
	b := h.get(sub.BatchID)
	if b.Counts[storage.ItemDone] != 2 || b.Total != 2 {
		t.Errorf("subscription batch: %d items, counts %v", b.Total, b.Counts)
	}

	// A failed poll is recorded on the subscription.
	h.yt.err = recap.Errorf(recap.EUNAVAILABLE, "channel gone")
	h.clock.Advance(time.Hour)
	p1.PollDue(h.ctx)
	if s, _ := h.store.GetSubscription(h.ctx, sub.ID); s.LastError != "channel gone" {
		t.Errorf("subscription after a failed poll: %+v", s)
	}

	for _, bad := range []struct {
		url      string
		interval time.Duration
		backfill int
	}{{"", time.Hour, 0}, {url, time.Second, 0}, {url, time.Hour, -1}} {
		if _, _, err := h.svc.Subscribe(h.ctx, bad.url, bad.interval, bad.backfill, false); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("Subscribe(%+v): %v; want EINVALID", bad, err)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"1h": time.Hour, "30m": 30 * time.Minute, "1d": 24 * time.Hour, " 2h30m ": 150 * time.Minute, "": DefaultInterval, " ": DefaultInterval} {
		if got, err := ParseInterval(in); err != nil || got != want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "10s", "31d", "-1h", "0"} {
		if _, err := ParseInterval(in); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("ParseInterval(%q): %v; want EINVALID", in, err)
		}
	}
}

func TestEstimateItem(t *testing.T) {
	hour := EstimateItem(time.Hour, fixedPrice{in: 1, out: 2})
	if hour.Calls != 9 || hour.PromptTokens < 12600 || hour.CompletionTokens != 2700 || hour.CostUSD == nil {
		t.Errorf("an hour: %+v", hour)
	}
	if unknown := EstimateItem(0, nil); unknown.PromptTokens != hour.PromptTokens || unknown.CostUSD != nil {
		t.Errorf("unknown length: %+v; want an hour's tokens and no cost", unknown)
	}
	short := EstimateItem(10*time.Minute, fixedPrice{in: 1, out: 2})
	if *short.CostUSD >= *hour.CostUSD {
		t.Errorf("10 minutes cost %v, an hour %v", *short.CostUSD, *hour.CostUSD)
	}
}

// `recap batch` lists its own batch, with its user's files, on a store
// (and Redis) shared with a server: while it holds the listing, the
// server's re-enqueueing leaves the batch alone and a task of it that
// reaches the server does nothing; once its hold lapses (it died), the
// server takes the batch over.
func TestExpansionBelongsToItsLister(t *testing.T) {
	h := newHarness(t, 2)
	h.yt.set("PLmine", videos("aaaaaaaaaa1", "aaaaaaaaaa2")...)
	list := filepath.Join(h.dir, "urls.txt")
	if err := os.WriteFile(list, []byte("https://www.youtube.com/playlist?list=PLmine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.svc.Resolver.Files = source.FilesNone // the server reads no local file
	h.svc.Now = h.clock.Now
	cli := *h.svc
	cli.Tasks, cli.Owner, cli.ExpandLease = nil, "recap batch", time.Minute
	cli.Resolver = &source.Resolver{YouTube: h.yt, Dir: h.dir}
	cli.Now = h.clock.Now

	b, _, err := cli.Create(h.ctx, Request{Sources: []string{list}})
	if err != nil {
		t.Fatal(err)
	}
	// The CLI holds the listing (as Expand does first) while the server
	// re-enqueues expansions and runs a task of this batch.
	if err := h.store.HoldExpansion(h.ctx, b.ID, storage.Lease{Owner: cli.Owner, TTL: cli.ExpandLease}); err != nil {
		t.Fatal(err)
	}
	if n, err := h.svc.RequeueExpansions(h.ctx); err != nil || n != 0 || len(h.tasks.tasks) != 0 {
		t.Fatalf("RequeueExpansions of a batch the CLI lists: %d (%v), tasks %q; want none", n, err, h.tasks.tasks)
	}
	if err := h.svc.Expand(h.ctx, b.ID, true); err != nil {
		t.Fatalf("the server's Expand of a batch the CLI lists: %v", err)
	}
	if got := h.get(b.ID); got.Status != storage.BatchExpanding {
		t.Fatalf("after the server's Expand: %s (%s); want left expanding to the CLI", got.Status, got.Error)
	}
	if err := cli.Expand(h.ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := h.get(b.ID); got.Status != storage.BatchRunning || got.Total != 2 {
		t.Fatalf("after the CLI's Expand: %s, %d items (%s); want running, 2", got.Status, got.Total, got.Error)
	}

	// A CLI that dies while listing: the server takes over once the hold
	// lapses (and, reading no local file, fails the batch with why).
	c, _, err := cli.Create(h.ctx, Request{Sources: []string{list}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.HoldExpansion(h.ctx, c.ID, storage.Lease{Owner: cli.Owner, TTL: cli.ExpandLease}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(cli.ExpandLease)
	if n, err := h.svc.RequeueExpansions(h.ctx); err != nil || n != 1 {
		t.Fatalf("RequeueExpansions after the hold lapsed: %d (%v); want the batch", n, err)
	}
	if err := h.svc.Expand(h.ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := h.get(c.ID); got.Status != storage.BatchFailed {
		t.Fatalf("the server's Expand after the hold lapsed: %s; want it listed (and failed: no local files)", got.Status)
	}
}
