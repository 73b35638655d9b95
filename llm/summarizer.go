// Package llm summarizes chapters and writes overviews through any
// OpenAI-compatible chat API (OpenAI, Azure, Ollama, vLLM, llama.cpp
// server, LM Studio, OpenRouter) with github.com/sashabaranov/go-openai.
//
// It asks for strict JSON through a json_schema response_format and falls
// back, for the rest of the Summarizer's life, to json_object and then to
// plain text when a server does not support it; it validates every answer,
// retries transient failures with backoff (honouring Retry-After), bounds
// calls in flight and paces them with a Limiter.
package llm

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/prompts"
	"github.com/recap-dev/recap/redact"
	"github.com/recap-dev/recap/retry"
)

var _ pipeline.Summarizer = (*Summarizer)(nil)

// MaxAnswerBytes bounds one answer from the model server. A chapter's
// JSON is a few kilobytes; the bound leaves room for a reasoning model's
// thoughts and keeps a runaway answer from being held in memory, let alone
// cached.
const MaxAnswerBytes = 1 << 20

// Summarizer implements pipeline.Summarizer with an LLM. It is safe for
// concurrent use; SummarizeChapter is meant to be called from many
// goroutines at once.
type Summarizer struct {
	cfg     Config
	client  *openai.Client
	sem     chan struct{}
	limiter Limiter
	log     *slog.Logger
	// secrets hides the API key in errors and logs.
	secrets *redact.Secrets

	// format is the response_format still believed to work (a
	// responseFormat); it only ever moves down, once per server refusal.
	format atomic.Int32
	// noTemperature is set once the server refuses a temperature.
	noTemperature atomic.Bool
}

// New checks cfg, applies defaults and returns a Summarizer. It makes no
// network call.
func New(cfg Config) (*Summarizer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = retry.WrapClient(cfg.HTTPClient, MaxAnswerBytes)
	return &Summarizer{
		cfg:     cfg,
		client:  openai.NewClientWithConfig(oc),
		sem:     make(chan struct{}, cfg.Concurrency),
		limiter: cfg.Limiter,
		log:     cfg.Logger.With(slog.String("component", "llm"), slog.String("model", cfg.Model)),
		secrets: redact.New(cfg.APIKey),
	}, nil
}

// Generator names the summarizer, the model and the prompt set.
func (s *Summarizer) Generator() recap.Generator {
	return recap.Generator{Summarizer: recap.SummarizerLLM, Model: s.cfg.Model, PromptVersion: prompts.Version()}
}

// Budget is the most transcript tokens one call carries.
func (s *Summarizer) Budget() int { return s.cfg.ChapterTokens }

// SummarizeChapter writes one chapter's title, summary and bullets. A
// chapter over Budget() is summarized in parts, each part's transcript
// sent once, and the part summaries are merged by one more call.
func (s *Summarizer) SummarizeChapter(ctx context.Context, in pipeline.ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	label := fmt.Sprintf("chapter %d/%d", in.Index+1, in.Total)
	text := strings.TrimSpace(in.Text)
	if text == "" {
		return recap.ChapterSummary{}, recap.Usage{}, recap.Errorf(recap.EINVALID, "%s has no transcript text to summarize", label)
	}
	data := prompts.ChapterData{
		VideoTitle: in.VideoTitle, Chapter: in.Index + 1, Chapters: in.Total,
		SourceTitle: in.SourceTitle, Language: in.Language,
		TranscriptLanguage: in.TranscriptLanguage, People: in.People,
	}
	parts := splitText(text, s.cfg.ChapterTokens)
	if len(parts) == 1 {
		data.Text = parts[0]
		return complete(ctx, s, label, prompts.Chapter(), data, parseSummary)
	}

	s.log.Info("chapter over budget, summarizing in parts",
		slog.String("call", label), slog.Int("parts", len(parts)), slog.Int("budget", s.cfg.ChapterTokens))
	var (
		mu    sync.Mutex
		usage recap.Usage
		sums  = make([]recap.ChapterSummary, len(parts))
	)
	g, gctx := errgroup.WithContext(ctx)
	for i, part := range parts {
		d := data
		d.Part, d.Parts, d.Text = i+1, len(parts), part
		g.Go(func() error {
			sum, u, err := complete(gctx, s, fmt.Sprintf("%s part %d/%d", label, i+1, len(parts)), prompts.Chapter(), d, parseSummary)
			mu.Lock()
			usage.Add(u)
			mu.Unlock()
			sums[i] = sum
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return recap.ChapterSummary{}, usage, err
	}
	combined, u, err := complete(ctx, s, label+" combine", prompts.Combine(), prompts.CombineData{
		VideoTitle: in.VideoTitle, Chapter: in.Index + 1, Chapters: in.Total,
		SourceTitle: in.SourceTitle, Language: in.Language, People: in.People, Parts: sums,
	}, parseSummary)
	usage.Add(u)
	return combined, usage, err
}

// Overview writes two to four sentences about the whole video from the
// chapter summaries, and names the people the model found in them.
func (s *Summarizer) Overview(ctx context.Context, in pipeline.OverviewInput) (pipeline.Overview, recap.Usage, error) {
	if len(in.Chapters) == 0 {
		return pipeline.Overview{}, recap.Usage{}, recap.Errorf(recap.EINVALID, "overview needs at least one chapter summary, got none")
	}
	return complete(ctx, s, "overview", prompts.Overview(), prompts.OverviewData{
		VideoTitle: in.VideoTitle, Language: in.Language, People: in.People, Chapters: in.Chapters,
	}, parseOverview)
}
