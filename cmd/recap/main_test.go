package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// TestMain lets the test binary act as the recap binary, so tests can run
// (and SIGKILL) recap as a real process without building it first.
func TestMain(m *testing.M) {
	if os.Getenv("RECAP_TEST_AS_MAIN") == "1" {
		code := NewMain().Run(signalContext(), os.Args[1:])
		if path := os.Getenv("RECAP_TEST_PEAK_RSS_FILE"); path != "" {
			// The process's own peak (VmHWM): what wait4 reports would
			// count the parent's memory this process had before exec.
			status, _ := os.ReadFile("/proc/self/status")
			os.WriteFile(path, status, 0o644)
		}
		os.Exit(code)
	}
	code := m.Run()
	stopChromium()
	os.Exit(code)
}

const testAPIKey = "sk-test-do-not-log-9f8e7d"

// fakes are a fake YouTube and a fake LLM, and the environment that points
// recap at them.
type fakes struct {
	yt  *youtubetest.Server
	llm *llmtest.Server
	asr *asrtest.Server // nil until withASR
	env map[string]string
	dir string
}

func newFakes(t *testing.T, llmOpts ...llmtest.Option) *fakes {
	t.Helper()
	f := &fakes{yt: youtubetest.NewServer(t), llm: llmtest.NewServer(t, llmOpts...), dir: t.TempDir()}
	f.env = map[string]string{
		"RECAP_YOUTUBE_ENDPOINT": f.yt.URL(),
		"RECAP_LLM_BASE_URL":     f.llm.BaseURL(),
		"RECAP_LLM_API_KEY":      testAPIKey,
		"RECAP_LLM_MODEL":        "fake-model",
		"RECAP_DATABASE_URL":     "sqlite:" + filepath.Join(f.dir, "recap.db"),
		"RECAP_LLM_MAX_RETRIES":  "2",
		// A fake YouTube on 127.0.0.1: no pace to keep (a 429 or a bot
		// check still pauses every request).
		"RECAP_YOUTUBE_RPM": "0",
	}
	return f
}

func (f *fakes) without(keys ...string) *fakes {
	g := *f
	g.env = map[string]string{}
	for k, v := range f.env {
		g.env[k] = v
	}
	for _, k := range keys {
		delete(g.env, k)
	}
	return &g
}

// run runs recap in-process and returns its output and exit code.
func (f *fakes) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return f.env[k] }}
	code = m.Run(context.Background(), args)
	return out.String(), errb.String(), code
}

func decodeDoc(t *testing.T, s string) *recap.Document {
	t.Helper()
	var d recap.Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("not a JSON document: %v\n%s", err, s)
	}
	return &d
}

func TestSummarizeYouTubeWithLLM(t *testing.T) {
	f := newFakes(t)
	v := youtubetest.SyntheticVideo("synthVideo1", time.Hour, 6, 1)
	f.yt.AddVideo(v)

	out, errOut, code := f.run(t, "summarize", "--format", "json", "https://www.youtube.com/watch?v=synthVideo1&t=42s&list=PLx")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	want := youtubetest.SyntheticChapters(time.Hour, 6, 1)
	if len(doc.Chapters) != len(want) {
		t.Fatalf("%d chapters, want %d", len(doc.Chapters), len(want))
	}
	for i, c := range doc.Chapters {
		if c.StartSeconds != int64(want[i].Start/time.Second) || c.SourceTitle != want[i].Title {
			t.Errorf("chapter %d = %d %q, want %d %q", i, c.StartSeconds, c.SourceTitle, int64(want[i].Start/time.Second), want[i].Title)
		}
		if i > 0 && doc.Chapters[i-1].EndSeconds != c.StartSeconds {
			t.Errorf("chapters %d and %d are not contiguous", i-1, i)
		}
		if c.Title == "" || c.Summary == "" || len(c.Bullets) < 3 || !strings.HasSuffix(c.URL, "&t="+itoa(c.StartSeconds)+"s") {
			t.Errorf("chapter %d incomplete: %+v", i, c)
		}
	}
	if last := doc.Chapters[len(doc.Chapters)-1]; last.EndSeconds != 3600 || doc.Video.DurationSeconds != 3600 {
		t.Errorf("chapters end at %d, video %d s; want 3600", last.EndSeconds, doc.Video.DurationSeconds)
	}
	if doc.ChaptersSource != "description" || doc.TranscriptSource != "youtube" || doc.Generator.Summarizer != "llm" ||
		doc.Generator.Model != "fake-model" || doc.Generator.PromptVersion == "" || doc.Overview == "" {
		t.Errorf("document header = %+v", doc)
	}
	if doc.Usage.LLMCalls != 7 || f.llm.Calls() != 7 || doc.Usage.PromptTokens == 0 {
		t.Errorf("usage %+v, fake saw %d calls; want 6 chapters + 1 overview", doc.Usage, f.llm.Calls())
	}
	if !strings.Contains(errOut, "chapter 6 of 6") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	if strings.Contains(out+errOut, testAPIKey) {
		t.Fatal("the API key leaked into the output")
	}

	// Again: every chapter and the overview come from the cache.
	out2, errOut, code := f.run(t, "summarize", "--format", "json", "synthVideo1")
	if code != 0 {
		t.Fatalf("second run exit %d: %s", code, errOut)
	}
	if f.llm.Calls() != 7 {
		t.Fatalf("the second run paid the LLM again: %d calls", f.llm.Calls()-7)
	}
	if doc2 := decodeDoc(t, out2); doc2.Chapters[2].Summary != doc.Chapters[2].Summary || doc2.Usage.LLMCalls != 0 {
		t.Fatalf("cached run differs: %+v", doc2.Usage)
	}
	if !strings.Contains(errOut, "from cache") {
		t.Errorf("stderr does not say chapters came from the cache: %q", errOut)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
