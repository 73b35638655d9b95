package recap

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/recap-dev/recap/textclean"
)

// Size limits on what a source may carry. YouTube allows titles of 100
// characters and descriptions of 5,000; these limits are far above that,
// so only broken or hostile metadata (a bundle edited by hand, a feed)
// reaches them. The title goes into every chapter prompt, which is why it
// must be bounded.
const (
	MaxTitleLen        = 300    // characters of a video title
	MaxChannelLen      = 200    // characters of a channel name
	MaxDescriptionLen  = 20_000 // characters of a description
	MaxChapterTitleLen = 200    // characters of a creator's chapter title
	MaxVideoIDLen      = 128    // bytes of a video id
	// MaxLanguageLen is the longest language tag accepted: RFC 5646
	// (§4.4.1) asks implementations to handle at least 35 characters, and
	// no tag in use is longer.
	MaxLanguageLen = 35
)

// Clean makes a loaded source safe to store, prompt with and show: control
// characters go (textclean), titles and names fold to one line, and
// over-long fields are cut to the limits above. A cut field is kept, not
// refused: the video can still be summarized, and a title or description
// is no reason to fail a job the user cannot fix. Clean returns a note per
// cut field for the log. An id or transcript language over its limit is
// refused with recap.EINVALID: those are keys, and a cut key would name
// something else.
func (s *Source) Clean() (notes []string, err error) {
	v := &s.Video
	v.ID = textclean.Line(v.ID)
	if len(v.ID) > MaxVideoIDLen {
		return nil, Errorf(EINVALID, "video id is %d bytes long: the limit is %d", len(v.ID), MaxVideoIDLen)
	}
	// The transcript's tag is kept as the source wrote it (caption tracks
	// have tags of their own, such as "en-US" or "zh-Hans"), only bounded.
	s.Transcript.Language = textclean.Line(s.Transcript.Language)
	if n := len(s.Transcript.Language); n > MaxLanguageLen {
		return nil, Errorf(EINVALID, "transcript language tag is %d characters long: the limit is %d", n, MaxLanguageLen)
	}
	limit := func(field string, text *string, n int) {
		if t, cut := textclean.Truncate(*text, n); cut {
			notes = append(notes, fmt.Sprintf("%s cut from %d to %d characters", field, utf8.RuneCountInString(*text), n))
			*text = t
		}
	}
	v.Title = textclean.Line(v.Title)
	limit("title", &v.Title, MaxTitleLen)
	v.Channel = textclean.Line(v.Channel)
	limit("channel", &v.Channel, MaxChannelLen)
	v.Description = textclean.Text(v.Description)
	limit("description", &v.Description, MaxDescriptionLen)
	v.URL = textclean.Line(v.URL)
	v.ThumbnailURL = textclean.Line(v.ThumbnailURL)
	v.MediaURL = textclean.Line(v.MediaURL)
	v.PublishedAt = textclean.Line(v.PublishedAt)
	v.Source = textclean.Line(v.Source)
	if v.Feed != nil {
		f := FeedRef{Title: textclean.Line(v.Feed.Title), URL: textclean.Line(v.Feed.URL)}
		limit("feed title", &f.Title, MaxChannelLen)
		v.Feed = &f
	}
	for i := range s.Marks {
		s.Marks[i].Title = textclean.Line(s.Marks[i].Title)
		limit(fmt.Sprintf("chapter %d title", i+1), &s.Marks[i].Title, MaxChapterTitleLen)
	}
	s.Transcript.Source = textclean.Line(s.Transcript.Source)
	for i := range s.Transcript.Segments {
		// A caption's line breaks are only where the player wraps it.
		s.Transcript.Segments[i].Text = textclean.Line(s.Transcript.Segments[i].Text)
	}
	return notes, nil
}

// ParseLanguage checks a language tag given as setting (named in the
// error: "--summary-lang", "RECAP_LANG", "transcript language") and returns
// it in canonical form ("EN" → "en", "pt-br" → "pt-BR"). "" stays "": the
// setting is unset.
func ParseLanguage(setting, tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", nil
	}
	if len(tag) > MaxLanguageLen {
		return "", Errorf(EINVALID, "%s is %d characters long: a language tag has at most %d (e.g. en, de or pt-BR)", setting, len(tag), MaxLanguageLen)
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", Errorf(EINVALID, "%s %q is not a language tag: expected e.g. en, de or pt-BR", setting, textclean.Line(tag))
	}
	return t.String(), nil
}

// SameLanguage reports whether two tags name the same language, regions
// and scripts aside ("en" and "en-GB" do; "" matches nothing).
func SameLanguage(a, b string) bool {
	ta, err1 := language.Parse(a)
	tb, err2 := language.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	ba, _ := ta.Base()
	bb, _ := tb.Base()
	return ba == bb
}

// Cleaned returns a copy of d with every text cleaned for display
// (textclean): renderers show documents through it, so a document stored
// before its text was cleaned at the source still shows safely.
func (d *Document) Cleaned() *Document {
	c := *d
	line := textclean.Line
	c.ID = line(c.ID)
	c.Video.ID = line(c.Video.ID)
	c.Video.Source = line(c.Video.Source)
	if d.Video.Feed != nil {
		c.Video.Feed = &FeedRef{Title: line(d.Video.Feed.Title), URL: line(d.Video.Feed.URL)}
	}
	c.Video.URL = line(c.Video.URL)
	c.Video.Title = line(c.Video.Title)
	c.Video.Channel = line(c.Video.Channel)
	c.Video.PublishedAt = line(c.Video.PublishedAt)
	c.Video.ThumbnailURL = line(c.Video.ThumbnailURL)
	c.Video.MediaURL = line(c.Video.MediaURL)
	c.Language = line(c.Language)
	c.SummaryLanguage = line(c.SummaryLanguage)
	c.TranscriptSource = line(c.TranscriptSource)
	c.ChaptersSource = line(c.ChaptersSource)
	c.Overview = line(c.Overview)
	c.Generator = Generator{Summarizer: line(c.Generator.Summarizer), Model: line(c.Generator.Model), PromptVersion: line(c.Generator.PromptVersion), ASRModel: line(c.Generator.ASRModel)}
	if d.People != nil {
		c.People = make([]Person, len(d.People))
		for i, p := range d.People {
			c.People[i] = Person{Name: line(p.Name), Role: line(p.Role)}
		}
	}
	if d.Chapters != nil {
		c.Chapters = make([]ChapterResult, len(d.Chapters))
		for i, ch := range d.Chapters {
			ch.SourceTitle = line(ch.SourceTitle)
			ch.Title = line(ch.Title)
			ch.Summary = line(ch.Summary)
			ch.URL = line(ch.URL)
			if ch.Bullets != nil {
				bs := make([]string, len(ch.Bullets))
				for j, b := range ch.Bullets {
					bs[j] = line(b)
				}
				ch.Bullets = bs
			}
			c.Chapters[i] = ch
		}
	}
	return &c
}
