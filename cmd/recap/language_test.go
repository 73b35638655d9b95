package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/youtube/youtubetest"
)

// --summary-lang writes the summary in another language than the
// transcript's: the prompts ask for it, the document says so, and the
// chapter cache keeps the two languages apart.
func TestSummarizeSummaryLanguage(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("langVideo01", 20*time.Minute, 3, 11))

	out, errOut, code := f.run(t, "summarize", "--format", "json", "--summary-lang", "DE", "langVideo01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	if doc.Language != "en" || doc.SummaryLanguage != "de" {
		t.Errorf("language %q, summary_language %q; want en and de", doc.Language, doc.SummaryLanguage)
	}
	reqs := f.llm.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d LLM calls, want 4", len(reqs))
	}
	for _, r := range reqs {
		if sys := r.Messages[0].Content; !strings.Contains(sys, "Write in German") {
			t.Errorf("%s prompt does not ask for German:\n%s", r.Kind, sys)
		}
	}
	if !strings.Contains(reqs[0].Messages[0].Content, "though the transcript is in English") {
		t.Errorf("chapter prompt does not say the transcript's language:\n%s", reqs[0].Messages[0].Content)
	}

	// The default is the transcript's language, and the German chapters
	// are not taken for it from the cache.
	out, errOut, code = f.run(t, "summarize", "--format", "json", "langVideo01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if doc := decodeDoc(t, out); doc.SummaryLanguage != "en" || doc.Usage.LLMCalls != 4 {
		t.Errorf("default run: summary_language %q after %d calls; want en, paid again", doc.SummaryLanguage, doc.Usage.LLMCalls)
	}
	// The same language again comes from the cache.
	out, _, _ = f.run(t, "summarize", "--format", "json", "--summary-lang", "de", "langVideo01")
	if doc := decodeDoc(t, out); doc.Usage.LLMCalls != 0 {
		t.Errorf("German again: %d calls, want all from the cache", doc.Usage.LLMCalls)
	}
}

func TestSummarizeSummaryLanguageRefused(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("langVideo02", 20*time.Minute, 3, 12))
	for _, tc := range []struct {
		name string
		env  *fakes
		args []string
		want string
	}{
		{"not a tag", f, []string{"--summary-lang", "German!"}, `--summary-lang "German!" is not a language tag`},
		{"too long", f, []string{"--summary-lang", strings.Repeat("a", 36)}, "--summary-lang is 36 characters long: a language tag has at most 35"},
		{"caption language too long", f, []string{"--lang", "en-" + strings.Repeat("x", 40)}, "--lang is 43 characters long"},
		{"extractive cannot translate", f.without("RECAP_LLM_BASE_URL", "RECAP_LLM_API_KEY"), []string{"--summary-lang", "de"},
			`summary language "de": the extractive summarizer quotes the "en" transcript and cannot translate it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := f.llm.Calls()
			_, errOut, code := tc.env.run(t, append(append([]string{"summarize"}, tc.args...), "langVideo02")...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
			if f.llm.Calls() != calls {
				t.Error("the LLM was called")
			}
		})
	}
	// The extractive summarizer takes the transcript's own language, or a
	// regional variant of it.
	_, errOut, code := f.without("RECAP_LLM_BASE_URL", "RECAP_LLM_API_KEY").run(t, "summarize", "--summary-lang", "en-GB", "langVideo02")
	if code != 0 {
		t.Errorf("extractive with en-GB for an en transcript: exit %d: %s", code, errOut)
	}
}

// "summary_language" on POST /v1/summaries reaches the document, and is
// part of what makes two submissions the same work.
func TestServeSummaryLanguage(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "1"
	f.yt.AddVideo(youtubetest.SyntheticVideo("langVideo03", 20*time.Minute, 3, 13))
	s := f.serveInProcess(t)
	defer s.stop()

	code, de := s.post(t, `{"url": "langVideo03", "summary_language": "de"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST = %d", code)
	}
	done := s.wait(t, de.ID, "done", finished)
	if done.Summary == nil || done.Summary.SummaryLanguage != "de" {
		t.Fatalf("job = %+v", done)
	}
	code, en := s.post(t, `{"url": "langVideo03"}`)
	if code != http.StatusAccepted || en.ID == de.ID {
		t.Errorf("a submission without summary_language got %d and job %s, want a new job", code, en.ID)
	}
	if code, again := s.post(t, `{"url": "langVideo03", "summary_language": "DE"}`); code != http.StatusOK || again.ID != de.ID {
		t.Errorf("the same summary language again got %d and job %s, want 200 and %s", code, again.ID, de.ID)
	}
	if code, body := postBody(t, s, `{"url": "langVideo03", "summary_language": "`+strings.Repeat("x", 36)+`"}`); code != http.StatusBadRequest ||
		!strings.Contains(body, `\"summary_language\" is 36 characters long`) {
		t.Errorf("36-character summary_language: %d %s", code, body)
	}
}

// postBody posts to /v1/summaries and returns the status and raw body.
func postBody(t *testing.T, s *testService, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.base+"/v1/summaries", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
