package storage

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/recap-dev/recap"
)

// Search entry kinds: a window of the transcript, or a part of a summary.
const (
	KindPassage   = "passage"
	KindChapter   = "chapter"   // a chapter title
	KindParagraph = "paragraph" // a chapter's summary paragraph
	KindBullet    = "bullet"    // one of a chapter's bullets
)

// Passage windows: consecutive cues are joined until a window lasts about
// passageTarget, or at least passageMin and a sentence ends; a window never
// lasts over passageMax unless a single cue does, and never crosses a
// chapter boundary.
const (
	passageMin    = 20 * time.Second
	passageTarget = 30 * time.Second
	passageMax    = 45 * time.Second
)

// SearchEntry is one searchable piece of a video, as the stores index it.
type SearchEntry struct {
	VideoID  string
	Language string
	Kind     string
	// Chapter is the index of the chapter the entry lies in, -1 for none
	// (a transcript stored before its summary).
	Chapter      int
	ChapterTitle string
	Start, End   time.Duration
	Text         string
}

// SearchEntries builds everything a video's search index holds: the
// passages of each transcript, cut at the chapters of the newest document
// in the transcript's language (docs holds at most one per language), and
// the chapter titles, paragraphs and bullets of each document. It is the
// one owner of what gets indexed; drivers store its result as it is.
func SearchEntries(videoID string, transcripts []*recap.Transcript, docs []*recap.Document) []SearchEntry {
	byLang := map[string]*recap.Document{}
	for _, d := range docs {
		byLang[d.Language] = d
	}
	var out []SearchEntry
	for _, t := range transcripts {
		var chapters []recap.ChapterResult
		if d := byLang[t.Language]; d != nil {
			chapters = d.Chapters
		}
		for _, p := range Passages(t.Segments, chapters) {
			p.VideoID, p.Language = videoID, t.Language
			out = append(out, p)
		}
	}
	for _, d := range docs {
		for i, c := range d.Chapters {
			add := func(kind, text string) {
				if text = cleanSearchText(text); text != "" {
					out = append(out, SearchEntry{
						VideoID: videoID, Language: d.Language, Kind: kind, Chapter: i, ChapterTitle: c.Title,
						Start: seconds(c.StartSeconds), End: seconds(c.EndSeconds), Text: text,
					})
				}
			}
			add(KindChapter, c.Title)
			add(KindParagraph, c.Summary)
			for _, b := range c.Bullets {
				add(KindBullet, b)
			}
		}
	}
	return out
}

// Passages joins the cues of segs into windows of about 20–45 s that never
// cross a chapter boundary (chapters as a document gives them; none is one
// chapter-less span). A cue belongs to the chapter its start lies in, and a
// passage ends no later than its chapter. Cues without words ("[Music]")
// are left out. Entries come back without video and language.
func Passages(segs []recap.Segment, chapters []recap.ChapterResult) []SearchEntry {
	var (
		out   []SearchEntry
		cur   []recap.Segment
		curCh = -1
	)
	chapterOf := func(start time.Duration) int {
		ch := -1
		for i, c := range chapters {
			if seconds(c.StartSeconds) <= start {
				ch = i
			}
		}
		return ch
	}
	flush := func() {
		if len(cur) == 0 {
			return
		}
		p := SearchEntry{
			Kind: KindPassage, Chapter: curCh,
			Start: cur[0].Start, End: cur[len(cur)-1].End,
			Text: cleanSearchText(recap.JoinSegments(cur)),
		}
		if curCh >= 0 {
			c := chapters[curCh]
			p.ChapterTitle = c.Title
			if end := seconds(c.EndSeconds); end > p.Start && p.End > end {
				p.End = end
			}
		}
		cur = cur[:0]
		// A short tail joins the passage before it when both still fit.
		if n := len(out); n > 0 && p.End-p.Start < passageMin {
			prev := &out[n-1]
			if prev.Chapter == p.Chapter && p.End-prev.Start <= passageMax {
				prev.End, prev.Text = p.End, prev.Text+" "+p.Text
				return
			}
		}
		out = append(out, p)
	}
	for _, s := range segs {
		if !recap.HasWords(s.Text) {
			continue
		}
		if ch := chapterOf(s.Start); ch != curCh {
			flush()
			curCh = ch
		}
		if len(cur) > 0 && s.End-cur[0].Start > passageMax {
			flush()
		}
		cur = append(cur, s)
		d := s.End - cur[0].Start
		if d >= passageTarget || (d >= passageMin && endsSentence(s.Text)) {
			flush()
		}
	}
	flush()
	return out
}

func seconds(s int64) time.Duration { return time.Duration(s) * time.Second }

func endsSentence(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), `"')]»”’`)
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "…")
}

// cleanSearchText is text as it is indexed: NFC, control characters (which
// the stores use as highlight markers) made spaces, spaces collapsed.
func cleanSearchText(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// FoldSearchText maps s rune for rune to what PostgreSQL indexes: letters
// without their diacritics (é → e, as SQLite's remove_diacritics does) and
// every rune that is not part of a token a space, so that both engines
// split words alike ("covid-19" is "covid 19"). The result has as many
// runes as s, so positions in it are positions in s.
func FoldSearchText(s string) string {
	return strings.Map(foldRune, s)
}

// foldTable holds foldRune for the runes below foldTableSize, which cover
// every Latin letter with a diacritic; runes above fold to themselves.
const foldTableSize = 0x2000

var foldTable = func() []rune {
	t := make([]rune, foldTableSize)
	for r := range rune(foldTableSize) {
		t[r] = foldSlow(r)
	}
	return t
}()

func foldRune(r rune) rune {
	if r >= 0 && r < foldTableSize {
		return foldTable[r]
	}
	if !isTokenRune(r) {
		return ' '
	}
	return r
}

func foldSlow(r rune) rune {
	if !isTokenRune(r) {
		return ' '
	}
	base := []rune(norm.NFD.String(string(r)))
	if len(base) < 2 || base[0] >= 0x250 || !isTokenRune(base[0]) { // only Latin letters, as remove_diacritics
		return r
	}
	for _, m := range base[1:] {
		if !unicode.Is(unicode.Mn, m) {
			return r
		}
	}
	return base[0]
}
