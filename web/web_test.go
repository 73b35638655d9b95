package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/storage/storagetest"
)

type testApp struct {
	app     *App
	store   storage.Store
	sess    Session
	submits []string
	// options are the options of each submission, as Submit got them.
	options []VideoOptions
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ta := &testApp{store: store, sess: Session{OK: true}}
	ta.app = &App{
		Store: store,
		Submit: func(ctx context.Context, input string, o VideoOptions) (*storage.Job, error) {
			ta.submits = append(ta.submits, input+map[bool]string{true: " (forced)"}[o.Force])
			ta.options = append(ta.options, o)
			job := storagetest.NewJob("dQw4w9WgXcQ", "k")
			job.Input = input
			j, _, err := store.SubmitJob(ctx, job, o.Force)
			return j, err
		},
		Auth: func(*http.Request) Session { return ta.sess },
	}
	return ta
}

func (ta *testApp) serve(method, target string, form url.Values) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", ta.app.Home)
	mux.HandleFunc("POST /{$}", ta.app.SubmitForm)
	mux.HandleFunc("GET /s/{id}", ta.app.Summary)
	mux.HandleFunc("GET /s/{id}/{file}", ta.app.File)
	mux.HandleFunc("POST /s/{id}/{file}", ta.app.Retry)
	mux.HandleFunc("GET /v/{video_id}", ta.app.Video)
	mux.HandleFunc("GET /search", ta.app.Search)
	mux.HandleFunc("GET /static/{file}", ta.app.Static)
	mux.HandleFunc("GET /b", ta.app.BatchesPage)
	mux.HandleFunc("GET /b/{id}", ta.app.BatchPage)
	mux.HandleFunc("GET /b/{id}/{file}", ta.app.BatchFile)
	mux.HandleFunc("POST /b/{id}/{file}", ta.app.BatchAction)
	mux.HandleFunc("GET /subscriptions", ta.app.SubscriptionsPage)
	mux.HandleFunc("POST /subscriptions", ta.app.SubscribeForm)
	mux.HandleFunc("POST /subscriptions/{id}/{action}", ta.app.UnsubscribeForm)
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

// finish stores a finished job whose every text carries a payload.
func (ta *testApp) finish(t *testing.T, status string) *storage.Job {
	t.Helper()
	ctx := context.Background()
	j, _, err := ta.store.SubmitJob(ctx, storagetest.NewJob("dQw4w9WgXcQ", "k"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	if status == storage.StatusFailed {
		if err := ta.store.FailJob(ctx, j.ID, storagetest.Lease.Owner, "video_private", "the video is private"); err != nil {
			t.Fatal(err)
		}
		return j
	}
	d := doc()
	d.ID = j.ID
	d.Video.Title = `<script>alert(1)</script>`
	d.Overview = `"><img src=x onerror=alert(1)>`
	d.Chapters[0].URL = "javascript:alert(1)"
	if err := ta.store.FinishJob(ctx, j.ID, storagetest.Lease.Owner, d); err != nil {
		t.Fatal(err)
	}
	return j
}

var nonceAttr = regexp.MustCompile(`<script src="/static/app\.js\?v=[0-9a-f]+" nonce="([^"]+)"`)

func TestPageHeadersAndEscaping(t *testing.T) {
	ta := newTestApp(t)
	j := ta.finish(t, storage.StatusDone)
	w := ta.serve("GET", "/s/"+j.ID, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("summary = %d %s", w.Code, body)
	}
	m := nonceAttr.FindStringSubmatch(body)
	h := w.Header()
	if m == nil || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'nonce-"+m[1]+"'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-src https://www.youtube-nocookie.com;") {
		t.Errorf("CSP %q does not carry the page's nonce %v", h.Get("Content-Security-Policy"), m)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", h)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "javascript:") ||
		!strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("payloads not escaped:\n%s", body)
	}
	if strings.Contains(body, " style=") || strings.Contains(body, " onclick=") || strings.Contains(body, "<style") {
		t.Error("inline style or handler in the page")
	}
	// A second request gets another nonce.
	if m2 := nonceAttr.FindStringSubmatch(ta.serve("GET", "/s/"+j.ID, nil).Body.String()); m2 == nil || m2[1] == m[1] {
		t.Error("the nonce is not per request")
	}
	if w := ta.serve("GET", "/v/dQw4w9WgXcQ", nil); w.Code != 200 || !strings.Contains(w.Body.String(), j.ID+"/summary.md") {
		t.Errorf("video page = %d", w.Code)
	}
}

func TestSearchPage(t *testing.T) {
	ta := newTestApp(t)
	w := ta.serve("GET", "/search?q="+url.QueryEscape(`"unclosed`), nil)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "unbalanced quote") {
		t.Errorf("bad query = %d %s", w.Code, w.Body)
	}
	if w := ta.serve("GET", "/search?q=cats+OR", nil); w.Code != 400 || !strings.Contains(w.Body.String(), "OR needs a word") {
		t.Errorf("bad OR = %d", w.Code)
	}
	if w := ta.serve("GET", "/search", nil); w.Code != 200 || strings.Contains(w.Body.String(), "Nothing matches") {
		t.Errorf("empty search page = %d", w.Code)
	}
	if w := ta.serve("GET", "/search?q=zebra", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "Nothing matches") {
		t.Errorf("search without results = %d", w.Code)
	}
}

func TestFiles(t *testing.T) {
	ta := newTestApp(t)
	j := ta.finish(t, storage.StatusDone)
	w := ta.serve("GET", "/s/"+j.ID+"/summary.md", nil)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), `filename="recap-dQw4w9WgXcQ.md"`) || !strings.Contains(w.Body.String(), "## Chapters") {
		t.Errorf("md = %d %v", w.Code, w.Header())
	}
	if w := ta.serve("GET", "/s/"+j.ID+"/summary.json", nil); w.Code != 200 || !json.Valid(w.Body.Bytes()) {
		t.Errorf("json = %d", w.Code)
	}
	w = ta.serve("GET", "/s/"+j.ID+"/progress.json", nil)
	var p Job
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != "done" || p.Link != "/s/"+j.ID {
		t.Errorf("progress = %d %s", w.Code, w.Body)
	}
	for _, path := range []string{"/s/" + j.ID + "/passwd", "/s/nope/summary.md", "/s/nope", "/v/nope"} {
		if w := ta.serve("GET", path, nil); w.Code != 404 {
			t.Errorf("%s = %d, want 404", path, w.Code)
		}
	}
	if w := ta.serve("GET", "/static/app.css", nil); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("css = %d %v", w.Code, w.Header())
	}
}

func TestSubmitAndRetry(t *testing.T) {
	ta := newTestApp(t)
	w := ta.serve("POST", "/", url.Values{"url": {"https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "recap batch") || len(ta.submits) != 0 {
		t.Errorf("playlist = %d", w.Code)
	}
	w = ta.serve("POST", "/", url.Values{"url": {" youtube.com/watch?v=dQw4w9WgXcQ "}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/s/") || ta.submits[0] != "youtube.com/watch?v=dQw4w9WgXcQ" {
		t.Fatalf("submit = %d %v %q", w.Code, w.Header(), ta.submits)
	}
	failed := ta.finish(t, storage.StatusFailed)
	w = ta.serve("GET", "/s/"+failed.ID, nil)
	if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "the video is private") || !strings.Contains(w.Body.String(), "/retry") {
		t.Errorf("failed page = %d", w.Code)
	}
	// With a session, a form needs its CSRF token.
	ta.sess = Session{OK: true, Required: true, SignedIn: true, CSRF: "tok3n"}
	if w := ta.serve("POST", "/s/"+failed.ID+"/retry", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("retry without CSRF = %d", w.Code)
	}
	w = ta.serve("POST", "/s/"+failed.ID+"/retry", url.Values{"csrf": {"tok3n"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") == "/s/"+failed.ID || ta.submits[len(ta.submits)-1] != failed.Input+" (forced)" {
		t.Errorf("retry = %d %v %q", w.Code, w.Header(), ta.submits)
	}
	// Signed out: the pages ask for the token.
	ta.sess = Session{Required: true}
	for _, path := range []string{"/s/" + failed.ID, "/search?q=x", "/v/dQw4w9WgXcQ", "/s/" + failed.ID + "/summary.md"} {
		if w := ta.serve("GET", path, nil); w.Code != 401 || !strings.Contains(w.Body.String(), `name="token"`) {
			t.Errorf("%s signed out = %d", path, w.Code)
		}
	}
	if w := ta.serve("GET", "/", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `name="token"`) || strings.Contains(w.Body.String(), "Library") {
		t.Errorf("home signed out = %d", w.Code)
	}
	if w := ta.serve("POST", "/", url.Values{"url": {"dQw4w9WgXcQ"}}); w.Code != 401 {
		t.Errorf("submit signed out = %d", w.Code)
	}
}
