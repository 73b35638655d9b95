package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

func TestSummarizeExtractiveByDefault(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo2", 30*time.Minute, 4, 2))
	g := f.without("RECAP_LLM_BASE_URL", "RECAP_LLM_API_KEY")
	out, errOut, code := g.run(t, "summarize", "--format", "json", "synthVideo2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	if doc.Generator.Summarizer != "extractive" || doc.Usage.LLMCalls != 0 || len(doc.Chapters) != 4 || doc.Overview == "" {
		t.Fatalf("extractive document = %+v", doc)
	}
	if f.llm.Calls() != 0 {
		t.Fatal("the extractive summarizer called the LLM")
	}
	md, errOut, code := g.run(t, "summarize", "synthVideo2")
	if code != 0 || !strings.Contains(md, "## Chapters") || !strings.Contains(md, "extractive") {
		t.Fatalf("markdown (exit %d, %s):\n%s", code, errOut, md)
	}
}

// writeBundle writes a small yt-dlp download: info.json with chapters and
// English VTT captions.
func writeBundle(t *testing.T, dir string) string {
	t.Helper()
	const id = "bundleVid01"
	base := filepath.Join(dir, "A talk ["+id+"]")
	info := map[string]any{
		"id": id, "title": "A talk about tea and trains", "channel": "Tester", "upload_date": "20240102",
		"duration": 600.0, "extractor": "youtube", "webpage_url": "https://www.youtube.com/watch?v=" + id,
		"description": "no chapters here",
		"chapters": []map[string]any{
			{"start_time": 0.0, "end_time": 200.0, "title": "Tea"},
			{"start_time": 200.0, "end_time": 400.0, "title": "Trains"},
			{"start_time": 400.0, "end_time": 600.0, "title": "Tea on trains"},
		},
		"subtitles": map[string]any{"en": []map[string]any{{"ext": "vtt"}}},
	}
	data, _ := json.Marshal(info)
	if err := os.WriteFile(base+".info.json", data, 0o644); err != nil {
		t.Fatal(err)
	}
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n\n")
	topics := []string{"green tea leaves steep in hot water.", "steam trains run on coal and water.", "tea is served on long train journeys."}
	for s := 0; s < 600; s += 5 {
		fmt.Fprintf(&vtt, "00:%02d:%02d.000 --> 00:%02d:%02d.000\nSentence %d: %s\n\n", s/60, s%60, (s+5)/60, (s+5)%60, s, topics[s/200])
	}
	if err := os.WriteFile(base+".en.vtt", []byte(vtt.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSummarizeBundle(t *testing.T) {
	f := newFakes(t)
	dir := writeBundle(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "talk.html")
	_, errOut, code := f.run(t, "summarize", dir, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
		t.Errorf("%s has mode %v, want 0644", out, st.Mode().Perm())
	}
	s := string(page)
	if !strings.HasPrefix(s, "<!doctype html>") || !strings.Contains(s, "A talk about tea and trains") ||
		!strings.Contains(s, "watch?v=bundleVid01&amp;t=400s") || !strings.Contains(s, "transcript: bundle, chapters: bundle") {
		t.Fatalf("HTML page:\n%s", s)
	}
	if f.yt.Requests("/youtubei/v1/player") != 0 {
		t.Fatal("a local bundle fetched YouTube")
	}
	if f.llm.Calls() != 4 {
		t.Fatalf("LLM calls = %d, want 3 chapters + overview", f.llm.Calls())
	}
}

func TestSummarizeErrors(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.Video{ID: "privateVid1", Title: "secret", Private: true})
	f.yt.AddVideo(youtubetest.Video{ID: "noCaptions1", Title: "silent", Duration: time.Minute, Description: "0:00 a\n0:20 b\n0:40 c"})
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo3", 20*time.Minute, 3, 3))
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"no input", nil, []string{"summarize"}, 2, "exactly one input"},
		{"two inputs", nil, []string{"summarize", "a", "b"}, 2, "exactly one input"},
		{"not youtube", nil, []string{"summarize", "https://vimeo.com/123456"}, 2, "not a YouTube video URL"},
		{"playlist", nil, []string{"summarize", "https://www.youtube.com/playlist?list=PLabc"}, 2, "playlist"},
		{"folder without bundle", nil, []string{"summarize", empty}, 2, ".info.json"},
		{"bad format", nil, []string{"summarize", "--format", "pdf", "synthVideo3"}, 2, "md, json or html"},
		{"bad flag", nil, []string{"summarize", "--colour", "synthVideo3"}, 2, "colour"},
		{"bad config", map[string]string{"RECAP_SUMMARIZER": "gpt"}, []string{"summarize", "synthVideo3"}, 2, "RECAP_SUMMARIZER"},
		{"bad RECAP_LANG", map[string]string{"RECAP_LANG": "english"}, []string{"summarize", "synthVideo3"}, 2, `RECAP_LANG="english": language "english" is not a language tag`},
		{"bad --lang", nil, []string{"summarize", "--lang", strings.Repeat("en-", 50), "synthVideo3"}, 2, "the most recap takes is 35"},
		{"unknown command", nil, []string{"summarise"}, 2, "unknown command"},
		{"private", nil, []string{"summarize", "privateVid1"}, 1, "private"},
		{"no captions", nil, []string{"summarize", "noCaptions1"}, 1, "captions"},
		{"unknown video", nil, []string{"summarize", "missingVid1"}, 1, "unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := f.without()
			for k, v := range tc.env {
				g.env[k] = v
			}
			out, errOut, code := g.run(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Fatalf("exit %d, stderr %q; want %d containing %q", code, errOut, tc.code, tc.msg)
			}
			if out != "" {
				t.Errorf("stdout not empty on failure: %q", out)
			}
			if last := lastLine(errOut); !strings.HasPrefix(last, "recap: ") {
				t.Errorf("last stderr line %q is not one clear recap: line", last)
			}
		})
	}
	if f.llm.Calls() != 0 {
		t.Fatalf("failures called the LLM %d times", f.llm.Calls())
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// LLM down for good: exit 1 with the reason, and no half document.
func TestSummarizeLLMDown(t *testing.T) {
	f := newFakes(t, llmtest.WithDown())
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo4", 20*time.Minute, 3, 4))
	out := filepath.Join(t.TempDir(), "summary.md")
	stdout, errOut, code := f.run(t, "summarize", "--out", out, "synthVideo4")
	if code != 1 || !strings.Contains(errOut, "503") {
		t.Fatalf("exit %d, stderr %q; want 1 naming the 503", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a failed run left %s behind (%v)", out, err)
	}
	if stdout != "" {
		t.Fatalf("stdout = %q", stdout)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestUsage(t *testing.T) {
	f := newFakes(t)
	if _, errOut, code := f.run(t); code != 2 || !strings.Contains(errOut, "recap summarize") {
		t.Fatalf("no args: exit %d %q", code, errOut)
	}
	if _, errOut, code := f.run(t, "--help"); code != 0 || !strings.Contains(errOut, "recap serve") {
		t.Fatalf("--help: exit %d %q", code, errOut)
	}
}
