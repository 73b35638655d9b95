package pipeline_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// callTimer records how long each LLM call took, client side.
type callTimer struct {
	next    http.RoundTripper
	mu      sync.Mutex
	slowest time.Duration
}

func (c *callTimer) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		// The answer is read after RoundTrip returns; the fake sends it in
		// one piece after its latency, so headers mark the end well enough.
		d := time.Since(start)
		c.mu.Lock()
		c.slowest = max(c.slowest, d)
		c.mu.Unlock()
	}
	return resp, err
}

// BenchmarkSummarize3Hours summarizes a synthetic 3-hour, 20-chapter video
// fetched from the fake YouTube, against a fake LLM that takes a fixed
// 200 ms a call, and reports:
//
//   - wall/slowest-call: run time ÷ the slowest single LLM call (target
//     ≤ 2.5: the chapters in parallel, then the overview);
//   - llm-calls;
//   - prompt/transcript-tokens: prompt tokens sent ÷ transcript tokens
//     (target ≤ 1.2: every transcript token once, plus short prompts).
//
// go test -run '^$' -bench Summarize3Hours -benchtime 5x ./pipeline/
func BenchmarkSummarize3Hours(b *testing.B) {
	for _, conc := range []int{20, 8} {
		b.Run("concurrency="+strconv.Itoa(conc), func(b *testing.B) { benchSummarize(b, conc) })
	}
}

func benchSummarize(b *testing.B, concurrency int) {
	const latency = 200 * time.Millisecond
	yt := youtubetest.NewServer(b)
	yt.AddVideo(youtubetest.SyntheticVideo("benchVideo1", 3*time.Hour, 20, 42))
	fake := llmtest.NewServer(b, llmtest.WithLatency(latency))
	fetcher, err := youtube.New(youtube.Config{Endpoint: yt.URL()})
	if err != nil {
		b.Fatal(err)
	}
	timer := &callTimer{next: http.DefaultTransport}
	sum, err := llm.New(llm.Config{
		BaseURL: fake.BaseURL(), APIKey: "k", Model: "bench", Concurrency: concurrency,
		HTTPClient: &http.Client{Transport: timer},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	src, err := fetcher.Fetch(ctx, "benchVideo1", "en")
	if err != nil {
		b.Fatal(err)
	}
	// The fetch is done once, outside the timing: the runs summarize.
	p := &pipeline.Pipeline{Loaders: pipeline.Loaders{recap.SourceYouTube: pipeline.Loaded{Source: src}}, Summarizer: sum}
	transcriptTokens := recap.EstimateTokens(src.Transcript.Text())

	var wall time.Duration
	var doc *recap.Document
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		doc, err = p.Run(ctx, pipeline.YouTubeInput("benchVideo1"), pipeline.Request{})
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
	}
	b.StopTimer()
	if len(doc.Chapters) != 20 {
		b.Fatalf("%d chapters, want 20", len(doc.Chapters))
	}
	b.ReportMetric(float64(wall)/float64(b.N)/float64(timer.slowest), "wall/slowest-call")
	b.ReportMetric(float64(doc.Usage.LLMCalls), "llm-calls")
	b.ReportMetric(float64(doc.Usage.PromptTokens)/float64(transcriptTokens), "prompt/transcript-tokens")
	b.ReportMetric(float64(transcriptTokens), "transcript-tokens")
}
