package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// readCounter counts the reads a page makes of the store.
type readCounter struct {
	storage.Store
	mu    sync.Mutex
	reads map[string]int
}

func (c *readCounter) count(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reads == nil {
		c.reads = map[string]int{}
	}
	c.reads[what]++
}

func (c *readCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.reads {
		n += v
	}
	return n
}

func (c *readCounter) GetJob(ctx context.Context, id string) (*storage.Job, error) {
	c.count("job")
	return c.Store.GetJob(ctx, id)
}

func (c *readCounter) GetDocument(ctx context.Context, id string) (*recap.Document, error) {
	c.count("document")
	return c.Store.GetDocument(ctx, id)
}

func (c *readCounter) LatestDocument(ctx context.Context, videoID string) (*recap.Document, error) {
	c.count("latest")
	return c.Store.LatestDocument(ctx, videoID)
}

func (c *readCounter) GetTranscript(ctx context.Context, videoID, language string) (*recap.Transcript, error) {
	c.count("transcript")
	return c.Store.GetTranscript(ctx, videoID, language)
}

var csrfAttr = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// A finished summary's page is rendered once: later requests read nothing
// from the store, and still get their own nonce (matching their CSP) and
// their own session's sign-out form.
func TestFinishedPageRenderedOnce(t *testing.T) {
	ta := newTestApp(t)
	rc := &readCounter{Store: ta.store}
	ta.app.Store = rc
	if err := ta.store.PutTranscript(context.Background(), "dQw4w9WgXcQ",
		recap.Transcript{Language: "en", Source: recap.TranscriptYouTube, Segments: cues(0, 150*time.Second)}); err != nil {
		t.Fatal(err)
	}
	j := ta.finish(t, storage.StatusDone)

	ta.sess = Session{OK: true, Required: true, SignedIn: true, CSRF: "csrf-of-alice"}
	first := ta.serve("GET", "/s/"+j.ID, nil)
	if first.Code != 200 || !strings.Contains(first.Body.String(), `class="passage"`) {
		t.Fatalf("first page = %d, with passages %v", first.Code, strings.Contains(first.Body.String(), `class="passage"`))
	}
	read := rc.total()

	seen := map[string]bool{}
	var bodies []string
	for _, csrf := range []string{"csrf-of-bob", "csrf-of-carol"} {
		ta.sess.CSRF = csrf
		w := ta.serve("GET", "/s/"+j.ID, nil)
		body := w.Body.String()
		m := nonceAttr.FindStringSubmatch(body)
		if w.Code != 200 || m == nil || seen[m[1]] ||
			!strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'nonce-"+m[1]+"'") {
			t.Fatalf("page %d: nonce %v, CSP %q; want a fresh nonce that the CSP names", w.Code, m, w.Header().Get("Content-Security-Policy"))
		}
		seen[m[1]] = true
		if c := csrfAttr.FindAllStringSubmatch(body, -1); len(c) != 1 || c[0][1] != csrf {
			t.Errorf("page of %s carries CSRF tokens %v", csrf, c)
		}
		bodies = append(bodies, strings.ReplaceAll(strings.ReplaceAll(body, m[1], "NONCE"), csrf, "CSRF"))
	}
	if rc.total() != read {
		t.Errorf("later requests read the store %v; want only the first request's %d reads", rc.reads, read)
	}
	if bodies[0] != bodies[1] {
		t.Error("two requests for a kept page differ in more than their nonce and CSRF token")
	}

	// The video's page is the same kept page.
	if w := ta.serve("GET", "/v/dQw4w9WgXcQ", nil); w.Code != 200 || rc.reads["transcript"] != 1 {
		t.Errorf("video page = %d after %d transcript reads; want 1", w.Code, rc.reads["transcript"])
	}
	// Kept or not, the page needs a signed-in request.
	ta.sess = Session{Required: true}
	if w := ta.serve("GET", "/s/"+j.ID, nil); w.Code != 401 || strings.Contains(w.Body.String(), "Words here.") {
		t.Errorf("kept page signed out = %d", w.Code)
	}
}

// A kept page is exactly what the summary template writes in the layout,
// whatever its title holds.
func TestRenderedPageIsTheSummaryPage(t *testing.T) {
	ta := newTestApp(t)
	d := doc()
	d.People = []recap.Person{{Name: "Host One", Role: recap.RoleHost}}
	d.Video.Title = "A title with " + contentMark + " in it" // the layout's mark, escaped in the title
	tr := &recap.Transcript{Language: "en", Segments: cues(0, 150*time.Second)}
	rp, err := ta.app.summaryPage(d, tr)
	if err != nil {
		t.Fatal(err)
	}
	sess := Session{OK: true, SignedIn: true, CSRF: "tok"}
	kept := httptest.NewRecorder()
	ta.app.renderSummary(kept, httptest.NewRequest("GET", "/s/job-1", nil), sess, rp)
	s := NewSummary(d, tr)
	direct := httptest.NewRecorder()
	ta.app.render(direct, httptest.NewRequest("GET", "/s/job-1", nil), 200, "summary", sess, layoutData{Title: s.Title, Page: s})

	strip := func(b *bytes.Buffer) string { return nonceAttr.ReplaceAllString(b.String(), "") }
	if got, want := strip(kept.Body), strip(direct.Body); got != want || !strings.Contains(got, "Host One") {
		t.Errorf("kept page differs from the summary template's:\n%s\n----\n%s", got, want)
	}
}

// Only a finished job's page is kept: a job's page while it runs is its
// progress, and the summary once it is done.
func TestRunningJobPageNotKept(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	j, _, err := ta.store.SubmitJob(ctx, storagetest.NewJob("dQw4w9WgXcQ", "k"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if w := ta.serve("GET", "/s/"+j.ID, nil); w.Code != 200 || !strings.Contains(w.Body.String(), "Reading the video") {
			t.Fatalf("running job's page = %d %s", w.Code, w.Body)
		}
	}
	d := doc()
	d.ID = j.ID
	if err := ta.store.FinishJob(ctx, j.ID, storagetest.Lease.Owner, d); err != nil {
		t.Fatal(err)
	}
	if w := ta.serve("GET", "/s/"+j.ID, nil); w.Code != 200 || !strings.Contains(w.Body.String(), "Model&#39;s") || strings.Contains(w.Body.String(), "Reading the video") {
		t.Errorf("finished job's page = %d %s", w.Code, w.Body)
	}
	if _, ok := ta.app.renderedPages().Get(j.ID); !ok {
		t.Error("the finished page is not kept")
	}
}
