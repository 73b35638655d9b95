package subtitles

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestSRV3AutoCaptions(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "asr.srv3"), "srv3")
	// The a="1" rows are line breaks; two "thank you" rows are two things
	// said, since srv3 never repeats a row.
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(160), End: ms(4800), Text: "hello everyone and welcome"},
		{Start: ms(2560), End: ms(7040), Text: "thank you"},
		{Start: ms(4800), End: ms(6800), Text: "thank you"},
		{Start: ms(7040), End: ms(10040), Text: "[Music]"},
	})
}

func TestSRV3Manual(t *testing.T) {
	want := []recap.Segment{
		{Start: ms(1000), End: ms(5000), Text: "That dream about the dinosaur in the leotard,"},
		{Start: ms(5000), End: ms(8000), Text: "those times that you said & did that thing 'you'"},
		{Start: ms(9000), End: ms(9000), Text: "No duration"},
	}
	data := readTestdata(t, "manual.srv3")
	equalSegments(t, mustParse(t, data, "srv3"), want)
	// "xml" tells the variant by its root element.
	equalSegments(t, mustParse(t, data, "xml"), want)
}

func TestSRV1(t *testing.T) {
	want := []recap.Segment{
		{Start: ms(1040), End: ms(3540), Text: "It's the brain"},
		{Start: ms(3540), End: ms(5440), Text: "Tom & Jerry on screen"},
		{Start: ms(6000), End: ms(6000), Text: "a < b"},
	}
	data := readTestdata(t, "sample.srv1")
	equalSegments(t, mustParse(t, data, "srv1"), want)
	equalSegments(t, mustParse(t, data, "xml"), want)
	// A caller that expected srv3 and got srv1 is still served.
	equalSegments(t, mustParse(t, data, "srv3"), want)
}

func TestSRV2(t *testing.T) {
	in := `<?xml version="1.0" encoding="utf-8" ?><timedtext><text t="1500" d="2250" w="1">hello there</text><text t="4000" d="1000">general</text></timedtext>`
	equalSegments(t, mustParse(t, []byte(in), "xml"), []recap.Segment{
		{Start: ms(1500), End: ms(3750), Text: "hello there"},
		{Start: ms(4000), End: ms(5000), Text: "general"},
	})
}

func TestTTML(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "sample.ttml"), "ttml")
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(1000), End: ms(4500), Text: "That dream about the dinosaur in the leotard,"},
		{Start: ms(4500), End: ms(8250), Text: "those times that you said & did"},
		{Start: ms(8000), End: ms(9000), Text: "ticks"},
		{Start: ms(61500), End: ms(62000), Text: "a minute later"},
	})
}

func TestTTMLTimes(t *testing.T) {
	r := ttmlRates{frame: 25, tick: 1000}
	good := map[string]time.Duration{
		"00:00:01.250": 1250 * time.Millisecond,
		"00:00:01:05":  time.Second + 200*time.Millisecond, // 5 frames at 25 fps
		"1.5s":         1500 * time.Millisecond,
		"250ms":        250 * time.Millisecond,
		"2m":           2 * time.Minute,
		"1h":           time.Hour,
		"50f":          2 * time.Second,
		"1500t":        1500 * time.Millisecond,
	}
	for in, want := range good {
		if got, ok := r.parse(in); !ok || got != want {
			t.Errorf("parse(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "s", "1.5", "-1s", "1e3s", "NaNs", "Infs", "1x", "00:00:01:-2"} {
		if got, ok := r.parse(in); ok {
			t.Errorf("parse(%q) = %v, want failure", in, got)
		}
	}
}

func TestXMLErrors(t *testing.T) {
	tests := []struct {
		name, format, in string
		line             int
		words            []string
	}{
		{"unclosed", "srv3", "<timedtext format=\"3\"><body>\n<p t=\"1\" d=\"2\">hi</s>\n</body></timedtext>", 2, []string{"invalid XML"}},
		{"truncated", "srv1", "<transcript>\n<text start=\"1\">hi", 2, nil},
		{"wrong root", "srv3", "<html><body>hi</body></html>", 1, []string{"<html>", "<timedtext>"}},
		{"json as srv3", "srv3", `{"events":[]}`, 0, []string{"not XML", "events"}},
		{"bad start", "srv1", "<transcript>\n<text start=\"soon\" dur=\"1\">hi</text></transcript>", 2, []string{`start="soon"`, "seconds"}},
		{"missing t", "srv3", "<timedtext format=\"3\"><body>\n\n<p d=\"5\">hi</p></body></timedtext>", 3, []string{"missing the t attribute"}},
		{"negative d", "srv3", "<timedtext><body><p t=\"5\" d=\"-5\">hi</p></body></timedtext>", 1, []string{`d="-5"`}},
		{"ttml wrong root", "ttml", "<transcript/>", 1, []string{"<tt>"}},
		{"ttml no begin", "ttml", "<tt><body><div>\n<p end=\"1s\">hi</p></div></body></tt>", 2, []string{"begin"}},
		{"ttml bad end", "ttml", "<tt><body><div><p begin=\"1s\" end=\"later\">hi</p></div></body></tt>", 1, []string{`end="later"`}},
		{"ttml end before begin", "ttml", "<tt><body><div><p begin=\"5s\" end=\"1s\">hi</p></div></body></tt>", 1, []string{"before it begins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), tt.format)
			wantSyntaxError(t, err, tt.format, tt.line, tt.words...)
		})
	}
}

func TestFormatFromExt(t *testing.T) {
	tests := map[string]string{
		"Intro to Psychology_ Crash Course Psychology #1 [vo4pMVb0R6M].en.vtt": "vtt",
		".en.vtt":          "vtt",
		"talk.en-US.SRT":   "srt",
		"x.en-orig.json3":  "json3",
		"x.de.srv3":        "srv3",
		"x.de.srv1":        "srv1",
		"timedtext.xml":    "xml",
		"x.fr.ttml":        "ttml",
		"vtt":              "vtt",
		".json3":           "json3",
		"x.live_chat.json": "",
		"x.info.json":      "",
		"x.en.srv2":        "",
		"README":           "",
		"":                 "",
	}
	for in, want := range tests {
		if got := FormatFromExt(in); got != want {
			t.Errorf("FormatFromExt(%q) = %q, want %q", in, got, want)
		}
	}
}
