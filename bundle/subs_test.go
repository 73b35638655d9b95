package bundle

import (
	"path/filepath"
	"testing"

	"github.com/recap-dev/recap"
)

// One caption in each format, saying which file it came from.
func subtitleIn(format, text string) string {
	switch format {
	case "vtt":
		return "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + text + "\n"
	case "srt":
		return "1\n00:00:01,000 --> 00:00:02,000\n" + text + "\n"
	case "json3":
		return `{"events":[{"tStartMs":1000,"dDurationMs":1000,"segs":[{"utf8":"` + text + `"}]}]}`
	case "srv3":
		return `<?xml version="1.0" encoding="utf-8" ?><timedtext format="3"><body><p t="1000" d="1000">` + text + `</p></body></timedtext>`
	case "srv1":
		return `<?xml version="1.0" encoding="utf-8" ?><transcript><text start="1" dur="1">` + text + `</text></transcript>`
	case "ttml":
		return `<?xml version="1.0" encoding="utf-8" ?><tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:01.000" end="00:00:02.000">` + text + `</p></div></body></tt>`
	}
	panic(format)
}

func TestLoadEachFormat(t *testing.T) {
	for _, format := range []string{"vtt", "srt", "json3", "srv3", "srv1", "ttml"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			name := baseName + ".en." + format
			writeBundle(t, dir, baseName, baseInfo(), map[string]string{name: subtitleIn(format, "from "+format)})
			src, err := Loader{}.Load(t.Context(), dir, "en")
			if err != nil {
				t.Fatal(err)
			}
			want := []recap.Segment{{Start: 1e9, End: 2e9, Text: "from " + format}}
			if len(src.Transcript.Segments) != 1 || src.Transcript.Segments[0] != want[0] {
				t.Fatalf("Segments = %+v, want %+v", src.Transcript.Segments, want)
			}
		})
	}
}

func TestSubtitleChoice(t *testing.T) {
	tests := []struct {
		name     string
		files    []string // "<lang>.<ext>" after the basename
		infoLang string   // the info.json "language"; "-" removes it
		lang     string   // asked for
		want     string   // the file chosen
		wantLang string   // Transcript.Language
	}{
		{"asked language", []string{"en.vtt", "de.vtt"}, "en", "de", "de.vtt", "de"},
		{"asked language with region", []string{"en.vtt", "pt-BR.vtt", "pt-PT.srt"}, "en", "pt-PT", "pt-PT.srt", "pt-PT"},
		{"prefix match", []string{"de.vtt", "en-GB.vtt"}, "de", "en", "en-GB.vtt", "en-GB"},
		{"same primary language", []string{"de.vtt", "en-GB.vtt"}, "de", "en-US", "en-GB.vtt", "en-GB"},
		{"asked case-insensitively", []string{"en.vtt", "pt-BR.vtt"}, "en", "PT-br", "pt-BR.vtt", "pt-BR"},
		{"video language when asked one is missing", []string{"en.vtt", "fr.vtt", "de.vtt"}, "fr", "ja", "fr.vtt", "fr"},
		{"video language when none asked", []string{"en.vtt", "fr.vtt"}, "fr", "", "fr.vtt", "fr"},
		{"english when video language missing", []string{"de.vtt", "en.vtt", "fr.vtt"}, "-", "ja", "en.vtt", "en"},
		{"any when no english", []string{"es.vtt"}, "-", "ja", "es.vtt", "es"},
		{"any prefers manual", []string{"fr.vtt", "de.vtt"}, "-", "ja", "de.vtt", "de"},
		{"manual beats auto in a language", []string{"en-orig.vtt", "en-US.vtt"}, "en", "en", "en-US.vtt", "en-US"},
		{"listed in both: manual", []string{"en.vtt"}, "en", "en", "en.vtt", "en"},
		{"auto -orig track", []string{"en-orig.vtt"}, "en", "en", "en-orig.vtt", "en"},
		{"exact beats prefix", []string{"en-GB.vtt", "en.srt"}, "en", "en", "en.srt", "en"},
		{"json3 beats vtt", []string{"en.vtt", "en.json3", "en.srt"}, "en", "en", "en.json3", "en"},
		{"manual beats hand-added", []string{"en-AU.vtt", "en-US.vtt"}, "en", "en", "en-US.vtt", "en-US"},
		{"unknown (hand-added) beats auto", []string{"en-orig.vtt", "en-x-custom.srt"}, "en", "en", "en-x-custom.srt", "en-x-custom"},
		{"live chat ignored", []string{"live_chat.json", "live_chat.vtt", "es.vtt"}, "-", "", "es.vtt", "es"},
		{"other formats ignored", []string{"en.sbv", "en.ass", "de.vtt"}, "en", "en", "de.vtt", "de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// baseInfo lists en and de as manual, en-orig, en, fr and es
			// as automatic.
			m := baseInfo()
			if tt.infoLang == "-" {
				delete(m, "language")
			} else {
				m["language"] = tt.infoLang
			}
			m["subtitles"].(map[string]any)["en-US"] = []any{}
			m["subtitles"].(map[string]any)["pt-BR"] = []any{}
			m["subtitles"].(map[string]any)["pt-PT"] = []any{}
			m["subtitles"].(map[string]any)["en-GB"] = []any{}
			files := map[string]string{}
			for _, f := range tt.files {
				format := filepath.Ext(f)[1:]
				body := "not a caption file"
				if format != "json" && format != "sbv" && format != "ass" {
					body = subtitleIn(format, f)
				}
				files[baseName+"."+f] = body
			}
			dir := t.TempDir()
			writeBundle(t, dir, baseName, m, files)
			src, err := Loader{}.Load(t.Context(), dir, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if got := src.Transcript.Text(); got != tt.want {
				t.Errorf("chose %q, want %q", got, tt.want)
			}
			if src.Transcript.Language != tt.wantLang {
				t.Errorf("Language = %q, want %q", src.Transcript.Language, tt.wantLang)
			}
		})
	}
}
