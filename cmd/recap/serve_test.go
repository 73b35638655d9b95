package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// jobView is what GET /v1/summaries/{id} returns.
type jobView struct {
	ID       string `json:"id"`
	VideoID  string `json:"video_id"`
	Status   string `json:"status"`
	Progress struct{ Done, Total int }
	Error    *struct{ Code, Message string }
	Attempts int             `json:"attempts"`
	Summary  *recap.Document `json:"summary"`
}

// testService is a running `recap serve`, in-process or as a child process.
type testService struct {
	base string
	stop func() // graceful
	kill func() // SIGKILL (child processes only)
	done chan int
	pid  int // child processes only
}

// serveInProcess runs `recap serve` in this process.
func (f *fakes) serveInProcess(t *testing.T) *testService {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	var errb syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb,
		Getenv: func(k string) string { return f.env[k] }, OnListen: func(a string) { addr <- a }}
	s := &testService{done: make(chan int, 1)}
	go func() { s.done <- m.Run(ctx, []string{"serve"}) }()
	select {
	case a := <-addr:
		s.base = "http://" + a
	case code := <-s.done:
		cancel()
		t.Fatalf("recap serve exited with %d:\n%s", code, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("recap serve did not start:\n%s", errb.String())
	}
	s.stop = func() {
		cancel()
		select {
		case code := <-s.done:
			if code != 0 {
				t.Errorf("recap serve exited with %d:\n%s", code, errb.String())
			}
		case <-time.After(60 * time.Second):
			t.Errorf("recap serve did not stop")
		}
	}
	t.Cleanup(cancel)
	return s
}

var listenLine = regexp.MustCompile(`msg=listening url=(http://[0-9.:]+)`)

// serveProcess runs `recap serve` as a child process (this test binary,
// acting as recap through TestMain).
func (f *fakes) serveProcess(t testing.TB) *testService {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "RECAP_TEST_AS_MAIN=1")
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &testService{done: make(chan int, 1), pid: cmd.Process.Pid}
	var logs syncBuffer
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() {
		cmd.Wait()
		s.done <- cmd.ProcessState.ExitCode()
	}()
	select {
	case s.base = <-found:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("recap serve did not start:\n%s", logs.String())
	}
	s.kill = func() {
		cmd.Process.Signal(syscall.SIGKILL)
		<-s.done
	}
	s.stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case code := <-s.done:
			if code != 0 {
				t.Errorf("recap serve exited with %d on SIGTERM:\n%s", code, logs.String())
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Errorf("recap serve ignored SIGTERM:\n%s", logs.String())
		}
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return s
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *testService) post(t *testing.T, body string) (int, jobView) {
	t.Helper()
	resp, err := http.Post(s.base+"/v1/summaries", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v jobView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, v
}

func (s *testService) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *testService) job(t *testing.T, id string) jobView {
	t.Helper()
	code, body := s.get(t, "/v1/summaries/"+id)
	if code != 200 {
		t.Fatalf("GET job %s = %d %s", id, code, body)
	}
	var v jobView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// wait polls a job until cond holds.
func (s *testService) wait(t *testing.T, id string, what string, cond func(jobView) bool) jobView {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v := s.job(t, id)
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s never got %s; last: %+v", id, what, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func finished(v jobView) bool { return v.Status == "done" || v.Status == "failed" }

// withRealServices points f at RECAP_TEST_REDIS_URL (database db, flushed)
// and at a fresh schema of RECAP_TEST_POSTGRES_URL, when they are set.
func (f *fakes) withRealServices(t *testing.T, db int) bool {
	t.Helper()
	ru, pu := os.Getenv("RECAP_TEST_REDIS_URL"), os.Getenv("RECAP_TEST_POSTGRES_URL")
	if ru == "" || pu == "" {
		return false
	}
	f.env["RECAP_REDIS_URL"] = redisDB(t, ru, db)
	f.env["RECAP_DATABASE_URL"] = postgresSchema(t, pu)
	return true
}

// redisDB returns the URL of database db on the server of u, flushed.
func redisDB(t *testing.T, u string, db int) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = fmt.Sprintf("/%d", db)
	rdb := redis.NewClient(&redis.Options{Addr: pu.Host, DB: db})
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("redis %s: %v", u, err)
	}
	return pu.String()
}

// postgresSchema creates a schema for one test and returns a URL that uses
// it; the schema is dropped when the test ends.
func postgresSchema(t *testing.T, u string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("postgres %s: %v", u, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "recap_e2e_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, u)
		if err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	pu, _ := url.Parse(u)
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func TestServeEndToEnd(t *testing.T) {
	for _, mode := range []string{"embedded", "redis+postgres"} {
		t.Run(mode, func(t *testing.T) {
			f := newFakes(t)
			f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
			f.env["RECAP_WORKERS"] = "2"
			if mode != "embedded" && !f.withRealServices(t, 13) {
				t.Skip("RECAP_TEST_REDIS_URL and RECAP_TEST_POSTGRES_URL are not set")
			}
			f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo5", 40*time.Minute, 5, 5))
			f.yt.AddVideo(youtubetest.Video{ID: "privateVid2", Private: true})
			s := f.serveInProcess(t)

			code, v := s.post(t, `{"url": "https://youtu.be/synthVideo5?si=abc"}`)
			if code != http.StatusAccepted || v.Status != "queued" || v.VideoID != "synthVideo5" {
				t.Fatalf("POST = %d %+v", code, v)
			}
			_, bad := s.post(t, `{"url": "https://www.youtube.com/watch?v=privateVid2"}`)
			done := s.wait(t, v.ID, "done", finished)
			if done.Status != "done" || done.Summary == nil || done.Progress.Done != 5 || done.Progress.Total != 5 || done.Attempts != 1 {
				t.Fatalf("finished job = %+v", done)
			}
			doc := done.Summary
			if len(doc.Chapters) != 5 || doc.ID != v.ID || doc.Generator.Summarizer != "llm" || doc.Usage.LLMCalls != 6 {
				t.Fatalf("document = %+v", doc)
			}
			want := youtubetest.SyntheticChapters(40*time.Minute, 5, 5)
			for i, c := range doc.Chapters {
				if c.StartSeconds != int64(want[i].Start/time.Second) {
					t.Errorf("chapter %d starts at %d, want %v", i, c.StartSeconds, want[i].Start)
				}
			}

			failed := s.wait(t, bad.ID, "failed", finished)
			if failed.Status != "failed" || failed.Error == nil || failed.Error.Code != "video_private" || failed.Attempts != 1 {
				t.Fatalf("private video job = %+v (a permanent failure must not be retried)", failed)
			}

			// Submitting again returns the finished job.
			if code, again := s.post(t, `{"url": "synthVideo5"}`); code != 200 || again.ID != v.ID || again.Summary == nil {
				t.Fatalf("resubmit = %d %+v", code, again)
			}
			if code, md := s.get(t, "/v1/summaries/"+v.ID+"?format=md"); code != 200 || !strings.Contains(md, "## Chapters") {
				t.Fatalf("md = %d %s", code, md)
			}
			if code, body := s.get(t, "/v1/videos/synthVideo5/summary"); code != 200 || !strings.Contains(body, v.ID) {
				t.Fatalf("video summary = %d %s", code, body)
			}
			_, metrics := s.get(t, "/metrics")
			for _, want := range []string{`recap_jobs{status="done"} 1`, `recap_jobs{status="failed"} 1`, "recap_llm_calls_total 6", `recap_task_duration_seconds_count{outcome="done"} 1`} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %q", want)
				}
			}
			if code, body := s.get(t, "/healthz"); code != 200 {
				t.Fatalf("healthz = %d %s", code, body)
			}
			s.stop()
			if f.llm.Calls() != 6 {
				t.Fatalf("LLM calls = %d, want 6", f.llm.Calls())
			}

			// recap get reads the same store, by summary id or video.
			out, errOut, code := f.run(t, "get", "--format", "json", v.ID)
			if code != 0 || decodeDoc(t, out).ID != v.ID {
				t.Fatalf("get %s: exit %d %s", v.ID, code, errOut)
			}
			if out, _, code := f.run(t, "get", "https://youtu.be/synthVideo5"); code != 0 || !strings.Contains(out, "## Chapters") {
				t.Fatalf("get by video: exit %d\n%s", code, out)
			}
			if _, errOut, code := f.run(t, "get", bad.ID); code != 1 || !strings.Contains(errOut, "private") {
				t.Fatalf("get of a failed job: exit %d %q", code, errOut)
			}
			if _, errOut, code := f.run(t, "get", "unknownVid1"); code != 1 || !strings.Contains(errOut, "no summary of video unknownVid1") {
				t.Fatalf("get unknown: exit %d %q", code, errOut)
			}
			if _, errOut, code := f.run(t, "get", "not a thing"); code != 2 {
				t.Fatalf("get garbage: exit %d %q", code, errOut)
			}
		})
	}
}

// The process running a job is killed mid-job; recap starts again, the job
// finishes, and the chapters finished before the kill are not paid again.
func TestServeCrashResume(t *testing.T) {
	f := newFakes(t, llmtest.WithLatency(150*time.Millisecond))
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_LLM_CONCURRENCY"] = "1" // one chapter in flight at the kill
	f.env["RECAP_JOB_LEASE"] = "3s"      // the killed run's hold lapses soon
	f.withRealServices(t, 12)
	const chapters = 10
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVideo6", 80*time.Minute, chapters, 6))

	s := f.serveProcess(t)
	_, v := s.post(t, `{"url": "synthVideo6"}`)
	s.wait(t, v.ID, "3 chapters done", func(j jobView) bool { return j.Progress.Done >= 3 })
	s.kill()
	before := f.llm.Calls()
	doneAtKill := 0
	if before < 3 {
		t.Fatalf("only %d LLM calls before the kill", before)
	}

	s = f.serveProcess(t)
	j := s.wait(t, v.ID, "done", finished)
	if j.Status != "done" || len(j.Summary.Chapters) != chapters {
		t.Fatalf("job after restart = %+v", j)
	}
	if j.Attempts != 2 {
		t.Errorf("attempts = %d, want 2 (one per process)", j.Attempts)
	}
	sent, again := chapterCalls(f)
	_ = doneAtKill
	if sent != chapters {
		t.Fatalf("%d distinct chapters sent, want %d", sent, chapters)
	}
	// With one call in flight, at most the chapter being summarized at the
	// kill is sent again; the ≥3 finished before it come from the cache.
	if again > 1 {
		t.Fatalf("%d chapter calls repeated after the restart; finished chapters were paid twice", again)
	}
	s.stop()
}

// Two `recap serve` on one SQLite file, each with its own embedded Redis,
// each re-enqueue the other's jobs into their own queue every job lease.
// Running a job is exclusive through the store, so every job runs once and
// no answer is bought twice.
func TestTwoServesOneDatabase(t *testing.T) {
	f := newFakes(t, llmtest.WithLatency(300*time.Millisecond))
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_JOB_LEASE"] = "1s" // each re-enqueues every second
	const videos, chapters = 8, 3
	var ids []string
	for i := range videos {
		id := fmt.Sprintf("twoServes%02d", i)
		f.yt.AddVideo(youtubetest.SyntheticVideo(id, 12*time.Minute, chapters, int64(40+i)))
		ids = append(ids, id)
	}
	a := f.serveInProcess(t)
	b := f.serveInProcess(t)
	var jobs []string
	for i, id := range ids {
		s := a
		if i%4 == 3 {
			s = b
		}
		_, v := s.post(t, `{"url": "`+id+`"}`)
		jobs = append(jobs, v.ID)
	}
	for _, id := range jobs {
		if j := a.wait(t, id, "done", finished); j.Status != "done" || j.Attempts != 1 {
			t.Fatalf("job %s = %+v; want done in one attempt", id, j)
		}
	}
	a.stop()
	b.stop()
	if _, again := chapterCalls(f); again != 0 || f.llm.Calls() != videos*(chapters+1) {
		t.Fatalf("%d LLM calls for %d videos of %d chapters (%d chapter answers bought again); want %d",
			f.llm.Calls(), videos, chapters, again, videos*(chapters+1))
	}
}

// chapterCalls counts the distinct chapter transcripts the fake LLM was
// sent, and the calls that sent one again (answers bought twice).
func chapterCalls(f *fakes) (distinct, again int) {
	sent := map[string]int{}
	for _, r := range f.llm.Requests() {
		if r.Kind == llmtest.KindChapter {
			sent[r.Transcript()]++
		}
	}
	for _, n := range sent {
		again += n - 1
	}
	return len(sent), again
}

// Jobs are submitted, Redis loses everything, recap restarts: all finish.
func TestServeRedisLost(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	var flush func()
	var pending func() int
	if f.withRealServices(t, 11) {
		ru := f.env["RECAP_REDIS_URL"]
		opt, _ := asynq.ParseRedisURI(ru)
		rdb := opt.MakeRedisClient().(redis.UniversalClient)
		t.Cleanup(func() { rdb.Close() })
		flush = func() { rdb.FlushDB(context.Background()) }
		pending = func() int { return pendingTasks(t, opt) }
	} else {
		mr := miniredis.RunT(t)
		f.env["RECAP_REDIS_URL"] = "redis://" + mr.Addr() + "/0"
		flush = mr.FlushAll
		pending = func() int { return pendingTasks(t, asynq.RedisClientOpt{Addr: mr.Addr()}) }
	}
	ids := []string{}
	for i := range 4 {
		id := fmt.Sprintf("lostVideo%02d", i)
		f.yt.AddVideo(youtubetest.SyntheticVideo(id, 12*time.Minute, 3, int64(10+i)))
		ids = append(ids, id)
	}

	f.env["RECAP_WORKERS"] = "0" // API only: the jobs wait in Redis
	s := f.serveInProcess(t)
	var jobs []string
	for _, id := range ids {
		_, v := s.post(t, `{"url": "`+id+`"}`)
		jobs = append(jobs, v.ID)
	}
	s.stop()
	if n := pending(); n != len(ids) {
		t.Fatalf("%d tasks pending in Redis, want %d", n, len(ids))
	}
	flush()
	if n := pending(); n != 0 {
		t.Fatalf("flush left %d tasks", n)
	}

	f.env["RECAP_WORKERS"] = "2"
	s = f.serveInProcess(t)
	for _, id := range jobs {
		if j := s.wait(t, id, "done", finished); j.Status != "done" {
			t.Fatalf("job %s = %+v", id, j)
		}
	}
	s.stop()
}

func pendingTasks(t *testing.T, opt asynq.RedisConnOpt) int {
	t.Helper()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	qs, err := insp.Queues()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Pending
	}
	return n
}

// A store that cannot be opened ends serve and worker with one line that
// says why, and exit 1; nothing panics.
func TestStartWithoutStore(t *testing.T) {
	f := newFakes(t)
	mr := miniredis.RunT(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	missing := filepath.Join(t.TempDir(), "no", "such", "folder", "recap.db")
	for _, tc := range []struct {
		name, db, want string
	}{
		{"sqlite folder missing", "sqlite:" + missing, "no/such/folder"},
		{"postgres unreachable", "postgres://recap@127.0.0.1:1/recap?sslmode=disable&connect_timeout=5", "127.0.0.1"},
	} {
		for _, cmd := range []string{"serve", "worker"} {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				g := f.without()
				g.env["RECAP_DATABASE_URL"] = tc.db
				if cmd == "worker" {
					g.env["RECAP_REDIS_URL"] = "redis://" + mr.Addr() + "/0"
				}
				_, errOut, code := g.run(t, cmd)
				last := lastLine(errOut)
				if code != 1 || !strings.HasPrefix(last, "recap: ") || !strings.Contains(last, tc.want) || strings.Contains(errOut, "panic") {
					t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and a last line naming %q", code, errOut, tc.want)
				}
			})
		}
	}
}

// recap get --server reads from a running server, by summary id or video,
// with the token of RECAP_API_TOKEN.
func TestGetFromServer(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_API_TOKENS"] = "tok-1"
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVidA01", 20*time.Minute, 3, 21))
	s := f.serveInProcess(t)
	req, _ := http.NewRequest("POST", s.base+"/v1/summaries", strings.NewReader(`{"url": "synthVidA01"}`))
	req.Header.Set("Authorization", "Bearer tok-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v jobView
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()

	// Elsewhere: no database of its own, only the server.
	g := f.without("RECAP_DATABASE_URL", "RECAP_API_TOKENS")
	g.env["XDG_DATA_HOME"] = t.TempDir()
	if _, errOut, code := g.run(t, "get", "--server", s.base, v.ID); code != 1 || !strings.Contains(errOut, "RECAP_API_TOKEN") {
		t.Fatalf("get without a token: exit %d %q; want 1 asking for RECAP_API_TOKEN", code, errOut)
	}
	g.env["RECAP_API_TOKEN"] = "tok-1"
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, errOut, code := g.run(t, "get", "--server", s.base+"/", "--format", "json", v.ID)
		if code == 0 {
			if decodeDoc(t, out).ID != v.ID {
				t.Fatalf("get --server returned another document:\n%s", out)
			}
			break
		}
		if !strings.Contains(errOut, "not done") && !strings.Contains(errOut, "no document to render yet") || time.Now().After(deadline) {
			t.Fatalf("get --server %s: exit %d %q", v.ID, code, errOut)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, errOut, code := g.run(t, "get", "--server", s.base, "https://youtu.be/synthVidA01"); code != 0 || !strings.Contains(out, "## Chapters") {
		t.Fatalf("get --server by video: exit %d %q\n%s", code, errOut, out)
	}
	if _, errOut, code := g.run(t, "get", "--server", s.base, "unknownVid1"); code != 1 || !strings.Contains(errOut, "unknownVid1") {
		t.Fatalf("get --server of an unknown video: exit %d %q", code, errOut)
	}
	if _, errOut, code := g.run(t, "get", "--server", "localhost:8080", v.ID); code != 2 || !strings.Contains(errOut, "--server") {
		t.Fatalf("get --server without a scheme: exit %d %q; want 2", code, errOut)
	}
	s.stop()
}

// recap get reads a database it may not write: no migration, no lock
// file. Run as a process that cannot write the folder or the file.
func TestGetReadOnlyDatabase(t *testing.T) {
	f := newFakes(t)
	f.yt.AddVideo(youtubetest.SyntheticVideo("synthVidB01", 20*time.Minute, 3, 22))
	root, err := os.MkdirTemp("", "recap-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "db"), 0o755); os.RemoveAll(root) })
	dbDir := filepath.Join(root, "db")
	os.Mkdir(dbDir, 0o755)
	f.env["RECAP_DATABASE_URL"] = "sqlite:" + filepath.Join(dbDir, "recap.db")
	out, errOut, code := f.run(t, "summarize", "--format", "json", "synthVidB01")
	if code != 0 {
		t.Fatalf("summarize: exit %d %s", code, errOut)
	}
	id := decodeDoc(t, out).ID

	// Read-only for whoever runs recap get: root ignores permissions, so
	// then recap get runs as nobody.
	bin := filepath.Join(root, "recap")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, data, 0o755)
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Join(dbDir, "recap.db"), 0o444)
	os.Chmod(dbDir, 0o555)
	cmd := exec.Command(bin, "get", "--format", "json", id)
	cmd.Env = []string{"RECAP_TEST_AS_MAIN=1", "HOME=" + root, "RECAP_DATABASE_URL=" + f.env["RECAP_DATABASE_URL"]}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("recap get on a read-only database: %v\n%s", err, stderr.String())
	}
	if decodeDoc(t, stdout.String()).ID != id {
		t.Fatalf("recap get read another document:\n%s", stdout.String())
	}
	if entries, _ := os.ReadDir(dbDir); len(entries) != 1 {
		t.Errorf("the read-only folder holds %v; want recap.db alone", entries)
	}
}

// A listen address that is no address is bad usage (exit 2); a port that
// is taken fails (exit 1) before any worker starts a job.
func TestServeAddress(t *testing.T) {
	f := newFakes(t)
	for _, bad := range []string{"localhost", "127.0.0.1:http-alt", "127.0.0.1:99999"} {
		if _, errOut, code := f.run(t, "serve", "--addr", bad); code != 2 || !strings.Contains(errOut, bad) {
			t.Errorf("serve --addr %s: exit %d %q; want 2 naming it", bad, code, errOut)
		}
		g := f.without()
		g.env["RECAP_HTTP_ADDR"] = bad
		if _, errOut, code := g.run(t, "serve"); code != 2 || !strings.Contains(errOut, "RECAP_HTTP_ADDR") {
			t.Errorf("RECAP_HTTP_ADDR=%s: exit %d %q; want 2 naming the setting", bad, code, errOut)
		}
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, errOut, code := f.run(t, "serve", "--addr", taken.Addr().String())
	if code != 1 || !strings.Contains(lastLine(errOut), "address already in use") {
		t.Fatalf("serve on a taken port: exit %d, stderr:\n%s", code, errOut)
	}
	if strings.Contains(errOut, "workers started") || strings.Contains(errOut, "embedded Redis") {
		t.Fatalf("serve started its workers before binding its port:\n%s", errOut)
	}
}

// The startup line names the summarizer in use, and an LLM's model and
// server only when it is the LLM.
func TestStartupLine(t *testing.T) {
	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	for _, tc := range []struct {
		env        *fakes
		want, lack string
	}{
		{f.without("RECAP_LLM_BASE_URL", "RECAP_LLM_API_KEY"), "summarizer=extractive", "model="},
		{f, "summarizer=llm model=fake-model llm=http://127.0.0.1", "extractive"},
	} {
		var errb syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb,
			Getenv: func(k string) string { return tc.env.env[k] }, OnListen: func(string) { cancel() }}
		m.Run(ctx, []string{"serve"})
		first, _, _ := strings.Cut(errb.String(), "\n")
		if !strings.Contains(first, tc.want) || strings.Contains(first, tc.lack) {
			t.Errorf("startup line %q; want %q and no %q", first, tc.want, tc.lack)
		}
	}
}
