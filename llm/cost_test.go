package llm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
)

// summarizeAll runs a whole video's chapters in parallel, then the
// overview, and returns what it cost against what the transcript weighs.
func summarizeAll(t *testing.T, b *testBundle, title string, chapters []string) (transcriptTokens int, usage recap.Usage) {
	t.Helper()
	sums := make([]recap.ChapterSummary, len(chapters))
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for i, text := range chapters {
		transcriptTokens += recap.EstimateTokens(text)
		wg.Go(func() {
			s, u, err := b.sum.SummarizeChapter(context.Background(), pipeline.ChapterInput{
				VideoTitle: title, Index: i, Total: len(chapters), Text: text, Language: "en"})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			usage.Add(u)
			sums[i] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	_, u, err := b.sum.Overview(context.Background(), pipeline.OverviewInput{VideoTitle: title, Language: "en", Chapters: sums})
	if err != nil {
		t.Fatal(err)
	}
	usage.Add(u)
	return transcriptTokens, usage
}

// TestPromptTokensStayNearTranscript checks the cost model: the prompt
// tokens of a whole video are its transcript, sent once, plus a small
// fixed overhead per call.
func TestPromptTokensStayNearTranscript(t *testing.T) {
	b := setup(t, func(c *Config) { c.ChapterTokens = 400 })
	var chapters []string
	for i := range 20 {
		chapters = append(chapters, transcript(10+i*2)) // the last ones go over budget
	}
	tt, usage := summarizeAll(t, b, "How rockets work", chapters)
	overheadPerCall := float64(usage.PromptTokens-tt) / float64(usage.LLMCalls)
	t.Logf("transcript %d tokens; %d calls sent %d prompt tokens (%.2fx), %.0f overhead tokens a call",
		tt, usage.LLMCalls, usage.PromptTokens, float64(usage.PromptTokens)/float64(tt), overheadPerCall)
	if usage.PromptTokens != b.srv.PromptTokens() {
		t.Errorf("usage counts %d prompt tokens, server saw %d", usage.PromptTokens, b.srv.PromptTokens())
	}
	// Part, combine and overview calls carry summaries, not transcript; a
	// summary is far smaller than 250 tokens, so this bound fails if any
	// transcript is sent twice.
	if overheadPerCall > 250 {
		t.Errorf("%.0f prompt tokens a call beyond the transcript", overheadPerCall)
	}
	if usage.LLMCalls <= 21 {
		t.Errorf("%d calls: the over-budget chapters were not split", usage.LLMCalls)
	}
}

// TestCorpusCost runs the real transcripts of the shared corpus (set
// RECAP_CORPUS) through the fake server, as 8 chapters each, and reports
// the cost.
func TestCorpusCost(t *testing.T) {
	dir := os.Getenv("RECAP_CORPUS")
	if dir == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "bundles", "*", "*.vtt"))
	if len(files) == 0 {
		t.Skip("no .vtt subtitles under RECAP_CORPUS/bundles")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Fields(vttText(string(raw)))
		var chapters []string
		for i := range 8 {
			chapters = append(chapters, strings.Join(words[i*len(words)/8:(i+1)*len(words)/8], " "))
		}
		b := setup(t, nil)
		tt, usage := summarizeAll(t, b, strings.TrimSuffix(filepath.Base(f), ".en.vtt"), chapters)
		overhead, n := 0, 0
		for _, r := range b.srv.Requests() {
			if r.Kind == llmtest.KindChapter {
				overhead += r.PromptTokens - recap.EstimateTokens(r.Transcript())
				n++
			}
		}
		t.Logf("%s: transcript %d tokens; %d calls, %d prompt tokens (%.2fx), %d completion tokens; %d overhead tokens a chapter call",
			filepath.Base(filepath.Dir(f)), tt, usage.LLMCalls, usage.PromptTokens,
			float64(usage.PromptTokens)/float64(tt), usage.CompletionTokens, overhead/n)
	}
}
