package subtitles

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestVTTVoiceTags(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "podcast.vtt"), FormatVTT)
	equalSegments(t, segs, []recap.Segment{
		{Start: 0, End: ms(4200), Text: "Welcome back to Tidepool, the show about the shore.", Speaker: "Maya Lin"},
		{Start: ms(4200), End: ms(9000), Text: "Today: why crabs walk sideways.", Speaker: "Maya Lin"},
		{Start: ms(9000), End: ms(13500), Text: "Thanks for having me & my crabs.", Speaker: "Dr. Owen Park"},
		{Start: ms(13500), End: ms(15000), Text: "A cue with no voice at all."},
	})
	checkSane(t, segs)
}

func TestSRTSpeakerLabels(t *testing.T) {
	data := readTestdata(t, "podcast.srt")
	segs, err := ParseWith(data, FormatSRT, Options{SpeakerLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	equalSegments(t, segs, []recap.Segment{
		{Start: 0, End: ms(2760), Text: "Welcome back to Tidepool, the show about the shore.", Speaker: "Maya"},
		// No label: the speaker goes on (the spec starts a new card only
		// when the speaker changes).
		{Start: ms(2760), End: ms(6090), Text: "Today we ask why crabs walk sideways.", Speaker: "Maya"},
		{Start: ms(6500), End: ms(9000), Text: "Thanks for having me. At 10:30 we start the dive.", Speaker: "Dr. Owen Park"},
		{Start: ms(9000), End: ms(11000), Text: "Here is the thing: it works.", Speaker: "Dr. Owen Park"},
		{Start: ms(11000), End: ms(12500), Text: "Yes.", Speaker: "SPEAKER 2"},
	})
	// Without the option, labels are text: captions are left as they are.
	plain := mustParse(t, data, FormatSRT)
	if plain[0].Text != "Maya: Welcome back to Tidepool, the show about the shore." || plain[0].Speaker != "" {
		t.Errorf("plain SRT segment 0 = %+v", plain[0])
	}
}

func TestPodcastJSON(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "podcast.json"), FormatPodcastJSON)
	equalSegments(t, segs, []recap.Segment{
		// Word-level segments are joined up to the end of a sentence.
		{Start: ms(500), End: ms(1600), Text: "Crabs walk sideways.", Speaker: "Maya"},
		{Start: ms(1700), End: ms(2000), Text: "Why?", Speaker: "Maya"},
		// A change of speaker, then a pause of more than 1.5 s, start new cues.
		{Start: ms(2200), End: ms(2900), Text: "Their legs", Speaker: "Owen"},
		{Start: ms(6000), End: ms(7000), Text: "bend that & way.", Speaker: "Owen"},
		{Start: ms(8000), End: ms(12500), Text: "A whole sentence from nobody in particular, spoken slowly."},
	})
	checkSane(t, segs)
}

func TestPodcastJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		words []string
	}{
		{`{"version": "1.0.0"}`, []string{`no "segments" array`}},
		{`{"segments": [{"body": "hi"}]}`, []string{"segment 0 has no startTime"}},
		{`{"segments": [{"startTime": -3, "body": "hi"}]}`, []string{"startTime -3 is not a time"}},
		{`{"segments": [{"startTime": "soon", "body": "hi"}]}`, []string{"invalid JSON", "soon"}},
		{`{"segments": [`, []string{"invalid JSON"}},
	} {
		_, err := Parse([]byte(tc.in), FormatPodcastJSON)
		wantSyntaxError(t, err, FormatPodcastJSON, 0, tc.words...)
	}
}

func TestHTMLTranscript(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "podcast.html"), FormatHTML)
	equalSegments(t, segs, []recap.Segment{
		{Start: 0, End: 9 * time.Second, Text: "Welcome back to Tidepool, the show about the shore.", Speaker: "Maya"},
		{Start: 9 * time.Second, End: 9 * time.Second, Text: "Thanks for having me & my crabs.", Speaker: "Owen"},
		{Start: 9 * time.Second, End: ms(62500), Text: "A second paragraph, still Owen, with no time of its own.", Speaker: "Owen"},
		{Start: ms(62500), End: ms(62500), Text: "Let us talk about shells.", Speaker: "Maya"},
	})
	checkSane(t, segs)

	_, err := Parse([]byte("<p>No times anywhere.</p><p>None.</p>"), FormatHTML)
	wantSyntaxError(t, err, FormatHTML, 0, "no <time> element")
}

func TestFormatFromMIME(t *testing.T) {
	for mime, want := range map[string]string{
		"text/vtt":                 FormatVTT,
		"application/x-subrip":     FormatSRT,
		"application/srt":          FormatSRT,
		"text/srt; charset=utf-8":  FormatSRT,
		"application/json":         FormatPodcastJSON,
		"Application/JSON":         FormatPodcastJSON,
		"text/html":                FormatHTML,
		"text/plain":               "",
		"application/octet-stream": "",
	} {
		if got := FormatFromMIME(mime); got != want {
			t.Errorf("FormatFromMIME(%q) = %q, want %q", mime, got, want)
		}
	}
}
