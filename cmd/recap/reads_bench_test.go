package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/api"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/storage/storagetest"
	"github.com/recap-dev/recap/worker"
)

// BenchmarkReads measures the three reads a recap serves most, through
// the real handler and HTTP server on 127.0.0.1, against an SQLite store
// of 1,000 finished summaries (20 chapters each, as for a 3-hour
// podcast), reads of one summary spread over the 100 newest: the job with
// its document (GET /v1/summaries/{id}), the
// summary page (/s/{id}) and a list page (GET /v1/summaries?limit=50).
// Each runs with 16 and 64 clients, each on its own keep-alive
// connection, sending requests back to back. It reports:
//
//   - req/s, p50-ms and p99-ms;
//   - x-baseline: req/s ÷ the req/s of a handler that writes a fixed
//     200-byte answer, measured right after on the same server and
//     clients (the ceiling of the HTTP stack and the load generator, which
//     share the machine's cores with the server).
//
// list/clients=64/writes is the list while a running job's progress is
// stored 100 times a second, reporting writes/s too.
//
// Each read also runs as …/handler: the handler alone, called in this
// goroutine without a network, reporting cpu-us (the CPU time of the
// process per request, garbage collection included) and kB (the size of
// an answer's body). CPU time is what a read costs whatever else runs on
// the machine, so this is the figure to compare on a busy one.
//
// go test -run '^$' -bench Reads -benchtime 20000x ./cmd/recap/
func BenchmarkReads(b *testing.B) {
	const (
		summaries    = 1000
		hotSummaries = 100
	)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "recap.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ids := seedSummaries(b, store, summaries)
	hot := ids[len(ids)-hotSummaries:] // readers read what is new

	h := api.NewHandler(&api.Server{Store: store, Submitter: &worker.Submitter{Store: store, Queue: noEnqueuer{},
		Pipeline: &pipeline.Pipeline{Loaders: pipeline.Loaders{recap.SourceYouTube: pipeline.YouTube{}}, Summarizer: extractive.New(), Language: "en"}}})
	mux := http.NewServeMux()
	fixed := strings.Repeat("x", 200)
	mux.HandleFunc("GET /baseline", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, fixed) })
	mux.Handle("/", h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go serveListener(sctx, ln, mux, nil, slog.New(slog.DiscardHandler))
	base := "http://" + ln.Addr().String()

	reads := []struct {
		name string
		path func(i int) string
	}{
		{"summary", func(i int) string { return "/v1/summaries/" + hot[i%len(hot)] }},
		{"page", func(i int) string { return "/s/" + hot[i%len(hot)] }},
		{"list", func(int) string { return "/v1/summaries?limit=50" }},
	}
	for _, rd := range reads {
		b.Run(rd.name+"/handler", func(b *testing.B) {
			var size int
			serve := func(i int) {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", rd.path(i), nil))
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", rd.path(i), w.Code, w.Body)
				}
				size = w.Body.Len()
			}
			for i := range 2 * len(hot) { // warm the caches, as the clients' runs do
				serve(i)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := range b.N {
				serve(i)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us")
			b.ReportMetric(float64(size)/1000, "kB")
			b.ReportMetric(0, "ns/op")
		})
		for _, clients := range []int{16, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", rd.name, clients), func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{
					MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true,
				}}
				defer client.CloseIdleConnections()
				// Warm the connections and the store's caches.
				load(b, client, base, clients, 4*clients, rd.path)
				b.ResetTimer()
				rate, lat := load(b, client, base, clients, b.N, rd.path)
				b.StopTimer()
				baseRate, _ := load(b, client, base, clients, b.N, func(int) string { return "/baseline" })
				b.ReportMetric(rate, "req/s")
				b.ReportMetric(percentile(lat, 0.50), "p50-ms")
				b.ReportMetric(percentile(lat, 0.99), "p99-ms")
				b.ReportMetric(rate/baseRate, "x-baseline")
				b.ReportMetric(0, "ns/op") // req/s says it better
			})
		}
	}

	// list/clients=64/writes: the list page while a job runs and its
	// progress is stored 100 times a second, so that the kept page (see
	// api's listPages) is made anew after each change.
	running, _, err := store.SubmitJob(ctx, storagetest.NewJob("benchrun001", "en|llm|bench|v1"), false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.StartJob(ctx, running.ID, storagetest.Lease); err != nil {
		b.Fatal(err)
	}
	b.Run("list/clients=64/writes", func(b *testing.B) {
		const clients = 64
		client := &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true,
		}}
		defer client.CloseIdleConnections()
		list := func(int) string { return "/v1/summaries?limit=50" }
		load(b, client, base, clients, 4*clients, list)
		wctx, stopWrites := context.WithCancel(ctx)
		var writes atomic.Int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for n := 1; ; n++ {
				select {
				case <-wctx.Done():
					return
				case <-tick.C:
				}
				if err := store.SetJobProgress(wctx, running.ID, storagetest.Lease.Owner, n%1000, 1000); err != nil && wctx.Err() == nil {
					b.Error(err)
					return
				}
				writes.Add(1)
			}
		}()
		b.ResetTimer()
		start := time.Now()
		rate, lat := load(b, client, base, clients, b.N, list)
		elapsed := time.Since(start)
		b.StopTimer()
		stopWrites()
		<-done
		b.ReportMetric(rate, "req/s")
		b.ReportMetric(percentile(lat, 0.50), "p50-ms")
		b.ReportMetric(percentile(lat, 0.99), "p99-ms")
		b.ReportMetric(float64(writes.Load())/elapsed.Seconds(), "writes/s")
		b.ReportMetric(0, "ns/op")
	})
}

// load sends n GETs of path(i) to base from clients goroutines, back to
// back, and returns the rate and every latency. A non-200 answer fails b.
func load(b *testing.B, client *http.Client, base string, clients, n int, path func(int) string) (float64, []time.Duration) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  = make([]time.Duration, 0, n)
	)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				t0 := time.Now()
				resp, err := client.Get(base + path(i))
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("GET %s: %s %v", path(i), resp.Status, err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), all
}

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[int(p*float64(len(d)-1))]) / float64(time.Millisecond)
}

type noEnqueuer struct{}

func (noEnqueuer) Enqueue(context.Context, *storage.Job) error { return nil }

// seedSummaries stores n finished jobs, each with its video and a
// 20-chapter document, and returns their ids.
func seedSummaries(b *testing.B, store storage.Store, n int) []string {
	b.Helper()
	ctx := context.Background()
	const chapters = 20
	sentence := "The guest explains how the idea took shape over years of work, what went wrong first, and why it matters now. "
	ids := make([]string, n)
	for i := range n {
		vid := fmt.Sprintf("bench%06d", i)
		if err := store.PutVideo(ctx, recap.Video{ID: vid, Title: fmt.Sprintf("Episode %d: a long conversation", i),
			Channel: "Bench Podcast", Duration: 3 * time.Hour}); err != nil {
			b.Fatal(err)
		}
		j, _, err := store.SubmitJob(ctx, storagetest.NewJob(vid, "en|llm|bench|v1"), false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
			b.Fatal(err)
		}
		doc := &recap.Document{
			ID:       j.ID,
			Video:    recap.DocumentVideo{ID: vid, URL: recap.WatchURL(vid), Title: fmt.Sprintf("Episode %d: a long conversation", i), Channel: "Bench Podcast", DurationSeconds: 3 * 3600},
			Language: "en", TranscriptSource: recap.TranscriptYouTube, ChaptersSource: recap.ChaptersDescription,
			Overview:  strings.Repeat(sentence, 3),
			Generator: recap.Generator{Summarizer: "llm", Model: "bench", PromptVersion: "v1"},
			CreatedAt: time.Now().UTC().Truncate(time.Second),
		}
		step := int64(3 * 3600 / chapters)
		for c := range int64(chapters) {
			doc.Chapters = append(doc.Chapters, recap.ChapterResult{
				StartSeconds: c * step, EndSeconds: (c + 1) * step,
				SourceTitle: fmt.Sprintf("Topic %d", c+1), Title: fmt.Sprintf("Topic %d: what was said and why", c+1),
				Summary: strings.Repeat(sentence, 5),
				Bullets: []string{sentence, sentence, sentence, sentence}, URL: recap.TimeURL(vid, time.Duration(c*step)*time.Second),
			})
		}
		if err := store.FinishJob(ctx, j.ID, storagetest.Lease.Owner, doc); err != nil {
			b.Fatal(err)
		}
		ids[i] = j.ID
	}
	return ids
}
