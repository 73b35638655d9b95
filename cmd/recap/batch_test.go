package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/outdir"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// newBatchFakes are fakes for a backlog: the fake YouTube is not paced.
func newBatchFakes(t *testing.T, llmOpts ...llmtest.Option) *fakes {
	t.Helper()
	f := newFakes(t, llmOpts...)
	f.env["RECAP_YOUTUBE_RPM"] = "0"
	return f
}

// runWith runs recap in-process with ctx and stdin.
func (f *fakes) runWith(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb syncBuffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return f.env[k] }}
	code = m.Run(ctx, args)
	return out.String(), errb.String(), code
}

// outFiles reads an --out-dir: its summary files by name, and index.md.
func outFiles(t *testing.T, dir string) (files map[string]string, index string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files = map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == outdir.IndexName {
			index = string(data)
			continue
		}
		files[e.Name()] = string(data)
	}
	return files, index
}

// indexLinks are the files index.md links, in its order.
var indexLink = regexp.MustCompile(`\]\(<([^>]+)>\)`)

func indexLinks(index string) []string {
	var out []string
	for _, m := range indexLink.FindAllStringSubmatch(index, -1) {
		out = append(out, m[1])
	}
	return out
}

// flatPlaylistJSON is a yt-dlp --flat-playlist -J file of the ids, with
// one entry from another site.
func flatPlaylistJSON(title string, ids ...string) string {
	var entries []map[string]any
	for _, id := range ids {
		entries = append(entries, map[string]any{"_type": "url", "ie_key": "Youtube", "id": id, "url": "https://www.youtube.com/watch?v=" + id, "title": "Flat " + id, "duration": 180.0})
	}
	entries = append(entries, map[string]any{"_type": "url", "ie_key": "Vimeo", "id": "12345", "url": "https://vimeo.com/12345", "title": "Elsewhere"})
	data, _ := json.Marshal(map[string]any{"_type": "playlist", "id": "PLflat", "title": title, "extractor": "youtube:tab", "entries": entries})
	return string(data)
}

// TestBatchCommandEverySourceKind: each kind of SOURCE through `recap
// batch`, in-process, with an output folder: a playlist (with a deleted
// entry), a channel by handle with --limit, a podcast feed with
// transcripts, a list file mixing kinds, a list on stdin, a folder of
// yt-dlp downloads and a flat-playlist file.
func TestBatchCommandEverySourceKind(t *testing.T) {
	f := newBatchFakes(t)
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_ALLOW_PRIVATE_URLS"] = "true" // the feed is on 127.0.0.1
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache")) // where a list from stdin is kept

	pl := f.videos("pl", 3, 4*time.Minute)
	pl = append(pl, youtubetest.Item{ID: "plDeleted01", Deleted: true})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLrecapTest01", Title: "Crab playlist", Items: pl, Shape: youtubetest.ShapeReload, PageSize: 2})
	ch := f.videos("ch", 3, 4*time.Minute)
	f.yt.AddChannel(youtubetest.Channel{ID: "UCrecapTestChannel000001", Title: "Crab Facts", Handle: "@crabfacts", Videos: ch, Grid: youtubetest.GridVideoRenderer})
	pod := podcastServer(t)
	lone := f.videos("ls", 2, 4*time.Minute)
	flat := f.videos("fl", 2, 3*time.Minute)
	writeBundle(t, filepath.Join(dir, mkdir(t, dir, "downloads/talks")))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := write("list.txt", "# to watch\nhttps://youtu.be/"+lone[0].ID+"\n\n"+pod.URL+"/feed.xml\ndownloads\n")
	flatFile := write("flat.json", flatPlaylistJSON("Flat list", flat[0].ID, flat[1].ID))
	wd, _ := os.Getwd()
	relDownloads, err := filepath.Rel(wd, filepath.Join(dir, "downloads"))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		done   int
		skip   int
		titles []string // in the index, in source order
	}{
		{"playlist", []string{"https://www.youtube.com/playlist?list=PLrecapTest01"}, "", 3, 1, nil},
		{"channel", []string{"--limit", "2", "https://www.youtube.com/@crabfacts/videos"}, "", 2, 0, nil},
		{"feed", []string{pod.URL + "/feed.xml"}, "", 2, 0, []string{"Tides", "Rock pools"}},
		{"list", []string{list}, "", 4, 0, []string{"Tides", "Rock pools", "A talk about tea and trains"}},
		{"stdin", []string{"-"}, "https://www.youtube.com/watch?v=" + lone[1].ID + "\n# and a download, relative to the current folder\n" + relDownloads + "\n", 2, 0, []string{"A talk about tea and trains"}},
		{"folder", []string{filepath.Join(dir, "downloads")}, "", 1, 0, []string{"A talk about tea and trains"}},
		{"flat playlist", []string{flatFile}, "", 2, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"batch", "--out-dir", out}, tc.args...)
			stdout, stderr, code := f.runWith(t, context.Background(), tc.stdin, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			counts := fmt.Sprintf("%d done", tc.done)
			if tc.skip > 0 {
				counts += fmt.Sprintf(" · %d skipped", tc.skip)
			}
			if !strings.Contains(stdout, counts+" (") {
				t.Errorf("report lacks %q:\n%s", counts, stdout)
			}
			if tc.name == "stdin" && !strings.HasPrefix(stdout, "stdin-") {
				t.Errorf("the batch of a list on stdin is not named for it:\n%s", stdout)
			}
			if n := strings.Count(stderr, " done "); n != tc.done {
				t.Errorf("%d lines for done items on stderr, want %d:\n%s", n, tc.done, stderr)
			}
			if n := strings.Count(stderr, " skipped "); n != tc.skip {
				t.Errorf("%d lines for skipped items on stderr, want %d:\n%s", n, tc.skip, stderr)
			}
			files, index := outFiles(t, out)
			links := indexLinks(index)
			if len(files) != tc.done || len(links) != tc.done {
				t.Fatalf("%d files, %d linked; want %d\nindex:\n%s", len(files), len(links), tc.done, index)
			}
			for _, l := range links {
				if !strings.HasPrefix(files[l], "# ") || !strings.Contains(files[l], "## Chapters") {
					t.Errorf("%s is not a Markdown summary: %.80q", l, files[l])
				}
			}
			last := -1
			for _, title := range tc.titles {
				i := strings.Index(index, title)
				if i < 0 || i < last {
					t.Errorf("index lacks %q or has it out of source order:\n%s", title, index)
				}
				last = i
			}
			if tc.skip > 0 && !strings.Contains(index, "skipped") {
				t.Errorf("index does not name the skipped item:\n%s", index)
			}
		})
	}
}

// TestBatchCommandExitCodes: bad usage and unrecognised sources are exit 2
// before any work; items that cannot be summarized are named with their
// reason and never stop the batch; any failure is exit 1.
func TestBatchCommandExitCodes(t *testing.T) {
	f := newBatchFakes(t)
	f.env["RECAP_WORKERS"] = "2"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"batch"}, "at least one SOURCE"},
		{[]string{"batch", "--since", "last week", "PLx"}, `--since "last week"`},
		{[]string{"batch", "--limit", "-1", "PLx"}, "--limit -1"},
		{[]string{"batch", "--max-cost", "0", "PLx"}, "--max-cost 0"},
		{[]string{"batch", "--format", "html", "PLx"}, "give --out-dir too"},
		{[]string{"batch", "--format", "pdf", "--out-dir", t.TempDir(), "PLx"}, `unknown format "pdf"`},
		{[]string{"batch", "--dry-run", "--server", "http://127.0.0.1:1", "PLx"}, "leave out --server"},
		{[]string{"batch", "not a source at all"}, "not a source recap knows"},
		{[]string{"batch", "./no/such/folder"}, "no such file or folder"},
		{[]string{"batch", "https://www.youtube.com/watch?v=tooShort"}, "tooShort"},
	} {
		_, stderr, code := f.run(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if f.llm.Calls() != 0 || f.yt.Requests(youtubetest.PathPlayer) != 0 {
		t.Fatalf("bad input did work: %d LLM calls, %d player requests", f.llm.Calls(), f.yt.Requests(youtubetest.PathPlayer))
	}

	// A private video, one without captions and a deleted entry: named
	// with their reasons; the others are done; exit 1 for the failures.
	items := f.videos("ok", 2, 3*time.Minute)
	f.yt.AddVideo(youtubetest.Video{ID: "privateVid1", Private: true})
	nocap := youtubetest.SyntheticVideo("noCaptions1", 3*time.Minute, 2, 7)
	nocap.Tracks, nocap.Transcript = nil, nil
	f.yt.AddVideo(nocap)
	items = append(items, youtubetest.Item{ID: "privateVid1", Title: "Secret"}, youtubetest.Item{ID: "noCaptions1", Title: "Silent"},
		youtubetest.Item{ID: "goneVideo01", Deleted: true})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLmixedFate1", Title: "Mixed", Items: items})
	stdout, stderr, code := f.run(t, "batch", "https://www.youtube.com/playlist?list=PLmixedFate1")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"2 done · 2 failed · 1 skipped (5 items)", "failed   #3 privateVid1", "video_private", "failed   #4 noCaptions1", "no_captions",
		"skipped  #5 goneVideo01"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "recap: 2 of 5 items failed") || !strings.Contains(stderr, "failed privateVid1") {
		t.Errorf("stderr:\n%s", stderr)
	}

	// Only skipped items: nothing failed, exit 0.
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLallGone001", Items: []youtubetest.Item{{ID: "goneVideo02", Deleted: true}, {ID: "goneVideo03", Private: true}}})
	if stdout, stderr, code := f.run(t, "batch", "https://www.youtube.com/playlist?list=PLallGone001"); code != 0 || !strings.Contains(stdout, "2 skipped (2 items)") {
		t.Errorf("all skipped: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// openSQLite opens the SQLite database of a RECAP_DATABASE_URL, closed
// when the test ends.
func openSQLite(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	path, ok := sqlite.PathFromURL(dbURL)
	if !ok {
		t.Fatalf("not an SQLite database: %s", dbURL)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedDocuments counts the documents of each video in an SQLite store.
func storedDocuments(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	rows, err := openSQLite(t, dbURL).Query(`SELECT video_id, COUNT(*) FROM documents GROUP BY video_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// repaid counts the LLM answers bought more than once: chapters by their
// transcript, overviews by their prompt.
func repaid(reqs []llmtest.Request) int {
	seen := map[string]int{}
	for _, r := range reqs {
		key := r.Kind + "|" + r.Transcript()
		if r.Kind != llmtest.KindChapter {
			key = r.Kind + "|" + r.Text()
		}
		seen[key]++
	}
	n := 0
	for _, c := range seen {
		n += c - 1
	}
	return n
}

// TestBatchCommandResumeAfterInterrupt: Ctrl-C (ctx cancelled) mid-batch
// stops cleanly with exit 1 and the report; the same command again
// continues the same batch, redoes no finished item, and leaves the
// output folder and its index correct.
func TestBatchCommandResumeAfterInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const stopAfter = 9 // LLM calls: three items of 2 chapters + overview
	f := newBatchFakes(t, llmtest.WithLatency(20*time.Millisecond), llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
		if r.N == stopAfter {
			cancel()
		}
		return nil
	}))
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_LLM_CONCURRENCY"] = "1"
	items := f.videos("rs", 8, 3*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLresume0001", Title: "Resume me", Items: items})
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"batch", "--out-dir", out, "--format", "json", "https://www.youtube.com/playlist?list=PLresume0001"}

	stdout, stderr, code := f.runWith(t, ctx, "", args...)
	if code != 1 || !strings.Contains(stdout, "interrupted") || !strings.Contains(stdout, "run the same command again to continue") ||
		!strings.Contains(stderr, "stopping: no new item starts") || !strings.Contains(stderr, "recap: interrupted:") {
		t.Fatalf("interrupted run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	files, index := outFiles(t, out)
	first := len(files)
	if first == 0 || first == len(items) || len(indexLinks(index)) != first {
		t.Fatalf("after the interruption: %d files, index:\n%s", first, index)
	}
	callsBefore := f.llm.Calls()

	stdout, stderr, code = f.run(t, args...)
	if code != 0 || !strings.Contains(stdout, "8 done (8 items)") || !strings.Contains(stderr, "continuing batch") {
		t.Fatalf("resumed run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := strings.Count(stderr, " done "); n != len(items)-first {
		t.Errorf("the resumed run reported %d items done; want the %d left", n, len(items)-first)
	}
	if again := repaid(f.llm.Requests()); again > 1 {
		t.Errorf("%d LLM answers bought twice; at most the one in flight at Ctrl-C may be", again)
	}
	if want := len(items) * 3; f.llm.Calls() > want+1 || f.llm.Calls() <= callsBefore {
		t.Errorf("%d LLM calls for %d items of 3 calls", f.llm.Calls(), len(items))
	}
	for id, n := range storedDocuments(t, f.env["RECAP_DATABASE_URL"]) {
		if n != 1 {
			t.Errorf("video %s has %d documents", id, n)
		}
	}
	files, index = outFiles(t, out)
	links := indexLinks(index)
	if len(files) != len(items) || len(links) != len(items) {
		t.Fatalf("after the resume: %d files, %d links; want %d\n%s", len(files), len(links), len(items), index)
	}
	for i, l := range links {
		var doc recap.Document
		if err := json.Unmarshal([]byte(files[l]), &doc); err != nil || doc.Video.ID != items[i].ID {
			t.Errorf("index line %d links %s: %v %q; want %s in source order", i+1, l, err, doc.Video.ID, items[i].ID)
		}
		if !strings.HasSuffix(l, "-"+items[i].ID+".json") {
			t.Errorf("file name %s does not end in its id", l)
		}
	}
	if strings.Contains(index, "queued") || strings.Contains(index, "running") {
		t.Errorf("index still shows unfinished items:\n%s", index)
	}
}

// TestBatchCommandDryRun: every item with its length, whether it is
// summarized, and an estimate with totals; no LLM call, nothing queued or
// stored.
func TestBatchCommandDryRun(t *testing.T) {
	f := newBatchFakes(t)
	f.env["RECAP_WORKERS"] = "2"
	items := f.videos("dr", 3, 16*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLdryRunOne1", Title: "First", Items: items[:1]})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLdryRunAll1", Title: "All", Items: append(slices.Clone(items), youtubetest.Item{ID: "drDeleted01", Deleted: true})})
	if _, stderr, code := f.run(t, "batch", "https://www.youtube.com/playlist?list=PLdryRunOne1"); code != 0 {
		t.Fatalf("first batch: exit %d\n%s", code, stderr)
	}
	calls, players, batches := f.llm.Calls(), f.yt.Requests(youtubetest.PathPlayer), countRows(t, f.env["RECAP_DATABASE_URL"], "batches")

	stdout, stderr, code := f.run(t, "batch", "--dry-run", "https://www.youtube.com/playlist?list=PLdryRunAll1")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if f.llm.Calls() != calls || f.yt.Requests(youtubetest.PathPlayer) != players {
		t.Fatalf("the dry run made %d LLM calls and %d player requests", f.llm.Calls()-calls, f.yt.Requests(youtubetest.PathPlayer)-players)
	}
	if n := countRows(t, f.env["RECAP_DATABASE_URL"], "batches"); n != batches {
		t.Fatalf("the dry run stored a batch")
	}
	lines := strings.Split(stdout, "\n")
	row := func(id string) string {
		for _, l := range lines {
			if strings.Contains(l, id) {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("no row for %s:\n%s", id, stdout)
		return ""
	}
	// 16 minutes: 2 chapters + the overview.
	if r := row(items[0].ID); !strings.Contains(r, "16:00 summarized - - -") {
		t.Errorf("summarized item: %q", r)
	}
	if r := row(items[1].ID); !strings.Contains(r, "16:00 to do 3 ") {
		t.Errorf("item to do: %q", r)
	}
	if r := row("drDeleted01"); !strings.Contains(r, "skipped") {
		t.Errorf("deleted item: %q", r)
	}
	for _, want := range []string{"4 items: 2 to summarize, 1 already summarized, 1 skipped", "estimate: 6 LLM calls", "dry run"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}

	// The offline summarizer calls no LLM: the plan says so, and
	// estimates nothing.
	f.env["RECAP_SUMMARIZER"] = "extractive"
	stdout, stderr, code = f.run(t, "batch", "--dry-run", "https://www.youtube.com/playlist?list=PLdryRunAll1")
	if code != 0 || !strings.Contains(stdout, "offline summarizer: no LLM calls, no LLM cost") || strings.Contains(stdout, "estimate:") {
		t.Errorf("dry run with the extractive summarizer: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func countRows(t *testing.T, dbURL, table string) int {
	t.Helper()
	var n int
	if err := openSQLite(t, dbURL).QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// batchProcess is `recap batch` running as a child process (this test
// binary acting as recap), with its stderr lines collected.
type batchProcess struct {
	cmd    *exec.Cmd
	lines  chan string // stderr, line by line
	stderr syncBuffer
	done   chan struct{}
}

func (f *fakes) batchProcess(t *testing.T, args ...string) *batchProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"batch"}, args...)...)
	cmd.Env = append(os.Environ(), "RECAP_TEST_AS_MAIN=1")
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &batchProcess{cmd: cmd, lines: make(chan string, 10000), done: make(chan struct{})}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.Write(append(sc.Bytes(), '\n'))
			p.lines <- sc.Text()
		}
	}()
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	return p
}

// waitFor reads stderr lines until n of them contain s.
func (p *batchProcess) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	seen := 0
	timeout := time.After(90 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("recap batch ended before %d lines with %q:\n%s", n, s, p.stderr.String())
			}
			if strings.Contains(l, s) {
				if seen++; seen == n {
					return
				}
			}
		case <-timeout:
			t.Fatalf("no %d lines with %q:\n%s", n, s, p.stderr.String())
		}
	}
}

// doneItems lists the items a batch store holds as done.
func doneItems(t *testing.T, dbURL string) []string {
	t.Helper()
	rows, err := openSQLite(t, dbURL).Query(`SELECT item_id FROM batch_items WHERE status = 'done'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// TestBatchCommandSIGKILL: `recap batch` is SIGKILLed mid-batch; the same
// command again finishes it. Nothing is lost: no duplicate document, the
// LLM answers bought again are at most those in flight at the kill (plus
// one answered but unsaved per worker), and no finished item is fetched
// from YouTube again.
func TestBatchCommandSIGKILL(t *testing.T) {
	f := newBatchFakes(t, llmtest.WithLatency(150*time.Millisecond))
	const workers = 2
	f.env["RECAP_WORKERS"] = fmt.Sprint(workers)
	f.env["RECAP_LLM_CONCURRENCY"] = "2"
	f.env["RECAP_JOB_LEASE"] = "2s" // the killed run's holds lapse soon
	items := f.videos("kl", 10, 3*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLsigkill001", Title: "Kill me", Items: items})
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"--out-dir", out, "https://www.youtube.com/playlist?list=PLsigkill001"}

	p := f.batchProcess(t, args...)
	p.waitFor(t, " done ", 3)
	inFlight := f.llm.InFlight()
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	doneAtKill := doneItems(t, f.env["RECAP_DATABASE_URL"])
	fetched := map[string]int{}
	for _, id := range doneAtKill {
		fetched[id] = f.yt.VideoRequests(id)
	}
	if len(doneAtKill) < 3 || len(doneAtKill) == len(items) {
		t.Fatalf("%d items done at the kill", len(doneAtKill))
	}

	stdout, stderr, code := f.run(t, append([]string{"batch"}, args...)...)
	if code != 0 || !strings.Contains(stdout, "10 done (10 items)") {
		t.Fatalf("after the kill: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	docs := storedDocuments(t, f.env["RECAP_DATABASE_URL"])
	for _, it := range items {
		if docs[it.ID] != 1 {
			t.Errorf("video %s has %d documents, want 1", it.ID, docs[it.ID])
		}
	}
	again := repaid(f.llm.Requests())
	t.Logf("%d items done at the kill, %d LLM calls in flight; %d answers bought again", len(doneAtKill), inFlight, again)
	if again > inFlight+workers {
		t.Errorf("%d LLM answers bought again; at most the %d in flight plus %d answered but unsaved", again, inFlight, workers)
	}
	for id, n := range fetched {
		if got := f.yt.VideoRequests(id); got != n {
			t.Errorf("item %s, done before the kill, was fetched from YouTube %d more times", id, got-n)
		}
	}
	files, index := outFiles(t, out)
	if len(files) != len(items) || len(indexLinks(index)) != len(items) {
		t.Errorf("out-dir after the kill and resume: %d files\n%s", len(files), index)
	}
}

// TestBatchCommandCtrlC: the first Ctrl-C stops cleanly (no new item,
// the end report, exit 1); a second one ends the process at once.
func TestBatchCommandCtrlC(t *testing.T) {
	f := newBatchFakes(t, llmtest.WithLatency(300*time.Millisecond))
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_LLM_CONCURRENCY"] = "1"
	f.env["RECAP_JOB_LEASE"] = "2s" // the run killed by the second Ctrl-C holds its job that long
	items := f.videos("cc", 6, 3*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLctrlC00001", Items: items})
	src := "https://www.youtube.com/playlist?list=PLctrlC00001"

	// Once: the running item finishes (3 calls of 300 ms, well inside
	// the grace), the report says interrupted, exit 1.
	p := f.batchProcess(t, src)
	p.waitFor(t, " done ", 1)
	p.cmd.Process.Signal(os.Interrupt)
	p.waitFor(t, "stopping: no new item starts", 1)
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(p.stderr.String(), "recap: interrupted:") {
		t.Fatalf("after one Ctrl-C: exit %d\n%s", code, p.stderr.String())
	}
	done := len(doneItems(t, f.env["RECAP_DATABASE_URL"]))
	if done == 0 || done == len(items) {
		t.Fatalf("%d of %d items done after Ctrl-C", done, len(items))
	}

	// Twice: the process ends by the signal, without waiting for the
	// running item.
	f.env["RECAP_LLM_MAX_RETRIES"] = "1"
	slow := newBatchFakes(t, llmtest.WithLatency(time.Hour))
	f.env["RECAP_LLM_BASE_URL"] = slow.llm.BaseURL()
	p = f.batchProcess(t, src)
	p.waitFor(t, "continuing batch", 1)
	for slow.llm.InFlight() == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.waitFor(t, "stopping: no new item starts", 1)
	p.cmd.Process.Signal(os.Interrupt)
	<-p.done
	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("after a second Ctrl-C: %v; want the process ended by SIGINT\n%s", p.cmd.ProcessState, p.stderr.String())
	}

	// The same command finishes the batch.
	f.env["RECAP_LLM_BASE_URL"] = f.llm.BaseURL()
	if stdout, stderr, code := f.run(t, "batch", src); code != 0 || !strings.Contains(stdout, "6 done (6 items)") {
		t.Fatalf("resumed: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBatchCommandServer: --server submits to a running recap serve
// (token from RECAP_API_TOKEN), follows the batch there and writes the
// server's renderings to --out-dir; this process opens no store.
func TestBatchCommandServer(t *testing.T) {
	f := newBatchFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_API_TOKENS"] = "tok-batch-1"
	items := f.videos("sv", 3, 3*time.Minute)
	lone := f.videos("so", 1, 3*time.Minute)[0]
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLserver0001", Title: "Served", Items: append(slices.Clone(items), youtubetest.Item{ID: "svDeleted01", Deleted: true})})
	s := f.serveInProcess(t)
	defer s.stop()

	// The client's environment: a token, and a store that must stay
	// unopened.
	cl := f.without("RECAP_DATABASE_URL", "RECAP_HTTP_ADDR", "RECAP_WORKERS", "RECAP_API_TOKENS")
	cl.env["RECAP_DATABASE_URL"] = "sqlite:" + filepath.Join(t.TempDir(), "client.db")
	cl.env["RECAP_API_TOKEN"] = "tok-batch-1"
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"batch", "--server", s.base, "--out-dir", out, "--format", "html", "https://www.youtube.com/playlist?list=PLserver0001", "-"}
	stdin := "# one more\nhttps://youtu.be/" + lone.ID + "\n"
	stdout, stderr, code := cl.runWith(t, context.Background(), stdin, args...)
	if code != 0 || !strings.Contains(stdout, "4 done · 1 skipped (5 items)") || !strings.Contains(stderr, "on "+s.base) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	files, index := outFiles(t, out)
	links := indexLinks(index)
	if len(files) != 4 || len(links) != 4 || !strings.HasSuffix(links[3], "-"+lone.ID+".html") {
		t.Fatalf("%d files; index:\n%s", len(files), index)
	}
	for name, body := range files {
		if !strings.HasPrefix(strings.ToLower(body), "<!doctype html>") || !strings.HasSuffix(name, ".html") {
			t.Errorf("%s is not the server's HTML rendering: %.60q", name, body)
		}
	}
	if _, err := os.Stat(strings.TrimPrefix(cl.env["RECAP_DATABASE_URL"], "sqlite:")); err == nil {
		t.Error("--server opened a local store")
	}
	calls := f.llm.Calls()

	// The same command again: every item is done already; nothing is paid.
	if stdout, stderr, code := cl.runWith(t, context.Background(), stdin, args...); code != 0 || !strings.Contains(stdout, "4 done · 1 skipped") || f.llm.Calls() != calls {
		t.Fatalf("again: exit %d, %d more LLM calls\n%s\n%s", code, f.llm.Calls()-calls, stdout, stderr)
	}

	// A wrong token: exit 1, saying which setting to fix.
	cl.env["RECAP_API_TOKEN"] = "wrong"
	if _, stderr, code := cl.run(t, args[:len(args)-1]...); code != 1 || !strings.Contains(stderr, "RECAP_API_TOKEN") {
		t.Errorf("wrong token: exit %d %q", code, stderr)
	}
	// A source the server does not recognise: exit 2 with its reason.
	cl.env["RECAP_API_TOKEN"] = "tok-batch-1"
	if _, stderr, code := cl.run(t, "batch", "--server", s.base, "not a source at all"); code != 2 || !strings.Contains(stderr, "not a source recap knows") {
		t.Errorf("unrecognised source: exit %d %q", code, stderr)
	}
}

// TestBatchCommandBudget: --max-cost stops starting items once what is
// spent plus the estimates in flight would pass it; the rest stay paused,
// the report says so, exit 1. A larger budget then finishes the backlog
// without paying again for what is done.
func TestBatchCommandBudget(t *testing.T) {
	f := newBatchFakes(t)
	f.env["RECAP_WORKERS"] = "2"
	// A dollar a thousand tokens: a 3-minute item is estimated at about
	// $2.1 and costs about $1.
	f.env["RECAP_LLM_PRICE_INPUT"] = "1000"
	f.env["RECAP_LLM_PRICE_OUTPUT"] = "1000"
	items := f.videos("bu", 6, 3*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLbudget0001", Title: "On a budget", Items: items})
	src := "https://www.youtube.com/playlist?list=PLbudget0001"

	stdout, stderr, code := f.run(t, "batch", "--max-cost", "5", src)
	counts := regexp.MustCompile(`(\d+) done · (\d+) paused \(6 items\)`).FindStringSubmatch(stdout)
	cost := regexp.MustCompile(`usage: .* · \$([0-9.]+)`).FindStringSubmatch(stdout)
	if code != 1 || counts == nil || cost == nil || counts[1] == "0" || !strings.Contains(stdout, "(batch ") || !strings.Contains(stdout, "): paused by the budget: spent $") ||
		!strings.Contains(stdout, "run again with a larger --max-cost") || !strings.Contains(stderr, "recap: paused by the budget") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var spent float64
	fmt.Sscan(cost[1], &spent)
	if spent <= 0 || spent > 5 {
		t.Fatalf("spent $%v of a $5 budget", spent)
	}
	calls := f.llm.Calls()

	stdout, stderr, code = f.run(t, "batch", "--max-cost", "100", src)
	if code != 0 || !strings.Contains(stdout, "6 done (6 items)") {
		t.Fatalf("with a larger budget: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if again := repaid(f.llm.Requests()); again != 0 || f.llm.Calls() == calls {
		t.Errorf("the larger budget bought %d answers again (%d calls before, %d after)", again, calls, f.llm.Calls())
	}
}

// TestBatchCommandRedisPostgres: recap batch on a shared Redis and
// PostgreSQL (when the test services are set): interrupted, then resumed
// to the end with its output folder.
func TestBatchCommandRedisPostgres(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newBatchFakes(t, llmtest.WithLatency(20*time.Millisecond), llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
		if r.N == 6 {
			cancel()
		}
		return nil
	}))
	if !f.withRealServices(t, 14) {
		t.Skip("RECAP_TEST_REDIS_URL and RECAP_TEST_POSTGRES_URL are not set")
	}
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_LLM_CONCURRENCY"] = "1"
	items := f.videos("rp", 5, 3*time.Minute)
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLredisPg001", Title: "Shared", Items: append(slices.Clone(items), youtubetest.Item{ID: "rpDeleted01", Deleted: true})})
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"batch", "--out-dir", out, "https://www.youtube.com/playlist?list=PLredisPg001"}
	if stdout, stderr, code := f.runWith(t, ctx, "", args...); code != 1 || !strings.Contains(stdout, "interrupted") {
		t.Fatalf("interrupted: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, stderr, code := f.run(t, args...)
	if code != 0 || !strings.Contains(stdout, "5 done · 1 skipped (6 items)") || !strings.Contains(stderr, "continuing batch") {
		t.Fatalf("resumed: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if again := repaid(f.llm.Requests()); again > 1 {
		t.Errorf("%d LLM answers bought twice", again)
	}
	files, index := outFiles(t, out)
	if len(files) != 5 || len(indexLinks(index)) != 5 || !strings.Contains(index, "skipped: deleted video") {
		t.Errorf("%d files; index:\n%s", len(files), index)
	}
}
