package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
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

// serveListener serves h on ln until ctx is done, then shuts down
// gracefully.
func serveListener(ctx context.Context, ln net.Listener, h http.Handler, lim *HTTPLimits, logger *slog.Logger) error {
	srv := newHTTPServer(h, lim, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", slog.String("addr", ln.Addr().String()))
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveWithOps serves h on ln (as serveHTTP does) and ops (/healthz and
// /metrics) on opsLn, until ctx is done or one of them fails.
func (m *Main) serveWithOps(ctx context.Context, ln net.Listener, h http.Handler, opsLn net.Listener, ops http.Handler, logger *slog.Logger) error {
	logger.Info("serving /metrics and /healthz", slog.String("url", "http://"+opsLn.Addr().String()))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveListener(gctx, opsLn, ops, m.HTTPLimits, logger) })
	g.Go(func() error { return m.serveHTTP(gctx, ln, h, logger) })
	return g.Wait()
}
