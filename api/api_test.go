package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/storage/storagetest"
	"github.com/recap-dev/recap/worker"
)

// recordingEnqueuer stands in for the queue: handler tests check what
// would be enqueued, not Redis.
type recordingEnqueuer struct {
	mu   sync.Mutex
	jobs []string
	err  error
}

func (e *recordingEnqueuer) Enqueue(_ context.Context, j *storage.Job) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return e.err
	}
	e.jobs = append(e.jobs, j.ID)
	return nil
}

func (e *recordingEnqueuer) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.jobs)
}

type testBundle struct {
	store   storage.Store
	enq     *recordingEnqueuer
	gen     recap.Generator
	server  *Server
	handler http.Handler
}

// testSummarizer is the generator jobs are submitted with; the API never
// summarizes.
type testSummarizer struct{ pipeline.Summarizer }

func (testSummarizer) Generator() recap.Generator {
	return recap.Generator{Summarizer: "llm", Model: "m", PromptVersion: "p1"}
}

func setup(t *testing.T, tokens ...string) *testBundle {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	enq := &recordingEnqueuer{}
	p := &pipeline.Pipeline{
		Loaders:    pipeline.Loaders{recap.SourceYouTube: pipeline.YouTube{}},
		Summarizer: testSummarizer{},
		Language:   "en",
	}
	s := &Server{
		Store: store, Submitter: &worker.Submitter{Store: store, Pipeline: p, Queue: enq},
		Tokens: tokens, MaxBodyBytes: 1024, Metrics: metrics.New(store, nil),
	}
	return &testBundle{store: store, enq: enq, gen: p.Summarizer.Generator(), server: s, handler: NewHandler(s)}
}

func (b *testBundle) do(t *testing.T, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.handler.ServeHTTP(w, req)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

// summaryOf decodes the document a job view embeds.
func summaryOf(t *testing.T, v jobView) *recap.Document {
	t.Helper()
	var doc recap.Document
	if err := json.Unmarshal(v.Summary, &doc); err != nil {
		t.Fatalf("decode summary %s: %v", v.Summary, err)
	}
	return &doc
}

// finish stores a document for a job, as a worker would.
func (b *testBundle) finish(t *testing.T, id string) {
	t.Helper()
	j, err := b.store.GetJob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.StartJob(context.Background(), id, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	doc := &recap.Document{
		ID:       id,
		Video:    recap.DocumentVideo{ID: j.VideoID, URL: recap.WatchURL(j.VideoID), Title: "A <b>video</b>", DurationSeconds: 120},
		Language: "en", TranscriptSource: "youtube", ChaptersSource: "auto", Overview: "Overview.",
		Chapters: []recap.ChapterResult{{StartSeconds: 0, EndSeconds: 120, Title: "All of it", Summary: "S.",
			Bullets: []string{"a", "b", "c"}, URL: recap.TimeURL(j.VideoID, 0)}},
		Generator: b.gen, CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	if err := b.store.FinishJob(context.Background(), id, storagetest.Lease.Owner, doc); err != nil {
		t.Fatal(err)
	}
}

func TestCreateSummary(t *testing.T) {
	b := setup(t)
	w := b.do(t, "POST", "/v1/summaries", `{"url": "https://youtu.be/dQw4w9WgXcQ?t=42"}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	v := decode[jobView](t, w)
	if v.ID == "" || v.Status != "queued" || v.VideoID != "dQw4w9WgXcQ" || v.Language != "en" || v.Priority != "high" {
		t.Fatalf("job view = %+v", v)
	}
	if got := w.Header().Get("Location"); got != "/v1/summaries/"+v.ID {
		t.Errorf("Location = %q", got)
	}
	if b.enq.count() != 1 {
		t.Fatalf("enqueued %d times, want 1", b.enq.count())
	}

	// The same video and options while queued: the same job, not enqueued again.
	w = b.do(t, "POST", "/v1/summaries", `{"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}`)
	if w.Code != http.StatusAccepted || decode[jobView](t, w).ID != v.ID {
		t.Fatalf("resubmit = %d %s, want 202 with job %s", w.Code, w.Body, v.ID)
	}
	if b.enq.count() != 1 {
		t.Fatalf("resubmission enqueued again")
	}

	// Another language is other work.
	w = b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ", "language": "de", "priority": "low"}`)
	other := decode[jobView](t, w)
	if w.Code != http.StatusAccepted || other.ID == v.ID || other.Language != "de" || other.Priority != "low" {
		t.Fatalf("other language = %d %+v", w.Code, other)
	}

	// Done: 200 with the document, unless forced.
	b.finish(t, v.ID)
	w = b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)
	done := decode[jobView](t, w)
	if w.Code != http.StatusOK || done.ID != v.ID || done.Status != "done" || done.Summary == nil || summaryOf(t, done).Chapters[0].Title != "All of it" {
		t.Fatalf("done resubmit = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ", "force": true}`)
	forced := decode[jobView](t, w)
	if w.Code != http.StatusAccepted || forced.ID == v.ID || forced.Status != "queued" {
		t.Fatalf("forced = %d %s", w.Code, w.Body)
	}
}

func TestCreateSummaryBadInput(t *testing.T) {
	b := setup(t)
	for _, tc := range []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"not youtube", `{"url": "https://vimeo.com/12345"}`, 400, "invalid", "YouTube"},
		{"playlist", `{"url": "https://www.youtube.com/playlist?list=PL123"}`, 400, "invalid", ""},
		{"no url", `{}`, 400, "invalid", `"url" is required`},
		{"malformed", `{"url": "x"`, 400, "invalid", "JSON"},
		{"not an object", `["x"]`, 400, "invalid", "JSON"},
		{"empty", ``, 400, "invalid", "empty body"},
		{"unknown field", `{"url": "dQw4w9WgXcQ", "forced": true}`, 400, "invalid", `"forced"`},
		{"wrong type", `{"url": "dQw4w9WgXcQ", "force": "yes"}`, 400, "invalid", "force"},
		{"language", `{"url": "dQw4w9WgXcQ", "language": "english!"}`, 400, "invalid", "language"},
		{"priority", `{"url": "dQw4w9WgXcQ", "priority": "urgent"}`, 400, "invalid", "priority"},
		{"too large", `{"url": "dQw4w9WgXcQ", "language": "` + strings.Repeat("a", 2000) + `"}`, 400, "too_large", "1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := b.do(t, "POST", "/v1/summaries", tc.body)
			e := decode[errorBody](t, w)
			if w.Code != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.msg) {
				t.Fatalf("= %d %s, want %d %s containing %q", w.Code, w.Body, tc.status, tc.code, tc.msg)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	if n := b.enq.count(); n != 0 {
		t.Fatalf("bad input enqueued %d jobs", n)
	}
	page, _ := b.store.ListJobs(context.Background(), storage.JobFilter{})
	if len(page.Jobs) != 0 {
		t.Fatalf("bad input stored %d jobs", len(page.Jobs))
	}
}

func TestCreateSummaryQueueDown(t *testing.T) {
	b := setup(t)
	b.enq.err = errors.New("redis: connection refused")
	w := b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST with the queue down = %d %s; the stored job must be accepted", w.Code, w.Body)
	}
	id := decode[jobView](t, w).ID
	unfinished, err := b.store.UnfinishedJobs(context.Background())
	if err != nil || len(unfinished) != 1 || unfinished[0].ID != id {
		t.Fatalf("unfinished = %v, %v: the job must wait in the store for the re-enqueuer", unfinished, err)
	}
}

func TestGetSummary(t *testing.T) {
	b := setup(t)
	if w := b.do(t, "GET", "/v1/summaries/nope", ""); w.Code != 404 || decode[errorBody](t, w).Error.Code != "not_found" {
		t.Fatalf("unknown id = %d %s", w.Code, w.Body)
	}
	id := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)).ID

	w := b.do(t, "GET", "/v1/summaries/"+id, "")
	v := decode[jobView](t, w)
	if w.Code != 200 || v.Status != "queued" || string(v.Summary) != "null" || !strings.Contains(w.Body.String(), `"summary":null`) {
		t.Fatalf("queued job = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/v1/summaries/"+id+"?format=md", ""); w.Code != 409 {
		t.Fatalf("md of a queued job = %d %s, want 409", w.Code, w.Body)
	}
	if err := b.store.SetJobProgress(context.Background(), id, "", 2, 5); err != nil {
		t.Fatal(err)
	}
	if v := decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+id, "")); v.Progress != (progressView{2, 5}) {
		t.Fatalf("progress = %+v", v.Progress)
	}

	b.finish(t, id)
	v = decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+id, ""))
	if v.Status != "done" || v.Summary == nil || summaryOf(t, v).ID != id {
		t.Fatalf("done job = %+v", v)
	}
	w = b.do(t, "GET", "/v1/summaries/"+id+"?format=md", "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/markdown") || !strings.Contains(w.Body.String(), "# A \\<b\\>video\\</b\\>") {
		t.Fatalf("md = %d %q", w.Code, w.Body)
	}
	w = b.do(t, "GET", "/v1/summaries/"+id+"?format=html", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "A &lt;b&gt;video&lt;/b&gt;") {
		t.Fatalf("html = %d %q", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/v1/summaries/"+id+"?format=pdf", ""); w.Code != 400 {
		t.Fatalf("format=pdf = %d", w.Code)
	}

	// Failed jobs carry the reason.
	id2 := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "aaaaaaaaaaa"}`)).ID
	if err := b.store.FailJob(context.Background(), id2, "", recap.EPRIVATE, "video aaaaaaaaaaa is private"); err != nil {
		t.Fatal(err)
	}
	v = decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+id2, ""))
	if v.Status != "failed" || v.Error == nil || v.Error.Code != "video_private" || !strings.Contains(v.Error.Message, "private") {
		t.Fatalf("failed job = %+v", v)
	}
}

func TestVideoSummary(t *testing.T) {
	b := setup(t)
	if w := b.do(t, "GET", "/v1/videos/dQw4w9WgXcQ/summary", ""); w.Code != 404 {
		t.Fatalf("no summary yet = %d", w.Code)
	}
	if w := b.do(t, "GET", "/v1/videos/not-an-id/summary", ""); w.Code != 400 {
		t.Fatalf("bad video id = %d", w.Code)
	}
	id := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)).ID
	b.finish(t, id)
	w := b.do(t, "GET", "/v1/videos/dQw4w9WgXcQ/summary", "")
	if doc := decode[recap.Document](t, w); w.Code != 200 || doc.ID != id {
		t.Fatalf("video summary = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/v1/videos/dQw4w9WgXcQ/summary?format=md", ""); !strings.Contains(w.Body.String(), "## Chapters") {
		t.Fatalf("md = %s", w.Body)
	}

	// A podcast episode is read by its id as well.
	const ep = "epmzxw6ytboi4d"
	if w := b.do(t, "GET", "/v1/videos/"+ep+"/summary", ""); w.Code != 404 {
		t.Fatalf("episode without a summary = %d %s", w.Code, w.Body)
	}
	job, _, err := b.store.SubmitJob(context.Background(), &storage.Job{VideoID: ep, SourceKind: recap.SourcePodcast, SourceRef: ep,
		Language: "en", Priority: storage.PriorityLow, OptionsKey: "en"}, false)
	if err != nil {
		t.Fatal(err)
	}
	b.finish(t, job.ID)
	w = b.do(t, "GET", "/v1/videos/"+ep+"/summary", "")
	if doc := decode[recap.Document](t, w); w.Code != 200 || doc.ID != job.ID {
		t.Fatalf("episode summary = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/v1/videos/epABCDEFGHIJKL/summary", ""); w.Code != 400 {
		t.Fatalf("malformed episode id = %d", w.Code)
	}
}

func TestListSummaries(t *testing.T) {
	b := setup(t)
	ids := map[string]bool{}
	for i := range 7 {
		id := fmt.Sprintf("vid%08d", i)
		v := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "`+id+`"}`))
		ids[v.ID] = true
	}
	seen := map[string]bool{}
	cursor, pages := "", 0
	var last time.Time
	for {
		w := b.do(t, "GET", "/v1/summaries?limit=3&cursor="+url.QueryEscape(cursor), "")
		if w.Code != 200 {
			t.Fatalf("list = %d %s", w.Code, w.Body)
		}
		page := decode[listView](t, w)
		pages++
		for _, j := range page.Summaries {
			if seen[j.ID] {
				t.Fatalf("job %s listed twice", j.ID)
			}
			if !last.IsZero() && j.CreatedAt.After(last) {
				t.Fatalf("not newest first: %v after %v", j.CreatedAt, last)
			}
			seen[j.ID], last = true, j.CreatedAt
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("listed %d jobs in %d pages, want 7 in 3", len(seen), pages)
	}
	b.finish(t, func() string {
		for id := range ids {
			return id
		}
		return ""
	}())
	if p := decode[listView](t, b.do(t, "GET", "/v1/summaries?status=done", "")); len(p.Summaries) != 1 || p.Summaries[0].Status != "done" {
		t.Fatalf("status=done = %+v", p)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "status=weird", "cursor=not-a-cursor"} {
		if w := b.do(t, "GET", "/v1/summaries?"+q, ""); w.Code != 400 {
			t.Errorf("?%s = %d %s, want 400", q, w.Code, w.Body)
		}
	}
}

func TestTokens(t *testing.T) {
	b := setup(t, "s3cret", "other")
	for _, hdr := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "s3cret"}} {
		w := b.do(t, "GET", "/v1/summaries", "", hdr...)
		if w.Code != 401 || decode[errorBody](t, w).Error.Code != "unauthorized" || w.Header().Get("WWW-Authenticate") == "" {
			t.Fatalf("%v = %d %s, want 401", hdr, w.Code, w.Body)
		}
	}
	if w := b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`); w.Code != 401 || b.enq.count() != 0 {
		t.Fatalf("unauthenticated POST = %d, enqueued %d", w.Code, b.enq.count())
	}
	if w := b.do(t, "GET", "/v1/summaries", "", "Authorization", "Bearer other"); w.Code != 200 {
		t.Fatalf("good token = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/v1/nothing", "", "Authorization", "bearer s3cret"); w.Code != 404 {
		t.Fatalf("unknown route = %d", w.Code)
	}
	if w := b.do(t, "GET", "/healthz", ""); w.Code != 200 {
		t.Fatalf("healthz needs no token, got %d", w.Code)
	}
	// The web form needs a token too.
	form := url.Values{"url": {"dQw4w9WgXcQ"}}.Encode()
	if w := b.do(t, "POST", "/", form, "Content-Type", "application/x-www-form-urlencoded"); w.Code != 401 || b.enq.count() != 0 {
		t.Fatalf("web submit without token = %d", w.Code)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	b := setup(t)
	b.server.Ready = func(context.Context) error { return errors.New("redis down") }
	b.handler = NewHandler(b.server)
	if w := b.do(t, "GET", "/healthz", ""); w.Code != 503 || !strings.Contains(w.Body.String(), `"queue":"unavailable"`) {
		t.Fatalf("healthz with the queue down = %d %s", w.Code, w.Body)
	}
	b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)
	w := b.do(t, "GET", "/metrics", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `recap_jobs{status="queued"} 1`) {
		t.Fatalf("metrics = %d\n%s", w.Code, w.Body)
	}
}

func TestWebPages(t *testing.T) {
	b := setup(t)
	form := func(u string) string { return url.Values{"url": {u}}.Encode() }
	w := b.do(t, "POST", "/", form(`https://example.com/<script>`), "Content-Type", "application/x-www-form-urlencoded")
	if w.Code != 400 || strings.Contains(w.Body.String(), "<script>") || !strings.Contains(w.Body.String(), "not a YouTube") {
		t.Fatalf("bad URL form = %d %s", w.Code, w.Body)
	}
	w = b.do(t, "POST", "/", form("https://youtu.be/dQw4w9WgXcQ"), "Content-Type", "application/x-www-form-urlencoded")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/s/") {
		t.Fatalf("submit = %d %v", w.Code, w.Header())
	}
	loc := w.Header().Get("Location")
	if w := b.do(t, "GET", loc, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "queued") || !strings.Contains(w.Body.String(), `http-equiv="refresh"`) {
		t.Fatalf("pending page = %d %s", w.Code, w.Body)
	}
	b.finish(t, strings.TrimPrefix(loc, "/s/"))
	if w := b.do(t, "GET", loc, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "All of it") || strings.Contains(w.Body.String(), "<b>video") {
		t.Fatalf("done page = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/", ""); w.Code != 200 || !strings.Contains(w.Body.String(), loc) {
		t.Fatalf("index = %d %s", w.Code, w.Body)
	}
	if w := b.do(t, "GET", "/s/unknown", ""); w.Code != 404 {
		t.Fatalf("unknown page = %d", w.Code)
	}
}

// countingStore counts the video and document reads a handler makes.
type countingStore struct {
	storage.Store
	mu                   sync.Mutex
	getVideos, documents int
	jobsRead             []string // the ids GetJobs read in full
}

func (c *countingStore) GetJobs(ctx context.Context, ids []string) ([]*storage.Job, error) {
	c.mu.Lock()
	c.jobsRead = append(c.jobsRead, ids...)
	c.mu.Unlock()
	return c.Store.GetJobs(ctx, ids)
}

func (c *countingStore) GetVideo(ctx context.Context, id string) (*recap.Video, error) {
	c.mu.Lock()
	c.getVideos++
	c.mu.Unlock()
	return c.Store.GetVideo(ctx, id)
}

func (c *countingStore) GetDocument(ctx context.Context, id string) (*recap.Document, error) {
	c.mu.Lock()
	c.documents++
	c.mu.Unlock()
	return c.Store.GetDocument(ctx, id)
}

// A list of summaries is one read of the store, titles included: no
// lookup per listed job (the list was 1,100 req/s with one).
func TestListShowsTitlesInOneRead(t *testing.T) {
	b := setup(t)
	cs := &countingStore{Store: b.store}
	b.server.Store = cs
	b.handler = NewHandler(b.server)
	for i := range 5 {
		vid := fmt.Sprintf("vid%08d", i)
		if err := b.store.PutVideo(context.Background(), recap.Video{ID: vid, Title: "Title " + vid}); err != nil {
			t.Fatal(err)
		}
		b.do(t, "POST", "/v1/summaries", `{"url": "`+vid+`"}`)
	}
	b.do(t, "POST", "/v1/summaries", `{"url": "novideo0000"}`)
	page := decode[listView](t, b.do(t, "GET", "/v1/summaries?limit=50", ""))
	if len(page.Summaries) != 6 {
		t.Fatalf("listed %d summaries, want 6", len(page.Summaries))
	}
	for _, v := range page.Summaries {
		want := "Title " + v.VideoID
		if v.VideoID == "novideo0000" {
			want = ""
		}
		if v.Title != want {
			t.Errorf("summary of %s: title %q, want %q", v.VideoID, v.Title, want)
		}
	}
	if cs.getVideos != 0 {
		t.Errorf("listing made %d GetVideo calls; want the titles from ListJobs itself", cs.getVideos)
	}
}
