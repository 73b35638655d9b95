// Package llmtest is a fake OpenAI-compatible chat server for recap's tests
// and benchmarks. By default it answers /v1/chat/completions with a valid,
// deterministic summary derived from the request, in the JSON shape the
// prompt asks for, with usage estimated by recap.EstimateTokens; options and
// a Script hook inject the failures real servers show (429 with
// Retry-After, 5xx, broken JSON, prose around JSON, unsupported
// response_format, bad keys), and WithRateLimit enforces a provider-like
// request limit over a sliding window.
package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// Kinds of request, detected from the prompt.
const (
	KindChapter  = "chapter"
	KindCombine  = "combine"
	KindOverview = "overview"
	KindUnknown  = "unknown"
)

// Message is one chat message of a recorded request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one recorded call to /v1/chat/completions.
type Request struct {
	N              int // 1-based call number, in arrival order
	Model          string
	Messages       []Message
	ResponseFormat string // "", "text", "json_object" or "json_schema"
	SchemaName     string // the json_schema name, if any
	Temperature    *float64
	Auth           bool      // an Authorization header was present
	AuthHeader     string    // its value, so tests can check which key was sent
	Kind           string    // KindChapter, KindCombine, KindOverview, KindUnknown
	PromptTokens   int       // recap.EstimateTokens of all message contents
	At             time.Time // when the call arrived
	// Status is the HTTP status answered (0 while in progress, or when
	// the client went away first).
	Status int
}

// Text joins the contents of all messages.
func (r Request) Text() string {
	var parts []string
	for _, m := range r.Messages {
		parts = append(parts, m.Content)
	}
	return strings.Join(parts, "\n")
}

// Transcript is the text between <transcript> and </transcript> in the
// request, or "" when it has none.
func (r Request) Transcript() string { return between(r.Text(), "<transcript>", "</transcript>") }

// Reply overrides the server's answer to one call. Zero fields keep the
// default: status 200 and the generated answer.
type Reply struct {
	Status int
	Header http.Header
	// Body, when set, is sent verbatim instead of a chat completion.
	Body string
	// Content, when set, rewrites the generated answer's message content.
	Content func(answer string) string
	// NoUsage leaves "usage" out of the response, as some local servers do.
	NoUsage bool
	// Delay holds the reply back (on top of any latency), to make a client
	// time out; it is cut short when the client gives up.
	Delay time.Duration
}

// Script decides the reply to a call; nil means the default answer. It is
// called concurrently when calls overlap.
type Script func(r Request) *Reply

// Option configures a Server.
type Option func(*Server)

// WithLatency delays every call by d (cut short when the client gives up).
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithScript sets the hook that may override any call's reply.
func WithScript(fn Script) Option { return func(s *Server) { s.script = fn } }

// WithDown makes every call fail with 503.
func WithDown() Option { return func(s *Server) { s.down = true } }

// WithoutJSONSchema rejects response_format json_schema with a 400, as
// servers without structured outputs do.
func WithoutJSONSchema() Option { return func(s *Server) { s.noSchema = true } }

// WithoutResponseFormat rejects any response_format but "text" with a 400.
func WithoutResponseFormat() Option {
	return func(s *Server) { s.noSchema, s.noFormat = true, true }
}

// WithoutUsage leaves "usage" out of every response.
func WithoutUsage() Option { return func(s *Server) { s.noUsage = true } }

// WithAPIKey requires "Authorization: Bearer key" and answers 401 otherwise.
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// Server is a running fake. Its counters are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	latency  time.Duration
	script   Script
	down     bool
	noSchema bool
	noFormat bool
	noUsage  bool
	key      string

	limit RateLimit
	now   func() time.Time

	mu               sync.Mutex
	window           []time.Time // arrivals counted against limit, oldest first
	rateLimited      int
	requests         []Request
	promptTokens     int
	completionTokens int
	inFlight         int
	maxInFlight      int
}

// NewServer starts a fake server, closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no route "+r.Method+" "+r.URL.Path)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the OpenAI-style base URL, ending in /v1.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// Calls counts chat calls received, failed ones included.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// PromptTokens sums the estimated prompt tokens of every chat call
// received: what the client sent, whether or not it was answered.
func (s *Server) PromptTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.promptTokens
}

// CompletionTokens sums the estimated tokens of the answers sent.
func (s *Server) CompletionTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.completionTokens
}

// Requests returns a copy of the recorded chat calls, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// InFlight is how many chat calls are in progress now.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// MaxInFlight is the most chat calls seen in progress at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// wireRequest is the part of a chat completion request the fake reads.
type wireRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name string `json:"name"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Temperature *float64 `json:"temperature"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	var wr wireRequest
	if err := json.NewDecoder(r.Body).Decode(&wr); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "request body is not JSON: "+err.Error())
		return
	}
	req := Request{Model: wr.Model, Temperature: wr.Temperature, AuthHeader: r.Header.Get("Authorization")}
	req.Auth = req.AuthHeader != ""
	for _, m := range wr.Messages {
		req.Messages = append(req.Messages, Message{Role: m.Role, Content: messageText(m.Content)})
		req.PromptTokens += recap.EstimateTokens(req.Messages[len(req.Messages)-1].Content)
	}
	if f := wr.ResponseFormat; f != nil {
		req.ResponseFormat = f.Type
		if f.JSONSchema != nil {
			req.SchemaName = f.JSONSchema.Name
		}
	}
	req.Kind = detectKind(req)
	req.At = s.now()

	s.mu.Lock()
	req.N = len(s.requests) + 1
	s.requests = append(s.requests, req)
	s.promptTokens += req.PromptTokens
	limited := s.admit(req.At, w.Header())
	s.mu.Unlock()

	if limited != nil {
		s.respond(w, req, limited)
		return
	}
	if !wait(r, s.latency) {
		return
	}
	var reply *Reply
	if s.script != nil {
		reply = s.script(req)
	}
	if reply == nil {
		reply = s.builtin(req)
	}
	if reply == nil {
		reply = &Reply{}
	}
	if !wait(r, reply.Delay) {
		return
	}
	s.respond(w, req, reply)
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

// builtin is the reply the server's options call for, or nil.
func (s *Server) builtin(req Request) *Reply {
	switch {
	case s.down:
		return Unavailable("")
	case s.key != "" && req.AuthHeader != "Bearer "+s.key:
		return Unauthorized()
	case s.noSchema && req.ResponseFormat == "json_schema":
		return RejectJSONSchema()
	case s.noFormat && req.ResponseFormat != "" && req.ResponseFormat != "text":
		return Error(http.StatusBadRequest, "response_format is not supported by this server")
	}
	return nil
}

func (s *Server) respond(w http.ResponseWriter, req Request, reply *Reply) {
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	s.mu.Lock()
	s.requests[req.N-1].Status = status
	s.mu.Unlock()
	if reply.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, reply.Body)
		return
	}
	content := Answer(req)
	if reply.Content != nil {
		content = reply.Content(content)
	}
	completion := recap.EstimateTokens(content)
	s.mu.Lock()
	s.completionTokens += completion
	s.mu.Unlock()

	resp := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-%d", req.N),
		"object":  "chat.completion",
		"created": 1700000000 + req.N,
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"finish_reason": "stop",
		}},
	}
	if !reply.NoUsage && !s.noUsage {
		resp["usage"] = map[string]int{
			"prompt_tokens":     req.PromptTokens,
			"completion_tokens": completion,
			"total_tokens":      req.PromptTokens + completion,
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	if s.key != "" && r.Header.Get("Authorization") != "Bearer "+s.key {
		writeError(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list",
		"data": []any{map[string]any{
			"id": "recap-test", "object": "model", "created": 1700000000, "owned_by": "llmtest",
		}},
	})
}

// messageText reads a message's content, a string or an array of parts.
func messageText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody(code, msg))
}

func errorBody(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}}
}

func between(s, open, closing string) string {
	i := strings.Index(s, open)
	if i < 0 {
		return ""
	}
	s = s[i+len(open):]
	j := strings.LastIndex(s, closing)
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(s[:j])
}
