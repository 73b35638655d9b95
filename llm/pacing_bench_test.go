package llm_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/ratelimit"
)

var (
	pacingScale   = flag.Int("pacing.scale", 1, "BenchmarkLLMPacing: divide every duration by this (1 = real minutes)")
	pacingMinutes = flag.Float64("pacing.minutes", 2, "BenchmarkLLMPacing: how many (scaled) minutes each variant runs")
	pacingStrict  = flag.Bool("pacing.countrejected", false, "BenchmarkLLMPacing: refused calls count against the provider's window, as OpenAI documents")
)

// BenchmarkLLMPacing runs a backlog against a fake provider that allows
// 600 requests in any sliding minute, with RECAP_LLM_RPM=600 and 64 calls
// in flight from two "processes" (two Summarizers of 32 sharing one
// limiter), far more than the limit (each call takes 500 ms). It reports
// the accepted requests in the last minute ÷ 600 (steady state) and the
// share of calls answered 429 over the whole run.
//
//	smooth        recap's limiter: ratelimit.Redis with llm.Limits(600, 0)
//	minute-burst  the old shape, a token bucket holding a minute's allowance
//	              (both old limiters), with today's 429 handling
//
// With -pacing.scale=N every duration is divided by N: the provider's
// window, the limiter's minute and the call latency; Retry-After follows
// the provider's window. Run with -benchtime 1x.
func BenchmarkLLMPacing(b *testing.B) {
	minute := time.Minute / time.Duration(max(1, *pacingScale))
	b.Run("smooth", func(b *testing.B) {
		rdb := benchRedis(b)
		cfg := llm.Limits(600, 0)
		cfg.Requests.Per = minute
		runPacing(b, minute, func() llm.Limiter { return ratelimit.NewRedis(rdb, "bench", cfg) })
	})
	b.Run("minute-burst", func(b *testing.B) {
		shared := minuteBurst{rate.NewLimiter(rate.Limit(600/minute.Seconds()), 600)}
		runPacing(b, minute, func() llm.Limiter { return shared })
	})
}

// minuteBurst is the old limiter: a bucket of a minute's requests that
// refills continuously; it had no pause.
type minuteBurst struct{ l *rate.Limiter }

func (m minuteBurst) Wait(ctx context.Context, _ int) error    { return m.l.Wait(ctx) }
func (minuteBurst) Pause(context.Context, time.Duration) error { return nil }

func runPacing(b *testing.B, minute time.Duration, limiter func() llm.Limiter) {
	const limit, inFlight = 600, 64
	srv := llmtest.NewServer(b, llmtest.WithLatency(minute/120),
		llmtest.WithRateLimit(llmtest.RateLimit{Requests: limit, Window: minute, CountRejected: *pacingStrict}))
	var sums []*llm.Summarizer
	for range 2 {
		s, err := llm.New(llm.Config{BaseURL: srv.BaseURL(), APIKey: "sk-bench", Model: "m",
			Concurrency: inFlight / 2, Limiter: limiter()})
		if err != nil {
			b.Fatal(err)
		}
		sums = append(sums, s)
	}
	run := time.Duration(*pacingMinutes * float64(minute))
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	var (
		mu              sync.Mutex
		done, failed    int
		codes           = map[string]int{}
		wg              sync.WaitGroup
		text            = "Rockets burn propellant. The exhaust pushes the vehicle upward. Engineers measure thrust."
		start           = time.Now()
		firstMinuteSent int
	)
	b.ResetTimer()
	for g := range inFlight {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _, err := sums[g%2].SummarizeChapter(ctx, pipeline.ChapterInput{VideoTitle: "V", Total: 1, Text: text, Language: "en"})
				mu.Lock()
				switch {
				case err == nil:
					done++
				case ctx.Err() == nil:
					failed++
					codes[recap.ErrorCode(err)]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	end := time.Now()
	b.StopTimer()

	reqs := srv.Requests()
	var accepted []time.Time
	limited, lastMinute := 0, 0
	for _, r := range reqs {
		if r.At.Before(start.Add(minute)) {
			firstMinuteSent++
		}
		switch r.Status {
		case http.StatusOK:
			accepted = append(accepted, r.At)
			if !r.At.Before(end.Add(-minute)) {
				lastMinute++
			}
		case http.StatusTooManyRequests:
			limited++
		}
	}
	share := float64(limited) / float64(max(1, len(reqs)))
	steady := float64(lastMinute) / limit
	var cs []string
	for c, n := range codes {
		cs = append(cs, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(cs)
	b.Logf("%s (minute = %s): %d calls sent (%d in the first minute), %d answered 200, %d answered 429 (%.2f%%); "+
		"last minute %d accepted = %.3f × %d; busiest sliding minute %d; summaries done %d, failed %d %v",
		end.Sub(start).Round(time.Second), minute, len(reqs), firstMinuteSent, len(accepted), limited, 100*share,
		lastMinute, steady, limit, busiest(accepted, minute), done, failed, cs)
	b.ReportMetric(steady, "steady/limit")
	b.ReportMetric(100*share, "%429")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(firstMinuteSent), "first-minute-sent")
}

// busiest is the most times in any half-open window of length w.
func busiest(ts []time.Time, w time.Duration) int {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Before(ts[i].Add(w)) {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// benchRedis is RECAP_TEST_REDIS_URL's host on database 12 (flushed), or
// miniredis.
func benchRedis(b *testing.B) *redis.Client {
	addr := ""
	if u := os.Getenv("RECAP_TEST_REDIS_URL"); u != "" {
		pu, err := url.Parse(u)
		if err != nil {
			b.Fatal(err)
		}
		addr = pu.Host
	}
	if addr == "" || strings.HasPrefix(addr, ":") {
		addr = miniredis.RunT(b).Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 12})
	b.Cleanup(func() { rdb.Close() })
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
	return rdb
}
