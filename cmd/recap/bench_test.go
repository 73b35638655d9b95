package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// BenchmarkServeThroughput submits 50 videos (4 chapters each) through the
// API to one `recap serve` (API only) and two `recap worker`s, each
// running 4 jobs at once, against a fake LLM that takes a fixed 300 ms a
// call. A job's ideal time is two calls (its chapters in parallel, then the
// overview), so the ideal throughput is 2 workers × 4 jobs ÷ 600 ms. It
// reports:
//
//   - throughput/ideal (target ≥ 0.8);
//   - videos/s;
//   - get-p50-ms, get-p99-ms: latency of GET /v1/summaries/{id} from 8
//     clients each polling every 10 ms while the jobs run.
//
// go test -run '^$' -bench ServeThroughput -benchtime 1x ./cmd/recap/
func BenchmarkServeThroughput(b *testing.B) {
	const (
		videos     = 50
		chapters   = 4
		workers    = 2
		perWorker  = 4
		latency    = 300 * time.Millisecond
		pollers    = 8
		callsInJob = 2 // one round of chapters, then the overview
	)
	for range b.N {
		b.StopTimer()
		yt := youtubetest.NewServer(b)
		fake := llmtest.NewServer(b, llmtest.WithLatency(latency))
		mr := miniredis.RunT(b)
		dir := b.TempDir()
		env := map[string]string{
			"RECAP_YOUTUBE_ENDPOINT": yt.URL(),
			"RECAP_LLM_BASE_URL":     fake.BaseURL(),
			"RECAP_LLM_API_KEY":      "k",
			"RECAP_LLM_CONCURRENCY":  "64",
			"RECAP_DATABASE_URL":     "sqlite:" + filepath.Join(dir, "recap.db"),
			"RECAP_REDIS_URL":        "redis://" + mr.Addr() + "/0",
			"RECAP_HTTP_ADDR":        "127.0.0.1:0",
			"RECAP_LOG_LEVEL":        "warn",
		}
		ids := make([]string, videos)
		for i := range ids {
			ids[i] = fmt.Sprintf("benchVid%03d", i)
			yt.AddVideo(youtubetest.SyntheticVideo(ids[i], 12*time.Minute, chapters, int64(i)))
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		run := func(args []string, extra map[string]string, addr chan<- string) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range extra {
				e[k] = v
			}
			m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return e[k] }}
			if addr != nil {
				m.OnListen = func(a string) { addr <- a }
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := m.Run(ctx, args); code != 0 {
					b.Errorf("recap %v exited %d", args, code)
				}
			}()
		}
		addr := make(chan string, 1)
		run([]string{"serve"}, map[string]string{"RECAP_WORKERS": "0"}, addr)
		base := "http://" + <-addr
		for range workers {
			run([]string{"worker"}, map[string]string{"RECAP_WORKERS": strconv.Itoa(perWorker)}, nil)
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

		b.StartTimer()
		start := time.Now()
		jobIDs := make([]string, videos)
		for i, id := range ids {
			resp, err := client.Post(base+"/v1/summaries", "application/json", strings.NewReader(`{"url": "`+id+`"}`))
			if err != nil {
				b.Fatal(err)
			}
			var v jobView
			decodeJSON(b, resp.Body, &v)
			resp.Body.Close()
			jobIDs[i] = v.ID
		}

		// Pollers measure GET latency while the workers run.
		var (
			mu        sync.Mutex
			latencies []time.Duration
			pollWG    sync.WaitGroup
			stop      atomic.Bool
		)
		for p := range pollers {
			pollWG.Add(1)
			go func() {
				defer pollWG.Done()
				for n := p; !stop.Load(); n++ {
					t0 := time.Now()
					resp, err := client.Get(base + "/v1/summaries/" + jobIDs[n%videos])
					if err != nil {
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					latencies = append(latencies, d)
					mu.Unlock()
					time.Sleep(10 * time.Millisecond) // a client polling, not a flood
				}
			}()
		}
		for _, id := range jobIDs {
			for {
				resp, err := client.Get(base + "/v1/summaries/" + id)
				if err != nil {
					b.Fatal(err)
				}
				var v jobView
				decodeJSON(b, resp.Body, &v)
				resp.Body.Close()
				if v.Status == "done" {
					break
				}
				if v.Status == "failed" {
					b.Fatalf("job %s failed: %+v", id, v.Error)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		stop.Store(true)
		pollWG.Wait()
		cancel()
		wg.Wait()

		ideal := float64(workers*perWorker) / (callsInJob * latency.Seconds())
		got := float64(videos) / elapsed.Seconds()
		slices.Sort(latencies)
		pct := func(p float64) float64 {
			return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
		}
		b.ReportMetric(got/ideal, "throughput/ideal")
		b.ReportMetric(got, "videos/s")
		b.ReportMetric(pct(0.50), "get-p50-ms")
		b.ReportMetric(pct(0.99), "get-p99-ms")
		b.ReportMetric(float64(len(latencies)), "gets")
		if calls := fake.Calls(); calls != videos*(chapters+1) {
			b.Fatalf("LLM calls = %d, want %d", calls, videos*(chapters+1))
		}
	}
}

func decodeJSON(b *testing.B, r io.Reader, v any) {
	b.Helper()
	data, _ := io.ReadAll(r)
	if err := jsonUnmarshal(data, v); err != nil {
		b.Fatalf("decode %s: %v", data, err)
	}
}
