package source

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/netguard"
)

// fakeYouTube lists made-up playlists and channels and records the calls.
type fakeYouTube struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeYouTube) Playlist(ctx context.Context, id string, limit int) (*Listing, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("playlist %s limit %d", id, limit))
	f.mu.Unlock()
	if id != "PLcrabs" {
		return nil, recap.Errorf(recap.EUNAVAILABLE, "playlist %s does not exist", id)
	}
	l := &Listing{Title: "All about crabs", Videos: []ListedVideo{
		{ID: "aaaaaaaaaa1", Title: "Crab legs, explained", Duration: 612 * time.Second, Published: day(2024, 5, 1)},
		{ID: "bbbbbbbbbb2", Title: "[Deleted video]", Skip: "deleted video"},
		{ID: "ccccccccc-3", Title: "Molting", Duration: 300 * time.Second, Published: day(2024, 3, 1)},
		{ID: "ddddddddd_4", Title: "Claws", Duration: 400 * time.Second},
	}}
	if limit > 0 && limit < len(l.Videos) {
		l.Videos = l.Videos[:limit]
	}
	return l, nil
}

func (f *fakeYouTube) Channel(ctx context.Context, channel, tab string, limit int, shorts bool) (*Listing, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("channel %s tab %s limit %d shorts %v", channel, tab, limit, shorts))
	f.mu.Unlock()
	return &Listing{Title: "Crab Facts", Videos: []ListedVideo{
		{ID: "eeeeeeeeee5", Title: "Newest", Published: day(2024, 6, 1)},
		{ID: "aaaaaaaaaa1", Title: "Crab legs, explained", Published: day(2024, 5, 1)},
	}}, nil
}

func (f *fakeYouTube) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// feedServer serves testdata/show.rss at /rss and an HTML page at /page,
// on 127.0.0.1.
func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rss":
			b, err := os.ReadFile("testdata/show.rss")
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Write([]byte(strings.ReplaceAll(string(b), "{{BASE}}", s.URL)))
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>A blog</title><p>hello</p>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

type setup struct {
	r    *Resolver
	yt   *fakeYouTube
	feed *httptest.Server
	dir  string
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	s := &setup{yt: &fakeYouTube{}, feed: feedServer(t), dir: t.TempDir()}
	s.r = &Resolver{
		YouTube: s.yt,
		// The test-only allowance: the feed server is on 127.0.0.1.
		HTTP: netguard.NewClient(netguard.Config{AllowPrivate: true}),
		Dir:  s.dir,
	}
	return s
}

func (s *setup) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(s.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// info is a minimal .info.json as yt-dlp writes it for a video.
func info(id, title string, duration int, date string) string {
	return fmt.Sprintf(`{"id": %q, "title": %q, "duration": %d, "upload_date": %q, "extractor": "youtube", "channel": "Crab Facts"}`, id, title, duration, date)
}

// downloads writes a folder of yt-dlp downloads, nested, with a
// playlist .info.json and a hidden folder that must be left out.
func (s *setup) downloads(t *testing.T) {
	s.write(t, "dl/Crab Facts/Crab legs [aaaaaaaaaa1].info.json", info("aaaaaaaaaa1", "Crab legs, explained", 612, "20240501"))
	s.write(t, "dl/Crab Facts/Crab legs [aaaaaaaaaa1].en.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")
	s.write(t, "dl/Crab Facts/Crab Facts - Videos [UCx].info.json", `{"_type": "playlist", "id": "UCx", "title": "Crab Facts - Videos"}`)
	s.write(t, "dl/Other/deep/Tides [fffffffff-6].info.json", info("fffffffff-6", "Tides", 100, "20240102"))
	s.write(t, "dl/.cache/Hidden [ggggggggg_7].info.json", info("ggggggggg_7", "Hidden", 100, "20240102"))
}

func ids(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func expand(t *testing.T, r *Resolver, src string, opt Options) *Expansion {
	t.Helper()
	exp, err := r.Expand(context.Background(), src, opt)
	if err != nil {
		t.Fatalf("Expand(%q): %v", src, err)
	}
	return exp
}

func wantInvalid(t *testing.T, err error, mention string) {
	t.Helper()
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), mention) {
		t.Fatalf("error %v (code %s), want EINVALID mentioning %q", err, recap.ErrorCode(err), mention)
	}
}

func TestYouTubeSources(t *testing.T) {
	s := newSetup(t)
	for _, src := range []string{"https://youtu.be/aaaaaaaaaa1", "aaaaaaaaaa1", "youtube.com/watch?v=aaaaaaaaaa1&t=30s",
		"https://www.youtube.com/watch?v=aaaaaaaaaa1&list=RDaaaaaaaaaa1"} {
		exp := expand(t, s.r, src, Options{})
		if exp.Kind != SourceVideo || len(exp.Items) != 1 || exp.Items[0] != (Item{ID: "aaaaaaaaaa1", Kind: KindYouTube, VideoID: "aaaaaaaaaa1", From: src}) {
			t.Errorf("%s: %+v", src, exp)
		}
	}

	exp := expand(t, s.r, "https://www.youtube.com/playlist?list=PLcrabs", Options{Limit: 2})
	if exp.Kind != SourcePlaylist || exp.Title != "All about crabs" {
		t.Errorf("playlist: %+v", exp)
	}
	// The deleted entry is listed with its reason (and is one of the first 2).
	if got := ids(exp.Items); !reflect.DeepEqual(got, []string{"aaaaaaaaaa1", "bbbbbbbbbb2"}) || exp.Items[1].Skip != "deleted video" {
		t.Errorf("playlist items %v (%+v)", got, exp.Items)
	}
	// watch?v=…&list=… is the playlist for a batch; --since filters first,
	// keeping entries of unknown date.
	exp = expand(t, s.r, "https://www.youtube.com/watch?v=aaaaaaaaaa1&list=PLcrabs", Options{Since: day(2024, 4, 1)})
	if got := ids(exp.Items); !reflect.DeepEqual(got, []string{"aaaaaaaaaa1", "bbbbbbbbbb2", "ddddddddd_4"}) {
		t.Errorf("since: %v", got)
	}

	for src, want := range map[string]string{
		"https://www.youtube.com/@crabfacts":                     "@crabfacts tab videos",
		"youtube.com/@crabfacts/streams?view=0":                  "@crabfacts tab streams",
		"https://m.youtube.com/channel/UCabcdefghijklmnopqrstuv": "UCabcdefghijklmnopqrstuv tab videos",
		"https://www.youtube.com/c/CrabFacts/videos":             "c/CrabFacts tab videos",
		"https://www.youtube.com/user/crabfacts/podcasts":        "user/crabfacts tab podcasts",
	} {
		exp := expand(t, s.r, src, Options{Limit: 1, Shorts: true})
		calls := s.yt.log()
		if exp.Kind != SourceChannel || calls[len(calls)-1] != "channel "+want+" limit 1 shorts true" || len(exp.Items) != 1 {
			t.Errorf("%s: %+v, call %q", src, exp, calls[len(calls)-1])
		}
	}

	_, err := s.r.Expand(context.Background(), "https://www.youtube.com/feed/trending", Options{})
	wantInvalid(t, err, "names none of them")
	_, err = (&Resolver{}).Expand(context.Background(), "https://www.youtube.com/@crabfacts", Options{})
	wantInvalid(t, err, "listing YouTube channels is not available")
	// The lister's own errors come through with their code.
	_, err = s.r.Expand(context.Background(), "https://www.youtube.com/playlist?list=PLnone", Options{})
	if recap.ErrorCode(err) != recap.EUNAVAILABLE {
		t.Errorf("missing playlist: %v", err)
	}
}

func TestFeedSources(t *testing.T) {
	s := newSetup(t)
	url := s.feed.URL + "/rss"
	exp := expand(t, s.r, url, Options{Limit: 2})
	if exp.Kind != SourceFeed || exp.Title != "Night Shift" || len(exp.Items) != 2 {
		t.Fatalf("feed: %+v", exp)
	}
	first := exp.Items[0]
	if first.Kind != KindPodcast || first.Title != "Three" || first.ID != feed.EpisodeID("https://nightshift.example/rss", "ns-3") ||
		first.Episode == nil || first.Episode.Enclosure.URL != s.feed.URL+"/3.mp3" || first.DurationSeconds != 1800 ||
		!first.Published.Equal(time.Date(2024, 5, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("first episode %+v", first)
	}
	exp = expand(t, s.r, url, Options{Since: day(2024, 5, 1)})
	if got := ids(exp.Items); len(got) != 2 || exp.Items[1].Title != "Two" {
		t.Errorf("since: %+v", exp.Items)
	}

	// The same feed as a local file, recognised by its content whatever
	// its name, names the same episodes.
	b, _ := os.ReadFile("testdata/show.rss")
	s.write(t, "podcasts/night-shift.txt", strings.ReplaceAll(string(b), "{{BASE}}", s.feed.URL))
	local := expand(t, s.r, "podcasts/night-shift.txt", Options{})
	if local.Kind != SourceFeed || !reflect.DeepEqual(ids(local.Items)[:2], ids(exp.Items)) {
		t.Errorf("local feed: %+v", local)
	}

	// A page that is no feed.
	_, err := s.r.Expand(context.Background(), s.feed.URL+"/page", Options{})
	wantInvalid(t, err, "neither a YouTube URL nor a podcast feed")
	// Feeds are fetched through the guard: by default 127.0.0.1 is refused.
	strict := &Resolver{HTTP: netguard.NewClient(netguard.Config{})}
	_, err = strict.Expand(context.Background(), url, Options{})
	wantInvalid(t, err, "refusing to connect")
}

func TestFolderAndFlatPlaylist(t *testing.T) {
	s := newSetup(t)
	s.downloads(t)
	exp := expand(t, s.r, "dl", Options{})
	if exp.Kind != SourceFolder || !reflect.DeepEqual(ids(exp.Items), []string{"aaaaaaaaaa1", "fffffffff-6"}) {
		t.Fatalf("folder: %+v", exp)
	}
	it := exp.Items[0]
	if it.Kind != KindFile || !filepath.IsAbs(it.InfoPath) || !strings.HasSuffix(it.InfoPath, "[aaaaaaaaaa1].info.json") ||
		it.DurationSeconds != 612 || !it.Published.Equal(day(2024, 5, 1)) {
		t.Errorf("download item %+v", it)
	}
	// One .info.json as a source.
	one := expand(t, s.r, it.InfoPath, Options{})
	if one.Kind != SourceDownload || len(one.Items) != 1 || one.Items[0].ID != "aaaaaaaaaa1" {
		t.Errorf("one download: %+v", one)
	}

	data, _ := os.ReadFile("testdata/channel-flat.json")
	s.write(t, "crabs.dump", string(data))
	exp = expand(t, s.r, "crabs.dump", Options{})
	if exp.Kind != SourceFlatPlaylist || exp.Title != "Crab Facts - Videos" {
		t.Errorf("flat: %+v", exp)
	}
	if got := ids(exp.Items); !reflect.DeepEqual(got, []string{"aaaaaaaaaa1", "aaaaaaaaaa2", "aaaaaaaaaa3", "12345"}) {
		t.Fatalf("flat ids %v", got)
	}
	if exp.Items[1].Skip != "private video" || !strings.Contains(exp.Items[3].Skip, "not a YouTube video (Vimeo)") ||
		!exp.Items[2].Published.Equal(day(2024, 5, 1)) || exp.Items[2].DurationSeconds != 3600 || exp.Items[0].Skip != "" {
		t.Errorf("flat items %+v", exp.Items)
	}
	_, err := s.r.Expand(context.Background(), "empty.txt", Options{})
	wantInvalid(t, err, "no such file or folder")
	if err := os.MkdirAll(filepath.Join(s.dir, "nothing"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = s.r.Expand(context.Background(), "nothing", Options{})
	wantInvalid(t, err, "holds no video .info.json")
}

func TestListMixingAllKinds(t *testing.T) {
	s := newSetup(t)
	s.downloads(t)
	b, _ := os.ReadFile("testdata/show.rss")
	s.write(t, "feeds/night.xml", strings.ReplaceAll(string(b), "{{BASE}}", s.feed.URL))
	flat, _ := os.ReadFile("testdata/channel-flat.json")
	s.write(t, "flat.json", string(flat))
	s.write(t, "more/inner.list", "# relative to this list's folder\n../feeds/night.xml\nhttps://youtu.be/zzzzzzzzzz9\n")
	list := s.write(t, "batch.txt", strings.Join([]string{
		"\ufeff# my backlog",
		"",
		"https://www.youtube.com/watch?v=aaaaaaaaaa1", // also in the playlist, folder and flat playlist
		"  ccccccccc-3  ",
		"https://www.youtube.com/playlist?list=PLcrabs",
		"https://www.youtube.com/@crabfacts",
		s.feed.URL + "/rss",
		"dl",
		"flat.json",
		"more/inner.list",
		"   # an indented comment",
	}, "\n"))
	exp := expand(t, s.r, list, Options{})
	if exp.Kind != SourceList || exp.Title != "batch.txt" {
		t.Errorf("list: %+v", exp)
	}
	want := []string{
		"aaaaaaaaaa1", "ccccccccc-3", // the two videos
		"bbbbbbbbbb2", "ddddddddd_4", // the rest of the playlist
		"eeeeeeeeee5", // the rest of the channel
		feed.EpisodeID("https://nightshift.example/rss", "ns-3"), feed.EpisodeID("https://nightshift.example/rss", "ns-2"),
		feed.EpisodeID("https://nightshift.example/rss", "ns-1"),
		"fffffffff-6",                         // the folder's other download
		"aaaaaaaaaa2", "aaaaaaaaaa3", "12345", // the flat playlist's others
		"zzzzzzzzzz9", // the inner list's video; its feed is the same feed
	}
	if got := ids(exp.Items); !reflect.DeepEqual(got, want) {
		t.Fatalf("items\n%v\nwant\n%v", got, want)
	}
	kinds := map[string]string{}
	for _, it := range exp.Items {
		kinds[it.ID] = it.Kind
	}
	if kinds["aaaaaaaaaa1"] != KindYouTube || kinds["fffffffff-6"] != KindFile || kinds[want[5]] != KindPodcast {
		t.Errorf("kinds %v", kinds)
	}
	// --limit caps the list as a whole (and each source in it).
	exp = expand(t, s.r, list, Options{Limit: 3})
	if got := ids(exp.Items); !reflect.DeepEqual(got, []string{"aaaaaaaaaa1", "ccccccccc-3", "bbbbbbbbbb2"}) {
		t.Errorf("limited list %v", got)
	}
	// Items survive JSON (they are stored with batches).
	full := expand(t, s.r, list, Options{})
	body, err := json.Marshal(full.Items)
	if err != nil {
		t.Fatal(err)
	}
	var back []Item
	if err := json.Unmarshal(body, &back); err != nil || !reflect.DeepEqual(back, full.Items) {
		t.Errorf("JSON round trip: %v", err)
	}
}

func TestListErrors(t *testing.T) {
	s := newSetup(t)
	self := s.write(t, "self.txt", "aaaaaaaaaa1\nself.txt\n")
	_, err := s.r.Expand(context.Background(), self, Options{})
	wantInvalid(t, err, "names itself")
	s.write(t, "a.txt", "b.txt\n")
	s.write(t, "b.txt", "# b names a\n./a.txt\n")
	_, err = s.r.Expand(context.Background(), "a.txt", Options{})
	wantInvalid(t, err, "names itself")
	if !strings.Contains(err.Error(), "b.txt line 2") {
		t.Errorf("the error should say where: %v", err)
	}
	// Listing the same list twice side by side is no cycle.
	s.write(t, "twice.txt", "b2.txt\nb2.txt\n")
	s.write(t, "b2.txt", "aaaaaaaaaa1\n")
	if exp := expand(t, s.r, "twice.txt", Options{}); len(exp.Items) != 1 {
		t.Errorf("twice: %+v", exp.Items)
	}

	s.write(t, "bad.txt", "aaaaaaaaaa1\n\nnot a source at all\n")
	_, err = s.r.Expand(context.Background(), "bad.txt", Options{})
	wantInvalid(t, err, `bad.txt line 3: "not a source at all" is not a source recap knows`)
	s.write(t, "comments.txt", "# nothing\n\n")
	_, err = s.r.Expand(context.Background(), "comments.txt", Options{})
	wantInvalid(t, err, "names no source")
	s.write(t, "page.html", "<html><body>hi</body></html>")
	_, err = s.r.Expand(context.Background(), "page.html", Options{})
	wantInvalid(t, err, "not an RSS or Atom feed")
	s.write(t, "other.json", `{"hello": "world"}`)
	_, err = s.r.Expand(context.Background(), "other.json", Options{})
	wantInvalid(t, err, "neither a yt-dlp .info.json of a video nor a --flat-playlist -J file")
	s.write(t, "binary.bin", "\x00\x01\x02")
	_, err = s.r.Expand(context.Background(), "binary.bin", Options{})
	wantInvalid(t, err, "is not text")
	for _, src := range []string{"", "hello world", "ftp://example.invalid/feed", "./missing/urls.txt", "dQw4w9WgXc"} {
		_, err = s.r.Expand(context.Background(), src, Options{})
		wantInvalid(t, err, "expected a YouTube video, playlist or channel URL")
	}
}

func TestStdinAndExpandAll(t *testing.T) {
	s := newSetup(t)
	s.r.Stdin = strings.NewReader("aaaaaaaaaa1\r\nhttps://youtu.be/ccccccccc-3\n-\n")
	_, err := s.r.Expand(context.Background(), "-", Options{})
	wantInvalid(t, err, "named twice")

	s.r.Stdin = strings.NewReader("aaaaaaaaaa1\r\nhttps://youtu.be/ccccccccc-3\n")
	exp, err := s.r.ExpandAll(context.Background(), []string{"-", "https://www.youtube.com/playlist?list=PLcrabs", "ccccccccc-3"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Kind != SourceMany || !reflect.DeepEqual(ids(exp.Items), []string{"aaaaaaaaaa1", "ccccccccc-3", "bbbbbbbbbb2", "ddddddddd_4"}) {
		t.Errorf("ExpandAll: %+v", exp)
	}
	if exp.Items[0].From != "aaaaaaaaaa1" || exp.Items[2].From != "https://www.youtube.com/playlist?list=PLcrabs" {
		t.Errorf("From: %q %q", exp.Items[0].From, exp.Items[2].From)
	}
}

func TestMergePrefersWhatCanBeSummarized(t *testing.T) {
	got := merge([]Item{{ID: "x", Skip: "private video", From: "playlist"}}, []Item{{ID: "x", Kind: KindFile, From: "folder"}, {ID: "y"}})
	if len(got) != 2 || got[0].Skip != "" || got[0].From != "folder" {
		t.Errorf("merge: %+v", got)
	}
}

// TestFileAccess: a server reads local sources only under its root (lists
// and symlinks included), or none at all.
func TestFileAccess(t *testing.T) {
	s := newSetup(t)
	s.downloads(t)
	root := filepath.Join(s.dir, "dl")
	outside := s.write(t, "secret.txt", "https://youtu.be/aaaaaaaaaa1\n")
	s.write(t, "dl/list.txt", "Other/deep\n")
	s.write(t, "dl/escape.txt", "../secret.txt\n")
	if err := os.Symlink(outside, filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{YouTube: s.yt, Dir: root, Files: FilesUnder, Root: root}

	exp := expand(t, r, "list.txt", Options{})
	if got := ids(exp.Items); !reflect.DeepEqual(got, []string{"fffffffff-6"}) {
		t.Errorf("list inside the root: %v", got)
	}
	expand(t, r, filepath.Join(root, "Crab Facts"), Options{})
	for src, mention := range map[string]string{
		outside:         "outside the folder",
		"../secret.txt": "outside the folder",
		"escape.txt":    "outside the folder",
		"link.txt":      "outside the folder",
		"/etc/passwd":   "outside the folder",
	} {
		_, err := r.Expand(context.Background(), src, Options{})
		wantInvalid(t, err, mention)
	}
	// A bare video id is still a video.
	if exp := expand(t, r, "aaaaaaaaaa1", Options{}); exp.Kind != SourceVideo {
		t.Errorf("video id: %+v", exp)
	}

	none := &Resolver{YouTube: s.yt, Dir: root, Files: FilesNone}
	for _, src := range []string{"list.txt", root, "./Other", "file://" + outside} {
		_, err := none.Expand(context.Background(), src, Options{})
		if recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("%s with FilesNone: %v; want EINVALID", src, err)
		}
	}
	_, err := none.Expand(context.Background(), "./Other", Options{})
	wantInvalid(t, err, "local files are not read here")
	if exp := expand(t, none, "https://www.youtube.com/playlist?list=PLcrabs", Options{}); exp.Kind != SourcePlaylist {
		t.Errorf("playlist with FilesNone: %+v", exp)
	}
}

func TestListLinesAndIsList(t *testing.T) {
	lines, err := ListLines("urls.txt", []byte("\xEF\xBB\xBF# mine\n\n  https://youtu.be/aaaaaaaaaaa  \n#x\nfeed.xml\n"))
	if err != nil || len(lines) != 2 || lines[0] != (ListLine{3, "https://youtu.be/aaaaaaaaaaa"}) || lines[1] != (ListLine{5, "feed.xml"}) {
		t.Fatalf("ListLines = %+v, %v", lines, err)
	}
	if _, err := ListLines("urls.txt", []byte("# only comments\n")); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "urls.txt names no source") {
		t.Errorf("empty list: %v", err)
	}
	for data, want := range map[string]bool{
		"https://youtu.be/aaaaaaaaaaa\n": true,
		`{"_type": "playlist"}`:          false,
		"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>": false,
		"<html></html>": false,
	} {
		if got := IsList([]byte(data)); got != want {
			t.Errorf("IsList(%q) = %v, want %v", data, got, want)
		}
	}
}
