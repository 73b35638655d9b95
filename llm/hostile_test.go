package llm

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
)

// An answer carrying NUL, terminal escapes or bidi overrides is cleaned
// before it is returned (and so before it is cached or stored).
func TestAnswerControlCharactersAreCleaned(t *testing.T) {
	b := setup(t, nil, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
		return &llmtest.Reply{Content: func(string) string {
			return `{"title": "Clear\u001b[2J screen\u0000", "summary": "Bell\u0007 and \u202eoverride.",` +
				` "bullets": ["one\u0000", "two\u009b31m", "three"]}`
		}}
	}))
	got, _, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err != nil {
		t.Fatal(err)
	}
	all := got.Title + got.Summary + strings.Join(got.Bullets, "")
	if strings.ContainsAny(all, "\x00\x1b\x07\u202e\u009b") {
		t.Errorf("control characters kept: %+v", got)
	}
	if got.Title != "Clear[2J screen" || got.Bullets[1] != "two31m" {
		t.Errorf("got %+v", got)
	}
}

// A 20 MB answer is refused without reading it all, counted as a paid
// call, retried as an invalid answer and, when every attempt is like it,
// fails naming the limit. Nothing is returned to cache.
func TestHugeAnswerIsRefused(t *testing.T) {
	huge := `{"title": "T", "summary": "` + strings.Repeat("a", 20<<20) + `", "bullets": ["a", "b", "c"]}`
	var calls atomic.Int32
	b := setup(t, func(c *Config) { c.MaxRetries = 2 }, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
		calls.Add(1)
		return &llmtest.Reply{Content: func(string) string { return huge }}
	}))
	got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
	if err == nil {
		t.Fatalf("a 20 MB answer was accepted: summary of %d bytes", len(got.Summary))
	}
	if recap.ErrorCode(err) != recap.ELLM || !strings.Contains(err.Error(), "1048576 bytes") {
		t.Errorf("err = %v (code %s), want ELLM naming the 1048576-byte limit", err, recap.ErrorCode(err))
	}
	if usage.LLMCalls != 2 || calls.Load() != 2 {
		t.Errorf("usage %+v after %d calls, want 2 counted calls", usage, calls.Load())
	}
}

// Fields over their limits are refused by name; the retry is told why.
func TestOverlongFieldsAreRefused(t *testing.T) {
	long := strings.Repeat("word ", 100) // 500 characters
	tests := []struct{ name, content, want string }{
		{"title", `{"title": "` + long + `", "summary": "S.", "bullets": ["a", "b", "c"]}`, "title is 499 characters long: the limit is 200"},
		{"summary", `{"title": "T", "summary": "` + strings.Repeat(long, 5) + `", "bullets": ["a", "b", "c"]}`, "summary is 2499 characters long: the limit is 2000"},
		{"bullet", `{"title": "T", "summary": "S.", "bullets": ["a", "b", "` + strings.Repeat(long, 2) + `"]}`, "a bullet is 999 characters long: the limit is 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t, nil, llmtest.WithScript(llmtest.Sequence(&llmtest.Reply{Content: func(string) string { return tt.content }})))
			got, usage, err := b.sum.SummarizeChapter(context.Background(), chapter(0, 1, transcript(3)))
			if err != nil {
				t.Fatal(err)
			}
			if usage.LLMCalls != 2 {
				t.Errorf("%d calls, want the overlong answer refused and a second call", usage.LLMCalls)
			}
			if len(got.Title) > 200 {
				t.Errorf("overlong title kept: %q", got.Title)
			}
			reqs := b.srv.Requests()
			if sys := reqs[1].Messages[0].Content; !strings.Contains(sys, tt.want) {
				t.Errorf("retry note lacks %q:\n%s", tt.want, sys)
			}
		})
	}
}
