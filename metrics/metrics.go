// Package metrics holds recap's Prometheus metrics: jobs by status, task
// latency, LLM calls and tokens.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
)

// Metrics is one process's registry and the collectors recap updates.
type Metrics struct {
	Registry         *prometheus.Registry
	TaskDuration     *prometheus.HistogramVec // by outcome: done, retry, waiting, failed
	LLMCalls         prometheus.Counter
	PromptTokens     prometheus.Counter
	CompletionTokens prometheus.Counter
	ChaptersCached   prometheus.Counter
}

// New registers recap's metrics, the Go runtime's and the process's. When
// store is not nil, jobs by status are read from it at each scrape, so
// every process reports the shared truth.
func New(store storage.Store, logger *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		TaskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "recap_task_duration_seconds",
			Help:    "Time a video:summarize task took in this process, by outcome.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800},
		}, []string{"outcome"}),
		LLMCalls: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recap_llm_calls_total", Help: "LLM calls made by this process, retries included.",
		}),
		PromptTokens: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recap_llm_prompt_tokens_total", Help: "Prompt tokens sent to the LLM by this process.",
		}),
		CompletionTokens: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recap_llm_completion_tokens_total", Help: "Completion tokens received from the LLM by this process.",
		}),
		ChaptersCached: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "recap_chapters_cached_total", Help: "Chapter summaries taken from the cache instead of the LLM.",
		}),
	}
	reg.MustRegister(m.TaskDuration, m.LLMCalls, m.PromptTokens, m.CompletionTokens, m.ChaptersCached,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if store != nil {
		reg.MustRegister(&jobsCollector{store: store, logger: logger})
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// ObserveUsage counts one summarizer result's LLM usage.
func (m *Metrics) ObserveUsage(u recap.Usage) {
	if m == nil {
		return
	}
	m.LLMCalls.Add(float64(u.LLMCalls))
	m.PromptTokens.Add(float64(u.PromptTokens))
	m.CompletionTokens.Add(float64(u.CompletionTokens))
}

var jobsDesc = prometheus.NewDesc("recap_jobs", "Jobs in the store, by status.", []string{"status"}, nil)

type jobsCollector struct {
	store  storage.Store
	logger *slog.Logger
}

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.store.CountJobs(ctx)
	if err != nil {
		if c.logger != nil {
			c.logger.Warn("metrics: count jobs", slog.Any("error", err))
		}
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, s := range []string{storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed} {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(counts[s]), s)
	}
}

// Summarizer wraps a summarizer and counts its LLM usage, failed calls
// included, as it happens.
type Summarizer struct {
	pipeline.Summarizer
	M *Metrics
}

func (s Summarizer) SummarizeChapter(ctx context.Context, in pipeline.ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	out, u, err := s.Summarizer.SummarizeChapter(ctx, in)
	s.M.ObserveUsage(u)
	return out, u, err
}

func (s Summarizer) Overview(ctx context.Context, in pipeline.OverviewInput) (pipeline.Overview, recap.Usage, error) {
	out, u, err := s.Summarizer.Overview(ctx, in)
	s.M.ObserveUsage(u)
	return out, u, err
}

// CheckLanguage passes the wrapped summarizer's check on, if it has one.
func (s Summarizer) CheckLanguage(transcript, summary string) error {
	if lc, ok := s.Summarizer.(pipeline.LanguageChecker); ok {
		return lc.CheckLanguage(transcript, summary)
	}
	return nil
}
