package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// `recap batch FEED` on a feed of an episode without a <podcast:transcript>
// (its MP3 enclosure served from 127.0.0.1) and one with: without
// speech-to-text the first fails with no_transcript and the setting to
// give, and the batch goes on; --transcribe is then bad input. The dry run
// counts the minutes to transcribe and their price. With the service, the
// same command transcribes the episode (the service detects the
// language); --transcribe --lang de transcribes both, asking for German.
func TestBatchCommandTranscribesPodcast(t *testing.T) {
	const dur = 5 * time.Minute
	f := newBatchFakes(t)
	tmp := f.withASR(t)
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_ALLOW_PRIVATE_URLS"] = "true" // the feed is on 127.0.0.1
	bare, withText := asrtest.SyntheticMP3(dur, 81), asrtest.SyntheticMP3(dur, 82)
	f.asr.AddAudio(t, bare, lines(youtubetest.SyntheticVideo("x", dur, 3, 81).Tracks[0].Segments))
	f.asr.AddAudio(t, withText, lines(youtubetest.SyntheticVideo("y", dur, 3, 82).Tracks[0].Segments))
	pod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprintf(w, `<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Quiet Show</title><link>https://quiet.example</link><language>en</language>
<item><title>No transcript here</title><guid>quiet-1</guid><pubDate>Tue, 02 Apr 2024 10:00:00 GMT</pubDate><itunes:duration>5:00</itunes:duration>
<enclosure url="http://%[1]s/bare.mp3" type="audio/mpeg" length="%[2]d"/></item>
<item><title>With a transcript</title><guid>quiet-2</guid><pubDate>Tue, 26 Mar 2024 10:00:00 GMT</pubDate><itunes:duration>5:00</itunes:duration>
<enclosure url="http://%[1]s/text.mp3" type="audio/mpeg" length="%[3]d"/>
<podcast:transcript url="http://%[1]s/2.srt" type="application/srt"/></item>
</channel></rss>`, r.Host, len(bare), len(withText))
		case "/bare.mp3":
			http.ServeContent(w, r, "bare.mp3", time.Time{}, bytes.NewReader(bare))
		case "/text.mp3":
			http.ServeContent(w, r, "text.mp3", time.Time{}, bytes.NewReader(withText))
		case "/2.srt":
			for i := range 60 {
				fmt.Fprintf(w, "%d\n00:%02d:%02d,000 --> 00:%02d:%02d,000\nThe tide pool number %d holds anemones and small fish.\n\n",
					i+1, i*5/60, i*5%60, (i*5+5)/60, (i*5+5)%60, i%4)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(pod.Close)
	feedURL := pod.URL + "/feed.xml"

	// The dry run: 5 minutes to transcribe, at $0.006 a minute.
	stdout, stderr, code := f.run(t, "batch", "--dry-run", feedURL)
	if code != 0 || !strings.Contains(stdout, "5 min of speech-to-text") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, l := range strings.Split(stdout, "\n") {
		episode := strings.Contains(l, "No transcript here") || strings.Contains(l, "With a transcript")
		if episode && strings.Contains(l, "No transcript here") != strings.Contains(l, " 5 min ") {
			t.Errorf("dry-run row %q; want 5 min of speech-to-text for the episode without a transcript only", l)
		}
	}
	stdout, _, _ = f.run(t, "batch", "--dry-run", "--transcribe", feedURL)
	if !strings.Contains(stdout, "10 min of speech-to-text") {
		t.Errorf("dry run with --transcribe:\n%s", stdout)
	}

	g := f.without("RECAP_ASR_BASE_URL", "RECAP_ASR_API_KEY")
	_, stderr, code = g.run(t, "batch", "--transcribe", feedURL)
	if code != 2 || !strings.Contains(stderr, "speech-to-text is not configured") || !strings.Contains(stderr, "RECAP_ASR_BASE_URL") {
		t.Errorf("--transcribe without speech-to-text: exit %d %q; want 2 naming the setting", code, stderr)
	}
	_, stderr, code = g.run(t, "batch", "--dry-run", "--transcribe", feedURL)
	if code != 2 {
		t.Errorf("--dry-run --transcribe without speech-to-text: exit %d %q; want 2", code, stderr)
	}
	stdout, stderr, code = g.run(t, "batch", feedURL)
	if code != 1 || !strings.Contains(stdout, "no_transcript") || !strings.Contains(stdout, "RECAP_ASR_BASE_URL") || !strings.Contains(stdout, "1 done") {
		t.Fatalf("without speech-to-text: exit %d; want 1 with the other episode done and the reason\n%s\n%s", code, stdout, stderr)
	}
	if f.asr.Uploads() != 0 {
		t.Fatalf("%d uploads without speech-to-text", f.asr.Uploads())
	}

	// With the service, the same command tries the failed episode again.
	stdout, stderr, code = f.run(t, "batch", feedURL)
	if code != 0 || f.asr.Uploads() != 1 {
		t.Fatalf("with speech-to-text: exit %d, %d uploads\n%s\n%s", code, f.asr.Uploads(), stdout, stderr)
	}
	if got := f.asr.Requests()[0].Language; got != "" {
		t.Errorf("language asked %q; want none (detected) without --lang or RECAP_LANG", got)
	}

	stdout, stderr, code = f.run(t, "batch", "--transcribe", "--lang", "de", feedURL)
	if code != 0 || f.asr.Uploads() != 3 {
		t.Fatalf("--transcribe --lang de: exit %d, %d uploads in all; want both episodes transcribed again\n%s\n%s", code, f.asr.Uploads(), stdout, stderr)
	}
	for _, r := range f.asr.Requests()[1:] {
		if r.Language != "de" {
			t.Errorf("--lang de asked the service for %q", r.Language)
		}
	}
	noTempFiles(t, tmp)
}
