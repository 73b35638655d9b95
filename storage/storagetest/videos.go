package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func testVideos(t *testing.T, e *env) {
	_, err := e.s.GetVideo(e.ctx, "no-such-video")
	wantCode(t, err, recap.ENOTFOUND, "GetVideo of an unknown id")
	wantCode(t, e.s.PutVideo(e.ctx, recap.Video{Title: "no id"}), recap.EINVALID, "PutVideo without id")

	v := recap.Video{
		ID:           "Z3Pc4GTyxXw",
		URL:          recap.WatchURL("Z3Pc4GTyxXw"),
		Title:        "Manolis Kellis – «Evolution» 🧬",
		Channel:      "Lex Fridman",
		PublishedAt:  "2023-06-08",
		Duration:     2*time.Hour + 41*time.Minute + 500*time.Millisecond,
		ThumbnailURL: "https://i.ytimg.com/vi/Z3Pc4GTyxXw/maxresdefault.jpg",
		Description:  "0:00 Introduction\n1:02:03 Evolution\n\n\"quotes\" & 中文",
	}
	other := recap.Video{ID: "other", Title: "Other", Duration: time.Second}
	must(t, e.s.PutVideo(e.ctx, v), "PutVideo")
	must(t, e.s.PutVideo(e.ctx, other), "PutVideo")
	got, err := e.s.GetVideo(e.ctx, v.ID)
	must(t, err, "GetVideo")
	deepEqual(t, got, &v, "GetVideo")

	// An update replaces every field, emptied ones too.
	v2 := recap.Video{ID: v.ID, URL: v.URL, Title: "Renamed", Channel: "Lex Fridman", Duration: 9660 * time.Second}
	must(t, e.s.PutVideo(e.ctx, v2), "PutVideo update")
	got, err = e.s.GetVideo(e.ctx, v.ID)
	must(t, err, "GetVideo")
	deepEqual(t, got, &v2, "GetVideo after update")
	got, err = e.s.GetVideo(e.ctx, other.ID)
	must(t, err, "GetVideo")
	deepEqual(t, got, &other, "GetVideo of the video not updated")
}

// longTranscript is an hour of uneven, overlapping caption cues at
// millisecond times.
func longTranscript(n int) recap.Transcript {
	tr := recap.Transcript{Language: "en", Source: recap.TranscriptASR}
	for i := range n {
		startMS := i*2345 + i%7
		tr.Segments = append(tr.Segments, recap.Segment{
			Start: time.Duration(startMS) * time.Millisecond,
			End:   time.Duration(startMS+2345+i%500) * time.Millisecond,
			Text:  fmt.Sprintf("cue %d: «so» it's \"fine\"\n— 中文 %d", i, n-i),
		})
	}
	if n > 3 {
		tr.Segments[3].Text = "" // empty cues happen
	}
	return tr
}

func testTranscripts(t *testing.T, e *env) {
	_, err := e.s.GetTranscript(e.ctx, "vid", "en")
	wantCode(t, err, recap.ENOTFOUND, "GetTranscript of an unknown video")
	wantCode(t, e.s.PutTranscript(e.ctx, "", longTranscript(2)), recap.EINVALID, "PutTranscript without video")
	wantCode(t, e.s.PutTranscript(e.ctx, "vid", recap.Transcript{Source: recap.TranscriptASR}), recap.EINVALID, "PutTranscript without language")

	en := longTranscript(1500)
	de := recap.Transcript{Language: "de", Source: recap.TranscriptYouTube, Segments: []recap.Segment{
		{Start: 0, End: 1500 * time.Millisecond, Text: "Hallo"},
		{Start: 1500 * time.Millisecond, End: 3001 * time.Millisecond, Text: "Grüße"},
	}}
	must(t, e.s.PutTranscript(e.ctx, "vid", en), "PutTranscript en")
	must(t, e.s.PutTranscript(e.ctx, "vid", de), "PutTranscript de")
	must(t, e.s.PutTranscript(e.ctx, "vid2", longTranscript(3)), "PutTranscript vid2")

	got, err := e.s.GetTranscript(e.ctx, "vid", "en")
	must(t, err, "GetTranscript en")
	if len(got.Segments) != len(en.Segments) {
		t.Fatalf("GetTranscript: %d segments; want %d", len(got.Segments), len(en.Segments))
	}
	deepEqual(t, got, &en, "GetTranscript en")

	// Replacing with fewer cues leaves none of the old ones behind.
	repl := recap.Transcript{Language: "en", Source: recap.TranscriptYouTube, Segments: []recap.Segment{
		{Start: 250 * time.Millisecond, End: 999 * time.Millisecond, Text: "new first"},
		{Start: 999 * time.Millisecond, End: 4321 * time.Millisecond, Text: "new second"},
	}}
	must(t, e.s.PutTranscript(e.ctx, "vid", repl), "PutTranscript replace")
	got, err = e.s.GetTranscript(e.ctx, "vid", "en")
	must(t, err, "GetTranscript en")
	deepEqual(t, got, &repl, "GetTranscript after replace")

	got, err = e.s.GetTranscript(e.ctx, "vid", "de")
	must(t, err, "GetTranscript de")
	deepEqual(t, got, &de, "GetTranscript of the other language")
	got, err = e.s.GetTranscript(e.ctx, "vid2", "en")
	must(t, err, "GetTranscript vid2")
	if len(got.Segments) != 3 {
		t.Errorf("transcript of vid2 has %d segments; want its own 3", len(got.Segments))
	}
	_, err = e.s.GetTranscript(e.ctx, "vid", "fr")
	wantCode(t, err, recap.ENOTFOUND, "GetTranscript of a language not stored")

	must(t, e.s.PutTranscript(e.ctx, "vid", recap.Transcript{Language: "en", Source: recap.TranscriptASR}), "PutTranscript empty")
	got, err = e.s.GetTranscript(e.ctx, "vid", "en")
	must(t, err, "GetTranscript of an empty transcript")
	if len(got.Segments) != 0 || got.Source != recap.TranscriptASR {
		t.Errorf("empty transcript came back with %d segments, source %q; want 0, asr", len(got.Segments), got.Source)
	}
}
