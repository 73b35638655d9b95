// Package api is recap's HTTP API and web page. Every route is declared in
// NewHandler; error codes become HTTP statuses only here.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/worker"
)

// Server holds what the handlers need.
type Server struct {
	Store storage.Store
	// Submitter stores and queues the jobs the API and the web form submit.
	Submitter *worker.Submitter
	// Batches runs backlogs and subscriptions.
	Batches *batch.Service
	// Tokens, when not empty, are the bearer tokens every /v1 call needs.
	Tokens       []string
	MaxBodyBytes int64
	Metrics      *metrics.Metrics
	Logger       *slog.Logger
	// Ready reports whether the queue is reachable, for /healthz.
	Ready func(ctx context.Context) error
}

// NewHandler declares every route.
func NewHandler(s *Server) http.Handler {
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = 1 << 20
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	v1 := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.requireToken(h)) }
	v1("POST /v1/summaries", s.createSummary)
	v1("GET /v1/summaries", s.listSummaries)
	v1("GET /v1/summaries/{id}", s.getSummary)
	v1("GET /v1/videos/{video_id}/summary", s.getVideoSummary)
	if s.Batches != nil {
		v1("POST /v1/batches", s.createBatch)
		v1("GET /v1/batches", s.listBatches)
		v1("GET /v1/batches/{id}", s.getBatch)
		v1("GET /v1/batches/{id}/items", s.listBatchItems)
		v1("DELETE /v1/batches/{id}", s.cancelBatch)
		v1("POST /v1/batches/{id}/retry", s.retryBatch)
		v1("POST /v1/subscriptions", s.createSubscription)
		v1("GET /v1/subscriptions", s.listSubscriptions)
		v1("DELETE /v1/subscriptions/{id}", s.deleteSubscription)
	}
	v1("GET /v1/search", s.search)
	mux.Handle("/v1/", s.requireToken(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, recap.Errorf(recap.ENOTFOUND, "no such API call: %s %s", r.Method, r.URL.Path))
	}))
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	mux.HandleFunc("GET /{$}", s.webIndex)
	mux.HandleFunc("POST /{$}", s.webSubmit)
	mux.HandleFunc("GET /s/{id}", s.webSummary)
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// requireToken checks the bearer token when tokens are configured.
func (s *Server) requireToken(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.Tokens) > 0 && !s.validToken(bearer(r)) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="recap"`)
			s.error(w, r, recap.Errorf(recap.EUNAUTHORIZED, "this API needs a token: send Authorization: Bearer <token>"))
			return
		}
		h(w, r)
	})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) validToken(tok string) bool {
	if tok == "" {
		return false
	}
	ok := 0
	for _, t := range s.Tokens {
		ok |= subtle.ConstantTimeCompare([]byte(t), []byte(tok))
	}
	return ok == 1
}

var statuses = map[string]int{
	recap.EINVALID:      http.StatusBadRequest,
	recap.ENOTFOUND:     http.StatusNotFound,
	recap.ECONFLICT:     http.StatusConflict,
	recap.EUNAUTHORIZED: http.StatusUnauthorized,
	recap.ETOOLARGE:     http.StatusBadRequest, // the API contract: bad input is 400; the code says why
}

type errorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// error writes {"error": {"code", "message"}}. Internal errors are logged
// and their details kept from the client.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := recap.ErrorCode(err)
	status, ok := statuses[code]
	msg := recap.ErrorMessage(err)
	if !ok {
		status = http.StatusInternalServerError
		s.Logger.Error("api", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
		code, msg = recap.EINTERNAL, "internal error"
	}
	s.json(w, status, errorBody{apiError{code, msg}})
}

func (s *Server) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.Logger.Debug("write response", slog.Any("error", err))
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status, checks := http.StatusOK, map[string]string{}
	if err := s.Store.Ping(ctx); err != nil {
		status, checks["database"] = http.StatusServiceUnavailable, err.Error()
	} else {
		checks["database"] = "ok"
	}
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			status, checks["queue"] = http.StatusServiceUnavailable, err.Error()
		} else {
			checks["queue"] = "ok"
		}
	}
	checks["status"] = "ok"
	if status != http.StatusOK {
		checks["status"] = "unavailable"
	}
	s.json(w, status, checks)
}

// decodeJSON reads a JSON body of at most MaxBodyBytes into v, refusing
// unknown fields (a typo such as "forced" should not pass silently).
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooLarge):
			return recap.Errorf(recap.ETOOLARGE, "request body is over %d bytes", s.MaxBodyBytes)
		case errors.As(err, &syntax):
			return recap.Errorf(recap.EINVALID, "malformed JSON at byte %d: %v", syntax.Offset, err)
		case errors.As(err, &typeErr):
			return recap.Errorf(recap.EINVALID, "malformed JSON: field %q must be %s", typeErr.Field, typeErr.Type)
		case errors.Is(err, io.EOF):
			return recap.Errorf(recap.EINVALID, "empty body: expected a JSON object such as {\"url\": \"https://youtu.be/…\"}")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return recap.Errorf(recap.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return recap.Errorf(recap.EINVALID, "malformed JSON: %v", err)
	}
	if dec.More() {
		return recap.Errorf(recap.EINVALID, "malformed JSON: more than one value in the body")
	}
	return nil
}
