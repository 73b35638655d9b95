package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveWithLimits runs `recap serve` (API only) in this process with the
// HTTP limits given and returns its address.
func serveWithLimits(t *testing.T, lim *HTTPLimits) string {
	t.Helper()
	addr, _ := serveWith(t, nil, lim, nil)
	return addr
}

// serveWith runs `recap serve` (API only unless env says otherwise) in
// this process on the fakes (new ones when nil), with the HTTP limits and
// extra environment given, and returns its address and log.
func serveWith(t *testing.T, f *fakes, lim *HTTPLimits, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	if f == nil {
		f = newFakes(t)
	}
	f.env["RECAP_WORKERS"] = "0"
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	for k, v := range env { // after the defaults, to override them
		f.env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan int, 1)
	errb := &syncBuffer{}
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: errb, HTTPLimits: lim,
		Getenv: func(k string) string { return f.env[k] }, OnListen: func(a string) { addr <- a }}
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("recap serve did not stop")
		}
	})
	select {
	case a := <-addr:
		return a, errb
	case code := <-done:
		t.Fatalf("recap serve exited with %d:\n%s", code, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("recap serve did not start:\n%s", errb.String())
	}
	return "", nil
}

// healthy fails t unless GET /healthz on a new connection answers 200.
func healthy(t *testing.T, addr, when string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz %s: %v", when, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %s: %s", when, resp.Status)
	}
}

// closedByServer waits (up to a bound far above the limits under test)
// for the server to close conn: a read returns EOF or a reset. Anything
// the server sent first (such as a 408 or 400) is skipped.
func closedByServer(conn net.Conn) error {
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("still open")
	}
	return nil // EOF (io.Copy returns nil) or a reset: closed
}

// A slow or idle client cannot hold a connection for ever, and while such
// clients hold many, /healthz still answers (they used to stay open until
// the process ran out of file descriptors).
func TestSlowClientsAreCutOff(t *testing.T) {
	lim := &HTTPLimits{ReadHeader: 300 * time.Millisecond, Read: time.Second, Write: 2 * time.Second,
		Idle: 500 * time.Millisecond, MaxHeaderBytes: 4 << 10}
	addr := serveWithLimits(t, lim)
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	stop := make(chan struct{})
	var trickling sync.WaitGroup
	trickle := func(c net.Conn, first, each string) {
		trickling.Add(1)
		go func() {
			defer trickling.Done()
			io.WriteString(c, first)
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := io.WriteString(c, each); err != nil {
					return // closed by the server
				}
			}
		}()
	}
	defer func() { close(stop); trickling.Wait() }()

	// Slowloris: headers that never end.
	slowHeaders := dial()
	trickle(slowHeaders, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n")
	// A body that never ends.
	slowBody := dial()
	trickle(slowBody, "POST /v1/summaries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"url\": \"", " ")
	// 300 idle keep-alive connections, each after one request.
	idle := make([]net.Conn, 300)
	for i := range idle {
		idle[i] = dial()
		fmt.Fprintf(idle[i], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(idle[i]), nil)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	healthy(t, addr, "with 300 idle connections, a slow body and slow headers open")

	if err := closedByServer(slowHeaders); err != nil {
		t.Errorf("connection sending headers forever: %v", err)
	}
	if err := closedByServer(slowBody); err != nil {
		t.Errorf("connection sending a body forever: %v", err)
	}
	for i, c := range idle {
		if err := closedByServer(c); err != nil {
			t.Fatalf("idle keep-alive connection %d: %v", i, err)
		}
	}

	// Headers over the cap are refused (431), not buffered.
	big := dial()
	fmt.Fprintf(big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 64<<10))
	resp, err := http.ReadResponse(bufio.NewReader(big), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: %v %v; want 431", resp, err)
	}
	healthy(t, addr, "after the slow clients")
}

// The limits that recap serve and recap worker use when none are given.
func TestDefaultHTTPLimits(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), nil, slog.New(slog.DiscardHandler))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %s; want a bound of at most 2m", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d; want a cap below the 1 MiB default", srv.MaxHeaderBytes)
	}
}
