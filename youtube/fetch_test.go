package youtube_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

var _ pipeline.Fetcher = (*youtube.Client)(nil)

// setup starts a fake YouTube and a client pointed at it.
func setup(t *testing.T) (*youtubetest.Server, *youtube.Client) {
	t.Helper()
	fake := youtubetest.NewServer(t)
	c, err := youtube.New(youtube.Config{Endpoint: fake.URL()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return fake, c
}

// segs builds contiguous segments of 4 s from texts, starting at 1 s.
func segs(texts ...string) []recap.Segment {
	out := make([]recap.Segment, len(texts))
	for i, txt := range texts {
		start := time.Second + time.Duration(i)*4*time.Second
		out[i] = recap.Segment{Start: start, End: start + 4*time.Second, Text: txt}
	}
	return out
}

func translated(ss []recap.Segment, lang string) []recap.Segment {
	out := make([]recap.Segment, len(ss))
	for i, s := range ss {
		s.Text = youtubetest.Translated(s.Text, lang)
		out[i] = s
	}
	return out
}

var (
	enManual = segs("Welcome to the show about volcanoes and magma chambers today.", "Lava flows downhill.", "Thanks &amp; goodbye")
	enASR    = segs("welcome to the show about volcanoes", "lava flows downhill", "thanks and goodbye")
	deManual = segs("Willkommen zur Sendung.", "Lava fließt bergab.", "Tschüss")
)

func wantSegments(t *testing.T, got, want []recap.Segment) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("segments:\n got %+v\nwant %+v", got, want)
	}
}

func fetchErr(t *testing.T, c *youtube.Client, id string) error {
	t.Helper()
	src, err := c.Fetch(context.Background(), id, "en")
	if err == nil {
		t.Fatalf("Fetch(%s) = %+v, want an error", id, src.Video)
	}
	return err
}

func TestFetchMetadataAndManualTrack(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(youtubetest.Video{
		ID:          "dQw4w9WgXcQ",
		Title:       "Volcanoes, explained",
		Channel:     "Earth Science",
		Description: "0:00 Intro\n1:00 Magma\n2:00 Lava",
		PublishDate: "2023-06-08",
		Duration:    161 * time.Minute,
		Tracks: []youtubetest.Track{
			{Lang: "de", Translatable: true, Segments: deManual},
			{Lang: "en", ASR: true, Translatable: true, Segments: enASR},
			{Lang: "en-US", Translatable: true, Segments: enManual},
		},
	})

	src, err := c.Fetch(context.Background(), "dQw4w9WgXcQ", "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantVideo := recap.Video{
		ID:           "dQw4w9WgXcQ",
		URL:          "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		Title:        "Volcanoes, explained",
		Channel:      "Earth Science",
		PublishedAt:  "2023-06-08",
		Duration:     161 * time.Minute,
		ThumbnailURL: youtubetest.MaxThumbnail("dQw4w9WgXcQ"),
		Description:  "0:00 Intro\n1:00 Magma\n2:00 Lava",
	}
	if src.Video != wantVideo {
		t.Errorf("video:\n got %+v\nwant %+v", src.Video, wantVideo)
	}
	// The creator's en-US track beats the automatic en one for "en"; the
	// long first cue comes over two lines and must be joined back, and
	// entities decoded.
	if src.Transcript.Language != "en-US" || src.Transcript.Source != recap.TranscriptYouTube {
		t.Errorf("transcript = %s/%s, want en-US/%s", src.Transcript.Language, src.Transcript.Source, recap.TranscriptYouTube)
	}
	want := append([]recap.Segment(nil), enManual...)
	want[2].Text = "Thanks & goodbye"
	wantSegments(t, src.Transcript.Segments, want)
	if n := fake.Requests(youtubetest.PathGetTranscript); n != 0 {
		t.Errorf("get_transcript requests = %d, want 0 when a track works", n)
	}
	// The IOS player answer has no microformat: the date is the watch page's.
	if n := fake.Requests(youtubetest.PathWatch); n != 1 {
		t.Errorf("watch page requests = %d, want 1 (for the publish date)", n)
	}
}

// The publish date is best effort: a failing watch page leaves it empty
// and the fetch succeeds.
func TestFetchPublishDateBestEffort(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(youtubetest.Video{ID: "dQw4w9WgXcQ", Title: "t", PublishDate: "2023-06-08", Duration: time.Minute,
		Tracks: []youtubetest.Track{{Lang: "en", Segments: enManual}}})
	fake.FailNext(youtubetest.PathWatch, http.StatusServiceUnavailable, 10)
	src, err := c.Fetch(context.Background(), "dQw4w9WgXcQ", "en")
	if err != nil {
		t.Fatalf("Fetch with the watch page down: %v", err)
	}
	if src.Video.PublishedAt != "" || len(src.Transcript.Segments) == 0 {
		t.Fatalf("video = %+v", src.Video)
	}
}

func TestFetchTrackChoice(t *testing.T) {
	tests := []struct {
		name       string
		tracks     []youtubetest.Track
		lang       string
		wantLang   string
		wantSource string
		want       []recap.Segment
	}{
		{
			name: "automatic track in lang before a translation",
			tracks: []youtubetest.Track{
				{Lang: "de", Translatable: true, Segments: deManual},
				{Lang: "en", ASR: true, Translatable: true, Segments: enASR},
			},
			lang: "en", wantLang: "en", wantSource: recap.TranscriptYouTube, want: enASR,
		},
		{
			name: "creator's track translated with tlang",
			tracks: []youtubetest.Track{
				{Lang: "de", ASR: true, Translatable: true, Segments: segs("hallo")},
				{Lang: "de", Translatable: true, Segments: deManual},
			},
			lang: "en", wantLang: "en", wantSource: recap.TranscriptYouTube, want: translated(deManual, "en"),
		},
		{
			name: "automatic track translated when it is the only translatable one",
			tracks: []youtubetest.Track{
				{Lang: "fr", Segments: segs("bonjour")},
				{Lang: "de", ASR: true, Translatable: true, Segments: deManual},
			},
			lang: "en", wantLang: "en", wantSource: recap.TranscriptYouTube, want: translated(deManual, "en"),
		},
		{
			name:   "untranslatable track as it is",
			tracks: []youtubetest.Track{{Lang: "fr", Segments: segs("Bonjour à tous.")}},
			lang:   "en", wantLang: "fr", wantSource: recap.TranscriptYouTube, want: segs("Bonjour à tous."),
		},
		{
			name: "region asked, base track given",
			tracks: []youtubetest.Track{
				{Lang: "pt", Segments: segs("Olá a todos.")},
				{Lang: "en", Translatable: true, Segments: enASR},
			},
			lang: "pt-BR", wantLang: "pt", wantSource: recap.TranscriptYouTube, want: segs("Olá a todos."),
		},
		{
			name: "empty track skipped for the next in lang",
			tracks: []youtubetest.Track{
				{Lang: "en", Empty: true, Segments: enManual},
				{Lang: "en", ASR: true, Segments: enASR},
			},
			lang: "en", wantLang: "en", wantSource: recap.TranscriptYouTube, want: enASR,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := setup(t)
			fake.AddVideo(youtubetest.Video{ID: "abcdefghijk", Title: "t", Duration: time.Minute, Tracks: tt.tracks})
			src, err := c.Fetch(context.Background(), "abcdefghijk", tt.lang)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if src.Transcript.Language != tt.wantLang || src.Transcript.Source != tt.wantSource {
				t.Errorf("transcript = %s/%s, want %s/%s", src.Transcript.Language, src.Transcript.Source, tt.wantLang, tt.wantSource)
			}
			wantSegments(t, src.Transcript.Segments, tt.want)
		})
	}
}

func TestFetchPOTokenFallsBackToTranscriptPanel(t *testing.T) {
	fake, c := setup(t)
	panel := segs("from the transcript panel", "second line")
	fake.AddVideo(youtubetest.Video{
		ID: "abcdefghijk", Title: "t", Duration: time.Minute,
		Tracks:     []youtubetest.Track{{Lang: "en", Empty: true, Segments: enManual}},
		Transcript: panel,
	})
	src, err := c.Fetch(context.Background(), "abcdefghijk", "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantSegments(t, src.Transcript.Segments, panel)
	if src.Transcript.Language != "en" {
		t.Errorf("language = %q, want en", src.Transcript.Language)
	}
	// Every YouTube URL went through the endpoint: the fake saw them all.
	for _, p := range []string{youtubetest.PathHome, youtubetest.PathPlayer, youtubetest.PathTimedText, youtubetest.PathGetTranscript} {
		if fake.Requests(p) == 0 {
			t.Errorf("fake saw no request to %s", p)
		}
	}
}

func TestFetchNoCaptions(t *testing.T) {
	tests := []struct {
		name  string
		video youtubetest.Video
		msg   string
	}{
		{"no tracks, transcript disabled", youtubetest.Video{}, "has no captions in any language"},
		{"no tracks, empty transcript", youtubetest.Video{Transcript: []recap.Segment{}}, "has no captions in any language"},
		{"only empty tracks", youtubetest.Video{Tracks: []youtubetest.Track{{Lang: "en", Empty: true}, {Lang: "en", ASR: true, Empty: true}}}, "returned no text"},
		{"only sound cues", youtubetest.Video{
			Tracks:     []youtubetest.Track{{Lang: "en", ASR: true, Segments: segs("[Music]", "[Applause]", "♪♪")}},
			Transcript: segs("[Music]"),
		}, "returned no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := setup(t)
			v := tt.video
			v.ID, v.Title, v.Duration = "abcdefghijk", "t", time.Minute
			v.Description = "0:00 Intro\n1:00 A long description that must never become the transcript"
			fake.AddVideo(v)
			err := fetchErr(t, c, "abcdefghijk")
			if recap.ErrorCode(err) != recap.ENOCAPTIONS || !recap.Permanent(err) {
				t.Fatalf("err = %v (code %s), want permanent %s", err, recap.ErrorCode(err), recap.ENOCAPTIONS)
			}
			if !strings.Contains(err.Error(), "abcdefghijk") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q should name the video and say %q", err, tt.msg)
			}
		})
	}
}

func TestFetchKeepsSoundCuesAmongWords(t *testing.T) {
	fake, c := setup(t)
	track := segs("[Music]", "hello   there\n friends", "[Applause]")
	fake.AddVideo(youtubetest.Video{ID: "abcdefghijk", Title: "t", Duration: time.Minute,
		Tracks: []youtubetest.Track{{Lang: "en", Segments: track}}})
	src, err := c.Fetch(context.Background(), "abcdefghijk", "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	want := append([]recap.Segment(nil), track...)
	want[1].Text = "hello there friends"
	wantSegments(t, src.Transcript.Segments, want)
}

func TestFetchRefusals(t *testing.T) {
	tests := []struct {
		name      string
		video     youtubetest.Video
		code      string
		permanent bool
		msg       []string
		clients   []string // innertube clients the player saw
		watch     bool     // kkdai read the watch page
	}{
		{
			name: "private", video: youtubetest.Video{Private: true},
			code: recap.EPRIVATE, permanent: true, msg: []string{"video abcdefghijk is private"},
		},
		{
			name:  "age-restricted",
			video: youtubetest.Video{Status: youtubetest.StatusLoginRequired, Reason: youtubetest.ReasonAgeRestricted},
			code:  recap.EAGERESTRICTED, permanent: true, msg: []string{"abcdefghijk", "age-restricted", youtubetest.ReasonAgeRestricted},
			clients: []string{"IOS", "WEB_EMBEDDED_PLAYER"},
		},
		{
			name:  "bot check",
			video: youtubetest.Video{Status: youtubetest.StatusLoginRequired, Reason: youtubetest.ReasonBotCheck},
			code:  recap.EBLOCKED, permanent: false, msg: []string{"abcdefghijk", "not a bot"},
		},
		{
			name:  "unavailable",
			video: youtubetest.Video{Status: youtubetest.StatusError, Reason: youtubetest.ReasonUnavailable},
			code:  recap.EUNAVAILABLE, permanent: true, msg: []string{"abcdefghijk", "This video is unavailable"}, watch: true,
		},
		{
			name: "unplayable with sub-reasons",
			video: youtubetest.Video{Status: youtubetest.StatusUnplayable, Reason: "Video unavailable",
				SubReasons: []string{"The uploader has not made this video available in your country."}},
			code: recap.EUNAVAILABLE, permanent: true, msg: []string{"Video unavailable", "not made this video available in your country"}, watch: true,
		},
		{
			name:  "custom",
			video: youtubetest.Video{Status: youtubetest.StatusCustom, Reason: "Custom Reason"},
			code:  recap.EUNAVAILABLE, permanent: true, msg: []string{"Custom Reason"}, watch: true,
		},
		{
			name:  "other sign-in wall",
			video: youtubetest.Video{Status: youtubetest.StatusLoginRequired, Reason: "Join this channel to get access to members-only content."},
			code:  recap.EUNAVAILABLE, permanent: true, msg: []string{"members-only"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := setup(t)
			v := tt.video
			v.ID, v.Title, v.Duration = "abcdefghijk", "t", time.Minute
			v.Tracks = []youtubetest.Track{{Lang: "en", Segments: enManual}}
			fake.AddVideo(v)
			err := fetchErr(t, c, "abcdefghijk")
			if got := recap.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %s, want %s (err: %v)", got, tt.code, err)
			}
			if recap.Permanent(err) != tt.permanent {
				t.Errorf("Permanent = %v, want %v", !tt.permanent, tt.permanent)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q lacks %q", err, m)
				}
			}
			if tt.clients != nil && !reflect.DeepEqual(fake.PlayerClients(), tt.clients) {
				t.Errorf("player clients = %v, want %v", fake.PlayerClients(), tt.clients)
			}
			if got := fake.Requests(youtubetest.PathWatch) > 0; got != tt.watch {
				t.Errorf("watch page read = %v, want %v", got, tt.watch)
			}
			if n := fake.Requests(youtubetest.PathTimedText); n != 0 {
				t.Errorf("timedtext requests = %d for a refused video", n)
			}
		})
	}
}

func TestFetchUnknownVideo(t *testing.T) {
	_, c := setup(t)
	err := fetchErr(t, c, "zzzzzzzzzzz")
	if recap.ErrorCode(err) != recap.EUNAVAILABLE {
		t.Fatalf("err = %v, want %s", err, recap.EUNAVAILABLE)
	}
}

func TestFetchAgeGateBypassedByEmbeddedClient(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(youtubetest.Video{
		ID: "abcdefghijk", Title: "Allowed when embedded", Channel: "c", Duration: time.Minute,
		Status: youtubetest.StatusLoginRequired, Reason: youtubetest.ReasonAgeRestricted, EmbedOK: true,
		Tracks: []youtubetest.Track{{Lang: "en", Segments: enASR}},
	})
	src, err := c.Fetch(context.Background(), "abcdefghijk", "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if src.Video.Title != "Allowed when embedded" {
		t.Errorf("title = %q", src.Video.Title)
	}
	wantSegments(t, src.Transcript.Segments, enASR)
}

func TestFetchWithStreamFormats(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(youtubetest.Video{ID: "abcdefghijk", Title: "With streams", Duration: time.Minute, Formats: true,
		Tracks: []youtubetest.Track{{Lang: "en", Segments: enASR}}})
	src, err := c.Fetch(context.Background(), "abcdefghijk", "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if src.Video.Title != "With streams" || src.Video.PublishedAt != "" {
		t.Errorf("video = %+v, want the title and no publish date (no microformat)", src.Video)
	}
}

func TestFetchHTTPFailures(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		status    int
		transcrip bool // the video's only track is empty, so get_transcript is asked
		code      string
	}{
		{"player 429", youtubetest.PathPlayer, http.StatusTooManyRequests, false, recap.EBLOCKED},
		{"player 503", youtubetest.PathPlayer, http.StatusServiceUnavailable, false, recap.EINTERNAL},
		{"home page 503", youtubetest.PathHome, http.StatusServiceUnavailable, false, recap.EINTERNAL},
		{"timedtext 429", youtubetest.PathTimedText, http.StatusTooManyRequests, false, recap.EBLOCKED},
		{"timedtext 503", youtubetest.PathTimedText, http.StatusServiceUnavailable, false, recap.EINTERNAL},
		{"get_transcript 503", youtubetest.PathGetTranscript, http.StatusServiceUnavailable, true, recap.EINTERNAL},
		{"get_transcript 429", youtubetest.PathGetTranscript, http.StatusTooManyRequests, true, recap.EBLOCKED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := setup(t)
			v := youtubetest.Video{ID: "abcdefghijk", Title: "t", Duration: time.Minute,
				Tracks: []youtubetest.Track{{Lang: "en", Segments: enManual}}}
			if tt.transcrip {
				v.Tracks[0].Empty = true
				v.Transcript = enASR
			}
			fake.AddVideo(v)
			fake.FailNext(tt.path, tt.status, 1)

			_, err := c.Fetch(context.Background(), "abcdefghijk", "en")
			if err == nil {
				t.Fatal("Fetch succeeded through an injected failure")
			}
			if got := recap.ErrorCode(err); got != tt.code {
				t.Errorf("code = %s, want %s (err: %v)", got, tt.code, err)
			}
			if recap.Permanent(err) {
				t.Errorf("%v is permanent; a retry may succeed", err)
			}
			if !strings.Contains(err.Error(), "abcdefghijk") {
				t.Errorf("message %q does not name the video", err)
			}
			// The caller's retry succeeds once the fault is gone.
			if _, err := c.Fetch(context.Background(), "abcdefghijk", "en"); err != nil {
				t.Errorf("retry: %v", err)
			}
		})
	}
}

func TestFetchBadVideoID(t *testing.T) {
	fake, c := setup(t)
	for _, id := range []string{"", "short", "abcdefghijkl", "abc/efghijk", "https://www.youtube.com/watch?v=abcdefghijk"} {
		_, err := c.Fetch(context.Background(), id, "en")
		if recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("Fetch(%q) err = %v, want %s", id, err, recap.EINVALID)
		}
	}
	if n := fake.Requests(youtubetest.PathPlayer) + fake.Requests(youtubetest.PathHome); n != 0 {
		t.Errorf("%d requests for invalid ids, want 0", n)
	}
}

func TestFetchCancelled(t *testing.T) {
	fake, c := setup(t)
	fake.AddVideo(youtubetest.Video{ID: "abcdefghijk", Title: "t", Duration: time.Minute,
		Tracks: []youtubetest.Track{{Lang: "en", Segments: enManual}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Fetch(ctx, "abcdefghijk", "en")
	if !errors.Is(err, context.Canceled) || recap.Permanent(err) {
		t.Fatalf("err = %v, want a non-permanent context.Canceled", err)
	}
}

func TestFetchConcurrentReusesHomePage(t *testing.T) {
	fake, c := setup(t)
	const n = 8
	for i := range n {
		fake.AddVideo(youtubetest.Video{ID: fmt.Sprintf("video%06d", i), Title: fmt.Sprintf("title %d", i), Duration: time.Minute,
			Tracks: []youtubetest.Track{{Lang: "en", Segments: segs(fmt.Sprintf("words of video %d", i))}}})
	}
	// One fetch first so the home page is cached before the rest race.
	if _, err := c.Fetch(context.Background(), "video000000", "en"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("video%06d", i)
			src, err := c.Fetch(context.Background(), id, "en")
			switch {
			case err != nil:
				errs[i] = err
			case src.Video.Title != fmt.Sprintf("title %d", i) || src.Transcript.Text() != fmt.Sprintf("words of video %d", i):
				errs[i] = fmt.Errorf("%s got %q / %q", id, src.Video.Title, src.Transcript.Text())
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := fake.Requests(youtubetest.PathHome); got != 1 {
		t.Errorf("home page fetched %d times for %d fetches, want 1 (visitor data is reused)", got, n+1)
	}
}

func TestFetchSyntheticVideo(t *testing.T) {
	fake, c := setup(t)
	v := youtubetest.SyntheticVideo("synth000001", 3*time.Hour, 20, 7)
	fake.AddVideo(v)
	src, err := c.Fetch(context.Background(), v.ID, "en")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if src.Video.Duration != 3*time.Hour || src.Video.PublishedAt != "2024-03-15" {
		t.Errorf("video = %+v", src.Video)
	}
	wantSegments(t, src.Transcript.Segments, v.Tracks[0].Segments)
}

// BenchmarkFetchSynthetic3h fetches a three-hour video (about 2,700 cues)
// from the fake, through kkdai and the rewrite.
func BenchmarkFetchSynthetic3h(b *testing.B) {
	fake := youtubetest.NewServer(b)
	v := youtubetest.SyntheticVideo("synth000001", 3*time.Hour, 20, 7)
	fake.AddVideo(v)
	c, err := youtube.New(youtube.Config{Endpoint: fake.URL()})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		src, err := c.Fetch(context.Background(), v.ID, "en")
		if err != nil || len(src.Transcript.Segments) != len(v.Tracks[0].Segments) {
			b.Fatalf("Fetch: %v", err)
		}
	}
}
