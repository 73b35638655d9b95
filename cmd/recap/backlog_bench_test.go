package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

var backlogVideos = flag.Int("backlog.videos", 1000, "BenchmarkBacklog: videos in the backlog")

// BenchmarkBacklog runs a backlog of 1,000 videos (2 chapters each: three
// LLM calls a video) through `recap serve`, a child process, against the
// fake YouTube and a fake LLM that allows 600 requests in any sliding
// minute and takes 500 ms a call. recap runs with RECAP_LLM_RPM=600 and
// more concurrency than that allows (16 workers, each video's chapters in
// parallel: about 32 calls in flight, 3,800 a minute unpaced). It
// reports:
//
//   - steady/limit: the fewest accepted calls in any one-minute window
//     that starts at least a minute after the first call and ends at
//     least a minute before the last, ÷ 600 (target ≥ 0.95);
//   - %429: the share of calls the provider answered 429 (target < 1%);
//   - failed: items that failed (target 0);
//   - peak-rss-mb: the serve process's peak resident memory (VmHWM,
//     target ≤ 150 MB);
//   - redis-tasks: the most backlog tasks Redis held at once (the window,
//     RECAP_BATCH_WINDOW, is 2 × 16 = 32).
//
// Real minutes: about 5½ for 1,000 videos.
//
//	go test -run '^$' -bench Backlog -benchtime 1x -timeout 30m ./cmd/recap/
//	# -backlog.videos=200 for a quicker run
func BenchmarkBacklog(b *testing.B) {
	const (
		limit   = 600
		workers = 16
		latency = 500 * time.Millisecond
	)
	for range b.N {
		b.StopTimer()
		yt := youtubetest.NewServer(b)
		fake := llmtest.NewServer(b, llmtest.WithLatency(latency),
			llmtest.WithRateLimit(llmtest.RateLimit{Requests: limit, Window: time.Minute}))
		mr := miniredis.RunT(b)
		items := youtubetest.SyntheticItems("bl", *backlogVideos, 7)
		for i := range items {
			items[i].Duration = 12 * time.Minute
			yt.AddVideo(youtubetest.SyntheticVideo(items[i].ID, 12*time.Minute, 2, int64(i)))
		}
		yt.AddPlaylist(youtubetest.Playlist{ID: "PLbacklogBench", Title: "Backlog", Items: items})
		f := &fakes{yt: yt, llm: fake, dir: b.TempDir()}
		f.env = map[string]string{
			"RECAP_YOUTUBE_ENDPOINT": yt.URL(),
			"RECAP_YOUTUBE_RPM":      "0", // a fake YouTube: no need to pace it
			"RECAP_LLM_BASE_URL":     fake.BaseURL(),
			"RECAP_LLM_API_KEY":      "k",
			"RECAP_LLM_MODEL":        "gpt-4.1-mini",
			"RECAP_LLM_RPM":          strconv.Itoa(limit),
			"RECAP_LLM_CONCURRENCY":  "64",
			"RECAP_WORKERS":          strconv.Itoa(workers),
			"RECAP_DATABASE_URL":     "sqlite:" + filepath.Join(b.TempDir(), "recap.db"),
			"RECAP_REDIS_URL":        "redis://" + mr.Addr() + "/0",
			"RECAP_HTTP_ADDR":        "127.0.0.1:0",
		}
		s := f.serveProcess(b)
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: mr.Addr()})

		stopWatch := watchTasks(b, insp, 100*time.Millisecond)

		b.StartTimer()
		start := time.Now()
		v := s.postBatch(b, `{"url": "https://www.youtube.com/playlist?list=PLbacklogBench"}`)
		got := s.waitBatchFor(b, v.ID, 60*time.Minute)
		wall := time.Since(start)
		b.StopTimer()
		maxTasks, _ := stopWatch()
		rss := peakRSS(b, s.pid)
		s.stop()
		insp.Close()

		var accepted []time.Time
		limited, total := 0, 0
		for _, r := range fake.Requests() {
			total++
			switch r.Status {
			case http.StatusOK:
				accepted = append(accepted, r.At)
			case http.StatusTooManyRequests:
				limited++
			}
		}
		steady := steadyMinute(accepted, time.Minute)
		b.Logf("%d videos in %s: batch %s, counts %v; %d LLM calls, %d answered 429; steady %d a minute; peak RSS %.1f MB; most backlog tasks in Redis %d",
			len(items), wall.Round(time.Second), got.Status, got.Counts, total, limited, steady, rss, maxTasks)
		b.ReportMetric(float64(steady)/limit, "steady/limit")
		b.ReportMetric(100*float64(limited)/float64(max(1, total)), "%429")
		b.ReportMetric(float64(got.Counts["failed"]), "failed")
		b.ReportMetric(rss, "peak-rss-mb")
		b.ReportMetric(float64(maxTasks), "redis-tasks")
		b.ReportMetric(float64(len(items))/wall.Minutes(), "videos/min")
	}
}

// steadyMinute is the fewest times in any window of length w that starts
// at least w after the first time and ends at least w before the last
// (the steady state, without the start and the end), stepping by a
// second; with a run too short for one such window, the busiest window.
func steadyMinute(ts []time.Time, w time.Duration) int {
	if len(ts) == 0 {
		return 0
	}
	first, last := ts[0], ts[len(ts)-1]
	for _, t := range ts {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	fewest := -1
	for s := first.Add(w); !s.Add(2 * w).After(last); s = s.Add(time.Second) {
		n := 0
		for _, t := range ts {
			if !t.Before(s) && t.Before(s.Add(w)) {
				n++
			}
		}
		if fewest < 0 || n < fewest {
			fewest = n
		}
	}
	if fewest < 0 {
		return busiestWindow(ts, w)
	}
	return fewest
}

func busiestWindow(ts []time.Time, w time.Duration) int {
	most := 0
	for _, s := range ts {
		n := 0
		for _, t := range ts {
			if !t.Before(s) && t.Before(s.Add(w)) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// peakRSS is a process's peak resident memory in MB (VmHWM).
func peakRSS(tb testing.TB, pid int) float64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				tb.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	tb.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
