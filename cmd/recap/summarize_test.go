package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
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
		{"bad price", map[string]string{"RECAP_LLM_PRICE_OUTPUT": "$1.60"}, []string{"summarize", "synthVideo3"}, 2, "RECAP_LLM_PRICE_OUTPUT"},
		{"negative price", map[string]string{"RECAP_LLM_PRICE_INPUT": "-1"}, []string{"summarize", "synthVideo3"}, 2, "RECAP_LLM_PRICE_INPUT"},
		{"bad youtube rpm", map[string]string{"RECAP_YOUTUBE_RPM": "fast"}, []string{"summarize", "synthVideo3"}, 2, "RECAP_YOUTUBE_RPM"},
		{"bad RECAP_LANG", map[string]string{"RECAP_LANG": "english please"}, []string{"summarize", "synthVideo3"}, 2, `RECAP_LANG "english please" is not a language tag`},
		{"bad --lang", nil, []string{"summarize", "--lang", strings.Repeat("en-", 50), "synthVideo3"}, 2, "--lang is 150 characters long"},
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

// summarize keeps its document where recap get finds it, by the id it
// printed or by the video; without RECAP_DATABASE_URL that is the XDG data
// folder, whatever folder the command runs in.
func TestSummarizeStoresItsDocument(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo7", 20*time.Minute, 3, 7))
	g := f.without("RECAP_DATABASE_URL")
	data := t.TempDir()
	g.env["XDG_DATA_HOME"] = data
	t.Chdir(t.TempDir())

	out, errOut, code := g.run(t, "summarize", "--format", "json", "synthVideo7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	if _, err := os.Stat(filepath.Join(data, "recap", "recap.db")); err != nil {
		t.Fatalf("no database in the XDG data folder: %v", err)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("summarize left files in the working folder: %v", entries)
	}
	for _, arg := range []string{doc.ID, "synthVideo7", "https://youtu.be/synthVideo7"} {
		got, errOut, code := g.run(t, "get", "--format", "json", arg)
		if code != 0 || decodeDoc(t, got).ID != doc.ID {
			t.Fatalf("get %s: exit %d %s\n%s", arg, code, errOut, got)
		}
	}
	// In another folder, the same database.
	t.Chdir(t.TempDir())
	if _, errOut, code := g.run(t, "get", doc.ID); code != 0 {
		t.Fatalf("get from another folder: exit %d %s", code, errOut)
	}
}

// With --quiet a failed run prints one line; without it, retries are
// summed up, not listed one by one.
func TestSummarizeFailureOutput(t *testing.T) {
	f := newFakes(t, llmtest.WithDown())
	f.env["RECAP_LLM_MAX_RETRIES"] = "4"
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo8", 20*time.Minute, 3, 8))

	_, errOut, code := f.run(t, "summarize", "--quiet", "synthVideo8")
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "503") {
		t.Fatalf("--quiet failure: exit %d, stderr:\n%s\nwant exit 1 and one line naming the 503", code, errOut)
	}

	_, errOut, code = f.run(t, "summarize", "synthVideo8")
	if code != 1 || !strings.Contains(lastLine(errOut), "503") {
		t.Fatalf("failure: exit %d, stderr:\n%s", code, errOut)
	}
	if n := strings.Count(errOut, "retrying"); n != 1 || !strings.Contains(errOut, "times") {
		t.Fatalf("stderr mentions retrying %d times; want the retries summed up in one line:\n%s", n, errOut)
	}
}

// --out into a folder that does not exist fails before anything is
// fetched or paid for, naming the path the user gave.
func TestSummarizeOutMissingFolder(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo9", 20*time.Minute, 3, 9))
	out := filepath.Join(t.TempDir(), "no-such-folder", "talk.md")
	_, errOut, code := f.run(t, "summarize", "--out", out, "synthVideo9")
	if code != 2 || !strings.Contains(errOut, out) || !strings.Contains(errOut, "does not exist") || strings.Contains(errOut, ".talk.md.") {
		t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, errOut, out)
	}
	if f.llm.Calls() != 0 || f.yt.Requests("/youtubei/v1/player") != 0 {
		t.Fatalf("%d LLM calls and %d YouTube requests before failing", f.llm.Calls(), f.yt.Requests("/youtubei/v1/player"))
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, errOut, code := f.run(t, "summarize", "--out", filepath.Join(file, "talk.md"), "synthVideo9"); code != 2 || !strings.Contains(errOut, "is not a folder") {
		t.Fatalf("--out under a file: exit %d %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	f := newFakes(t)
	out, errOut, code := f.run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "recap ") || errOut != "" {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// The version line names the link-time version, else the module's, and the
// VCS revision, state and time Go recorded, whichever are there.
func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "c617970a1b2c3d4e5f60718293a4b5c6d7e8f901"},
		{Key: "vcs.time", Value: "2026-11-28T21:34:19Z"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		linked string
		info   *debug.BuildInfo
		want   string
	}{
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "(devel) (c617970a1b2c+modified, 2026-11-28T21:34:19Z)"},
		{"v1.4.0", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs[:2]}, "v1.4.0 (c617970a1b2c)"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.2"}}, "v1.3.2"},
		{"c617970-dirty", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "c617970-dirty"},
		{"", nil, "(devel)"},
	} {
		if got := versionLine(tc.linked, tc.info); got != tc.want {
			t.Errorf("versionLine(%q, %v) = %q, want %q", tc.linked, tc.info, got, tc.want)
		}
	}
}

// Every flag of every command is in the usage, and each command's --help
// shows its flags with their real defaults.
func TestHelpShowsEveryFlag(t *testing.T) {
	f := newFakes(t)
	_, usage, _ := f.run(t, "--help")
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	for _, cmd := range []string{"summarize", "serve", "worker", "get"} {
		_, help, code := f.run(t, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		flags := flagLine.FindAllStringSubmatch(help, -1)
		if len(flags) == 0 {
			t.Fatalf("%s --help lists no flags:\n%s", cmd, help)
		}
		for _, m := range flags {
			if !regexp.MustCompile(`recap ` + cmd + ` [^\n]*--` + m[1] + `\b`).MatchString(usage) {
				t.Errorf("recap --help does not show %s's --%s:\n%s", cmd, m[1], usage)
			}
		}
		if strings.Contains(help, "(default -1)") {
			t.Errorf("%s --help shows a default that is not the real one:\n%s", cmd, help)
		}
	}
	if _, help, _ := f.run(t, "serve", "--help"); !strings.Contains(help, "(default $RECAP_WORKERS, else 4)") || !strings.Contains(help, "else 127.0.0.1:8080") {
		t.Errorf("serve --help:\n%s", help)
	}
}

// usage.cost_usd prices the tokens at RECAP_LLM_PRICE_INPUT/OUTPUT (or the
// built-in price of the model); it is null for a model without a price.
func TestSummarizeCost(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthCost01", 20*time.Minute, 3, 7))
	out, errOut, code := f.run(t, "summarize", "--format", "json", "--no-cache", "synthCost01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if doc := decodeDoc(t, out); doc.Usage.CostUSD != nil || !strings.Contains(out, `"cost_usd": null`) {
		t.Errorf("fake-model has no price, cost_usd = %v", doc.Usage.CostUSD)
	}

	g := f.without()
	g.env["RECAP_LLM_PRICE_INPUT"], g.env["RECAP_LLM_PRICE_OUTPUT"] = "2", "10"
	before := [2]int{f.llm.PromptTokens(), f.llm.CompletionTokens()}
	out, errOut, code = g.run(t, "summarize", "--format", "json", "--no-cache", "synthCost01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	want := (float64(f.llm.PromptTokens()-before[0])*2 + float64(f.llm.CompletionTokens()-before[1])*10) / 1e6
	if doc.Usage.CostUSD == nil || *doc.Usage.CostUSD < want-1e-6 || *doc.Usage.CostUSD > want+1e-6 || want == 0 {
		t.Errorf("cost_usd = %v, want %.6f", doc.Usage.CostUSD, want)
	}
	md, _, _ := g.run(t, "summarize", "--format", "md", "synthCost01") // from the cache: nothing paid
	if !strings.Contains(md, "Summarized by recap") || strings.Contains(md, "cost unknown") {
		t.Errorf("markdown credits: %q", lastLine(md))
	}
	md, _, _ = g.run(t, "summarize", "--format", "md", "--no-cache", "synthCost01")
	if !strings.Contains(md, fmt.Sprintf("$%.4f", want)) {
		t.Errorf("markdown lacks the cost $%.4f: %q", want, lastLine(md))
	}
}
