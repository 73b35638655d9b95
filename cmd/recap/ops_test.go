package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// run runs one recap command in this process with env and returns its
// exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	out, errs, code := (&fakes{env: env}).run(t, args...)
	return code, out, errs
}

func TestHealthcheck(t *testing.T) {
	addr := serveWithLimits(t, nil)
	if code, out, errs := run(t, nil, "healthcheck", "--addr", addr); code != 0 || !strings.Contains(out, "healthy") {
		t.Errorf("healthcheck of a running recap serve = %d %q %q; want 0", code, out, errs)
	}
	// The address comes from the server's own settings by default.
	if code, _, errs := run(t, map[string]string{"RECAP_HTTP_ADDR": addr}, "healthcheck"); code != 0 {
		t.Errorf("healthcheck with RECAP_HTTP_ADDR = %d %q; want 0", code, errs)
	}
	if code, _, errs := run(t, map[string]string{"RECAP_HTTP_ADDR": "127.0.0.1:1", "RECAP_METRICS_ADDR": addr}, "healthcheck"); code != 0 {
		t.Errorf("healthcheck with RECAP_METRICS_ADDR = %d %q; want 0 (it takes the metrics address first)", code, errs)
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":"unavailable","database":"unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer down.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for name, args := range map[string][]string{
		"503":             {"healthcheck", "--addr", strings.TrimPrefix(down.URL, "http://")},
		"nothing there":   {"healthcheck", "--addr", closed},
		"bad address":     {"healthcheck", "--addr", "nonsense"},
		"bad flag":        {"healthcheck", "--bogus"},
		"bad setting":     {"healthcheck"},
		"extra arguments": {"healthcheck", "--addr", addr, "x"},
	} {
		env := map[string]string{"RECAP_SUMMARIZER": "bogus"}
		code, _, errs := run(t, env, args...)
		if code != 1 {
			t.Errorf("healthcheck, %s = %d; want 1 (Docker reserves 2)\n%s", name, code, errs)
		}
		if !strings.Contains(errs, "unhealthy") {
			t.Errorf("healthcheck, %s: stderr %q does not say unhealthy", name, errs)
		}
	}
}

// The address rule: a server listening on all interfaces is checked on
// the loopback address. (Tested on the function: no traffic leaves
// 127.0.0.0/8 and [::1].)
func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":9090":          "http://127.0.0.1:9090/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
		"recap:8080":     "http://recap:8080/healthz",
	} {
		if got, err := healthURL(addr); err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, bad := range []string{"", "8080", "host:"} {
		if _, err := healthURL(bad); err == nil {
			t.Errorf("healthURL(%q) passed", bad)
		}
	}
}

var opsURL = regexp.MustCompile(`serving /metrics and /healthz"? url=(http://\S+)`)

// RECAP_METRICS_ADDR takes /metrics off the public address of recap
// serve, as it is for recap worker.
func TestServeMetricsAddr(t *testing.T) {
	addr, logs := serveWith(t, nil, nil, map[string]string{"RECAP_METRICS_ADDR": "127.0.0.1:0"})
	m := opsURL.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no ops address in the log:\n%s", logs.String())
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("http://" + addr + "/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics = %d; want 404 with RECAP_METRICS_ADDR set", code)
	}
	if code, body := get(m[1] + "/metrics"); code != 200 || !strings.Contains(body, "recap_jobs") {
		t.Errorf("ops /metrics = %d", code)
	}
	for _, u := range []string{"http://" + addr + "/healthz", m[1] + "/healthz"} {
		if code, body := get(u); code != 200 || !strings.Contains(body, `"database":"ok"`) {
			t.Errorf("%s = %d %s", u, code, body)
		}
	}
}

// A RECAP_API_TOKENS that names no token is a configuration error, not
// an open API.
func TestBlankTokensRefused(t *testing.T) {
	for _, v := range []string{" , ", ",", "  "} {
		_, err := ConfigFromEnv(func(k string) string {
			if k == "RECAP_API_TOKENS" {
				return v
			}
			return ""
		})
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "RECAP_API_TOKENS") {
			t.Errorf("RECAP_API_TOKENS=%q: %v; want an invalid-setting error naming it", v, err)
		}
	}
	if code, _, errs := run(t, map[string]string{"RECAP_API_TOKENS": " , ", "RECAP_HTTP_ADDR": "127.0.0.1:0"}, "serve"); code != 2 || !strings.Contains(errs, "RECAP_API_TOKENS") {
		t.Errorf("recap serve with RECAP_API_TOKENS=\" , \" = %d %q; want 2 naming the variable", code, errs)
	}
	cfg, err := ConfigFromEnv(func(k string) string {
		if k == "RECAP_API_TOKENS" {
			return " a , b ,"
		}
		return ""
	})
	if err != nil || len(cfg.APITokens) != 2 {
		t.Errorf("RECAP_API_TOKENS=\" a , b ,\" = %v, %v; want two tokens", cfg, err)
	}
}

// recap worker serves /healthz and /metrics on RECAP_METRICS_ADDR; its
// /healthz shows a status per component, never an address or raw error.
func TestWorkerOpsAddress(t *testing.T) {
	f := newFakes(t)
	mr := miniredis.RunT(t)
	f.env["RECAP_REDIS_URL"] = "redis://" + mr.Addr() + "/0"
	f.env["RECAP_METRICS_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "1"
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan int, 1)
	errb := &syncBuffer{}
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: errb,
		Getenv: func(k string) string { return f.env[k] }, OnListen: func(a string) { addr <- a }}
	go func() { done <- m.Run(ctx, []string{"worker"}) }()
	defer func() { cancel(); <-done }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case code := <-done:
		t.Fatalf("recap worker exited with %d:\n%s", code, errb.String())
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"queue":"ok"`) {
		t.Errorf("worker /healthz = %d %s", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "recap_jobs") {
		t.Errorf("worker /metrics = %d", code)
	}
	if code, _ := get("/v1/summaries"); code != 404 {
		t.Errorf("worker /v1/summaries = %d; want 404", code)
	}
	redisAddr := mr.Addr()
	mr.Close()
	code, body := get("/healthz")
	if code != 503 || !strings.Contains(body, `"queue":"unavailable"`) || strings.Contains(body, redisAddr) || strings.Contains(body, "refused") {
		t.Errorf("worker /healthz with Redis down = %d %s; want 503 with no address or raw error", code, body)
	}
	if !strings.Contains(errb.String(), "health check failed") {
		t.Errorf("the reason is not in the log:\n%s", errb.String())
	}
}

// An LLM server that echoes the API key (a short one, which used to pass
// in clear) does not put it in the job's stored error or in the logs.
func TestServeHidesAPIKey(t *testing.T) {
	const key = "q7Zk"
	f := newFakes(t, llmtest.WithScript(func(llmtest.Request) *llmtest.Reply {
		return llmtest.Error(401, "Incorrect API key provided: "+key+".")
	}))
	f.yt.AddVideo(youtubetest.SyntheticVideo("keyVideo001", 10*time.Minute, 3, 1))
	addr, logs := serveWith(t, f, nil, map[string]string{"RECAP_LLM_API_KEY": key, "RECAP_WORKERS": "1"})
	s := &testService{base: "http://" + addr}
	code, v := s.post(t, `{"url": "keyVideo001"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST = %d", code)
	}
	v = s.wait(t, v.ID, "failed", finished)
	if v.Status != "failed" || v.Error == nil || strings.Contains(v.Error.Message, key) || !strings.Contains(v.Error.Message, "[redacted]") {
		t.Errorf("job = %s %+v; want failed with the key redacted", v.Status, v.Error)
	}
	if strings.Contains(logs.String(), key) {
		t.Errorf("the log holds the API key:\n%s", logs.String())
	}
}
