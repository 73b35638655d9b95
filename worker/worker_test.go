package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
)

// fakeFetcher serves one synthetic video, or an error.
type fakeFetcher struct {
	err      error
	chapters int
	calls    int
	mu       sync.Mutex
}

func (f *fakeFetcher) Fetch(_ context.Context, id, lang string) (*recap.Source, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	n := f.chapters
	if n == 0 {
		n = 4
	}
	src := &recap.Source{
		Video:      recap.Video{ID: id, Title: "Video " + id, Duration: time.Duration(n) * 5 * time.Minute},
		Transcript: recap.Transcript{Language: lang, Source: recap.TranscriptYouTube},
	}
	var desc strings.Builder
	for c := range n {
		fmt.Fprintf(&desc, "%s Topic %d\n", recap.Timestamp(time.Duration(c)*5*time.Minute), c+1)
		for s := range 60 {
			start := time.Duration(c)*5*time.Minute + time.Duration(s)*5*time.Second
			src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{
				Start: start, End: start + 5*time.Second,
				Text: fmt.Sprintf("topic%d word%d about subject%d", c+1, s, c+1),
			})
		}
	}
	src.Video.Description = desc.String()
	return src, nil
}

// fakeSummarizer counts calls per chapter and fails as told.
type fakeSummarizer struct {
	mu     sync.Mutex
	calls  map[int]int
	failAt map[int]error // chapter index → error
	over   error
	// gate, when set, holds every call until it is closed; each call
	// first sends on entered, when set.
	gate    chan struct{}
	entered chan int
}

func (s *fakeSummarizer) SummarizeChapter(ctx context.Context, in pipeline.ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	if s.entered != nil {
		s.entered <- in.Index
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return recap.ChapterSummary{}, recap.Usage{LLMCalls: 1}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[int]int{}
	}
	s.calls[in.Index]++
	if err := s.failAt[in.Index]; err != nil {
		return recap.ChapterSummary{}, recap.Usage{LLMCalls: 1}, err
	}
	return recap.ChapterSummary{Title: "T" + strconv.Itoa(in.Index), Summary: "S.", Bullets: []string{"a", "b", "c"}},
		recap.Usage{LLMCalls: 1, PromptTokens: 10, CompletionTokens: 5}, nil
}

func (s *fakeSummarizer) Overview(context.Context, pipeline.OverviewInput) (pipeline.Overview, recap.Usage, error) {
	return pipeline.Overview{Text: "Overview."}, recap.Usage{LLMCalls: 1}, s.over
}

func (s *fakeSummarizer) Generator() recap.Generator {
	return recap.Generator{Summarizer: "llm", Model: "fake", PromptVersion: "v1"}
}
func (s *fakeSummarizer) Budget() int { return 0 }

func (s *fakeSummarizer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

type testBundle struct {
	store     storage.Store
	fetcher   *fakeFetcher
	sum       *fakeSummarizer
	pipeline  *pipeline.Pipeline
	runner    *Runner
	handler   *SummarizeVideoHandler
	submitter *Submitter
	starts    *startCounter // see countStarts
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	b := &testBundle{store: store, fetcher: &fakeFetcher{}, sum: &fakeSummarizer{}}
	b.pipeline = &pipeline.Pipeline{
		Loaders:    pipeline.Loaders{recap.SourceYouTube: pipeline.YouTube{Fetcher: b.fetcher}},
		Summarizer: b.sum,
		Cache:      store,
		Language:   "en",
	}
	b.runner = &Runner{Store: store, Pipeline: b.pipeline, Logger: slog.New(slog.DiscardHandler)}
	b.handler = &SummarizeVideoHandler{Runner: b.runner}
	b.submitter = &Submitter{Store: store, Pipeline: b.pipeline}
	return b
}

func (b *testBundle) submit(t *testing.T, videoID string) *storage.Job {
	t.Helper()
	j, created, err := b.submitter.Submit(context.Background(), Submission{Input: pipeline.YouTubeInput(videoID)})
	if err != nil || !created {
		t.Fatalf("Submit(%s) = %v, created %v", videoID, err, created)
	}
	return j
}

func (b *testBundle) task(t *testing.T, j *storage.Job) *asynq.Task {
	t.Helper()
	task, err := NewSummarizeVideoTask(j, DefaultMaxRetry, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (b *testBundle) job(t *testing.T, id string) *storage.Job {
	t.Helper()
	j, err := b.store.GetJob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestProcessTaskDone(t *testing.T) {
	b := setup(t)
	j := b.submit(t, "dQw4w9WgXcQ")
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	got := b.job(t, j.ID)
	if got.Status != storage.StatusDone || got.Done != 4 || got.Total != 4 || got.Attempts != 1 || got.FinishedAt == nil {
		t.Fatalf("job = %+v", got)
	}
	doc, err := b.store.GetDocument(context.Background(), j.ID)
	if err != nil || len(doc.Chapters) != 4 || doc.Chapters[3].StartSeconds != 900 || doc.Usage.LLMCalls != 5 {
		t.Fatalf("document = %+v, %v", doc, err)
	}
	if tr, err := b.store.GetTranscript(context.Background(), "dQw4w9WgXcQ", "en"); err != nil || len(tr.Segments) != 240 {
		t.Fatalf("stored transcript = %v, %v", tr, err)
	}

	// A second delivery of a finished job is a no-op.
	calls := b.sum.total()
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	if b.sum.total() != calls || b.job(t, j.ID).Attempts != 1 {
		t.Fatalf("a duplicate delivery ran the job again")
	}
}

func TestProcessTaskPermanentFailure(t *testing.T) {
	b := setup(t)
	b.fetcher.err = recap.Errorf(recap.EPRIVATE, "video dQw4w9WgXcQ is private")
	j := b.submit(t, "dQw4w9WgXcQ")
	err := b.handler.ProcessTask(context.Background(), b.task(t, j))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want SkipRetry", err)
	}
	got := b.job(t, j.ID)
	if got.Status != storage.StatusFailed || got.ErrorCode != recap.EPRIVATE || !strings.Contains(got.Error, "private") {
		t.Fatalf("job = %+v", got)
	}
	if b.sum.total() != 0 {
		t.Fatalf("LLM called for a private video")
	}
}

func TestProcessTaskBadPayload(t *testing.T) {
	b := setup(t)
	for _, p := range []string{`not json`, `{}`} {
		err := b.handler.ProcessTask(context.Background(), asynq.NewTask(TypeSummarizeVideo, []byte(p)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("payload %q: err = %v, want SkipRetry", p, err)
		}
	}
	err := b.handler.ProcessTask(context.Background(), asynq.NewTask(TypeSummarizeVideo, []byte(`{"job_id":"missing"}`)))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("unknown job: err = %v, want SkipRetry", err)
	}
}

// A transient failure puts the job back to queued; the retry pays only
// for the chapters that did not finish.
func TestProcessTaskRetryUsesChapterCache(t *testing.T) {
	b := setup(t)
	b.sum.failAt = map[int]error{2: errors.New("LLM call failed after 5 attempts: 503 Service Unavailable")}
	j := b.submit(t, "dQw4w9WgXcQ")
	err := b.handler.ProcessTask(context.Background(), b.task(t, j))
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	got := b.job(t, j.ID)
	if got.Status != storage.StatusQueued || !strings.Contains(got.Error, "503") {
		t.Fatalf("job after a transient failure = %+v", got)
	}
	if _, err := b.store.GetDocument(context.Background(), j.ID); recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Fatalf("a failed attempt stored a document: %v", err)
	}

	b.sum.failAt = nil
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		want := 1
		if i == 2 {
			want = 2
		}
		if b.sum.calls[i] != want {
			t.Errorf("chapter %d summarized %d times, want %d", i, b.sum.calls[i], want)
		}
	}
	if got := b.job(t, j.ID); got.Status != storage.StatusDone || got.Attempts != 2 || got.Error != "" {
		t.Fatalf("job = %+v", got)
	}
}

// testRedis is a real Redis when RECAP_TEST_REDIS_URL is set (on its own
// database, flushed), else miniredis.
func testRedis(t *testing.T, db int) (asynq.RedisConnOpt, *miniredis.Miniredis) {
	t.Helper()
	if u := os.Getenv("RECAP_TEST_REDIS_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		opt := asynq.RedisClientOpt{Addr: pu.Host, DB: db}
		rdb := redis.NewClient(&redis.Options{Addr: pu.Host, DB: db})
		defer rdb.Close()
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("RECAP_TEST_REDIS_URL=%s: %v", u, err)
		}
		return opt, nil
	}
	mr := miniredis.RunT(t)
	return asynq.RedisClientOpt{Addr: mr.Addr()}, mr
}

// Through real asynq: a job enqueued twice runs once, to done.
func TestQueueRunsJobOnce(t *testing.T) {
	b := setup(t)
	opt, _ := testRedis(t, 14)
	client := asynq.NewClient(opt)
	defer client.Close()
	e := &Enqueuer{Client: client}
	j := b.submit(t, "dQw4w9WgXcQ")
	for range 3 {
		if err := e.Enqueue(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	srv := NewServer(opt, ServerConfig{Concurrency: 2, Logger: slog.New(slog.DiscardHandler)})
	if err := srv.Start(NewMux(b.runner)); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	waitStatus(t, b.store, j.ID, storage.StatusDone)
	time.Sleep(500 * time.Millisecond) // a duplicate task would run now
	if got := b.job(t, j.ID); got.Attempts != 1 {
		t.Fatalf("job ran %d times", got.Attempts)
	}
	if b.fetcher.calls != 1 {
		t.Fatalf("fetched %d times", b.fetcher.calls)
	}
}

// Jobs the store holds as queued or running are enqueued again; tasks
// still in Redis are not duplicated.
func TestRequeueUnfinished(t *testing.T) {
	b := setup(t)
	opt, _ := testRedis(t, 14)
	client := asynq.NewClient(opt)
	defer client.Close()
	e := &Enqueuer{Client: client}
	j1, j2 := b.submit(t, "aaaaaaaaaaa"), b.submit(t, "bbbbbbbbbbb")
	if _, err := b.store.StartJob(context.Background(), j2.ID, storage.Lease{Owner: "dead-run", TTL: time.Minute}); err != nil { // "running" when its process died
		t.Fatal(err)
	}
	done := b.submit(t, "ccccccccccc")
	if err := b.handler.ProcessTask(context.Background(), b.task(t, done)); err != nil {
		t.Fatal(err)
	}
	if err := e.Enqueue(context.Background(), j1); err != nil { // j1 still in Redis
		t.Fatal(err)
	}
	n, err := RequeueUnfinished(context.Background(), b.store, e)
	if err != nil || n != 2 {
		t.Fatalf("requeued %d, %v; want 2", n, err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	tasks, err := insp.ListPendingTasks(QueueInteractive)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, ti := range tasks {
		ids[ti.ID] = true
	}
	if len(tasks) != 2 || !ids[j1.ID] || !ids[j2.ID] {
		t.Fatalf("pending tasks = %v, want %s and %s once each", ids, j1.ID, j2.ID)
	}
}

func waitStatus(t *testing.T, store storage.Store, id, status string) *storage.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		j, err := store.GetJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == status {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s never reached %s", id, status)
	return nil
}

func TestQueueFor(t *testing.T) {
	for p, want := range map[string]string{storage.PriorityHigh: QueueInteractive, storage.PriorityLow: QueueBatch} {
		if got := queueFor(p); got != want {
			t.Errorf("queueFor(%q) = %q; want %q", p, got, want)
		}
	}
}

func TestRetryDelayGrowsAndIsBounded(t *testing.T) {
	prev := time.Duration(0)
	for n := range 12 {
		d := RetryDelay(n, nil, nil)
		base := 5 * time.Second << min(n, 7)
		if base > 10*time.Minute {
			base = 10 * time.Minute
		}
		if d < base/2 || d > base {
			t.Fatalf("RetryDelay(%d) = %v, want within [%v, %v]", n, d, base/2, base)
		}
		if n > 0 && base/2 < prev/2 {
			t.Fatalf("backoff shrank at %d", n)
		}
		prev = base
	}
}
