package subtitles

import (
	"testing"
)

// The fuzz targets check what must hold for any input: Parse returns either
// an error or sane segments (ordered, End ≥ Start, clean non-empty text),
// and never panics.

func FuzzVTT(f *testing.F) {
	for _, name := range []string{"manual.vtt", "auto.en.vtt"} {
		b, err := readFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(rollingVTT(speech(40)))
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:02.000\n \n<c>x</c>\n\n00:02.000 --> 00:02.010\nx\n \n"))
	f.Add([]byte("WEBVTT\r\n\r\nNOTE\r\n\r\n1\r\n00:00:00.000 --> 00:00:00.000 align:start\r\n&amp;&#x27;&nbsp;<v A>b</v>\r\n"))
	f.Add([]byte("\xEF\xBB\xBFWEBVTT\n00:00.000-->00:00.001\n-->\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := Parse(data, "vtt")
		if err == nil {
			checkSane(t, segs)
		}
	})
}

func FuzzSRT(f *testing.F) {
	b, err := readFile("sample.srt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("1\r\n00:00:01,000 --> 00:00:02,000\r\n<i>a</i>\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\nb\r\n"))
	f.Add([]byte("00:00:01,000 --> 00:00:02,000 X1:1\n{\\an8}x\n\n\n7\n00:00:01,5 --> 00:00:02,000\n \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := Parse(data, "srt")
		if err == nil {
			checkSane(t, segs)
		}
	})
}

func FuzzJSON3(f *testing.F) {
	for _, name := range []string{"asr.json3", "manual.json3"} {
		b, err := readFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := Parse(data, "json3")
		if err == nil {
			checkSane(t, segs)
		}
	})
}

func FuzzPodcastTranscripts(f *testing.F) {
	for _, name := range []string{"podcast.json", "podcast.html", "podcast.srt"} {
		b, err := readFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<cite>A</cite><time>9</time><p>x<cite>B:</cite><time>1:00:00</time>y</p><time>PT1S</time>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{FormatPodcastJSON, FormatHTML} {
			if segs, err := Parse(data, format); err == nil {
				checkSane(t, segs)
			}
		}
		if segs, err := ParseWith(data, FormatSRT, Options{SpeakerLabels: true}); err == nil {
			checkSane(t, segs)
		}
	})
}
