package llm

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
)

// testBundle is a Summarizer wired to a fake server, with its sleeps and
// logs captured.
type testBundle struct {
	srv    *llmtest.Server
	sum    *Summarizer
	sleeps *sleepRecorder
	logs   *syncBuffer
}

const testKey = "sk-test-0123456789abcdef"

// setup starts a fake server with opts and a Summarizer on it; edit
// adjusts the Config before New.
func setup(t *testing.T, edit func(*Config), opts ...llmtest.Option) *testBundle {
	t.Helper()
	b := &testBundle{srv: llmtest.NewServer(t, opts...), sleeps: &sleepRecorder{}, logs: &syncBuffer{}}
	cfg := Config{
		BaseURL: b.srv.BaseURL(),
		APIKey:  testKey,
		Model:   "test-model",
		Sleep:   b.sleeps.sleep,
		Logger:  slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Timeout: 10 * time.Second,
		// Records pauses instead of holding calls for real: the sleeps
		// are recorded too.
		Limiter: &recordingLimiter{},
	}
	if edit != nil {
		edit(&cfg)
	}
	sum, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.sum = sum
	return b
}

type sleepRecorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) all() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.d...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// transcript makes n sentences of distinct, numbered words, so every word
// can be traced through the requests.
func transcript(sentences int) string {
	var b strings.Builder
	for i := range sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "Sentence%03d talks about rockets%03d and engines%03d for orbit%03d today.", i, i, i, i)
	}
	return b.String()
}

func chapter(index, total int, text string) pipeline.ChapterInput {
	return pipeline.ChapterInput{
		VideoTitle: "How rockets work", Index: index, Total: total,
		SourceTitle: "Engines", Text: text, Language: "en",
	}
}
