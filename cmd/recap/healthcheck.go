package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// runHealthcheck GETs /healthz of the recap serve or recap worker running
// beside it and succeeds when it answers 200: a container health check
// that needs no shell or curl (the image is distroless). It exits 0 when
// healthy and 1 otherwise, never 2, which Docker reserves.
func (m *Main) runHealthcheck(ctx context.Context, args []string) error {
	fs := m.newFlagSet("healthcheck", healthcheckUsage)
	addr := fs.String("addr", "", "address of the server to check (default $RECAP_METRICS_ADDR, else $RECAP_HTTP_ADDR, else 127.0.0.1:8080)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	pos, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("healthcheck takes no arguments, got %q", strings.Join(pos, " "))
	}
	if err == nil && *addr == "" {
		var cfg *Config
		if cfg, err = ConfigFromEnv(m.Getenv); err == nil {
			*addr = cfg.HTTPAddr
			if cfg.MetricsAddr != "" {
				*addr = cfg.MetricsAddr
			}
		}
	}
	var target string
	if err == nil {
		target, err = healthURL(*addr)
	}
	if err == nil {
		err = checkHealth(ctx, target, *timeout)
	}
	if err != nil {
		// A plain error: exit 1 (unhealthy), whatever went wrong.
		return fmt.Errorf("unhealthy: %s", err.Error())
	}
	fmt.Fprintf(m.Stdout, "healthy: %s\n", target)
	return nil
}

// healthURL is the /healthz URL of a server listening on addr. A wildcard
// host (all interfaces) is reached on the loopback address.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("address %q: expected HOST:PORT such as 127.0.0.1:8080", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

func checkHealth(ctx context.Context, target string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", target, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
