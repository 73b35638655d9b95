package main

import (
	"log/slog"
	"net/http"
	"time"
)

// HTTPLimits bound what one client may hold of an HTTP server, so that slow
// or idle clients cannot keep connections (and file descriptors) for ever.
type HTTPLimits struct {
	// ReadHeader is the time a client has to send the request headers
	// (slowloris).
	ReadHeader time.Duration
	// Read is the time to read a whole request, body included.
	Read time.Duration
	// Write is the time from the end of the request headers to the end of
	// the response.
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next
	// request.
	Idle time.Duration
	// MaxHeaderBytes caps the request line and headers; past it the
	// answer is 431.
	MaxHeaderBytes int
}

// defaultHTTPLimits fit recap's API: requests are small (a body is at most
// 1 MiB) and every answer is ready in milliseconds.
var defaultHTTPLimits = HTTPLimits{
	ReadHeader:     10 * time.Second,
	Read:           30 * time.Second,
	Write:          60 * time.Second,
	Idle:           60 * time.Second,
	MaxHeaderBytes: 64 << 10,
}

// newHTTPServer is the one HTTP server of recap serve and recap worker:
// h with the limits (defaultHTTPLimits when lim is nil), and the server's
// own errors (such as a failed accept) in the log.
func newHTTPServer(h http.Handler, lim *HTTPLimits, logger *slog.Logger) *http.Server {
	if lim == nil {
		lim = &defaultHTTPLimits
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
