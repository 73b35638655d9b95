package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/storage/storagetest"
)

// silence is a WAV file of n seconds of 8 kHz mono silence.
func silence(n int) []byte {
	const rate = 8000
	data := make([]byte, n*rate) // 8-bit PCM: 128 is silence
	for i := range data {
		data[i] = 128
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate), uint16(1), uint16(8)} {
		binary.Write(&b, binary.LittleEndian, v) // PCM, mono, 8 kHz, 1 byte a sample
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// A podcast episode's summary page plays the episode's audio, and a
// chapter time seeks it.
func TestBrowserPodcast(t *testing.T) {
	ctx, watch := newTab(t)
	wav := silence(240)
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "ep.wav", time.Time{}, bytes.NewReader(wav))
	}))
	t.Cleanup(media.Close)
	audio := media.URL + "/ep.wav"

	f := newFakes(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "0"
	s := f.serveInProcess(t)
	t.Cleanup(s.stop)

	// The episode is stored as a worker would store it.
	store, err := sqlite.Open(context.Background(), filepath.Join(f.dir, "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const ep = "ep0123456789ab"
	bg := context.Background()
	submitted := storagetest.NewJob(ep, "k")
	submitted.SourceKind, submitted.Input = recap.SourcePodcast, "https://feeds.example/show.xml"
	job, _, err := store.SubmitJob(bg, submitted, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.StartJob(bg, job.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	v := recap.Video{ID: ep, Source: recap.SourcePodcast, URL: "https://show.example/ep1", MediaURL: audio}
	var segs []recap.Segment
	for at := time.Duration(0); at < 240*time.Second; at += 5 * time.Second {
		segs = append(segs, recap.Segment{Start: at, End: at + 5*time.Second, Text: "Talking about tide pools."})
	}
	if err := store.PutTranscript(bg, ep, recap.Transcript{Language: "en", Source: recap.TranscriptFeed, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	doc := &recap.Document{
		ID: job.ID, Language: "en", TranscriptSource: recap.TranscriptFeed, ChaptersSource: recap.ChaptersFeed,
		Video: recap.DocumentVideo{ID: ep, Source: recap.SourcePodcast, URL: v.URL, MediaURL: audio, Title: "Episode 1: Tide pools",
			Channel: "The Shore Show", DurationSeconds: 240, Feed: &recap.FeedRef{Title: "The Shore Show", URL: "https://feeds.example/show.xml"}},
		People:   []recap.Person{{Name: "Ada Stone", Role: recap.RoleHost}, {Name: "Ben Cole", Role: recap.RoleGuest}},
		Overview: "Two people talk about tide pools.",
		Chapters: []recap.ChapterResult{
			{StartSeconds: 0, EndSeconds: 95, Title: "Hello", Summary: "Hi.", Bullets: []string{"a", "b", "c"}, URL: v.TimeURL(0)},
			{StartSeconds: 95, EndSeconds: 240, Title: "Tide pools", Summary: "Pools.", Bullets: []string{"a", "b", "c"}, URL: v.TimeURL(95 * time.Second)},
		},
		Generator: recap.Generator{Summarizer: recap.SummarizerExtractive},
	}
	if err := store.FinishJob(bg, job.ID, storagetest.Lease.Owner, doc); err != nil {
		t.Fatal(err)
	}

	open(t, ctx, s.base+"/s/"+job.ID)
	if src := eval[string](t, ctx, "document.querySelector('audio#audio').src"); src != audio {
		t.Fatalf("audio src = %q; want %s", src, audio)
	}
	if eval[int](t, ctx, "document.querySelectorAll('#player, iframe').length") != 0 {
		t.Error("a podcast page has the YouTube player")
	}
	if people := eval[string](t, ctx, "document.querySelector('.people').textContent"); !strings.Contains(people, "host Ada Stone") || !strings.Contains(people, "guest Ben Cole") {
		t.Errorf("people = %q", people)
	}
	href := eval[string](t, ctx, "document.querySelector('.toc li:nth-child(2) a.time').href")
	if href != audio+"#t=95" {
		t.Errorf("chapter link = %q; want the audio at 95 s", href)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(".toc li:nth-child(2) a.time")))
	waitJS(t, ctx, "document.querySelector('audio').readyState >= 1 && Math.abs(document.querySelector('audio').currentTime - 95) < 1", 15*time.Second)
	if at := eval[string](t, ctx, "location.href"); strings.Contains(at, "ep.wav") {
		t.Errorf("the click left the page for %s", at)
	}
	if st := eval[string](t, ctx, "document.querySelector('#seek-status').textContent"); st != "Playing from 1:35" {
		t.Errorf("status %q", st)
	}
	clean(t, ctx, watch, "podcast page")
	shoot(t, ctx, "podcast", "podcast")
}
