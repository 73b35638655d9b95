package recap

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func hostileSource() *Source {
	return &Source{
		Video: Video{
			ID:          "abcdefghijk",
			Title:       "Title\x00 with\nbreak \x1b[2J\u202e",
			Channel:     "Chan\x07nel",
			Description: "0:00 Intro\x00\r\n1:00 Next\x1b[31m\n",
		},
		Transcript: Transcript{Language: "en", Segments: []Segment{{Text: "hello\x00 world\nagain\u009b"}}},
		Marks:      []ChapterMark{{Title: "Mark\x00 one"}},
	}
}

func TestSourceCleanStripsControls(t *testing.T) {
	src := hostileSource()
	notes, err := src.Clean()
	if err != nil || len(notes) != 0 {
		t.Fatalf("Clean: %v, notes %q", err, notes)
	}
	want := Source{
		Video: Video{ID: "abcdefghijk", Title: "Title with break [2J", Channel: "Channel",
			Description: "0:00 Intro\n1:00 Next[31m\n"},
		Transcript: Transcript{Language: "en", Segments: []Segment{{Text: "hello world again"}}},
		Marks:      []ChapterMark{{Title: "Mark one"}},
	}
	if src.Video != want.Video || src.Transcript.Segments[0] != want.Transcript.Segments[0] || src.Marks[0] != want.Marks[0] {
		t.Errorf("cleaned source:\n got %+v\nwant %+v", *src, want)
	}
}

func TestSourceCleanLimits(t *testing.T) {
	src := hostileSource()
	src.Video.Title = strings.Repeat("long title ", 100_000) // about 1 MB
	src.Video.Description = strings.Repeat("d", MaxDescriptionLen+1)
	src.Marks[0].Title = strings.Repeat("m", 1000)
	notes, err := src.Clean()
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(src.Video.Title); n > MaxTitleLen || !strings.HasSuffix(src.Video.Title, "…") {
		t.Errorf("title of %d characters kept (limit %d)", n, MaxTitleLen)
	}
	if n := utf8.RuneCountInString(src.Video.Description); n > MaxDescriptionLen {
		t.Errorf("description of %d characters kept", n)
	}
	if n := utf8.RuneCountInString(src.Marks[0].Title); n > MaxChapterTitleLen {
		t.Errorf("chapter title of %d characters kept", n)
	}
	joined := strings.Join(notes, "; ")
	for _, want := range []string{"title cut from 1099999 to 300 characters", "description cut from 20001 to 20000", "chapter 1 title cut from 1000 to 200"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes %q lack %q", joined, want)
		}
	}

	src = hostileSource()
	src.Transcript.Language = strings.Repeat("x", 36)
	if _, err := src.Clean(); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "the limit is 35") {
		t.Errorf("36-character transcript language: %v, want EINVALID naming the limit", err)
	}
	src = hostileSource()
	src.Video.ID = strings.Repeat("i", 129)
	if _, err := src.Clean(); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "the limit is 128") {
		t.Errorf("129-byte id: %v, want EINVALID naming the limit", err)
	}
}

func TestParseLanguage(t *testing.T) {
	for in, want := range map[string]string{"": "", " en ": "en", "EN": "en", "pt-br": "pt-BR", "zh-hant-tw": "zh-Hant-TW"} {
		if got, err := ParseLanguage("--lang", in); err != nil || got != want {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"english!":              `--lang "english!" is not a language tag`,
		strings.Repeat("a", 36): "--lang is 36 characters long: a language tag has at most 35",
		"x\x1b[2J":              `--lang "x[2J" is not a language tag`,
	} {
		_, err := ParseLanguage("--lang", in)
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLanguage(%q) = %v, want EINVALID containing %q", in, err, want)
		}
	}
}

func TestSameLanguage(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{{"en", "en-GB", true}, {"pt-BR", "pt", true}, {"de", "en", false}, {"", "en", false}} {
		if got := SameLanguage(tc.a, tc.b); got != tc.same {
			t.Errorf("SameLanguage(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestDocumentCleanedIsACopy(t *testing.T) {
	d := &Document{
		Video:    DocumentVideo{Title: "T\x1b[2J", MediaURL: "https://a.example/e.mp3\x1b[2J", Feed: &FeedRef{Title: "F\x07"}},
		Overview: "O\x07",
		People:   []Person{{Name: "N\x00", Role: "host"}},
		Chapters: []ChapterResult{{Title: "C\u202e", Bullets: []string{"b\x1b"}}},
	}
	c := d.Cleaned()
	if c.Video.Title != "T[2J" || c.Video.MediaURL != "https://a.example/e.mp3[2J" || c.Overview != "O" || c.People[0].Name != "N" || c.Chapters[0].Title != "C" || c.Chapters[0].Bullets[0] != "b" {
		t.Errorf("Cleaned() = %+v", c)
	}
	if c.Video.Feed.Title != "F" || d.Video.Feed.Title != "F\x07" {
		t.Errorf("feed title: cleaned %q, original %q", c.Video.Feed.Title, d.Video.Feed.Title)
	}
	if d.Chapters[0].Bullets[0] != "b\x1b" || d.People[0].Name != "N\x00" {
		t.Error("Cleaned changed the original")
	}
}
