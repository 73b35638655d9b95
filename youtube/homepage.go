package youtube

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// homeTTL is how long a home page is reused. kkdai keeps the visitor data
// it reads from the page for ten hours per client; recap makes a client
// per fetch, so without this every fetch would download the home page
// (about 1 MB) again just for that id.
const homeTTL = time.Hour

// homeCache answers kkdai's visitor-data request (GET of YouTube's home
// page) from the last good page for up to homeTTL. Only pages that carry
// the "\nytcfg.set(" kkdai reads are kept, so a consent or error page is
// never reused.
type homeCache struct {
	next http.RoundTripper
	now  func() time.Time

	mu      sync.Mutex
	body    []byte
	header  http.Header
	fetched time.Time
}

func (h *homeCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if !isHomePage(req) {
		return h.next.RoundTrip(req)
	}
	h.mu.Lock()
	body, header, fresh := h.body, h.header, h.body != nil && h.now().Sub(h.fetched) < homeTTL
	h.mu.Unlock()
	if fresh {
		if req.Body != nil {
			req.Body.Close()
		}
		return &http.Response{
			Status:        "200 OK",
			StatusCode:    http.StatusOK,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        header.Clone(),
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Request:       req,
		}, nil
	}

	resp, err := h.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if bytes.Contains(body, []byte("\nytcfg.set(")) {
		h.mu.Lock()
		h.body, h.header, h.fetched = body, resp.Header.Clone(), h.now()
		h.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// isHomePage matches kkdai's visitor-data request:
// GET https://www.youtube.com with no path and no query.
func isHomePage(req *http.Request) bool {
	return req.Method == http.MethodGet && youtubeHosts[strings.ToLower(req.URL.Hostname())] &&
		(req.URL.Path == "" || req.URL.Path == "/") && req.URL.RawQuery == ""
}
