package youtubetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// visitorData is the visitor id the fake's home page hands out.
const visitorData = "CgtybUlNRDEtNnA3OCjFu6bCBjIKCgJERRIEEgAgOw%3D%3D"

// Paths the fake serves, for Requests and FailNext.
const (
	PathHome          = "/"
	PathPlayer        = "/youtubei/v1/player"
	PathWatch         = "/watch"
	PathTimedText     = "/api/timedtext"
	PathGetTranscript = "/youtubei/v1/get_transcript"
	PathBrowse        = "/youtubei/v1/browse"
	PathResolveURL    = "/youtubei/v1/navigation/resolve_url"
)

// Server is a fake YouTube. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	videos    map[string]Video
	playlists map[string]Playlist
	channels  map[string]Channel
	requests  map[string]int
	byVideo   map[string]int   // requests that named a video, by its id
	fails     map[string][]int // path → statuses to answer next, in order
	clients   []string         // innertube client names seen by the player, in order
	block     Block
	blocked   int // requests answered by the block
}

// Block is how the fake refuses every client for a while, as YouTube does
// when it decides an address sends too much.
type Block int

const (
	// Open serves normally.
	Open Block = iota
	// TooManyRequests answers every request 429 with the "unusual
	// traffic" page.
	TooManyRequests
	// BotCheck answers every player request with LOGIN_REQUIRED, "Sign in
	// to confirm you're not a bot"; other requests are served.
	BotCheck
)

// SetBlock switches a block on (a storm) or off (Open).
func (s *Server) SetBlock(b Block) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.block = b
}

// Blocked counts the requests answered by a block.
func (s *Server) Blocked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked
}

// TotalRequests counts every request so far, on every path.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// NewServer starts a fake YouTube that closes when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		videos:    make(map[string]Video),
		playlists: make(map[string]Playlist),
		channels:  make(map[string]Channel),
		requests:  make(map[string]int),
		byVideo:   make(map[string]int),
		fails:     make(map[string][]int),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST "+PathPlayer, s.player)
	mux.HandleFunc("GET "+PathWatch, s.watch)
	mux.HandleFunc("GET "+PathTimedText, s.timedText)
	mux.HandleFunc("POST "+PathGetTranscript, s.getTranscript)
	mux.HandleFunc("POST "+PathBrowse, s.browse)
	mux.HandleFunc("POST "+PathResolveURL, s.resolveURL)
	s.audioRoutes(mux)
	s.srv = httptest.NewServer(s.count(mux))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL to use as recap's YouTube endpoint.
func (s *Server) URL() string { return s.srv.URL }

// AddVideo adds v, replacing any video with the same ID.
func (s *Server) AddVideo(v Video) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.videos[v.ID] = v
}

// FailNext makes the next n requests to path (one of the Path constants)
// answer with status: a 429 with YouTube's "unusual traffic" page, any
// other status with a short text body.
func (s *Server) FailNext(path string, status int, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fails[path] = append(s.fails[path], status)
	}
}

// Requests counts the requests made to path so far, failed ones included.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// PlayerClients lists the innertube client names of the player requests
// so far, in order ("IOS", then "WEB_EMBEDDED_PLAYER" after an age gate).
func (s *Server) PlayerClients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.clients...)
}

// count records every request and answers the failures FailNext queued.
func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		status := 0
		if q := s.fails[r.URL.Path]; len(q) > 0 {
			status, s.fails[r.URL.Path] = q[0], q[1:]
		}
		block := s.block
		switch {
		case block == TooManyRequests:
			s.blocked++
			status = http.StatusTooManyRequests
		case block == BotCheck && r.URL.Path == PathPlayer:
			s.blocked++
		default:
			block = Open
		}
		s.mu.Unlock()
		if block == BotCheck {
			writeJSON(w, map[string]any{
				"responseContext":   map[string]any{"visitorData": visitorData},
				"playabilityStatus": errorStatus(StatusLoginRequired, ReasonBotCheck, []string{"This helps protect our community. Learn more"}),
			})
			return
		}
		if status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			io.WriteString(w, tooManyRequestsPage)
			return
		}
		http.Error(w, fmt.Sprintf("fake youtube: injected %d", status), status)
	})
}

// VideoRequests counts the requests that named video id so far: player,
// watch page, captions and transcript panel.
func (s *Server) VideoRequests(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byVideo[id]
}

// video looks up the video a request names, and counts the request.
func (s *Server) video(id string) (Video, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byVideo[id]++
	v, ok := s.videos[id]
	return v, ok
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>YouTube</title><script nonce=\"x\">"+
		"window.ytcfg={};\nytcfg.set({\"CLIENT_CANARY_STATE\":\"none\",\"INNERTUBE_CONTEXT\":{\"client\":"+
		"{\"hl\":\"en\",\"gl\":\"US\",\"visitorData\":%q,\"clientName\":\"WEB\",\"clientVersion\":\"2.20250610.00.00\"}},"+
		"\"INNERTUBE_API_KEY\":\"AIzaSyAO_FJ2SlqU8Q4STEHLGCilw_Y9_11qcW8\"}); window.ytcfg.set('EMERGENCY_BASE_URL', '/error_204');"+
		"</script></head><body></body></html>", visitorData)
}

// playerRequest is the part of an innertube request the fake reads.
type playerRequest struct {
	VideoID string `json:"videoId"`
	Params  string `json:"params"`
	Context struct {
		Client struct {
			ClientName string `json:"clientName"`
		} `json:"client"`
	} `json:"context"`
}

func (s *Server) player(w http.ResponseWriter, r *http.Request) {
	var req playerRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.VideoID == "" {
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
		return
	}
	s.mu.Lock()
	s.clients = append(s.clients, req.Context.Client.ClientName)
	s.mu.Unlock()
	var vp *Video
	if v, ok := s.video(req.VideoID); ok {
		vp = &v
	}
	writeJSON(w, playerResponse(vp, req.VideoID, req.Context.Client.ClientName))
}

// watch serves the watch page kkdai reads when the player refuses a video
// that cannot be embedded: the web client's player response inlined.
func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("v")
	var vp *Video
	if v, ok := s.video(id); ok {
		vp = &v
	}
	body, err := json.Marshal(playerResponse(vp, id, "WEB"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>YouTube</title></head><body>"+
		"<script nonce=\"x\">var ytInitialPlayerResponse = %s;var meta = document.createElement('meta');</script></body></html>", body)
}

func (s *Server) timedText(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, ok := s.video(q.Get("v"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	asr := q.Get("kind") == "asr"
	var track *Track
	for i := range v.Tracks {
		if v.Tracks[i].Lang == q.Get("lang") && v.Tracks[i].ASR == asr {
			track = &v.Tracks[i]
			break
		}
	}
	if track == nil {
		http.NotFound(w, r)
		return
	}
	if track.Empty {
		// YouTube answers 200 with nothing when a PO token is missing.
		w.WriteHeader(http.StatusOK)
		return
	}
	segs := track.Segments
	if tlang := q.Get("tlang"); tlang != "" && tlang != track.Lang {
		if !track.Translatable {
			http.NotFound(w, r)
			return
		}
		segs = translate(segs, tlang)
	}
	switch q.Get("fmt") {
	case "json3":
		writeJSON(w, json3(segs, track.ASR, v.Duration))
	case "", "srv1":
		w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
		io.WriteString(w, srv1(segs))
	default:
		http.Error(w, "fake youtube: unsupported fmt "+q.Get("fmt"), http.StatusBadRequest)
	}
}

func (s *Server) getTranscript(w http.ResponseWriter, r *http.Request) {
	var req playerRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
		return
	}
	v, ok := s.video(transcriptVideoID(req.Params))
	if !ok || v.Transcript == nil {
		innertubeError(w, http.StatusBadRequest, "FAILED_PRECONDITION", "Precondition check failed.")
		return
	}
	writeJSON(w, transcriptResponse(v.Transcript))
}

// transcriptVideoID reads the video id out of get_transcript's params: a
// base64 protobuf whose first field (tag 0x0a, length 11) is the id.
func transcriptVideoID(params string) string {
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(params, "="))
	if err != nil || len(raw) < 13 || raw[0] != 0x0a || raw[1] != 11 {
		return ""
	}
	return string(raw[2:13])
}

func innertubeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": msg, "errors": []any{map[string]any{"message": msg, "domain": "global", "reason": "failedPrecondition"}},
		"status": code,
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(v)
}

// tooManyRequestsPage is the shape of YouTube's "unusual traffic" page.
const tooManyRequestsPage = `<!DOCTYPE html><html><head><title>YouTube</title>` +
	`<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>` +
	`<body><div id="captcha-page"><p>Our systems have detected unusual traffic from your computer network.</p>` +
	`<form id="captcha-form" action="/das_captcha" method="post"><div class="g-recaptcha"></div></form></div></body></html>`
