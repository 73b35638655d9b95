// Package asrtest is a fake OpenAI-compatible speech-to-text server for
// recap's tests and benchmarks. It takes multipart uploads at
// /v1/audio/transcriptions and answers verbose_json segments computed
// from the audio it receives: a test registers an MP3 file with its
// script (lines with absolute times) through AddAudio, the server finds
// each uploaded chunk's frames in it byte for byte, and answers the
// script's lines for the chunk's time span, relative to the chunk's
// start, cut at the chunk's edges word by word, as a real model hears a
// cut recording. Options and a Script hook inject the failures real
// services show (429 with Retry-After, 5xx, slow answers, bad keys), and
// counters tell what was uploaded.
package asrtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap/audio"
)

// Line is one line of a registered recording's script, at absolute
// times; its words are spread evenly over [Start, End]. The confidence
// fields are answered as they are (0 when not set).
type Line struct {
	Start, End       time.Duration
	Text             string
	AvgLogprob       float64
	CompressionRatio float64
	NoSpeechProb     float64
}

// Upload is one request received.
type Upload struct {
	N              int // 1-based, in arrival order
	FileName       string
	Model          string
	Language       string
	ResponseFormat string
	Granularities  []string
	Size           int    // bytes of the file part
	AuthHeader     string // the Authorization header
	// Known is true when the file was found in a registered recording;
	// Offset is then where it starts in it.
	Known  bool
	Offset time.Duration
	// Duration of the uploaded audio, from its MP3 frames (0 for other
	// formats).
	Duration time.Duration
}

// Reply overrides the server's answer to one upload. Zero fields keep
// the default: status 200 and the computed transcript.
type Reply struct {
	Status int
	Header http.Header
	Body   string // sent verbatim when set
	Delay  time.Duration
}

// Script decides the reply to an upload; nil means the default. It is
// called concurrently when uploads overlap.
type Script func(u Upload) *Reply

// Option configures a Server.
type Option func(*Server)

// WithLatency holds every answer back by d after the upload is received
// (cut short when the client gives up): a fixed per-chunk latency.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithScript sets the hook that may override any upload's reply.
func WithScript(fn Script) Option { return func(s *Server) { s.script = fn } }

// WithAPIKey requires "Authorization: Bearer key" and answers 401 otherwise.
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// WithLanguage sets the detected language the server answers ("english"
// by default, as OpenAI names it); a request's language field wins.
func WithLanguage(name string) Option { return func(s *Server) { s.language = name } }

// WithTextOnly makes the named models answer text without timestamps, as
// OpenAI's gpt-4o-transcribe and gpt-4o-mini-transcribe do: a request for
// any response_format but json or text is refused with the 400 OpenAI
// gives ("response_format 'verbose_json' is not compatible with model
// …"), and json answers are {"text": …} only.
func WithTextOnly(models ...string) Option {
	return func(s *Server) {
		for _, m := range models {
			s.textOnly[m] = true
		}
	}
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	latency  time.Duration
	script   Script
	key      string
	language string
	textOnly map[string]bool

	mu          sync.Mutex
	recordings  []*recording
	uploads     []Upload
	seconds     time.Duration
	took        []time.Duration
	inFlight    int
	maxInFlight int
}

// recording is a registered file with its frame index and script.
type recording struct {
	data    []byte
	offsets []int64         // of each audio frame
	starts  []time.Duration // of each audio frame
	lines   []Line
}

// NewServer starts a fake server, closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{language: "english", textOnly: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/audio/transcriptions", s.transcribe)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no route "+r.Method+" "+r.URL.Path)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the OpenAI-style base URL, ending in /v1.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// AddAudio registers an MP3 recording and its script. The server keeps
// data; the test must not change it.
func (s *Server) AddAudio(t testing.TB, data []byte, lines []Line) {
	t.Helper()
	rec := &recording{data: data, lines: append([]Line(nil), lines...)}
	sort.SliceStable(rec.lines, func(i, j int) bool { return rec.lines[i].Start < rec.lines[j].Start })
	sc := audio.NewScanner(bytes.NewReader(data))
	for {
		start := sc.Duration()
		f, err := sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("asrtest: AddAudio: %v", err)
		}
		rec.offsets = append(rec.offsets, f.Offset)
		rec.starts = append(rec.starts, start)
	}
	rec.starts = append(rec.starts, sc.Duration()) // the end, for a chunk's end
	s.mu.Lock()
	s.recordings = append(s.recordings, rec)
	s.mu.Unlock()
}

// Uploads counts the requests received, failed ones included.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uploads)
}

// UploadedAudio sums the duration of the audio received (MP3 only).
func (s *Server) UploadedAudio() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seconds
}

// Requests returns a copy of the uploads received, in arrival order.
func (s *Server) Requests() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// MaxInFlight is the most uploads seen in progress at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Slowest is the longest an upload took, from its first byte to the end
// of the answer.
func (s *Server) Slowest() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m time.Duration
	for _, d := range s.took {
		m = max(m, d)
	}
	return m
}

// acceptedExts are the file name extensions OpenAI takes.
var acceptedExts = map[string]bool{".flac": true, ".m4a": true, ".mp3": true, ".mp4": true, ".mpeg": true,
	".mpga": true, ".oga": true, ".ogg": true, ".wav": true, ".webm": true}

func (s *Server) transcribe(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.took = append(s.took, time.Since(began))
		s.mu.Unlock()
	}()

	u, data, err := readUpload(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
		return
	}
	u.AuthHeader = r.Header.Get("Authorization")
	if ft, err := audio.Detect(data); err == nil && ft == audio.MP3 {
		u.Duration = mp3Duration(data)
	}
	rec, start := s.locate(data)
	u.Known, u.Offset = rec != nil, start

	s.mu.Lock()
	u.N = len(s.uploads) + 1
	s.uploads = append(s.uploads, u)
	s.seconds += u.Duration
	s.mu.Unlock()

	if !wait(r, s.latency) {
		return
	}
	var reply *Reply
	if s.script != nil {
		reply = s.script(u)
	}
	if reply == nil {
		reply = s.builtin(u, data)
	}
	if reply == nil {
		reply = &Reply{}
	}
	if !wait(r, reply.Delay) {
		return
	}
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if reply.Body != "" || reply.Status != 0 && reply.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(max(reply.Status, 200))
		io.WriteString(w, reply.Body)
		return
	}
	s.answer(w, u, rec, start)
}

// builtin is the reply the server's options or the request call for.
func (s *Server) builtin(u Upload, data []byte) *Reply {
	switch {
	case s.key != "" && u.AuthHeader != "Bearer "+s.key:
		return Error(http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
	case !acceptedExts[strings.ToLower(path.Ext(u.FileName))]:
		return Error(http.StatusBadRequest, "invalid_value",
			fmt.Sprintf("Invalid file format %q. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']", u.FileName))
	case len(data) == 0:
		return Error(http.StatusBadRequest, "invalid_value", "Audio file is empty.")
	case s.textOnly[u.Model] && u.ResponseFormat != "" && u.ResponseFormat != "json" && u.ResponseFormat != "text":
		// OpenAI's answer, word for word, with the param it names.
		b, _ := json.Marshal(map[string]any{"error": map[string]any{
			"message": fmt.Sprintf("response_format '%s' is not compatible with model '%s'. Use 'json' or 'text' instead.", u.ResponseFormat, u.Model),
			"type":    "invalid_request_error", "param": "response_format", "code": "unsupported_value",
		}})
		return &Reply{Status: http.StatusBadRequest, Body: string(b)}
	}
	return nil
}

// readUpload reads the multipart form: the file part into memory, and
// the fields.
func readUpload(r *http.Request) (Upload, []byte, error) {
	var u Upload
	mr, err := r.MultipartReader()
	if err != nil {
		return u, nil, fmt.Errorf("not a multipart upload: %v", err)
	}
	var data []byte
	seenFile := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return u, nil, fmt.Errorf("broken multipart body: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return u, nil, fmt.Errorf("read part %q: %v", p.FormName(), err)
		}
		switch p.FormName() {
		case "file":
			data, u.FileName, u.Size, seenFile = b, p.FileName(), len(b), true
		case "model":
			u.Model = string(b)
		case "language":
			u.Language = string(b)
		case "response_format":
			u.ResponseFormat = string(b)
		case "timestamp_granularities[]":
			u.Granularities = append(u.Granularities, string(b))
		}
	}
	switch {
	case !seenFile:
		return u, nil, fmt.Errorf("no file part in the upload")
	case u.Model == "":
		return u, nil, fmt.Errorf("you must provide a model parameter")
	}
	return u, data, nil
}

func mp3Duration(data []byte) time.Duration {
	sc := audio.NewScanner(bytes.NewReader(data))
	for {
		if _, err := sc.Next(); err != nil {
			return sc.Duration()
		}
	}
}

// locate finds data, which starts at a frame, in a registered recording,
// and returns the recording and the time data starts at.
func (s *Server) locate(data []byte) (*recording, time.Duration) {
	if len(data) < 4 {
		return nil, 0
	}
	probe := data[:min(len(data), 512)]
	s.mu.Lock()
	recs := append([]*recording(nil), s.recordings...)
	s.mu.Unlock()
	for _, rec := range recs {
		if bytes.HasPrefix(rec.data, data) {
			return rec, 0 // the whole file, tags and all
		}
		for i, off := range rec.offsets {
			if bytes.HasPrefix(rec.data[off:], probe) && bytes.HasPrefix(rec.data[off:], data) {
				return rec, rec.starts[i]
			}
		}
	}
	return nil, 0
}

// segment is one verbose_json segment.
type segment struct {
	ID               int     `json:"id"`
	Seek             int     `json:"seek"`
	Start            float64 `json:"start"`
	End              float64 `json:"end"`
	Text             string  `json:"text"`
	Tokens           []int   `json:"tokens"`
	Temperature      float64 `json:"temperature"`
	AvgLogprob       float64 `json:"avg_logprob"`
	CompressionRatio float64 `json:"compression_ratio"`
	NoSpeechProb     float64 `json:"no_speech_prob"`
}

// answer writes the transcript of the upload in its response format.
func (s *Server) answer(w http.ResponseWriter, u Upload, rec *recording, start time.Duration) {
	segs := s.segments(u, rec, start)
	var texts []string
	for _, sg := range segs {
		texts = append(texts, strings.TrimSpace(sg.Text))
	}
	text := strings.Join(texts, " ")
	lang := s.language
	if u.Language != "" {
		lang = u.Language
	}
	switch u.ResponseFormat {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, text+"\n")
	case "verbose_json":
		writeJSON(w, map[string]any{"task": "transcribe", "language": lang, "duration": u.Duration.Seconds(), "text": text, "segments": segs})
	default:
		writeJSON(w, map[string]any{"text": text})
	}
}

// segments are the script's lines heard in the upload's span, relative
// to its start; for audio it does not know, one line per five seconds
// saying where it is.
func (s *Server) segments(u Upload, rec *recording, start time.Duration) []segment {
	segs := []segment{}
	if rec == nil {
		for at := time.Duration(0); at < u.Duration; at += 5 * time.Second {
			end := min(at+5*time.Second, u.Duration)
			segs = append(segs, segment{ID: len(segs), Start: at.Seconds(), End: end.Seconds(), Text: fmt.Sprintf(" Unknown audio from %s to %s.", at, end), Tokens: []int{}})
		}
		return segs
	}
	end := start + u.Duration
	for _, l := range rec.lines {
		if l.End <= start || l.Start >= end {
			continue
		}
		words := strings.Fields(l.Text)
		var heard []string
		for j, wd := range words {
			// Word j takes the j-th share of the line; it is heard when
			// its middle is inside the upload.
			mid := l.Start + (l.End-l.Start)*time.Duration(2*j+1)/time.Duration(2*len(words))
			if mid >= start && mid < end {
				heard = append(heard, wd)
			}
		}
		if len(heard) == 0 {
			continue
		}
		segs = append(segs, segment{
			ID: len(segs), Start: (max(l.Start, start) - start).Seconds(), End: (min(l.End, end) - start).Seconds(),
			Text: " " + strings.Join(heard, " "), Tokens: []int{}, AvgLogprob: l.AvgLogprob,
			CompressionRatio: l.CompressionRatio, NoSpeechProb: l.NoSpeechProb,
		})
	}
	return segs
}

// wait sleeps d unless the client goes away first; false means it did.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Error is a reply with an OpenAI-style error body.
func Error(status int, code, msg string) *Reply {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}})
	return &Reply{Status: status, Body: string(b)}
}

// TooManyRequests is a 429 with Retry-After (seconds, as a string).
func TooManyRequests(retryAfter string) *Reply {
	r := Error(http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit reached for requests")
	r.Header = http.Header{"Retry-After": {retryAfter}}
	return r
}

// Unavailable is a 503.
func Unavailable() *Reply {
	return Error(http.StatusServiceUnavailable, "server_error", "The server is overloaded or not ready yet.")
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	r := Error(status, code, msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, r.Body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// SyntheticMP3 is dur of MPEG-1 Layer III frames (cut down to whole
// frames of 26 ms) at 128 kbit/s, 44.1 kHz, for tests and benchmarks of
// any length: each frame carries a random payload drawn from seed, so
// that the server can place any chunk of it (AddAudio). It is not
// audible audio; 3 hours are 173 MB.
func SyntheticMP3(dur time.Duration, seed uint64) []byte {
	frames := int(dur.Seconds() * 44100 / 1152)
	rng := rand.New(rand.NewPCG(seed, 2))
	data := make([]byte, 0, frames*418)
	rem := 0
	for range frames {
		// 144 × 128000 / 44100 = 417.96 bytes: padded as encoders do.
		size, pad := 417, byte(0)
		if rem += 144 * 128000 % 44100; rem >= 44100 {
			rem -= 44100
			size, pad = 418, 2
		}
		frame := make([]byte, size)
		frame[0], frame[1], frame[2], frame[3] = 0xFF, 0xFB, 0x90|pad, 0x44
		for i := 4; i < size; i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8 && i+j < size; j++ {
				frame[i+j] = byte(v >> (8 * j))
			}
		}
		data = append(data, frame...)
	}
	return data
}
