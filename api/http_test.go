package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

const formType = "application/x-www-form-urlencoded"

// Every route answers a method it does not take with 405 and an Allow
// header; API routes answer in JSON.
func TestMethodNotAllowed(t *testing.T) {
	b := setup(t)
	for _, tc := range []struct {
		method, path, allow string
		json                bool
	}{
		{"DELETE", "/v1/summaries/abc", "GET, HEAD", true},
		{"PUT", "/v1/summaries", "GET, HEAD, POST", true},
		{"PATCH", "/v1/summaries", "GET, HEAD, POST", true},
		{"POST", "/v1/videos/dQw4w9WgXcQ/summary", "GET, HEAD", true},
		{"PUT", "/", "GET, HEAD, POST", false},
		{"DELETE", "/s/abc", "GET, HEAD", false},
		{"POST", "/healthz", "GET, HEAD", false},
		{"DELETE", "/metrics", "GET, HEAD", false},
		{"PUT", "/login", "GET, HEAD, POST", false},
		{"GET", "/logout", "POST", false},
	} {
		w := b.do(t, tc.method, tc.path, "")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d, Allow %q; want 405, Allow %q", tc.method, tc.path, w.Code, w.Header().Get("Allow"), tc.allow)
			continue
		}
		if tc.json {
			if e := decode[errorBody](t, w); e.Error.Code != "method_not_allowed" || !strings.Contains(e.Error.Message, tc.allow) {
				t.Errorf("%s %s: error %+v", tc.method, tc.path, e.Error)
			}
		}
	}
	// Unknown API paths stay 404, whatever the method.
	if w := b.do(t, "DELETE", "/v1/nothing", ""); w.Code != 404 {
		t.Errorf("DELETE /v1/nothing = %d; want 404", w.Code)
	}
}

// goNames are the marks of Go in a message: type names and package
// paths, which a user of a JSON API should never see.
var goNames = regexp.MustCompile(`\b(api\.|createRequest|Go (value|struct)|bool|int64|float64|json:|map\[|interface)`)

func TestJSONErrorsSpeakJSON(t *testing.T) {
	b := setup(t)
	for _, tc := range []struct{ body, want string }{
		{`["x"]`, "must be a JSON object"},
		{`"dQw4w9WgXcQ"`, "must be a JSON object"},
		{`42`, "must be a JSON object"},
		{`{"url": 5}`, `"url" must be a string, not a number`},
		{`{"url": "dQw4w9WgXcQ", "force": "yes"}`, `"force" must be true or false, not a string`},
		{`{"url": "dQw4w9WgXcQ", "force": {}}`, `"force" must be true or false, not an object`},
		{`{"url": ["dQw4w9WgXcQ"]}`, `"url" must be a string, not an array`},
		{`{"url": "dQw4w9WgXcQ"`, "malformed JSON"},
		{`{"url" "x"}`, "malformed JSON at byte"},
		{`{"url": "x"} {}`, "more than one value"},
	} {
		w := b.do(t, "POST", "/v1/summaries", tc.body)
		e := decode[errorBody](t, w)
		if w.Code != 400 || e.Error.Code != recap.EINVALID || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s = %d %+v; want 400 invalid containing %q", tc.body, w.Code, e.Error, tc.want)
		}
		if m := goNames.FindString(e.Error.Message); m != "" {
			t.Errorf("%s: message %q shows Go (%q)", tc.body, e.Error.Message, m)
		}
	}
}

// A rendering of a failed job is 410 Gone with the job's reason, not
// "not done yet"; its JSON view stays 200 with the error in it.
func TestFailedJobIsGone(t *testing.T) {
	b := setup(t)
	id := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)).ID
	if err := b.store.FailJob(context.Background(), id, "", recap.EPRIVATE, "video dQw4w9WgXcQ is private"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"md", "html", "json"} {
		w := b.do(t, "GET", "/v1/summaries/"+id+"?format="+f, "")
		e := decode[errorBody](t, w)
		if w.Code != http.StatusGone || e.Error.Code != recap.EPRIVATE || !strings.Contains(e.Error.Message, "is private") {
			t.Errorf("format=%s of a failed job = %d %s; want 410 with the job's error", f, w.Code, w.Body)
		}
	}
	if w := b.do(t, "GET", "/v1/summaries/"+id, ""); w.Code != 200 || decode[jobView](t, w).Error.Code != recap.EPRIVATE {
		t.Errorf("job view of a failed job = %d %s", w.Code, w.Body)
	}
	w := b.do(t, "GET", "/s/"+id, "")
	if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "is private") || strings.Contains(w.Body.String(), "refresh") {
		t.Errorf("page of a failed job = %d %s; want 410 with the reason and no refresh", w.Code, w.Body)
	}
}

// failingStore is a store whose database is down.
type failingStore struct{ storage.Store }

func (failingStore) Ping(context.Context) error {
	return errors.New("postgres: ping: dial tcp 10.1.2.3:5432: connect: connection refused")
}

// /healthz is open to everyone, so it says which component is down and
// nothing else; the reason (addresses, raw errors) goes to the log.
func TestHealthzShowsNoDetails(t *testing.T) {
	b := setup(t)
	var logs bytes.Buffer
	b.server.Store = failingStore{b.store}
	b.server.Ready = func(context.Context) error { return errors.New("dial tcp 10.9.9.9:6379: i/o timeout") }
	b.server.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	b.handler = NewHandler(b.server)
	w := b.do(t, "GET", "/healthz", "")
	got := decode[map[string]string](t, w)
	want := map[string]string{"status": "unavailable", "database": "unavailable", "queue": "unavailable"}
	if w.Code != 503 || len(got) != len(want) || got["status"] != want["status"] || got["database"] != want["database"] || got["queue"] != want["queue"] {
		t.Errorf("healthz = %d %s; want 503 %v", w.Code, w.Body, want)
	}
	for _, secret := range []string{"10.1.2.3", "10.9.9.9", "refused", "timeout"} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("healthz shows %q: %s", secret, w.Body)
		}
		if !strings.Contains(logs.String(), secret) {
			t.Errorf("log lacks %q:\n%s", secret, logs.String())
		}
	}
}

// The web form takes what the API takes: a bare id, a URL without a
// scheme. The browser must not refuse them first (no type=url field).
func TestWebFormAcceptsWhatTheAPIAccepts(t *testing.T) {
	b := setup(t)
	page := b.do(t, "GET", "/", "").Body.String()
	if regexp.MustCompile(`<input[^>]*type="url"[^>]*name="url"|<input[^>]*name="url"[^>]*type="url"|pattern=`).MatchString(page) {
		t.Errorf("the form's field refuses some inputs the API takes:\n%s", page)
	}
	for _, in := range []string{"dQw4w9WgXcQ", "youtu.be/aaaaaaaaaaa", "www.youtube.com/watch?v=bbbbbbbbbbb&t=42", "https://m.youtube.com/shorts/ccccccccccc"} {
		w := b.do(t, "POST", "/", url.Values{"url": {in}}.Encode(), "Content-Type", formType)
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/s/") {
			t.Errorf("form with %q = %d %s", in, w.Code, w.Body)
		}
	}
}

// tokenBundle is a server with tokens and a request helper for browsers.
type browser struct {
	b      *testBundle
	cookie *http.Cookie
}

func (br *browser) do(t *testing.T, method, path string, form url.Values, tlsOn bool) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", formType)
	}
	if br.cookie != nil {
		req.AddCookie(br.cookie)
	}
	if tlsOn {
		req.TLS = &tls.ConnectionState{}
	}
	w := httptest.NewRecorder()
	br.b.handler.ServeHTTP(w, req)
	return w
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// With tokens set, nothing that shows stored content is open: the web
// pages need a bearer header or the session cookie that signing in sets.
func TestTokensProtectWebPages(t *testing.T) {
	b := setup(t, "s3cret-token", "other-token")
	ctx := context.Background()
	if err := b.store.PutVideo(ctx, recap.Video{ID: "dQw4w9WgXcQ", Title: "A private title"}); err != nil {
		t.Fatal(err)
	}
	w := b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`, "Authorization", "Bearer s3cret-token")
	id := decode[jobView](t, w).ID
	b.finish(t, id)

	anon := &browser{b: b}
	if w := anon.do(t, "GET", "/", nil, false); strings.Contains(w.Body.String(), "A private title") ||
		strings.Contains(w.Body.String(), id) || !strings.Contains(w.Body.String(), `action="/login"`) {
		t.Errorf("index without a token = %d, shows stored content or no sign-in form:\n%s", w.Code, w.Body)
	}
	if w := anon.do(t, "GET", "/s/"+id, nil, false); w.Code != 401 || strings.Contains(w.Body.String(), "All of it") {
		t.Errorf("summary page without a token = %d; want 401 without the summary", w.Code)
	}
	if w := anon.do(t, "GET", "/metrics", nil, false); w.Code != 401 {
		t.Errorf("/metrics without a token = %d; want 401", w.Code)
	}
	if w := b.do(t, "GET", "/metrics", "", "Authorization", "Bearer other-token"); w.Code != 200 {
		t.Errorf("/metrics with a token = %d", w.Code)
	}
	if w := b.do(t, "GET", "/s/"+id, "", "Authorization", "Bearer other-token"); w.Code != 200 || !strings.Contains(w.Body.String(), "All of it") {
		t.Errorf("summary page with a bearer token = %d", w.Code)
	}

	// Signing in: a wrong token, then a right one.
	if w := anon.do(t, "POST", "/login", url.Values{"token": {"wrong"}, "next": {"/s/" + id}}, false); w.Code != 401 || len(w.Result().Cookies()) != 0 {
		t.Errorf("sign-in with a wrong token = %d, cookies %v", w.Code, w.Result().Cookies())
	}
	w = anon.do(t, "POST", "/login", url.Values{"token": {"s3cret-token"}, "next": {"/s/" + id}}, false)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/s/"+id {
		t.Fatalf("sign-in = %d → %q", w.Code, w.Header().Get("Location"))
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("sign-in set %d cookies", len(cookies))
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
		t.Errorf("session cookie over plain HTTP = %+v; want HttpOnly, SameSite=Strict, Path=/, not Secure", c)
	}
	if strings.Contains(c.Value, "s3cret-token") {
		t.Errorf("the session cookie holds the token: %q", c.Value)
	}
	if w := anon.do(t, "POST", "/login", url.Values{"token": {"s3cret-token"}}, true); !w.Result().Cookies()[0].Secure {
		t.Error("session cookie over TLS is not Secure")
	}
	// Only local paths to go on to.
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		if w := anon.do(t, "POST", "/login", url.Values{"token": {"s3cret-token"}, "next": {next}}, false); w.Header().Get("Location") != "/" {
			t.Errorf("sign-in with next %q goes to %q; want /", next, w.Header().Get("Location"))
		}
	}

	user := &browser{b: b, cookie: c}
	if w := user.do(t, "GET", "/s/"+id, nil, false); w.Code != 200 || !strings.Contains(w.Body.String(), "All of it") {
		t.Errorf("summary page signed in = %d", w.Code)
	}
	w = user.do(t, "GET", "/", nil, false)
	m := csrfInput.FindStringSubmatch(w.Body.String())
	if !strings.Contains(w.Body.String(), "/s/"+id) || m == nil {
		t.Fatalf("index signed in lacks the library or the CSRF field:\n%s", w.Body)
	}
	// The form needs the session's CSRF token.
	for _, bad := range []string{"", "forged", strings.Repeat("A", len(m[1]))} {
		if w := user.do(t, "POST", "/", url.Values{"url": {"aaaaaaaaaaa"}, "csrf": {bad}}, false); w.Code != http.StatusForbidden {
			t.Errorf("submit with CSRF %q = %d; want 403", bad, w.Code)
		}
	}
	if n := b.enq.count(); n != 1 {
		t.Fatalf("refused forms enqueued jobs: %d", n)
	}
	if w := user.do(t, "POST", "/", url.Values{"url": {"aaaaaaaaaaa"}, "csrf": {m[1]}}, false); w.Code != http.StatusSeeOther {
		t.Errorf("submit with the session's CSRF token = %d %s", w.Code, w.Body)
	}

	// Forged, tampered or signed by a removed token: not a session.
	b2 := setup(t, "other-token")
	for name, v := range map[string]string{
		"forged":        "9999999999.AAAA",
		"expired":       newSession([]byte("s3cret-token"), time.Unix(1, 0)),
		"removed token": c.Value,
	} {
		br := &browser{b: b2, cookie: &http.Cookie{Name: sessionCookie, Value: v}}
		if w := br.do(t, "GET", "/", nil, false); !strings.Contains(w.Body.String(), `action="/login"`) {
			t.Errorf("%s session signed in:\n%s", name, w.Body)
		}
	}

	// Signing out clears the cookie.
	w = user.do(t, "POST", "/logout", nil, false)
	if cs := w.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("sign-out cookies = %v; want the session cleared", cs)
	}
}

// A page of another site cannot make a visitor's browser submit work, to
// the web form or to the API (a recap on localhost included).
func TestCrossOriginPostsRefused(t *testing.T) {
	b := setup(t)
	form := url.Values{"url": {"dQw4w9WgXcQ"}}.Encode()
	if w := b.do(t, "POST", "/", form, "Content-Type", formType, "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Errorf("cross-site form post = %d; want 403", w.Code)
	}
	w := b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`, "Origin", "https://evil.example")
	if w.Code != http.StatusForbidden || decode[errorBody](t, w).Error.Code != "cross_origin" {
		t.Errorf("cross-origin API post = %d %s; want 403 JSON", w.Code, w.Body)
	}
	if n := b.enq.count(); n != 0 {
		t.Fatalf("cross-origin posts enqueued %d jobs", n)
	}
	if w := b.do(t, "POST", "/", form, "Content-Type", formType, "Sec-Fetch-Site", "same-origin"); w.Code != http.StatusSeeOther {
		t.Errorf("same-origin form post = %d; want 303", w.Code)
	}
	if w := b.do(t, "GET", "/", "", "Sec-Fetch-Site", "cross-site"); w.Code != 200 {
		t.Errorf("cross-site GET = %d; links to recap must work", w.Code)
	}
}

// NewOpsHandler serves /healthz and /metrics alone, without a token: it
// is for an address of its own.
func TestOpsHandler(t *testing.T) {
	b := setup(t, "s3cret-token")
	h := NewOpsHandler(b.server)
	for path, want := range map[string]int{"/healthz": 200, "/metrics": 200, "/v1/summaries": 404, "/": 404} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want {
			t.Errorf("ops GET %s = %d; want %d", path, w.Code, want)
		}
	}
}

// A finished document is read from the store once, then served (as JSON,
// page, md) from memory, the same bytes each time.
func TestFinishedDocumentsReadOnce(t *testing.T) {
	b := setup(t)
	cs := &countingStore{Store: b.store}
	b.server.Store = cs
	b.handler = NewHandler(b.server)
	id := decode[jobView](t, b.do(t, "POST", "/v1/summaries", `{"url": "dQw4w9WgXcQ"}`)).ID
	b.finish(t, id)
	var first map[string]string
	for round := range 3 {
		got := map[string]string{}
		for _, path := range []string{"/v1/summaries/" + id, "/v1/summaries/" + id + "?format=md", "/s/" + id, "/v1/summaries/" + id + "?format=json"} {
			w := b.do(t, "GET", path, "")
			if w.Code != 200 {
				t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
			}
			got[path] = w.Body.String()
		}
		if round == 0 {
			first = got
			if doc := summaryOf(t, decode[jobView](t, b.do(t, "GET", "/v1/summaries/"+id, ""))); doc.Chapters[0].Title != "All of it" {
				t.Fatalf("embedded document = %+v", doc)
			}
			continue
		}
		for path, body := range got {
			// A page's script nonce is new on every request.
			if nonce := regexp.MustCompile(`nonce="[^"]*"`); strings.HasPrefix(path, "/s/") {
				body, first[path] = nonce.ReplaceAllString(body, ""), nonce.ReplaceAllString(first[path], "")
			}
			if body != first[path] {
				t.Errorf("GET %s changed between reads", path)
			}
		}
	}
	if cs.documents != 1 {
		t.Errorf("the document was read %d times from the store; want once", cs.documents)
	}
}
