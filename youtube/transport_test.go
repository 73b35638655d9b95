package youtube

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// recorder is an endpoint that records what reaches it.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, r)
	rec.mu.Unlock()
	if r.URL.Path == "/yt/old" {
		http.Redirect(w, r, "/yt/new", http.StatusFound)
		return
	}
	io.WriteString(w, "path="+r.URL.Path)
}

func (rec *recorder) last() *http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.reqs[len(rec.reqs)-1]
}

func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

func get(t *testing.T, c *Client, u string) (string, error) {
	t.Helper()
	resp, err := c.http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestRewriteSendsYouTubeHostsToEndpoint(t *testing.T) {
	rec, srv := newRecorder(t)
	c, err := New(Config{Endpoint: srv.URL + "/yt/"})
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := url.Parse(srv.URL)
	tests := []struct{ in, path, query string }{
		{"https://www.youtube.com", "/yt/", ""},
		{"https://www.youtube.com/youtubei/v1/player?key=AIza", "/yt/youtubei/v1/player", "key=AIza"},
		{"https://youtube.com/api/timedtext?v=abc&lang=en&fmt=json3&tlang=de", "/yt/api/timedtext", "v=abc&lang=en&fmt=json3&tlang=de"},
		{"http://m.youtube.com/watch?v=abcdefghijk&bpctr=9999999999", "/yt/watch", "v=abcdefghijk&bpctr=9999999999"},
		{"https://WWW.YouTube.com/youtubei/v1/get_transcript", "/yt/youtubei/v1/get_transcript", ""},
	}
	for _, tt := range tests {
		body, err := get(t, c, tt.in)
		if err != nil {
			t.Errorf("GET %s: %v", tt.in, err)
			continue
		}
		r := rec.last()
		if r.URL.Path != tt.path || r.URL.RawQuery != tt.query || r.Host != ep.Host || body != "path="+tt.path {
			t.Errorf("GET %s reached %s %s?%s (body %q), want %s %s?%s", tt.in, r.Host, r.URL.Path, r.URL.RawQuery, body, ep.Host, tt.path, tt.query)
		}
	}

	// A relative redirect from the endpoint lands on the endpoint's own
	// host, which the transport lets through.
	body, err := get(t, c, "https://www.youtube.com/old")
	if err != nil || body != "path=/yt/new" {
		t.Errorf("redirect: body %q, err %v; want path=/yt/new", body, err)
	}
}

func TestRewriteRefusesOtherHosts(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	// The endpoint redirects to the other server: the redirect is refused.
	bouncer := httptest.NewServer(http.RedirectHandler(other.URL+"/stolen", http.StatusFound))
	t.Cleanup(bouncer.Close)

	c, err := New(Config{Endpoint: bouncer.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{
		other.URL + "/direct",
		"https://example.com/",
		"https://www.youtube.com.evil.example/youtubei/v1/player",
		"https://consent.youtube.com/s",
		"https://rr4---sn-fake.googlevideo.com/videoplayback",
		"https://www.youtube.com/redirect-me", // bouncer sends it to other
	} {
		_, err := get(t, c, u)
		if !errors.Is(err, ErrForeignHost) {
			t.Errorf("GET %s: err = %v, want ErrForeignHost", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the foreign server got %d requests, want 0", n)
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestNewKeepsCallersClient(t *testing.T) {
	_, srv := newRecorder(t)
	ct := &countingTransport{next: http.DefaultTransport}
	caller := &http.Client{Transport: ct, Timeout: 7 * time.Second}
	c, err := New(Config{HTTPClient: caller, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, c, "https://www.youtube.com/x"); err != nil {
		t.Fatal(err)
	}
	if caller.Transport != ct || caller.Timeout != 7*time.Second {
		t.Errorf("New changed the caller's client: %+v", caller)
	}
	if ct.n.Load() != 1 {
		t.Errorf("caller's transport carried %d requests, want 1", ct.n.Load())
	}
	if c.http.Timeout != 7*time.Second {
		t.Errorf("clone lost the caller's timeout: %v", c.http.Timeout)
	}
}

func TestNewEndpoint(t *testing.T) {
	for _, ep := range []string{"", "https://www.youtube.com", "http://127.0.0.1:8081", "https://proxy.example/youtube/"} {
		if _, err := New(Config{Endpoint: ep}); err != nil {
			t.Errorf("New(%q): %v", ep, err)
		}
	}
	for _, ep := range []string{"127.0.0.1:8081", "ftp://example.com", "http://", "://x", "http://h/?q=1", "http://h/#f", "http://user:secret@h/", "/relative"} {
		_, err := New(Config{Endpoint: ep})
		if recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("New(%q) err = %v, want %s", ep, err, recap.EINVALID)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q leaks the endpoint's password", err)
		}
	}
}

func TestHomeCache(t *testing.T) {
	var hits atomic.Int32
	page := "<html><script>\nytcfg.set({\"INNERTUBE_CONTEXT\":{\"client\":{\"visitorData\":\"v1\"}}})</script>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.URL.Query().Get("consent") != "" || n == 1 {
			io.WriteString(w, "<html>consent page, no ytcfg</html>")
			return
		}
		io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	c.http.Transport.(*homeCache).now = func() time.Time { return now }

	steps := []struct {
		advance  time.Duration
		wantHits int32
		wantBody string
	}{
		{0, 1, "<html>consent page, no ytcfg</html>"}, // not kept: no ytcfg
		{0, 2, page},
		{time.Minute, 2, page}, // from the cache
		{homeTTL, 3, page},     // stale: fetched again
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		body, err := get(t, c, "https://www.youtube.com")
		if err != nil {
			t.Fatal(err)
		}
		if hits.Load() != s.wantHits || body != s.wantBody {
			t.Errorf("step %d: hits %d body %q, want %d %q", i, hits.Load(), body, s.wantHits, s.wantBody)
		}
	}
	// Other pages are never cached.
	for range 2 {
		if _, err := get(t, c, "https://www.youtube.com/?consent=1"); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != 5 {
		t.Errorf("hits = %d, want 5: only the bare home page is cached", hits.Load())
	}
}

// An error of a fetch through RECAP_YOUTUBE_ENDPOINT names the endpoint
// the requests really went to, not only YouTube's URL.
func TestErrorsNameTheEndpoint(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer failing.Close()
	for _, ep := range []string{"http://127.0.0.1:1/prefix", failing.URL} {
		c, err := New(Config{Endpoint: ep})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Fetch(context.Background(), "dQw4w9WgXcQ", "en")
		if err == nil || !strings.Contains(err.Error(), ep) {
			t.Errorf("fetch through %s: %v; want the error to name the endpoint", ep, err)
		}
	}
}

func TestMediaHostsOnlyForTheAudioClient(t *testing.T) {
	rec, srv := newRecorder(t)
	c, err := New(Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	const stream = "https://rr3---sn-fake.googlevideo.com/videoplayback?id=x&itag=139"
	if _, err := get(t, c, stream); !errors.Is(err, ErrForeignHost) {
		t.Errorf("caption client: GET %s: err = %v, want ErrForeignHost", stream, err)
	}
	resp, err := c.media.Get(stream)
	if err != nil {
		t.Fatalf("media client: %v", err)
	}
	resp.Body.Close()
	if r := rec.last(); r == nil || r.URL.Path != "/videoplayback" || r.URL.RawQuery != "id=x&itag=139" {
		t.Errorf("media request reached %+v, want the endpoint's /videoplayback", r)
	}
	for _, u := range []string{"https://example.com/a.mp3", "https://googlevideo.com.evil.example/videoplayback"} {
		if _, err := c.media.Get(u); !errors.Is(err, ErrForeignHost) {
			t.Errorf("media client: GET %s: err = %v, want ErrForeignHost", u, err)
		}
	}
	for host, want := range map[string]bool{"rr3---sn-4g5e6nzz.googlevideo.com": true, "googlevideo.com": false, "x.googlevideo.com.evil": false} {
		if mediaHost(host) != want {
			t.Errorf("mediaHost(%q) = %v", host, !want)
		}
	}
}
