package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// A blocked job goes back to queued with its reason, and is not failed
// even past its retries' worth of blocks.
func TestProcessTaskBlockedWaits(t *testing.T) {
	b := setup(t)
	until := time.Now().Add(time.Minute)
	b.fetcher.err = &ratelimit.PausedError{Until: until, Err: recap.Errorf(recap.EBLOCKED, "YouTube is rate-limiting requests (HTTP 429)")}
	j := b.submit(t, "dQw4w9WgXcQ")
	err := b.handler.ProcessTask(context.Background(), b.task(t, j))
	if err == nil || errors.Is(err, asynq.SkipRetry) || !Waiting(err) {
		t.Fatalf("err = %v, want a waiting error to retry", err)
	}
	got := b.job(t, j.ID)
	if got.Status != storage.StatusQueued || got.ErrorCode != recap.EBLOCKED || !strings.Contains(got.Error, "429") {
		t.Fatalf("job after a block = %+v", got)
	}
	// It comes back just after the pause, not on the failure backoff.
	if d := RetryDelay(0, err, nil); d < 55*time.Second || d > 67*time.Second {
		t.Errorf("RetryDelay = %s, want the minute of the pause plus a little", d)
	}
	if d := RetryDelay(0, recap.Errorf(recap.EBLOCKED, "no pause known"), nil); d > 5*time.Second {
		t.Errorf("RetryDelay without a pause = %s, want the usual first backoff", d)
	}
}

// A 429 storm: YouTube refuses everything for a few seconds while eight
// jobs run on two workers. Every job ends done, none used up its retries
// (MaxRetry is 1 here, and each job is blocked more often than that), the
// blocked reason is visible while they wait, and YouTube sees a few
// probes a pause, not a retry loop.
func TestYouTubeStormEndsDone(t *testing.T) {
	opt, _ := testRedis(t, 14)
	b := setup(t)
	fake := youtubetest.NewServer(t)
	var jobs []*storage.Job
	for i := range 8 {
		id := fmt.Sprintf("storm%06d", i)
		fake.AddVideo(youtubetest.Video{ID: id, Title: "Storm " + id, Duration: 3 * time.Minute,
			Description: "0:00 One\n1:00 Two\n2:00 Three",
			Tracks:      []youtubetest.Track{{Lang: "en", Segments: stormSegments()}}})
		jobs = append(jobs, b.submit(t, id))
	}
	rdb := redis.NewClient(&redis.Options{Addr: opt.(asynq.RedisClientOpt).Addr, DB: opt.(asynq.RedisClientOpt).DB})
	defer rdb.Close()
	// Pauses of 0.5 s, 1 s, then 2 s at most: a storm of 5 s sees at
	// most five probes (at 0, ~0.5, ~1.5, ~3.5, ~5.5 s).
	limits := youtube.Limits(600)
	limits.MaxWait, limits.Backoff, limits.MaxBackoff = 100*time.Millisecond, 500*time.Millisecond, 2*time.Second

	fake.SetBlock(youtubetest.TooManyRequests)
	client := asynq.NewClient(opt)
	defer client.Close()
	e := &Enqueuer{Client: client, MaxRetry: 1}
	for _, j := range jobs {
		if err := e.Enqueue(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	const workers, perWorker = 2, 2
	for range workers {
		yt, err := youtube.New(youtube.Config{Endpoint: fake.URL(), Limiter: ratelimit.NewRedis(rdb, "youtube", limits)})
		if err != nil {
			t.Fatal(err)
		}
		r := &Runner{Store: b.store, Logger: slog.New(slog.DiscardHandler),
			Pipeline: &pipeline.Pipeline{Loaders: pipeline.Loaders{recap.SourceYouTube: pipeline.YouTube{Fetcher: yt}}, Summarizer: b.sum, Cache: b.store}}
		srv := NewServer(opt, ServerConfig{Concurrency: perWorker, Logger: slog.New(slog.DiscardHandler)})
		if err := srv.Start(NewMux(r)); err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown()
	}

	// While it lasts, the jobs wait with the reason shown.
	waiting := waitFor(t, 10*time.Second, func() bool {
		j := b.job(t, jobs[0].ID)
		return j.Status == storage.StatusQueued && j.ErrorCode == recap.EBLOCKED
	})
	if !waiting {
		t.Errorf("no job showed the blocked reason during the storm: %+v", b.job(t, jobs[0].ID))
	}
	time.Sleep(5 * time.Second)
	fake.SetBlock(youtubetest.Open)
	during := fake.Blocked()

	for _, j := range jobs {
		got := waitStatus(t, b.store, j.ID, storage.StatusDone)
		if got.Error != "" {
			t.Errorf("job %s done with error %q", j.ID, got.Error)
		}
	}
	// Five probes of at most one request per task in flight (4), and a
	// margin for a probe that straddles a pause's end. A retry loop, even
	// one paced by asynq's 1 s scheduler, sends 8 jobs × 5 s = 40 or more.
	t.Logf("storm: %d requests answered 429 in 5 s; %d requests in all", during, fake.TotalRequests())
	if during > 24 {
		t.Errorf("%d requests sent to YouTube during a 5 s storm, want a backoff (≤ 24), not a retry loop", during)
	}
	if during == 0 {
		t.Error("no request met the storm: the test did not test it")
	}
}

func stormSegments() []recap.Segment {
	var segs []recap.Segment
	for i := range 36 {
		start := time.Duration(i) * 5 * time.Second
		segs = append(segs, recap.Segment{Start: start, End: start + 5*time.Second, Text: fmt.Sprintf("Sentence %d about topic %d of the storm.", i, i/12)})
	}
	return segs
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}
