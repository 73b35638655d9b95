package batch

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// testRedis is database db of RECAP_TEST_REDIS_URL's server (flushed), or
// an in-process Redis.
func testRedis(t *testing.T, db int) asynq.RedisClientOpt {
	t.Helper()
	if u := os.Getenv("RECAP_TEST_REDIS_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(&redis.Options{Addr: pu.Host, DB: db})
		defer rdb.Close()
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("RECAP_TEST_REDIS_URL=%s: %v", u, err)
		}
		return asynq.RedisClientOpt{Addr: pu.Host, DB: db}
	}
	return asynq.RedisClientOpt{Addr: miniredis.RunT(t).Addr()}
}

// TestYouTubeStormBacklogEndsDone: YouTube answers every request 429 for a
// few seconds while a 12-video backlog runs on two workers through asynq.
// The items wait (a pause shared by every worker, growing), none fails,
// and once the storm is over every item is done; YouTube sees a few probes
// a pause, not a retry loop.
func TestYouTubeStormBacklogEndsDone(t *testing.T) {
	ctx := t.Context()
	opt := testRedis(t, 14)
	rdb := redis.NewClient(&redis.Options{Addr: opt.Addr, DB: opt.DB})
	defer rdb.Close()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	fake := youtubetest.NewServer(t)
	videos := youtubetest.SyntheticItems("st", 12, 3)
	for i := range videos {
		fake.AddVideo(youtubetest.SyntheticVideo(videos[i].ID, 3*time.Minute, 2, int64(i)))
	}
	fake.AddPlaylist(youtubetest.Playlist{ID: "PLstorm00001", Title: "Storm", Items: videos})
	// Pauses of 0.5 s, then 1 s, 2 s at most (recap's are 30 s to 15 min).
	limits := youtube.Limits(600)
	limits.MaxWait, limits.Backoff, limits.MaxBackoff = 100*time.Millisecond, 500*time.Millisecond, 2*time.Second
	yt, err := youtube.New(youtube.Config{Endpoint: fake.URL(), Limiter: ratelimit.NewRedis(rdb, "youtube", limits)})
	if err != nil {
		t.Fatal(err)
	}

	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	enq := &worker.Enqueuer{Client: client, Inspector: insp, MaxRetry: 1}
	p := &pipeline.Pipeline{
		Loaders:    pipeline.Loaders{recap.SourceYouTube: pipeline.YouTube{Fetcher: yt}},
		Summarizer: extractive.New(), Language: "en", Cache: store,
	}
	disp := &Dispatcher{Store: store, Submitter: &worker.Submitter{Store: store, Pipeline: p, Queue: enq}, Window: 4}
	svc := &Service{Store: store, Resolver: &source.Resolver{YouTube: source.YouTube{Client: yt}, Files: source.FilesNone},
		Tasks: client, Jobs: enq, Dispatcher: disp, Language: "en"}
	runner := &worker.Runner{Store: store, Pipeline: p, Logger: slog.New(slog.DiscardHandler),
		Ended: func(string, string) { disp.Kick() }}
	mux := worker.NewMux(runner)
	mux.Handle(TypeExpand, ExpandHandler{Service: svc})
	srv := worker.NewServer(opt, worker.ServerConfig{Concurrency: 2, Logger: slog.New(slog.DiscardHandler)})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	loop, stop := context.WithCancel(ctx)
	defer stop()
	go disp.Run(loop, 200*time.Millisecond)

	b, _, err := svc.Create(ctx, Request{Sources: []string{"https://www.youtube.com/playlist?list=PLstorm00001"}})
	if err != nil {
		t.Fatal(err)
	}
	if !waitUntil(t, 20*time.Second, func() bool { return get(t, store, b.ID).Counts[storage.ItemDone] >= 2 }) {
		t.Fatalf("the backlog did not start: %+v", get(t, store, b.ID))
	}

	fake.SetBlock(youtubetest.TooManyRequests)
	blockedSeen := waitUntil(t, 10*time.Second, func() bool {
		for _, it := range batchItems(t, store, b.ID) {
			if it.Status == storage.ItemQueued && it.JobID != "" {
				if j, _ := store.GetJob(ctx, it.JobID); j != nil && j.ErrorCode == recap.EBLOCKED {
					return true
				}
			}
		}
		return false
	})
	time.Sleep(4 * time.Second)
	fake.SetBlock(youtubetest.Open)
	during := fake.Blocked()
	if !blockedSeen {
		t.Error("no item showed YouTube's refusal while it waited")
	}

	if !waitUntil(t, 60*time.Second, func() bool { return get(t, store, b.ID).Status == storage.BatchDone }) {
		t.Fatalf("the backlog did not finish after the storm: %+v", get(t, store, b.ID))
	}
	got := get(t, store, b.ID)
	t.Logf("storm: %d requests answered 429 in about 4 s; batch %v", during, got.Counts)
	if got.Counts[storage.ItemDone] != 12 || got.Counts[storage.ItemFailed] != 0 {
		t.Errorf("after the storm: %v; want all 12 done, none failed", got.Counts)
	}
	// A pause holds every worker: a few probes (one per task in flight at
	// each pause's end, 4 at most, over the ~5 pauses of a 4 s storm),
	// not a retry loop (2 workers retrying at once would send hundreds).
	if during == 0 || during > 30 {
		t.Errorf("%d requests met the storm; want a few probes (1..30)", during)
	}
}

func get(t *testing.T, s storage.Store, id string) *storage.Batch {
	t.Helper()
	b, err := s.GetBatch(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func batchItems(t *testing.T, s storage.Store, id string) []*storage.BatchItem {
	t.Helper()
	page, err := s.ListBatchItems(t.Context(), storage.BatchItemFilter{BatchID: id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func waitUntil(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}
