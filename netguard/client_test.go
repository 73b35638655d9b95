package netguard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// Every server in these tests listens on this machine (127.0.0.1,
// 127.0.0.2, [::1]); every URL names one of them, 0.0.0.0 or localhost.
// No test sends traffic anywhere else, whatever the rule does.

// server is a local test server that counts its requests.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t *testing.T, network, addr string, h http.HandlerFunc) *server {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }
}

func port(t *testing.T, s *server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// publicOnly makes a config that counts exactly the given listeners as
// public, as if they were hosts on the internet.
func publicOnly(cfg Config, servers ...*server) Config {
	allowed := map[netip.AddrPort]bool{}
	for _, s := range servers {
		allowed[netip.MustParseAddrPort(s.Listener.Addr().String())] = true
	}
	cfg.public = func(ap netip.AddrPort) bool { return allowed[ap] }
	return cfg
}

func wantCode(t *testing.T, err error, code, mention string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s mentioning %q", code, mention)
	}
	if recap.ErrorCode(err) != code || !strings.Contains(recap.ErrorMessage(err), mention) {
		t.Fatalf("error %q (code %s), want code %s mentioning %q", err, recap.ErrorCode(err), code, mention)
	}
}

func TestLocalTargetsRefusedByDefaultAllowedWithFlag(t *testing.T) {
	v4 := newServer(t, "tcp4", "127.0.0.1:0", ok("v4"))
	v4b := newServer(t, "tcp4", "127.0.0.2:0", ok("v4b"))
	targets := map[string]*server{
		"http://127.0.0.1:" + port(t, v4) + "/":  v4,
		"http://127.0.0.2:" + port(t, v4b) + "/": v4b,
		"http://0.0.0.0:" + port(t, v4) + "/":    v4, // Linux connects 0.0.0.0 to this machine
		"http://localhost:" + port(t, v4) + "/":  v4, // a name resolving to loopback
	}
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		v6 := newServer(t, "tcp6", "[::1]:0", ok("v6"))
		targets["http://[::1]:"+port(t, v6)+"/"] = v6
	} else {
		t.Logf("no IPv6 loopback here: [::1] not tested (%v)", err)
	}

	ctx := context.Background()
	strict := NewClient(Config{})
	for target, s := range targets {
		before := s.hits.Load()
		_, err := Get(ctx, strict, target, Limit{What: "feed"})
		wantCode(t, err, recap.EINVALID, "refusing to connect")
		if !strings.Contains(err.Error(), "RECAP_ALLOW_PRIVATE_URLS") {
			t.Errorf("%s: the error should say how to allow it: %v", target, err)
		}
		if s.hits.Load() != before {
			t.Errorf("%s: the refused server was reached", target)
		}
	}

	open := NewClient(Config{AllowPrivate: true})
	for target, s := range targets {
		before := s.hits.Load()
		resp, err := Get(ctx, open, target, Limit{What: "feed"})
		if err != nil {
			if strings.HasPrefix(target, "http://0.0.0.0") {
				t.Logf("%s: this system does not connect 0.0.0.0 locally: %v", target, err)
				continue
			}
			t.Fatalf("%s with AllowPrivate: %v", target, err)
		}
		if len(resp.Body) == 0 || s.hits.Load() != before+1 {
			t.Errorf("%s with AllowPrivate: body %q, hits %d → %d", target, resp.Body, before, s.hits.Load())
		}
	}
}

func TestRedirectToRefusedAddress(t *testing.T) {
	private := newServer(t, "tcp4", "127.0.0.2:0", ok("secret"))
	other := newServer(t, "tcp4", "127.0.0.1:0", ok("secret"))
	targets := []string{
		"http://127.0.0.2:" + port(t, private) + "/admin",
		"http://localhost:" + port(t, other) + "/admin",
		"http://127.0.0.1:" + port(t, other) + "/admin",
		"http://[::ffff:127.0.0.1]:" + port(t, other) + "/admin",
	}
	var next atomic.Int64
	public := newServer(t, "tcp4", "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			fmt.Fprint(w, "public feed")
			return
		}
		http.Redirect(w, r, targets[next.Load()], http.StatusFound)
	})
	client := NewClient(publicOnly(Config{}, public))
	ctx := context.Background()

	// The hook lets the "public" server through, and nothing else.
	resp, err := Get(ctx, client, public.URL+"/feed", Limit{What: "feed"})
	if err != nil || string(resp.Body) != "public feed" {
		t.Fatalf("public server: %v %v", resp, err)
	}
	for i, target := range targets {
		next.Store(int64(i))
		_, err := Get(ctx, client, public.URL+"/go", Limit{What: "feed"})
		wantCode(t, err, recap.EINVALID, "refusing to connect")
		wantCode(t, err, recap.EINVALID, "is loopback")
		t.Logf("redirect to %s: %s", target, recap.ErrorMessage(err))
	}
	if private.hits.Load()+other.hits.Load() != 0 {
		t.Fatalf("a redirect reached a refused server (%d, %d hits)", private.hits.Load(), other.hits.Load())
	}
}

func TestSchemesAndRedirectLimit(t *testing.T) {
	var hops atomic.Int64
	s := newServer(t, "tcp4", "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/to-gopher":
			http.Redirect(w, r, "gopher://127.0.0.1/", http.StatusFound)
		default:
			hops.Add(1)
			http.Redirect(w, r, fmt.Sprintf("/loop%d", hops.Load()), http.StatusFound)
		}
	})
	client := NewClient(publicOnly(Config{MaxRedirects: 3}, s))
	ctx := context.Background()

	for _, u := range []string{"file:///etc/passwd", "ftp://127.0.0.1/x", "/relative", "http:///nohost"} {
		_, err := Get(ctx, client, u, Limit{What: "transcript"})
		wantCode(t, err, recap.EINVALID, "transcript URL refused")
	}
	// The client refuses other schemes even when used directly.
	req, _ := http.NewRequest(http.MethodGet, "file:///etc/passwd", nil)
	if _, err := client.Do(req); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("client.Do(file://) = %v, want EINVALID", err)
	}
	for _, p := range []string{"/to-file", "/to-gopher"} {
		_, err := Get(ctx, client, s.URL+p, Limit{What: "chapters"})
		wantCode(t, err, recap.EINVALID, "is not allowed, only http and https")
	}

	_, err := Get(ctx, client, s.URL+"/start", Limit{What: "feed"})
	wantCode(t, err, recap.EINVALID, "redirected more than 3 times")
	if hops.Load() != 4 {
		t.Errorf("%d requests followed, want 4 (the first and 3 redirects)", hops.Load())
	}
}

func TestBodyLimitStatusAndTimeout(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, "tcp4", "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			fmt.Fprint(w, strings.Repeat("x", 2048))
		case "/big-chunked":
			w.(http.Flusher).Flush() // no Content-Length: the cap applies while reading
			fmt.Fprint(w, strings.Repeat("x", 2048))
		case "/exact":
			fmt.Fprint(w, strings.Repeat("x", 1024))
		case "/gone":
			http.Error(w, "gone", http.StatusNotFound)
		case "/busy":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "/slow":
			w.Header().Set("X-Slow", "1")
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/ua":
			fmt.Fprint(w, r.Header.Get("User-Agent"))
		}
	})
	defer close(release)
	client := NewClient(publicOnly(Config{Timeout: 200 * time.Millisecond}, s))
	ctx := context.Background()

	for _, p := range []string{"/big", "/big-chunked"} {
		_, err := Get(ctx, client, s.URL+p, Limit{What: "feed", MaxBytes: 1024})
		wantCode(t, err, recap.ETOOLARGE, "feed body is over 1 KiB")
	}
	if resp, err := Get(ctx, client, s.URL+"/exact", Limit{What: "feed", MaxBytes: 1024}); err != nil || len(resp.Body) != 1024 {
		t.Fatalf("a body of exactly the limit: %v", err)
	}
	_, err := Get(ctx, client, s.URL+"/gone", Limit{What: "transcript"})
	wantCode(t, err, recap.EINVALID, "404")
	_, err = Get(ctx, client, s.URL+"/busy", Limit{What: "transcript"})
	wantCode(t, err, recap.EFETCH, "503")
	if recap.Permanent(err) {
		t.Error("a 503 must be transient")
	}
	_, err = Get(ctx, client, s.URL+"/slow", Limit{What: "chapters"})
	wantCode(t, err, recap.EFETCH, "time limit")
	if recap.Permanent(err) {
		t.Error("a timeout must be transient")
	}
	resp, err := Get(ctx, client, s.URL+"/ua", Limit{})
	if err != nil || string(resp.Body) != DefaultUserAgent {
		t.Errorf("User-Agent = %q, %v", resp.Body, err)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{20 << 20: "20 MiB", 512 << 10: "512 KiB", 100: "100 bytes", 1500: "1500 bytes"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
