package main

import (
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

const terminalControls = "\x00\x07\x1b\u009b\u202e"

// A video whose title and captions carry terminal escapes, and a model
// that answers with them, print nothing a terminal would obey, and the
// document is stored (SQLite here; PostgreSQL refuses NUL outright).
func TestSummarizeStripsTerminalEscapes(t *testing.T) {
	f := newFakes(t, llmtest.WithScript(llmtest.Matching("<transcript>", &llmtest.Reply{Content: func(a string) string {
		return strings.Replace(a, `"title":"`, `"title":"\u001b[2J\u0007`, 1)
	}})))
	v := youtubetest.SyntheticVideo("escVideo001", 20*time.Minute, 3, 5)
	v.Title = "Clear \x1b[2J\x1b]0;owned\x07 screen\u202e"
	v.Channel = "Chan\x1b[31mnel"
	for i := range v.Tracks[0].Segments {
		v.Tracks[0].Segments[i].Text += " \x00\x1b[1m"
	}
	f.yt.AddVideo(v)
	for _, format := range []string{"md", "json", "html"} {
		out, errOut, code := f.run(t, "summarize", "--format", format, "escVideo001")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		if i := strings.IndexAny(out+errOut, terminalControls); i >= 0 {
			t.Errorf("%s: a control character reached the terminal: %q", format, (out + errOut)[max(0, i-30):i+1])
		}
		want := "Clear [2J]0;owned screen"
		if format == "md" {
			want = `Clear \[2J\]0;owned screen`
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: the title is not shown cleaned:\n%s", format, out)
		}
	}
}

// An error that quotes a server's answer cannot carry escapes to stderr.
func TestErrorLineStripsTerminalEscapes(t *testing.T) {
	f := newFakes(t, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
		return &llmtest.Reply{Status: 400, Body: `{"error": {"message": "bad model \u001b[2J\u0007 name", "type": "invalid_request_error"}}`}
	}))
	f.yt.AddVideo(youtubetest.SyntheticVideo("escVideo002", 10*time.Minute, 3, 6))
	_, errOut, code := f.run(t, "summarize", "--quiet", "escVideo002")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	if strings.ContainsAny(errOut, terminalControls) || !strings.Contains(errOut, "bad model [2J name") {
		t.Errorf("stderr = %q", errOut)
	}
}

// NUL and escapes in a title, the captions and a model answer never reach
// the database: on PostgreSQL, which refuses NUL in text and jsonb, the
// job finishes instead of failing every write.
func TestServeStoresCleanedText(t *testing.T) {
	for _, mode := range []string{"embedded", "redis+postgres"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakes(t, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
				return &llmtest.Reply{Content: func(a string) string {
					return strings.Replace(a, `":"`, `":"\u0000\u001b[2J`, 1)
				}}
			}))
			f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
			f.env["RECAP_WORKERS"] = "1"
			if mode != "embedded" && !f.withRealServices(t, 12) {
				t.Skip("RECAP_TEST_REDIS_URL and RECAP_TEST_POSTGRES_URL are not set")
			}
			v := youtubetest.SyntheticVideo("nulVideo001", 20*time.Minute, 3, 8)
			v.Title = "Nul\x00 title\x1b[2J"
			v.Description = "Nul\x00 in the description\n" + v.Description
			for i := range v.Tracks[0].Segments {
				v.Tracks[0].Segments[i].Text += "\x00"
			}
			f.yt.AddVideo(v)
			s := f.serveInProcess(t)
			_, job := s.post(t, `{"url": "nulVideo001"}`)
			done := s.wait(t, job.ID, "done", finished)
			if done.Status != "done" || done.Summary == nil {
				t.Fatalf("job = %+v", done)
			}
			if done.Attempts != 1 {
				t.Errorf("job took %d attempts, want 1", done.Attempts)
			}
			doc := done.Summary
			if doc.Video.Title != "Nul title[2J" || strings.ContainsAny(doc.Overview+doc.Chapters[0].Title+doc.Chapters[0].Summary, "\x00\x1b") {
				t.Errorf("document keeps control characters: %+v", doc)
			}
			s.stop()
		})
	}
}

// A model server's error message with a NUL is recorded as the job's
// reason: the job fails once, with its reason, instead of every write of
// the failure failing.
func TestFailedJobReasonIsStoredClean(t *testing.T) {
	for _, mode := range []string{"embedded", "redis+postgres"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakes(t, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
				return &llmtest.Reply{Status: 404, Body: `{"error": {"message": "model \u0000\u001b[2J gone", "type": "invalid_request_error"}}`}
			}))
			f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
			f.env["RECAP_WORKERS"] = "1"
			if mode != "embedded" && !f.withRealServices(t, 12) {
				t.Skip("RECAP_TEST_REDIS_URL and RECAP_TEST_POSTGRES_URL are not set")
			}
			f.yt.AddVideo(youtubetest.SyntheticVideo("nulVideo002", 10*time.Minute, 3, 9))
			s := f.serveInProcess(t)
			_, job := s.post(t, `{"url": "nulVideo002"}`)
			failed := s.wait(t, job.ID, "failed", finished)
			if failed.Status != "failed" || failed.Error == nil || !strings.Contains(failed.Error.Message, "model [2J gone") ||
				strings.ContainsAny(failed.Error.Message, "\x00\x1b") {
				t.Fatalf("job = %+v, error %+v", failed, failed.Error)
			}
			s.stop()
		})
	}
}
