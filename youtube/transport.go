package youtube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// ErrForeignHost is returned (inside a *url.Error) for a request to a host
// that is not YouTube's. recap only ever talks to YouTube; refusing the
// rest keeps a caption baseUrl or a redirect in an answer from sending it
// anywhere else.
var ErrForeignHost = errors.New("not a YouTube host")

// youtubeHosts are the hosts kkdai and YouTube's answers point at.
var youtubeHosts = map[string]bool{
	"www.youtube.com": true,
	"youtube.com":     true,
	"m.youtube.com":   true,
}

// rewriteTransport sends every request for a YouTube host to the endpoint
// (scheme, host and path prefix) and refuses any other host, except the
// endpoint's own, which a server behind it may redirect to.
type rewriteTransport struct {
	next     http.RoundTripper
	endpoint *url.URL // no trailing slash in Path
	// media lets requests to YouTube's stream servers through: only the
	// audio download's client sets it.
	media bool
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	switch {
	case youtubeHosts[host]:
		return t.rewrite(req)
	case t.media && mediaHost(host):
		// Audio and video streams: sent to YouTube's CDN, or to the
		// endpoint when one replaces YouTube (replays, tests).
		if t.endpoint.String() == DefaultEndpoint {
			return t.next.RoundTrip(req)
		}
		return t.rewrite(req)
	case strings.EqualFold(req.URL.Scheme, t.endpoint.Scheme) && strings.EqualFold(req.URL.Host, t.endpoint.Host):
		return t.next.RoundTrip(req)
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, fmt.Errorf("youtube: refusing request to %q: %w (recap only fetches www.youtube.com, youtube.com, m.youtube.com and YouTube's media hosts)", req.URL.Host, ErrForeignHost)
}

// mediaHost reports whether host is one of YouTube's stream servers
// (rr3---sn-….googlevideo.com).
func mediaHost(host string) bool { return strings.HasSuffix(host, ".googlevideo.com") }

// rewrite sends req to the endpoint, keeping its path and query.
func (t *rewriteTransport) rewrite(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.Scheme, u.Host = t.endpoint.Scheme, t.endpoint.Host
	p := req.URL.Path
	if p == "" {
		p = "/" // kkdai reads visitor data from "https://www.youtube.com"
	}
	u.Path = t.endpoint.Path + p
	u.RawPath = ""
	if req.URL.RawPath != "" {
		u.RawPath = t.endpoint.EscapedPath() + req.URL.RawPath
	}
	// A RoundTripper must not change the caller's request.
	r := req.Clone(req.Context())
	r.URL = &u
	r.Host = ""
	resp, err := t.next.RoundTrip(r)
	if err == nil {
		t.unrewriteLocation(resp, req.URL, &u)
	}
	return resp, err
}

// unrewriteLocation maps a redirect back into YouTube's URL space, as a
// reverse proxy does: http.Client resolves Location against the URL it
// asked for (YouTube's), so "/prefix/next" from an endpoint with a path
// prefix would otherwise come back as /prefix/prefix/next.
func (t *rewriteTransport) unrewriteLocation(resp *http.Response, orig, sent *url.URL) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return
	}
	target, err := sent.Parse(loc)
	if err != nil || !strings.EqualFold(target.Host, t.endpoint.Host) {
		return
	}
	prefix := t.endpoint.Path
	if target.Path != prefix && !strings.HasPrefix(target.Path, prefix+"/") {
		return
	}
	target.Scheme, target.Host = orig.Scheme, orig.Host
	target.Path = strings.TrimPrefix(target.Path, prefix)
	target.RawPath = ""
	resp.Header.Set("Location", target.String())
}

// maxBody bounds what recap reads from one YouTube answer. Player answers
// are about 200 KB, a ten-hour caption track a few MB.
const maxBody = 64 << 20

// fetchTransport serves one Fetch. It gives requests that carry no context
// the fetch's (kkdai reads the home page with http.NewRequest, which a
// cancelled fetch could not otherwise stop) and keeps every player answer,
// because kkdai drops the playability reason that tells a private video
// from an age gate from a bot check.
type fetchTransport struct {
	next http.RoundTripper
	ctx  context.Context

	mu      sync.Mutex
	players [][]byte
}

func (t *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Done() == nil && t.ctx.Done() != nil {
		req = req.WithContext(t.ctx)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(req.URL.Path, playerPath) {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read player answer: %w", err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("player answer is over %d bytes", maxBody)
	}
	t.mu.Lock()
	t.players = append(t.players, body)
	t.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// playerAnswers returns the player answers of this fetch, oldest first.
func (t *fetchTransport) playerAnswers() [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([][]byte(nil), t.players...)
}

const playerPath = "/youtubei/v1/player"
