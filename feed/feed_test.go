package feed

import (
	"context"
	"encoding/json"
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
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/netguard"
	"github.com/recap-dev/recap/pipeline"
)

// podServer serves testdata on 127.0.0.1, with {{BASE}} in feeds replaced
// by its own URL. Paths: /feed.xml (tidepool.xml), /itunes.xml,
// /broken.xml, /t/NAME and /c/NAME (transcripts and chapters from
// testdata), /page (an HTML page that is no feed), and any path set in
// status to answer with that status.
type podServer struct {
	*httptest.Server
	mu     sync.Mutex
	status map[string]int
	hits   map[string]int
}

func newPodServer(t *testing.T) *podServer {
	t.Helper()
	s := &podServer{status: map[string]int{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *podServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	code := s.status[r.URL.Path]
	s.mu.Unlock()
	if code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	files := map[string]string{
		"/feed.xml": "tidepool.xml", "/itunes.xml": "itunes-only.xml", "/broken.xml": "broken.xml",
		"/t/12.json": "12.json", "/t/12.srt": "12.srt", "/t/12.vtt": "12.vtt",
		"/t/11.vtt": "11.vtt", "/t/10.en.srt": "10.en.srt", "/t/10.es.html": "10.es.html",
		"/c/12.json": "12.chapters.json",
	}
	if r.URL.Path == "/page" {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><html><body>Not a feed</body></html>"))
		return
	}
	name, ok := files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Write([]byte(strings.ReplaceAll(string(b), "{{BASE}}", s.URL)))
}

func (s *podServer) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *podServer) fail(path string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = code
}

// testClient may reach the test server on 127.0.0.1: the allowance
// RECAP_ALLOW_PRIVATE_URLS gives.
func testClient() *http.Client { return netguard.NewClient(netguard.Config{AllowPrivate: true}) }

func readFeed(t *testing.T, name, location string) *Feed {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse([]byte(strings.ReplaceAll(string(b), "{{BASE}}", "https://cdn.tidepool.example")), location)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return f
}

func TestParsePodcasting20Feed(t *testing.T) {
	f := readFeed(t, "tidepool.xml", "https://mirror.example/pods/tidepool.rss")
	if f.Title != "Tidepool" || f.URL != "https://tidepool.example/feed.xml" || f.Language != "en-us" ||
		f.Image != "https://tidepool.example/cover.jpg" || f.Author != "Maya Lin" {
		t.Errorf("feed = %+v", f)
	}
	var titles []string
	for _, e := range f.Episodes {
		titles = append(titles, e.Title)
	}
	// The re-post with a GUID seen before is dropped; feed order is kept.
	want := []string{"Why crabs walk sideways", "Shells, briefly", "Mareas (en español)", "Bonus: no transcript", "Trailer"}
	if !reflect.DeepEqual(titles, want) {
		t.Fatalf("episodes %q, want %q", titles, want)
	}

	e := f.Episodes[0]
	if e.GUID != "tidepool-12" || e.ID != EpisodeID("https://tidepool.example/feed.xml", "tidepool-12") {
		t.Errorf("GUID %q, ID %q", e.GUID, e.ID)
	}
	if e.Enclosure != (Enclosure{URL: "https://cdn.tidepool.example/audio/12.mp3", Type: "audio/mpeg", Length: 34216300}) {
		t.Errorf("enclosure %+v", e.Enclosure)
	}
	if e.Duration() != time.Hour+2*time.Minute+3*time.Second {
		t.Errorf("duration %v", e.Duration())
	}
	if !e.Published.Equal(time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC)) || e.ShowNotes != "Crabs, legs and joints." {
		t.Errorf("published %v, notes %q", e.Published, e.ShowNotes)
	}
	wantTr := []Transcript{
		{URL: "https://cdn.tidepool.example/t/12.srt", Type: "application/x-subrip", Language: "en-us"},
		{URL: "https://cdn.tidepool.example/t/12.vtt", Type: "text/vtt", Language: "en-us", Rel: "captions"},
		{URL: "https://cdn.tidepool.example/t/12.json", Type: "application/json", Language: "en"},
		{URL: "https://cdn.tidepool.example/t/12.html", Type: "text/html", Language: "en-us"},
		{URL: "https://cdn.tidepool.example/t/12.txt", Type: "text/plain", Language: "en-us"},
	}
	if !reflect.DeepEqual(e.Transcripts, wantTr) {
		t.Errorf("transcripts\n%+v\nwant\n%+v", e.Transcripts, wantTr)
	}
	if e.ChaptersURL != "https://cdn.tidepool.example/c/12.json" || e.ChaptersType != "application/json+chapters" {
		t.Errorf("chapters %q %q", e.ChaptersURL, e.ChaptersType)
	}

	// Relative URLs resolve against where the feed was read from.
	e = f.Episodes[1]
	if e.Link != "https://mirror.example/11" || e.Enclosure.URL != "https://mirror.example/audio/11.mp3" ||
		e.Image != "https://mirror.example/pods/art/11.jpg" || e.Transcripts[0].URL != "https://mirror.example/pods/t/11.vtt" {
		t.Errorf("relative URLs: %+v", e)
	}
	// HTML show notes become lines of text; scripts are dropped.
	if want := "Everything about shells.\nChapters:\n0:00 Hello\n2:05 What a shell is made of\n7:40 & why they spiral"; e.ShowNotes != want {
		t.Errorf("show notes %q, want %q", e.ShowNotes, want)
	}

	// No GUID: the enclosure URL stands in, else the link. A bad date is
	// unknown, not an error, and so is a bad duration.
	bonus, trailer := f.Episodes[3], f.Episodes[4]
	if bonus.GUID != "https://cdn.tidepool.example/audio/bonus.mp3" || !bonus.Published.IsZero() || bonus.DurationSeconds != 0 {
		t.Errorf("bonus %+v", bonus)
	}
	if trailer.GUID != "https://tidepool.example/trailer" {
		t.Errorf("trailer GUID %q", trailer.GUID)
	}
	// Without a GUID, enclosure or link: title and date.
	noIDs := []byte(`<rss version="2.0"><channel><title>T</title><item><title>A</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item><item><title>A</title><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item></channel></rss>`)
	g, err := Parse(noIDs, "https://t.example/rss")
	if err != nil || len(g.Episodes) != 2 || g.Episodes[0].GUID != "A|2024-01-01T00:00:00Z" || g.Episodes[0].ID == g.Episodes[1].ID {
		t.Errorf("title+date GUIDs: %+v %v", g, err)
	}
}

func TestEpisodeIDsAreStableAcrossLocations(t *testing.T) {
	// The self link keys the ids, so a mirror or a local copy of the feed
	// names the same episodes.
	a := readFeed(t, "tidepool.xml", "https://mirror.example/pods/tidepool.rss")
	b := readFeed(t, "tidepool.xml", "file:///home/me/tidepool.xml")
	for i := range a.Episodes {
		if a.Episodes[i].ID != b.Episodes[i].ID {
			t.Errorf("episode %d: %s vs %s", i, a.Episodes[i].ID, b.Episodes[i].ID)
		}
	}
	// A feed without a self link is keyed by where it was read from.
	c := readFeed(t, "itunes-only.xml", "https://slow.example/feed")
	if c.URL != "https://slow.example/feed" || c.Episodes[0].ID != EpisodeID("https://slow.example/feed", "slow-1") {
		t.Errorf("feed URL %q, id %q", c.URL, c.Episodes[0].ID)
	}
}

func TestEpisodeID(t *testing.T) {
	seen := map[string]bool{}
	for _, feedURL := range []string{"https://a.example/feed", "https://b.example/feed"} {
		for _, g := range []string{"1", "2", "https://a.example/ep/1", ""} {
			id := EpisodeID(feedURL, g)
			if len(id) != 14 || !recap.ValidEpisodeID(id) || seen[id] {
				t.Errorf("EpisodeID(%q, %q) = %q: want a new 14-character ep id", feedURL, g, id)
			}
			seen[id] = true
			if EpisodeID(feedURL, g) != id {
				t.Error("EpisodeID is not stable")
			}
		}
	}
	// The parts are separated: ("ab", "c") is not ("a", "bc").
	if EpisodeID("ab", "c") == EpisodeID("a", "bc") {
		t.Error("EpisodeID runs its parts together")
	}
	for _, s := range []string{"dQw4w9WgXcQ", "epABCDEFGHIJKL", "ep0123456789ab", "ep2345"} {
		if recap.ValidEpisodeID(s) {
			t.Errorf("recap.ValidEpisodeID(%q) = true", s)
		}
	}
}

func TestParseITunesOnlyFeed(t *testing.T) {
	f := readFeed(t, "itunes-only.xml", "https://slow.example/feed")
	if f.Title != "Slow Radio" || f.Author != "Radio Folk" || f.Image != "https://slow.example/art.png" || len(f.Episodes) != 3 {
		t.Fatalf("feed %+v", f)
	}
	var durs []time.Duration
	for _, e := range f.Episodes {
		durs = append(durs, e.Duration())
		if len(e.Transcripts) != 0 || e.Image != f.Image {
			t.Errorf("episode %q: transcripts %v, image %q", e.Title, e.Transcripts, e.Image)
		}
	}
	want := []time.Duration{time.Hour, 45*time.Minute + 30*time.Second, time.Hour + 2*time.Minute + 3500*time.Millisecond}
	if !reflect.DeepEqual(durs, want) {
		t.Errorf("durations %v, want %v", durs, want)
	}
	// The description comes from itunes:summary, escaped HTML and all.
	if e := f.Episodes[0]; e.ShowNotes != "Notes with markup\n0:00 Anfang\n10:00 Mitte\n20:00 Ende" ||
		!e.Published.Equal(time.Date(2024, 1, 1, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("episode 1: notes %q, published %v", e.ShowNotes, e.Published)
	}
}

func TestParseFeedThatIsNotWellFormedXML(t *testing.T) {
	f := readFeed(t, "broken.xml", "https://broken.example/rss")
	if len(f.Episodes) != 2 {
		t.Fatalf("%d episodes, want 2: %+v", len(f.Episodes), f)
	}
	e := f.Episodes[0]
	if f.Title != "Rock & Roll & Tide Pools" || e.Title != "Fish & chips © 2024 & more" {
		t.Errorf("titles %q / %q", f.Title, e.Title)
	}
	if e.Enclosure.URL != "https://broken.example/1.mp3?a=1&b=2" || !e.Published.IsZero() {
		t.Errorf("enclosure %q, published %v", e.Enclosure.URL, e.Published)
	}
	// The podcast namespace under another prefix ("pc") is still read.
	if len(e.Transcripts) != 1 || e.Transcripts[0].URL != "https://broken.example/1.vtt" {
		t.Errorf("transcripts %+v", e.Transcripts)
	}
	if !strings.Contains(e.ShowNotes, "Line one\nline two — with entities & a bare ampersand") {
		t.Errorf("notes %q", e.ShowNotes)
	}
	if p := f.Episodes[1].Published; !p.Equal(time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", p)
	}
}

func TestParseAtomFeed(t *testing.T) {
	f := readFeed(t, "atom.xml", "https://atomic.example/feed.atom")
	if f.Title != "Atomic Talks" || len(f.Episodes) != 1 {
		t.Fatalf("feed %+v", f)
	}
	e := f.Episodes[0]
	if e.Enclosure.URL != "https://atomic.example/1.mp3" || e.Link != "https://atomic.example/1" ||
		e.GUID != "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a" || e.ShowNotes != "Notes" {
		t.Errorf("episode %+v", e)
	}
}

func TestParseRefusesWhatIsNoFeed(t *testing.T) {
	for _, data := range []string{"", "<html><body>hi</body></html>", `{"version": "https://jsonfeed.org/version/1"}`, "just text"} {
		_, err := Parse([]byte(data), "https://x.example/")
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "not a podcast feed") {
			t.Errorf("Parse(%q) = %v, want EINVALID 'not a podcast feed'", data, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"3600": time.Hour, "3600.5": time.Hour + 500*time.Millisecond, " 754 ": 754 * time.Second,
		"45:30": 45*time.Minute + 30*time.Second, "1:02:03": time.Hour + 2*time.Minute + 3*time.Second,
		"01:02:03.250": time.Hour + 2*time.Minute + 3250*time.Millisecond, "90:00": 90 * time.Minute,
		"0:75": 75 * time.Second, "": 0, "soon": 0, "1:2:3:4": 0, "-5": 0, "1e3": 0, "1::2": 0, ":30": 0,
		"99999999": 0,
	} {
		if got := ParseDuration(in); got != want {
			t.Errorf("ParseDuration(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRank(t *testing.T) {
	ts := []Transcript{
		{URL: "srt", Type: "application/x-subrip", Language: "en"},
		{URL: "txt", Type: "text/plain", Language: "en"},
		{URL: "vtt-captions", Type: "text/vtt", Language: "en", Rel: "captions"},
		{URL: "html-de", Type: "text/html", Language: "de"},
		{URL: "vtt", Type: "text/vtt", Language: "en-GB"},
		{URL: "json-fr", Type: "application/json", Language: "fr"},
		{URL: "json-en", Type: "application/json", Language: "en-US"},
	}
	urls := func(ts []Transcript) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.URL)
		}
		return out
	}
	for _, tc := range []struct {
		lang, feedLang string
		want           []string
	}{
		{"en", "en", []string{"json-en", "vtt-captions", "vtt", "srt", "json-fr", "html-de"}},
		{"de", "en", []string{"html-de", "json-en", "vtt-captions", "vtt", "srt", "json-fr"}},
		{"fr", "de", []string{"json-fr", "html-de", "json-en", "vtt-captions", "vtt", "srt"}},
	} {
		if got := urls(Rank(ts, tc.lang, tc.feedLang)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Rank(%s, feed %s) = %v, want %v", tc.lang, tc.feedLang, got, tc.want)
		}
	}
}

func TestParseChapters(t *testing.T) {
	b, err := os.ReadFile("testdata/12.chapters.json")
	if err != nil {
		t.Fatal(err)
	}
	marks, err := ParseChapters(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []recap.ChapterMark{{Start: 0, Title: "Intro"}, {Start: 61 * time.Second, Title: "Legs and joints"}, {Start: 1801 * time.Second, Title: "Walking forward"}}
	if !reflect.DeepEqual(marks, want) {
		t.Errorf("marks %+v, want %+v", marks, want)
	}
	for _, bad := range []string{`{"version": "1.2.0"}`, `{"chapters": [{"title": "no start"}]}`, `{"chapters": [{"startTime": -1}]}`, `[`} {
		if _, err := ParseChapters([]byte(bad)); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("ParseChapters(%s) = %v, want EINVALID", bad, err)
		}
	}
}

func TestEpisodeJSONRoundTrip(t *testing.T) {
	f := readFeed(t, "tidepool.xml", "https://tidepool.example/feed.xml")
	for _, e := range f.Episodes {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Episode
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("round trip changed the episode:\n%+v\n%+v", e, back)
		}
	}
}

func fetchTidepool(t *testing.T, s *podServer) *Feed {
	t.Helper()
	f, err := Fetch(context.Background(), testClient(), s.URL+"/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoadEpisodeJSONTranscriptAndFeedChapters(t *testing.T) {
	s := newPodServer(t)
	f := fetchTidepool(t, s)
	ep := f.Episodes[0]
	src, err := LoadEpisode(context.Background(), testClient(), &ep, "en")
	if err != nil {
		t.Fatal(err)
	}
	// JSON beats WebVTT, SRT and HTML; nothing else was fetched.
	if s.hit("/t/12.json") != 1 || s.hit("/t/12.vtt")+s.hit("/t/12.srt")+s.hit("/t/12.html") != 0 {
		t.Errorf("fetched %v", s.hits)
	}
	tr := src.Transcript
	if tr.Source != recap.TranscriptFeed || tr.Language != "en" || len(tr.Segments) != 4 ||
		tr.Segments[1].Speaker != "Owen" || tr.Segments[1].Start != 4*time.Second {
		t.Errorf("transcript %+v", tr)
	}
	if src.MarksSource != recap.ChaptersFeed || len(src.Marks) != 3 {
		t.Errorf("marks %+v from %q", src.Marks, src.MarksSource)
	}
	v := src.Video
	if v.Source != recap.SourcePodcast || v.ID != ep.ID || v.MediaURL != s.URL+"/audio/12.mp3" ||
		v.URL != "https://tidepool.example/12" || v.PublishedAt != "2024-04-02" || v.Channel != "Tidepool" ||
		v.Feed == nil || *v.Feed != (recap.FeedRef{Title: "Tidepool", URL: "https://tidepool.example/feed.xml"}) {
		t.Errorf("video %+v", v)
	}

	// Through the pipeline: feed chapters, and chapter links into the audio.
	p := &pipeline.Pipeline{Summarizer: extractive.New(), Loaders: pipeline.Loaders{recap.SourcePodcast: pipeline.Loaded{Source: src}}}
	doc, err := p.Run(context.Background(), pipeline.Input{Kind: recap.SourcePodcast, Ref: src.Video.ID}, pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChaptersSource != recap.ChaptersFeed || doc.TranscriptSource != recap.TranscriptFeed ||
		doc.Video.Source != recap.SourcePodcast || doc.Video.Feed == nil || len(doc.Chapters) != 3 {
		t.Fatalf("document: %d chapters from %q, transcript %q, video %+v", len(doc.Chapters), doc.ChaptersSource, doc.TranscriptSource, doc.Video)
	}
	if got, want := doc.Chapters[1].URL, s.URL+"/audio/12.mp3#t=61"; got != want || doc.Chapters[1].SourceTitle != "Legs and joints" {
		t.Errorf("chapter 2: %q %q, want %q", doc.Chapters[1].SourceTitle, got, want)
	}
	body, _ := json.Marshal(doc)
	if doc.Video.MediaURL != v.MediaURL {
		t.Errorf("document media_url %q; want the episode audio %q", doc.Video.MediaURL, v.MediaURL)
	}
	if !strings.Contains(string(body), `"source":"podcast"`) || !strings.Contains(string(body), `"feed":{"title":"Tidepool","url":"https://tidepool.example/feed.xml"}`) {
		t.Errorf("document JSON lacks video.source/feed: %s", body)
	}
}

func TestLoadEpisodeVTTWithShowNotesChapters(t *testing.T) {
	s := newPodServer(t)
	ep := fetchTidepool(t, s).Episodes[1]
	src, err := LoadEpisode(context.Background(), testClient(), &ep, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Marks) != 0 || src.Transcript.Segments[1].Speaker != "Owen" {
		t.Fatalf("marks %v, segments %+v", src.Marks, src.Transcript.Segments)
	}
	chapters, from, err := pipeline.BuildChapters(src, pipeline.ChapterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if from != recap.ChaptersDescription || len(chapters) != 3 || chapters[2].SourceTitle != "& why they spiral" {
		t.Errorf("chapters from %q: %+v", from, chapters)
	}
}

func TestLoadEpisodeChoosesByLanguage(t *testing.T) {
	s := newPodServer(t)
	ep := fetchTidepool(t, s).Episodes[2]
	es, err := LoadEpisode(context.Background(), testClient(), &ep, "es")
	if err != nil {
		t.Fatal(err)
	}
	if es.Transcript.Language != "es" || es.Transcript.Segments[1].Speaker != "Luis" || es.Transcript.Segments[1].Start != 5*time.Second {
		t.Errorf("es: %+v", es.Transcript)
	}
	// English is asked for: the SRT, whose language is the feed's.
	en, err := LoadEpisode(context.Background(), testClient(), &ep, "en")
	if err != nil {
		t.Fatal(err)
	}
	if en.Transcript.Language != "en-us" || en.Transcript.Segments[0].Speaker != "Ana" || en.Transcript.Segments[1].Speaker != "Ana" {
		t.Errorf("en: %+v", en.Transcript)
	}
}

func TestLoadEpisodeFailures(t *testing.T) {
	s := newPodServer(t)
	f := fetchTidepool(t, s)
	ctx := context.Background()

	// No transcript at all: permanent, naming the episode.
	bonus := f.Episodes[3]
	_, err := LoadEpisode(ctx, testClient(), &bonus, "en")
	if recap.ErrorCode(err) != recap.ENOTRANSCRIPT || !recap.Permanent(err) || !strings.Contains(err.Error(), "Bonus: no transcript") {
		t.Errorf("no transcript: %v", err)
	}

	// The best transcript is gone: the next one is used.
	ep := f.Episodes[0]
	s.fail("/t/12.json", http.StatusNotFound)
	src, err := LoadEpisode(ctx, testClient(), &ep, "en")
	if err != nil || !strings.Contains(src.Transcript.Text(), "VTT version") {
		t.Fatalf("fallback to VTT: %v", err)
	}

	// The best one fails for now: retry later, don't settle for worse.
	s.fail("/t/12.json", http.StatusServiceUnavailable)
	_, err = LoadEpisode(ctx, testClient(), &ep, "en")
	if recap.ErrorCode(err) != recap.EFETCH || recap.Permanent(err) {
		t.Errorf("503: %v", err)
	}

	// Every transcript unusable: ENOTRANSCRIPT with each reason.
	for _, p := range []string{"/t/12.json", "/t/12.vtt", "/t/12.srt", "/t/12.html"} {
		s.fail(p, http.StatusNotFound)
	}
	_, err = LoadEpisode(ctx, testClient(), &ep, "en")
	if recap.ErrorCode(err) != recap.ENOTRANSCRIPT || strings.Count(err.Error(), "404") != 4 {
		t.Errorf("all gone: %v", err)
	}

	// A broken chapters file leaves chapters to the show notes.
	s.fail("/t/12.json", 0)
	s.fail("/c/12.json", http.StatusNotFound)
	src, err = LoadEpisode(ctx, testClient(), &ep, "en")
	if err != nil || src.Marks != nil || src.MarksSource != "" {
		t.Errorf("chapters 404: marks %v, %v", src.Marks, err)
	}
}

func TestGuardAppliesToEveryFetch(t *testing.T) {
	s := newPodServer(t)
	ctx := context.Background()
	strict := netguard.NewClient(netguard.Config{})
	_, err := Fetch(ctx, strict, s.URL+"/feed.xml")
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "refusing to connect") {
		t.Errorf("feed on 127.0.0.1 with the default guard: %v", err)
	}
	// The transcripts of a feed read elsewhere are refused the same way.
	ep := fetchTidepool(t, s).Episodes[0]
	_, err = LoadEpisode(ctx, strict, &ep, "en")
	if recap.ErrorCode(err) != recap.ENOTRANSCRIPT || !strings.Contains(err.Error(), "refusing to connect") {
		t.Errorf("transcripts on 127.0.0.1 with the default guard: %v", err)
	}
	if s.hit("/t/12.json") != 0 {
		t.Error("a refused transcript was fetched")
	}
	// A page that is no feed.
	_, err = Fetch(ctx, testClient(), s.URL+"/page")
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "not a podcast feed") || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("HTML page: %v", err)
	}
}

// episodeStore is Episodes over a map.
type episodeStore map[string]json.RawMessage

func (s episodeStore) GetEpisode(_ context.Context, id string) (json.RawMessage, error) {
	if b, ok := s[id]; ok {
		return b, nil
	}
	return nil, recap.Errorf(recap.ENOTFOUND, "episode %q not found", id)
}

// TestLoaderRunsStoredEpisodes: a podcast job names a stored episode by
// id; the pipeline loads it through the Loader like any other kind.
func TestLoaderRunsStoredEpisodes(t *testing.T) {
	s := newPodServer(t)
	ep := fetchTidepool(t, s).Episodes[0]
	data, err := json.Marshal(ep)
	if err != nil {
		t.Fatal(err)
	}
	l := Loader{Episodes: episodeStore{ep.ID: data}, Client: testClient()}
	p := &pipeline.Pipeline{Summarizer: extractive.New(), Loaders: pipeline.Loaders{recap.SourcePodcast: l}}

	id, in, err := p.Resolve(context.Background(), pipeline.Input{Kind: recap.SourcePodcast, Ref: ep.ID})
	if err != nil || id != ep.ID || in.Ref != ep.ID {
		t.Fatalf("Resolve: %q %+v %v", id, in, err)
	}
	doc, err := p.Run(context.Background(), in, pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Video.ID != ep.ID || doc.Video.Source != recap.SourcePodcast || doc.TranscriptSource != recap.TranscriptFeed || len(doc.Chapters) != 3 {
		t.Errorf("document: video %+v, transcript %q, %d chapters", doc.Video, doc.TranscriptSource, len(doc.Chapters))
	}

	for ref, mention := range map[string]string{
		"dQw4w9WgXcQ":    "not a podcast episode id",
		"epzzzzzzzzzzzz": "is not stored",
	} {
		_, _, err := p.Resolve(context.Background(), pipeline.Input{Kind: recap.SourcePodcast, Ref: ref})
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), mention) {
			t.Errorf("Resolve(%q): %v; want EINVALID mentioning %q", ref, err, mention)
		}
	}
}
