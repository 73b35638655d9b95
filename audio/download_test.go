package audio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/netguard"
)

// fileServer serves content with Range and If-Range support
// (http.ServeContent); cut makes the n-th request (1-based) stop after
// that many body bytes, and ignoreRange answers every request in full.
type fileServer struct {
	mu          sync.Mutex
	content     []byte
	etag        string
	cut         map[int]int
	ignoreRange bool
	chunked     bool
	status      int
	requests    []http.Header // of each request, in order
	sent        int
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Header.Clone())
	n := len(s.requests)
	content, etag, cut := s.content, s.etag, s.cut[n]
	s.mu.Unlock()
	if s.status != 0 {
		http.Error(w, "no", s.status)
		return
	}
	if s.ignoreRange {
		r.Header.Del("Range")
	}
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("ETag", etag)
	if s.chunked {
		w.WriteHeader(http.StatusOK)
		w.Write(content)
		return
	}
	cw := &countingWriter{ResponseWriter: w, limit: cut, s: s}
	http.ServeContent(cw, r, "episode.mp3", time.Time{}, bytes.NewReader(content))
}

// headers returns the headers of the requests so far.
func (s *fileServer) headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.requests...)
}

// sentBytes is how many body bytes the server has sent.
func (s *fileServer) sentBytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// countingWriter counts body bytes (before they leave, so that a client
// that has them sees them counted) and, with a limit, stops writing there:
// the handler returns early and the connection drops mid-body.
type countingWriter struct {
	http.ResponseWriter
	limit, n int
	s        *fileServer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	var err error
	if c.limit > 0 && c.n+len(p) > c.limit {
		p, err = p[:c.limit-c.n], fmt.Errorf("cut")
	}
	c.n += len(p)
	c.s.mu.Lock()
	c.s.sent += len(p)
	c.s.mu.Unlock()
	if _, werr := c.ResponseWriter.Write(p); werr != nil {
		return 0, werr
	}
	return len(p), err
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func startFileServer(t *testing.T, s *fileServer) string {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL + "/episode.mp3?token=secret"
}

func TestDownload(t *testing.T) {
	content := randomBytes(300 << 10)
	fs := &fileServer{content: content, etag: `"v1"`}
	dir := t.TempDir()
	d, err := Download(t.Context(), http.DefaultClient, startFileServer(t, fs), DownloadOptions{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, content) || d.Size != int64(len(content)) || d.ContentType != "audio/mpeg" || d.Resumes != 0 {
		t.Errorf("downloaded %d bytes (%+v), want the %d served", len(got), d, len(content))
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
}

func TestDownloadResumesWithRange(t *testing.T) {
	content := randomBytes(300 << 10)
	fs := &fileServer{content: content, etag: `"v1"`, cut: map[int]int{1: 100 << 10, 2: 50 << 10}}
	d, err := Download(t.Context(), http.DefaultClient, startFileServer(t, fs), DownloadOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, content) || d.Resumes != 2 || d.Restarts != 0 {
		t.Fatalf("%d bytes, %d resumes, %d restarts; want the file after 2 resumes", len(got), d.Resumes, d.Restarts)
	}
	if h := fs.headers(); len(h) != 3 || h[1].Get("Range") != "bytes=102400-" || h[1].Get("If-Range") != `"v1"` {
		t.Errorf("requests %v; want 3, the second with Range bytes=102400- and If-Range \"v1\"", h)
	}
	if sent := fs.sentBytes(); sent != len(content) {
		t.Errorf("server sent %d bytes for a %d-byte file: resuming should send each byte once", sent, len(content))
	}
}

func TestDownloadRestartsWhenTheServerCannotResume(t *testing.T) {
	content := randomBytes(200 << 10)
	fs := &fileServer{content: content, etag: `"v1"`, cut: map[int]int{1: 64 << 10}, ignoreRange: true}
	d, err := Download(t.Context(), http.DefaultClient, startFileServer(t, fs), DownloadOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, content) || d.Restarts != 1 {
		t.Errorf("%d bytes after %d restarts; want the file after 1", len(got), d.Restarts)
	}
}

func TestDownloadRestartsWhenTheFileChanged(t *testing.T) {
	v1, v2 := randomBytes(200<<10), bytes.Repeat([]byte("v2"), 90<<10)
	fs := &fileServer{content: v1, etag: `"v1"`, cut: map[int]int{1: 64 << 10}}
	url := startFileServer(t, fs)
	// The first transfer breaks off; the file is replaced before the resume.
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Range") != "" {
			fs.mu.Lock()
			fs.content, fs.etag = v2, `"v2"`
			fs.mu.Unlock()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	d, err := Download(t.Context(), hc, url, DownloadOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, v2) {
		t.Errorf("got %d bytes, want the new version whole (%d), not a mix", len(got), len(v2))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDownloadFailures(t *testing.T) {
	content := randomBytes(100 << 10)
	for _, tc := range []struct {
		name     string
		fs       *fileServer
		max      int64
		code     string
		requests int
	}{
		{"over the cap by Content-Length", &fileServer{content: content}, 50 << 10, recap.ETOOLARGE, 1},
		{"over the cap while streaming", &fileServer{content: content, chunked: true}, 50 << 10, recap.ETOOLARGE, 1},
		{"not found", &fileServer{status: http.StatusNotFound}, 0, recap.EINVALID, 1},
		{"forbidden", &fileServer{status: http.StatusForbidden}, 0, recap.EINVALID, 1},
		{"server down", &fileServer{status: http.StatusServiceUnavailable}, 0, recap.EFETCH, 1},
		{"rate-limited", &fileServer{status: http.StatusTooManyRequests}, 0, recap.EFETCH, 1},
		{"always cut", &fileServer{content: content, cut: map[int]int{1: 10, 2: 10, 3: 10}}, 0, recap.EFETCH, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Download(t.Context(), http.DefaultClient, startFileServer(t, tc.fs), DownloadOptions{TempDir: dir, MaxBytes: tc.max, MaxResumes: 2})
			if recap.ErrorCode(err) != tc.code {
				t.Errorf("err = %v (code %s), want code %s", err, recap.ErrorCode(err), tc.code)
			}
			if err != nil && bytes.Contains([]byte(err.Error()), []byte("secret")) {
				t.Errorf("error %q shows the URL's query", err)
			}
			if n := len(tc.fs.headers()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}

func TestContentRange(t *testing.T) {
	for in, want := range map[string][3]int64{
		"bytes 100-199/1000": {100, 1000, 1}, "bytes 5-9/*": {5, -1, 1}, "bytes */1000": {0, 0, 0}, "items 1-2/3": {0, 0, 0},
	} {
		s, tot, ok := contentRange(in)
		if s != want[0] || tot != want[1] || ok != (want[2] == 1) {
			t.Errorf("contentRange(%q) = %d, %d, %v", in, s, tot, ok)
		}
	}
}

func TestDownloadThroughTheGuardedClient(t *testing.T) {
	content := randomBytes(64 << 10)
	fs := &fileServer{content: content, etag: `"v1"`}
	url := startFileServer(t, fs)
	dir := t.TempDir()
	// The guard refuses a loopback address: at once, never resumed.
	_, err := Download(t.Context(), netguard.NewClient(netguard.Config{}), url, DownloadOptions{TempDir: dir})
	if recap.ErrorCode(err) != recap.EINVALID || len(fs.headers()) != 0 {
		t.Errorf("guarded download of a loopback URL: err %v, %d requests; want EINVALID and none", err, len(fs.headers()))
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	// Allowed private addresses, it downloads.
	d, err := Download(t.Context(), netguard.NewClient(netguard.Config{AllowPrivate: true}), url, DownloadOptions{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got, _ := os.ReadFile(d.Path); !bytes.Equal(got, content) {
		t.Errorf("got %d bytes", len(got))
	}
}
