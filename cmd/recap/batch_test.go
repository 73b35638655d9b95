package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/outdir"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

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
	f := newFakes(t)
	f.env["RECAP_WORKERS"] = "2"
	f.env["RECAP_ALLOW_PRIVATE_URLS"] = "true" // the feed is on 127.0.0.1
	dir := t.TempDir()

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
		{"stdin", []string{"-"}, "https://www.youtube.com/watch?v=" + lone[1].ID + "\n# and a download\n" + filepath.Join(dir, "downloads") + "\n", 2, 0, []string{"A talk about tea and trains"}},
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
	f := newFakes(t)
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

// storedDocuments counts the documents of each video in an SQLite store.
func storedDocuments(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	path, ok := sqlite.PathFromURL(dbURL)
	if !ok {
		t.Fatalf("not an SQLite database: %s", dbURL)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT video_id, COUNT(*) FROM documents GROUP BY video_id`)
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
	f := newFakes(t, llmtest.WithLatency(20*time.Millisecond), llmtest.WithScript(func(r llmtest.Request) *llmtest.Reply {
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
	f := newFakes(t)
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
}

func countRows(t *testing.T, dbURL, table string) int {
	t.Helper()
	path, _ := sqlite.PathFromURL(dbURL)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
