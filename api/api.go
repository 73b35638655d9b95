// Package api is recap's HTTP API and web page. Every route is declared in
// NewHandler; error codes become HTTP statuses only here.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/metrics"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/web"
	"github.com/recap-dev/recap/worker"
)

// Server holds what the handlers need.
type Server struct {
	Store storage.Store
	// Submitter stores and queues the jobs the API and the web form submit.
	Submitter *worker.Submitter
	// Batches runs backlogs and subscriptions; nil leaves their routes out.
	Batches *batch.Service
	// Tokens, when not empty, are the bearer tokens that everything
	// showing stored content needs: /v1, the web pages (a bearer header
	// or a session cookie) and /metrics.
	Tokens       []string
	MaxBodyBytes int64
	// Metrics, when set, are served at /metrics. Leave it nil in the
	// handler of a public address when NewOpsHandler serves them on an
	// address of their own.
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// Ready reports whether the queue is reachable, for /healthz.
	Ready func(ctx context.Context) error
	// DocumentCache is how many finished documents NewHandler's handlers
	// keep in memory with their renderings (and the web app its rendered
	// summary pages); 0 means 128.
	DocumentCache int

	docs  *documents
	views *jobViews
	pages *listPages
	web   *web.App
}

func (s *Server) withDefaults() {
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = 1 << 20
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
}

// NewHandler declares every route of the public address. A method a path
// has no handler for is answered 405 with an Allow header; a cross-origin
// browser request that is not a GET or HEAD is refused (403), so no other
// site can make a visitor's browser submit work.
func NewHandler(s *Server) http.Handler {
	s.withDefaults()
	if s.DocumentCache == 0 {
		s.DocumentCache = defaultDocumentCache
	}
	s.docs = newDocuments(s.DocumentCache)
	s.views = newJobViews(jobViewCache)
	s.pages = newListPages(listPageCache)
	mux := http.NewServeMux()
	v1 := func(path string, rs ...route) { s.route(mux, path, s.requireToken, s.apiNotAllowed, rs...) }
	v1("/v1/summaries", route{"GET", s.listSummaries}, route{"POST", s.createSummary})
	v1("/v1/summaries/{id}", route{"GET", s.getSummary})
	v1("/v1/videos/{video_id}/summary", route{"GET", s.getVideoSummary})
	v1("/v1/search", route{"GET", s.search})
	if s.Batches != nil {
		v1("/v1/batches", route{"GET", s.listBatches}, route{"POST", s.createBatch})
		v1("/v1/batches/{id}", route{"GET", s.getBatch}, route{"DELETE", s.cancelBatch})
		v1("/v1/batches/{id}/items", route{"GET", s.listBatchItems})
		v1("/v1/batches/{id}/retry", route{"POST", s.retryBatch})
		v1("/v1/subscriptions", route{"GET", s.listSubscriptions}, route{"POST", s.createSubscription})
		v1("/v1/subscriptions/{id}", route{"DELETE", s.deleteSubscription})
	}
	mux.Handle("/v1/", s.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.error(w, r, recap.Errorf(recap.ENOTFOUND, "no such API call: %s %s", r.Method, r.URL.Path))
	})))
	s.opsRoutes(mux, s.requireToken)

	web := func(path string, rs ...route) { s.route(mux, path, nil, textNotAllowed, rs...) }
	s.web = s.newWebApp()
	web("/{$}", route{"GET", s.web.Home}, route{"POST", s.web.SubmitForm})
	web("/s/{id}", route{"GET", s.web.Summary})
	web("/s/{id}/{file}", route{"GET", s.web.File}, route{"POST", s.web.Retry}) // POST /s/{id}/retry
	web("/v/{video_id}", route{"GET", s.web.Video})
	web("/search", route{"GET", s.web.Search})
	web("/static/{file}", route{"GET", s.web.Static})
	if s.Batches != nil {
		web("/b", route{"GET", s.web.BatchesPage})
		web("/b/{id}", route{"GET", s.web.BatchPage})
		web("/b/{id}/{file}", route{"GET", s.web.BatchFile}, route{"POST", s.web.BatchAction}) // POST /b/{id}/cancel, /b/{id}/retry
		web("/subscriptions", route{"GET", s.web.SubscriptionsPage}, route{"POST", s.web.SubscribeForm})
		web("/subscriptions/{id}/{action}", route{"POST", s.web.UnsubscribeForm}) // POST /subscriptions/{id}/delete
	}
	web("/login", route{"GET", s.loginForm}, route{"POST", s.login})
	web("/logout", route{"POST", s.logout})

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOrigin))
	return securityHeaders(cop.Handler(mux))
}

// NewOpsHandler serves /healthz and /metrics alone, for an address of
// their own (RECAP_METRICS_ADDR): no token, since such an address is meant
// for the operators' network only.
func NewOpsHandler(s *Server) http.Handler {
	s.withDefaults()
	mux := http.NewServeMux()
	s.opsRoutes(mux, nil)
	return securityHeaders(mux)
}

// opsRoutes declares /healthz, open to all since it shows no stored
// content, and /metrics, behind protect (when not nil) if Tokens are set.
func (s *Server) opsRoutes(mux *http.ServeMux, protect func(http.Handler) http.Handler) {
	s.route(mux, "/healthz", nil, textNotAllowed, route{"GET", s.healthz})
	if s.Metrics != nil {
		s.route(mux, "/metrics", protect, textNotAllowed, route{"GET", s.Metrics.Handler().ServeHTTP})
	}
}

// route is one method's handler of a path.
type route struct {
	method  string
	handler http.HandlerFunc
}

// route declares the handlers of path, each wrapped by wrap when it is
// not nil, and answers any other method with notAllowed and an Allow
// header listing the methods that path takes (HEAD with GET).
func (s *Server) route(mux *http.ServeMux, path string, wrap func(http.Handler) http.Handler,
	notAllowed http.HandlerFunc, rs ...route) {
	if wrap == nil {
		wrap = func(h http.Handler) http.Handler { return h }
	}
	var allow []string
	for _, r := range rs {
		mux.Handle(r.method+" "+path, wrap(r.handler))
		allow = append(allow, r.method)
		if r.method == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
	}
	slices.Sort(allow)
	allowed := strings.Join(allow, ", ")
	mux.Handle(path, wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		notAllowed(w, r)
	})))
}

func (s *Server) apiNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.json(w, http.StatusMethodNotAllowed, errorBody{apiError{"method_not_allowed",
		fmt.Sprintf("%s is not allowed on %s: use %s", r.Method, r.URL.Path, w.Header().Get("Allow"))}})
}

func textNotAllowed(w http.ResponseWriter, r *http.Request) {
	http.Error(w, fmt.Sprintf("%s is not allowed on %s: use %s", r.Method, r.URL.Path, w.Header().Get("Allow")),
		http.StatusMethodNotAllowed)
}

// crossOrigin answers a refused cross-origin request.
func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	const msg = "cross-origin request refused: submit from this site's own page, or without a browser"
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		s.json(w, http.StatusForbidden, errorBody{apiError{"cross_origin", msg}})
		return
	}
	http.Error(w, msg, http.StatusForbidden)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// errUnauthorized is the answer to a request without a valid token.
var errUnauthorized = recap.Errorf(recap.EUNAUTHORIZED, "this API needs a token: send Authorization: Bearer <token>")

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

// healthz reports whether the database and the queue answer: a status
// per component, nothing more, since it is open to everyone. Why a
// component is down goes to the log.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	status, body := http.StatusOK, map[string]string{"status": "ok"}
	check := func(component string, err error) {
		if err != nil {
			s.Logger.Warn("health check failed", slog.String("component", component), slog.Any("error", err))
			status, body[component], body["status"] = http.StatusServiceUnavailable, "unavailable", "unavailable"
			return
		}
		body[component] = "ok"
	}
	if s.Store != nil {
		check("database", s.Store.Ping(ctx))
	}
	if s.Ready != nil {
		check("queue", s.Ready(ctx))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.json(w, status, body)
}

// decodeJSON reads a JSON body of at most MaxBodyBytes into v, refusing
// unknown fields (a typo such as "forced" should not pass silently). Its
// errors speak JSON (a string, a number, an object), never Go.
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
			return recap.Errorf(recap.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return recap.Errorf(recap.EINVALID, "the body must be a JSON object such as {\"url\": \"https://youtu.be/…\"}, not %s", jsonValue(typeErr.Value))
		case errors.As(err, &typeErr):
			return recap.Errorf(recap.EINVALID, "field %q must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type), jsonValue(typeErr.Value))
		case errors.Is(err, io.EOF):
			return recap.Errorf(recap.EINVALID, "empty body: expected a JSON object such as {\"url\": \"https://youtu.be/…\"}")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return recap.Errorf(recap.EINVALID, "malformed JSON: the body ends in the middle of a value")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return recap.Errorf(recap.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		s.Logger.Debug("undescribed JSON error", slog.Any("error", err))
		return recap.Errorf(recap.EINVALID, "malformed JSON: expected an object such as {\"url\": \"https://youtu.be/…\"}")
	}
	if dec.More() {
		return recap.Errorf(recap.EINVALID, "malformed JSON: more than one value in the body")
	}
	return nil
}

// jsonKind names what a Go type holds in JSON words.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a value"
}

// jsonValue names the JSON value that encoding/json reports ("string",
// "number 1e99", "array"…) with an article.
func jsonValue(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "array", "object":
		return "an " + kind
	case "string", "number":
		return "a " + kind
	case "bool":
		return "true or false"
	case "":
		return "that value"
	}
	return kind
}

// limitParam reads ?limit= of a listing: 1..100, or "" for the
// listing's default (0).
func limitParam(l string) (int, error) {
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > 100 {
		return 0, recap.Errorf(recap.EINVALID, "limit %q: expected a number from 1 to 100", l)
	}
	return n, nil
}
