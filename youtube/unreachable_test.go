package youtube_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/youtube"
)

// YouTube not answering at all is fetch_failed ("YouTube unreachable"),
// transient, whatever the network fault; not an unnamed internal error.
func TestFetchUnreachable(t *testing.T) {
	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()

	// A server that accepts and never answers: the client's timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	// A name that does not resolve, answered without asking any resolver.
	noSuchHost := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}

	for _, tc := range []struct {
		name     string
		endpoint string
		client   *http.Client
		want     string
	}{
		{"connection refused", refused, nil, "connection refused"},
		{"timeout", "http://" + silent.Addr().String(), &http.Client{Timeout: 300 * time.Millisecond}, "Timeout"},
		{"no such host", "http://youtube.invalid", &http.Client{Transport: noSuchHost}, "no such host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := youtube.New(youtube.Config{Endpoint: tc.endpoint, HTTPClient: tc.client})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Fetch(context.Background(), "abcdefghijk", "en")
			if got := recap.ErrorCode(err); got != recap.EFETCH {
				t.Fatalf("code = %s, want %s (err: %v)", got, recap.EFETCH, err)
			}
			if recap.Permanent(err) {
				t.Errorf("%v is permanent; YouTube may answer later", err)
			}
			for _, want := range []string{"YouTube unreachable", "video abcdefghijk", tc.want} {
				// net/http words a client timeout either way, by a race of its own.
				if want == "Timeout" && strings.Contains(err.Error(), "context deadline exceeded") {
					continue
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			_, err = c.Playlist(context.Background(), "PLabc", 10)
			if got := recap.ErrorCode(err); got != recap.EFETCH || !strings.Contains(err.Error(), "playlist PLabc") {
				t.Errorf("playlist: %s %v; want %s naming the playlist", got, err, recap.EFETCH)
			}
		})
	}

	// The caller's own cancellation is not YouTube's fault.
	c, err := youtube.New(youtube.Config{Endpoint: refused})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Fetch(ctx, "abcdefghijk", "en"); recap.ErrorCode(err) == recap.EFETCH {
		t.Errorf("a cancelled fetch is %s: %v", recap.EFETCH, err)
	}
}
