package subtitles

import (
	"bytes"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

var sampleSRTWant = []recap.Segment{
	{Start: ms(1000), End: ms(4500), Text: "That dream about the dinosaur in the leotard,"},
	{Start: ms(4500), End: ms(8250), Text: "those times that you said & did that thing"},
	{Start: ms(9000), End: ms(10000), Text: "No."},
	{Start: ms(10000), End: ms(11000), Text: "No."},
	{Start: ms(11000), End: ms(12500), Text: "a cue without a number"},
	{Start: time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond, End: time.Hour + 2*time.Minute + 5*time.Second, Text: "The end."},
}

func TestSRT(t *testing.T) {
	equalSegments(t, mustParse(t, readTestdata(t, "sample.srt"), "srt"), sampleSRTWant)
}

func TestSRTBOMAndCRLF(t *testing.T) {
	data := readTestdata(t, "sample.srt")
	crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
	equalSegments(t, mustParse(t, crlf, "srt"), sampleSRTWant)
}

// ffmpeg and some tools convert YouTube's auto-generated VTT to SRT keeping
// the rolling rows; the repeats go the same way.
func TestSRTRolling(t *testing.T) {
	in := "1\n00:00:00,160 --> 00:00:02,550\n \nhello everyone\n\n" +
		"2\n00:00:02,550 --> 00:00:02,560\nhello everyone\n \n\n" +
		"3\n00:00:02,560 --> 00:00:04,790\nhello everyone\nand welcome\n\n" +
		"4\n00:00:04,790 --> 00:00:04,800\nand welcome\n \n\n" +
		"5\n00:00:04,800 --> 00:00:07,000\nand welcome\nback\n"
	segs := mustParse(t, []byte(in), "srt")
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(160), End: ms(2550), Text: "hello everyone"},
		{Start: ms(2560), End: ms(4790), Text: "and welcome"},
		{Start: ms(4800), End: ms(7000), Text: "back"},
	})
}

func TestSRTErrors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		line  int
		words []string
	}{
		{"vtt given as srt", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", 1, []string{"WEBVTT", "timing"}},
		{"number without timing", "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nhello\n", 5, []string{`"2"`}},
		{"bad timing", "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:0x,000 --> 00:00:03,000\nhi\n", 6, []string{"00:00:0x,000", "00:00:01,000 --> 00:00:04,000"}},
		{"end before start", "1\r\n00:00:05,000 --> 00:00:01,000\r\nhi\r\n", 2, []string{"before it starts"}},
		{"text after blank line", "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nlost words\n", 5, []string{"lost words"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "srt")
			wantSyntaxError(t, err, "srt", tt.line, tt.words...)
		})
	}
}
