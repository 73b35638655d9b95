package subtitles

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

var manualVTTWant = []recap.Segment{
	{Start: ms(1000), End: ms(4500), Text: "That dream about the dinosaur in the leotard,", Speaker: "Hank Green"},
	{Start: ms(4500), End: ms(8250), Text: "those times that you said & did that thing 'you' shouldn't have said"},
	{Start: ms(8250), End: ms(8250), Text: "Excluding other human minds > yours < mine"},
	{Start: ms(10000), End: ms(12000), Text: "<i> is how you write italics"},
	{Start: time.Hour, End: time.Hour + 2*time.Second, Text: "The end, an hour in."},
}

func TestVTTManual(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "manual.vtt"), "vtt")
	equalSegments(t, segs, manualVTTWant)
}

func TestVTTBOMAndCRLF(t *testing.T) {
	data := readTestdata(t, "manual.vtt")
	crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
	equalSegments(t, mustParse(t, crlf, "vtt"), manualVTTWant)
	cr := bytes.ReplaceAll(data, []byte("\n"), []byte("\r"))
	equalSegments(t, mustParse(t, cr, "vtt"), manualVTTWant)
}

// auto.en.vtt is shaped like the auto-generated captions yt-dlp downloads:
// rolling rows, karaoke timestamps, 10 ms transition cues, " " blank rows.
func TestVTTAutoCaptionsDedupe(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "auto.en.vtt"), "vtt")
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(160), End: ms(2550), Text: "hello everyone and welcome"},
		{Start: ms(2560), End: ms(4790), Text: "back to the channel"},
		{Start: ms(4800), End: ms(7030), Text: "today we're talking about"},
		{Start: ms(7040), End: ms(9990), Text: "[Music]"},
		{Start: ms(10000), End: ms(12000), Text: "the brain"},
		// Said again after a pause, in a new caption window: kept.
		{Start: ms(14500), End: ms(16000), Text: "the brain"},
		{Start: ms(16010), End: ms(18000), Text: "is weird"},
	})
}

// The generated track follows the real one's structure over hundreds of
// cues, with repeated words and pauses; the transcript must hold every word
// exactly once, in order.
func TestVTTRollingEveryWordOnce(t *testing.T) {
	for _, words := range [][]spokenWord{speech(1), speech(5), speech(6), speech(7), speech(37), speech(38), speech(500), speech(2000), chant()} {
		n := len(words)
		segs := mustParse(t, rollingVTT(words), "vtt")
		checkSane(t, segs)
		if got, want := recap.JoinSegments(segs), wordsText(words); got != want {
			t.Fatalf("%d words: transcript differs from the words spoken\n got: %.400s\nwant: %.400s", n, got, want)
		}
		if segs[0].Start != words[0].at {
			t.Errorf("%d words: first segment at %v, want %v", n, segs[0].Start, words[0].at)
		}
	}
}

func TestVTTRollingNeedsMostCuesToRoll(t *testing.T) {
	// Two cues of the four that follow another start with the previous
	// cue's last line: a hand-made track with repeated lines, not a rolling
	// one, so nothing is dropped.
	in := "WEBVTT\n\n00:01.000 --> 00:02.000\nNo.\n\n00:02.000 --> 00:03.000\nNo.\n\n" +
		"00:03.000 --> 00:04.000\nReally?\n\n00:04.000 --> 00:05.000\nYes.\nReally.\n\n00:05.000 --> 00:06.000\nReally.\nOkay then.\n"
	segs := mustParse(t, []byte(in), "vtt")
	got := recap.JoinSegments(segs)
	if want := "No. No. Really? Yes. Really. Really. Okay then."; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
}

func TestVTTVariants(t *testing.T) {
	tests := []struct {
		name, in string
		want     []recap.Segment
	}{
		{"header only", "WEBVTT\n", nil},
		{"header then cue without blank line", "WEBVTT\n00:01.000 --> 00:02.000\nhi\n",
			[]recap.Segment{{Start: ms(1000), End: ms(2000), Text: "hi"}}},
		{"tab after signature and no spaces around arrow", "WEBVTT\tx\n\n00:01.000-->00:02.000\nhi\n",
			[]recap.Segment{{Start: ms(1000), End: ms(2000), Text: "hi"}}},
		{"stray text block ignored", "WEBVTT\n\nstray words\nmore\n\n00:01.000 --> 00:02.000\nhi\n",
			[]recap.Segment{{Start: ms(1000), End: ms(2000), Text: "hi"}}},
		{"identifier with arrow-like words", "WEBVTT\n\ncue-1 intro\n00:01.000 --> 00:02.000\nhi <00:00:01.500>there\n",
			[]recap.Segment{{Start: ms(1000), End: ms(2000), Text: "hi there"}}},
		{"tags only cue dropped", "WEBVTT\n\n00:01.000 --> 00:02.000\n<c></c>\n\n00:02.000 --> 00:03.000\n<b>x</b>\n",
			[]recap.Segment{{Start: ms(2000), End: ms(3000), Text: "x"}}},
		{"ruby and lang", "WEBVTT\n\n00:01.000 --> 00:02.000\n<lang en-GB>colour</lang> &lt;3\n",
			[]recap.Segment{{Start: ms(1000), End: ms(2000), Text: "colour <3"}}},
		{"100 hours", "WEBVTT\n\n100:00:00.000 --> 100:00:01.5\nlate\n",
			[]recap.Segment{{Start: 100 * time.Hour, End: 100*time.Hour + 1500*time.Millisecond, Text: "late"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equalSegments(t, mustParse(t, []byte(tt.in), "vtt"), tt.want)
		})
	}
}

func TestVTTErrors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		line  int
		words []string
	}{
		{"no header", "00:01.000 --> 00:02.000\nhi\n", 1, []string{"WEBVTT"}},
		{"srt given as vtt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n", 1, []string{"WEBVTT"}},
		{"WEBVTTX", "WEBVTTX\n", 1, []string{"WEBVTT"}},
		{"bad start", "WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\nx1 --> 00:02.000\nhi\n", 6, []string{"x1 --> 00:02.000", "expected"}},
		{"missing end", "WEBVTT\r\n\r\nid\r\n00:01.000 -->\r\nhi\r\n", 4, []string{"bad cue timing"}},
		{"seconds over 59", "WEBVTT\n\n00:00:61.000 --> 00:01:02.000\nhi\n", 3, []string{"00:00:61.000"}},
		{"end before start", "WEBVTT\n\n00:05.000 --> 00:02.000\nhi\n", 3, []string{"before it starts"}},
		{"arrow in text", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\nthen --> there\n", 5, []string{"then --> there"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "vtt")
			wantSyntaxError(t, err, "vtt", tt.line, tt.words...)
			if !strings.HasPrefix(err.Error(), "vtt: line ") {
				t.Errorf("error %q does not start with the format and line", err)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	good := map[string]time.Duration{
		"00:01.000":    time.Second,
		"01:02:03.004": time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond,
		"01:02:03,004": time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond,
		"1:02:03.5":    time.Hour + 2*time.Minute + 3500*time.Millisecond,
		"00:00:00":     0,
	}
	for in, want := range good {
		if got, ok := parseClock(in); !ok || got != want {
			t.Errorf("parseClock(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1", "00:60.000", "00:00.", "a:00:00.000", "00:00:00.0000000000", "1:2:3:4", "-1:00.000", "1234567:00:00.000"} {
		if got, ok := parseClock(in); ok {
			t.Errorf("parseClock(%q) = %v, want failure", in, got)
		}
	}
}
