package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/llm"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
)

// costSource is a 6-minute video with three creator chapters.
func costSource() *recap.Source {
	src := &recap.Source{Video: recap.Video{ID: "dQw4w9WgXcQ", Title: "Costs", Duration: 6 * time.Minute,
		Description: "0:00 One\n2:00 Two\n4:00 Three"}}
	src.Transcript = recap.Transcript{Language: "en", Source: recap.TranscriptYouTube}
	for i := range 72 {
		start := time.Duration(i) * 5 * time.Second
		src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{Start: start, End: start + 5*time.Second,
			Text: fmt.Sprintf("Sentence %d explains part %d of the topic in plain words.", i, i/24)})
	}
	return src
}

// A document's cost_usd is the tokens the server saw at the model's
// prices; null when the price is unknown; 0 when nothing was paid.
func TestDocumentCost(t *testing.T) {
	ctx := context.Background()
	srv := llmtest.NewServer(t)
	sum, err := llm.New(llm.Config{BaseURL: srv.BaseURL(), APIKey: "k", Model: llm.DefaultModel})
	if err != nil {
		t.Fatal(err)
	}
	pricing, ok := llm.PricingFor(llm.DefaultModel, nil, nil)
	if !ok {
		t.Fatal("no built-in price for the default model")
	}
	doc, err := summarize(ctx, &pipeline.Pipeline{Summarizer: sum, Pricer: pricing}, costSource(), pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	want := (float64(srv.PromptTokens())*0.40 + float64(srv.CompletionTokens())*1.60) / 1e6
	if doc.Usage.CostUSD == nil || math.Abs(*doc.Usage.CostUSD-want) > 1e-6 || *doc.Usage.CostUSD == 0 {
		t.Errorf("cost_usd = %v, want %.6f for %d prompt and %d completion tokens", doc.Usage.CostUSD, want, srv.PromptTokens(), srv.CompletionTokens())
	}

	doc, err = summarize(ctx, &pipeline.Pipeline{Summarizer: sum}, costSource(), pipeline.Request{})
	if err != nil || doc.Usage.CostUSD != nil || doc.Usage.LLMCalls == 0 {
		t.Errorf("unknown price: cost_usd = %v after %d calls (%v), want null", doc.Usage.CostUSD, doc.Usage.LLMCalls, err)
	}

	doc, err = summarize(ctx, &pipeline.Pipeline{Summarizer: extractive.New()}, costSource(), pipeline.Request{})
	if err != nil || doc.Usage.CostUSD == nil || *doc.Usage.CostUSD != 0 {
		t.Errorf("extractive: cost_usd = %v (%v), want 0", doc.Usage.CostUSD, err)
	}
}
