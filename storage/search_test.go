package storage

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in, str, fts5, tsq string
	}{
		{"cats", "cats", `"cats"`, `'cats'`},
		{"  big   cats ", "big cats", `"big" AND "cats"`, `'big' & 'cats'`},
		{`"big cats" roar`, `"big cats" roar`, `"big cats" AND "roar"`, `('big' <-> 'cats') & 'roar'`},
		{"cats OR dogs", "cats OR dogs", `("cats" OR "dogs")`, `('cats' | 'dogs')`},
		{`pets cats OR "big dogs" OR birds`, `pets cats OR "big dogs" OR birds`,
			`"pets" AND ("cats" OR "big dogs" OR "birds")`, `'pets' & ('cats' | ('big' <-> 'dogs') | 'birds')`},
		{"cats -dogs", "cats -dogs", `"cats" NOT "dogs"`, `'cats' & !'dogs'`},
		{`cats -dogs -"big birds"`, `cats -dogs -"big birds"`, `"cats" NOT ("dogs" OR "big birds")`,
			`'cats' & !'dogs' & !('big' <-> 'birds')`},
		// Lowercase or is a word; so is OR after a minus.
		{"this or that", "this or that", `"this" AND "or" AND "that"`, `'this' & 'or' & 'that'`},
		{"cats -OR", `cats -"OR"`, `"cats" NOT "OR"`, `'cats' & !'OR'`},
		// Punctuation splits words into phrases, as the engines split text.
		{"covid-19", `"covid 19"`, `"covid 19"`, `('covid' <-> '19')`},
		{"don't", `"don t"`, `"don t"`, `('don' <-> 't')`},
		// Engine syntax is just text.
		{`NEAR(a b) text:x col* ^start`, `"NEAR a" b "text x" col start`,
			`"NEAR a" AND "b" AND "text x" AND "col" AND "start"`, `('NEAR' <-> 'a') & 'b' & ('text' <-> 'x') & 'col' & 'start'`},
		{`a & b | !c <-> 'd'`, "a b c d", `"a" AND "b" AND "c" AND "d"`, `'a' & 'b' & 'c' & 'd'`},
		// A lone minus or symbol is nothing; diacritics fold for PostgreSQL.
		{"café - —", "café", `"café"`, `'cafe'`},
		{"Ærø Ångström", "Ærø Ångström", `"Ærø" AND "Ångström"`, `'Ærø' & 'Angstrom'`},
	} {
		q, err := ParseQuery(tc.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.str {
			t.Errorf("ParseQuery(%q).String() = %s; want %s", tc.in, got, tc.str)
		}
		if got := q.FTS5(); got != tc.fts5 {
			t.Errorf("ParseQuery(%q).FTS5() = %s; want %s", tc.in, got, tc.fts5)
		}
		if got := q.TSQuery(); got != tc.tsq {
			t.Errorf("ParseQuery(%q).TSQuery() = %s; want %s", tc.in, got, tc.tsq)
		}
	}
}

func TestParseQueryInvalid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty search query"},
		{"   ", "empty search query"},
		{`"" - & —`, "empty search query"},
		{"-cats", "only excludes"},
		{`-cats -"big dogs"`, "only excludes"},
		{`"big cats`, "unbalanced quote"},
		{`cats "big`, `close the phrase "big`},
		{"OR cats", "OR needs a word"},
		{"cats OR", "OR needs a word"},
		{"cats OR OR dogs", "OR needs a word"},
		{"cats OR -dogs", "OR cannot join an excluded term (-dogs)"},
		{"-cats OR dogs", "OR cannot join an excluded term (-cats)"},
		{strings.Repeat("word ", 101), "bytes long"},
		{strings.Repeat("a ", 33), "33 terms"},
		{"caf\xe9", "not valid UTF-8"},
	} {
		q, err := ParseQuery(tc.in)
		if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseQuery(%q) = %v, %v; want an invalid error containing %q", tc.in, q, err, tc.want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`a "b c" -d OR e`, `"`, `-`, `OR`, `a OR -b`, "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if recap.ErrorCode(err) != recap.EINVALID {
				t.Fatalf("ParseQuery(%q): %v is not invalid", s, err)
			}
			return
		}
		// What a query renders parses back to the same query.
		again, err := ParseQuery(q.String())
		if err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("ParseQuery(%q) = %s, which parses to %v, %v", s, q, again, err)
		}
		// Outside quotes there are only operators; inside, only tokens.
		for _, r := range []struct {
			out, quote, ops string
		}{{q.FTS5(), `"`, "()ANDORT "}, {q.TSQuery(), "'", "()&|!<-> "}} {
			parts := strings.Split(r.out, r.quote)
			for i, p := range parts {
				ok := func(c rune) bool { return strings.ContainsRune(r.ops, c) }
				if i%2 == 1 {
					ok = func(c rune) bool { return c == ' ' || isTokenRune(c) }
				}
				if strings.IndexFunc(p, func(c rune) bool { return !ok(c) }) >= 0 {
					t.Fatalf("ParseQuery(%q) renders %s: %q is not all tokens or operators", s, r.out, p)
				}
			}
		}
	})
}

func TestFoldSearchText(t *testing.T) {
	for in, want := range map[string]string{
		"Café crème brûlée": "Cafe creme brulee",
		"covid-19, don't!":  "covid 19  don t ",
		"Ærø ÅNGSTRÖM ñ ß":  "Ærø ANGSTROM n ß",
		"Ελληνικά й 中文":     "Ελληνικά й 中文",
		"a\x02b\x03c":       "a b c",
	} {
		got := FoldSearchText(in)
		if got != want {
			t.Errorf("FoldSearchText(%q) = %q; want %q", in, got, want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(in) {
			t.Errorf("FoldSearchText(%q) changes the rune count", in)
		}
	}
}

func TestParseMarked(t *testing.T) {
	for _, tc := range []struct {
		in    string
		text  string
		spans []Span
		parts []SnippetPart
	}{
		{"no match", "no match", nil, []SnippetPart{{"no match", false}}},
		{"a \x02cat\x03 sat", "a cat sat", []Span{{2, 5}}, []SnippetPart{{"a ", false}, {"cat", true}, {" sat", false}}},
		// Adjacent words of a phrase are one match, punctuation between.
		{"\x02covid\x03-\x0219\x03 is \x02é\x03", "covid-19 is é", []Span{{0, 8}, {12, 14}},
			[]SnippetPart{{"covid-19", true}, {" is ", false}, {"é", true}}},
		{"stray \x03close", "stray close", nil, []SnippetPart{{"stray close", false}}},
	} {
		got := ParseMarked(tc.in)
		if got.Text != tc.text || !reflect.DeepEqual(got.Highlights, tc.spans) {
			t.Errorf("ParseMarked(%q) = %q %v; want %q %v", tc.in, got.Text, got.Highlights, tc.text, tc.spans)
		}
		if parts := got.Parts(); !reflect.DeepEqual(parts, tc.parts) {
			t.Errorf("ParseMarked(%q).Parts() = %v; want %v", tc.in, parts, tc.parts)
		}
	}
}

// cues makes n cues of d each from start, the i-th saying text(i).
func cues(start time.Duration, n int, d time.Duration, text func(i int) string) []recap.Segment {
	segs := make([]recap.Segment, n)
	for i := range segs {
		s := start + time.Duration(i)*d
		segs[i] = recap.Segment{Start: s, End: s + d, Text: text(i)}
	}
	return segs
}

type window struct {
	start, end time.Duration
	chapter    int
	text       string
}

func windows(es []SearchEntry) []window {
	var ws []window
	for _, e := range es {
		ws = append(ws, window{e.Start, e.End, e.Chapter, e.Text})
	}
	return ws
}

func TestPassages(t *testing.T) {
	s := time.Second
	word := func(i int) string { return "w" + string(rune('a'+i%26)) }
	chapters := []recap.ChapterResult{
		{StartSeconds: 0, EndSeconds: 50, Title: "One"},
		{StartSeconds: 50, EndSeconds: 200, Title: "Two"},
	}
	for _, tc := range []struct {
		name     string
		segs     []recap.Segment
		chapters []recap.ChapterResult
		want     []window
	}{
		{"empty", nil, nil, nil},
		{"one short cue", cues(0, 1, 4*s, word), nil, []window{{0, 4 * s, -1, "wa"}}},
		{"30 s windows", cues(0, 16, 4*s, word), nil, []window{
			{0, 32 * s, -1, "wa wb wc wd we wf wg wh"},
			{32 * s, 64 * s, -1, "wi wj wk wl wm wn wo wp"},
		}},
		{"a sentence end after 20 s closes a window", cues(0, 12, 4*s, func(i int) string {
			if i == 5 {
				return "end."
			}
			return word(i)
		}), nil, []window{
			{0, 24 * s, -1, "wa wb wc wd we end."},
			{24 * s, 48 * s, -1, "wg wh wi wj wk wl"},
		}},
		{"a sentence end before 20 s does not", cues(0, 9, 4*s, func(i int) string {
			if i == 1 {
				return "end."
			}
			return word(i)
		}), nil, []window{{0, 36 * s, -1, "wa end. wc wd we wf wg wh wi"}}},
		{"a short tail joins the window before", cues(0, 10, 4*s, word), nil, []window{
			{0, 40 * s, -1, "wa wb wc wd we wf wg wh wi wj"},
		}},
		{"no window over 45 s: a gap closes it", append(cues(0, 3, 5*s, word), cues(60*s, 3, 5*s, word)...), nil, []window{
			{0, 15 * s, -1, "wa wb wc"},
			{60 * s, 75 * s, -1, "wa wb wc"},
		}},
		{"one long cue stands alone", []recap.Segment{
			{Start: 0, End: 4 * s, Text: "short"},
			{Start: 4 * s, End: 64 * s, Text: "very long cue"},
		}, nil, []window{{0, 4 * s, -1, "short"}, {4 * s, 64 * s, -1, "very long cue"}}},
		{"cues without words are left out", cues(0, 3, 4*s, func(i int) string {
			return []string{"[Music]", "hello", "♪ ♪"}[i]
		}), nil, []window{{4 * s, 8 * s, -1, "hello"}}},
		{"chapters cut windows, and a cue belongs to the chapter it starts in", cues(0, 20, 4*s, word), chapters, []window{
			{0, 32 * s, 0, "wa wb wc wd we wf wg wh"},
			{32 * s, 50 * s, 1 - 1, "wi wj wk wl wm"}, // 48–52 s starts in One; ends at One's end
			{52 * s, 80 * s, 1, "wn wo wp wq wr ws wt"},
		}},
		{"text is cleaned", []recap.Segment{{Start: 0, End: 4 * s, Text: " e\u0301\x02a\tb\n "}}, nil,
			[]window{{0, 4 * s, -1, "é a b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := windows(Passages(tc.segs, tc.chapters))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Passages:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestPassagesStayInChapters checks the rules on a long transcript of
// irregular cues and many chapters.
func TestPassagesStayInChapters(t *testing.T) {
	var segs []recap.Segment
	at := time.Duration(0)
	for i := range 2000 {
		d := time.Duration(2000+(i*7919)%4000) * time.Millisecond // 2–6 s
		text := "word"
		if i%5 == 0 {
			text = "end."
		}
		segs = append(segs, recap.Segment{Start: at, End: at + d, Text: text})
		at += d
	}
	var chapters []recap.ChapterResult
	for s := int64(0); s < int64(at/time.Second); s += 37 + s%200 {
		chapters = append(chapters, recap.ChapterResult{StartSeconds: s, Title: "c"})
	}
	for i := range chapters {
		chapters[i].EndSeconds = int64(at / time.Second)
		if i+1 < len(chapters) {
			chapters[i].EndSeconds = chapters[i+1].StartSeconds
		}
	}
	ps := Passages(segs, chapters)
	words := 0
	for i, p := range ps {
		words += len(strings.Fields(p.Text))
		c := chapters[p.Chapter]
		if p.Start < seconds(c.StartSeconds) || p.End > seconds(c.EndSeconds) {
			t.Fatalf("passage %d [%v, %v] crosses its chapter [%ds, %ds]", i, p.Start, p.End, c.StartSeconds, c.EndSeconds)
		}
		if p.End-p.Start > passageMax {
			t.Errorf("passage %d lasts %v", i, p.End-p.Start)
		}
		if i > 0 && p.Start < ps[i-1].End {
			t.Errorf("passage %d starts before the one before ends", i)
		}
	}
	if words != len(segs) {
		t.Errorf("passages hold %d words; the transcript %d", words, len(segs))
	}
	if avg := at / time.Duration(len(ps)); avg < passageMin || avg > passageMax {
		t.Errorf("passages last %v on average", avg)
	}
}

func TestSearchEntries(t *testing.T) {
	s := time.Second
	say := func(i int) string { return "cue" }
	en := &recap.Transcript{Language: "en", Segments: cues(0, 20, 4*s, say)}
	de := &recap.Transcript{Language: "de", Segments: cues(0, 3, 4*s, say)}
	doc := &recap.Document{Language: "en", Chapters: []recap.ChapterResult{
		{StartSeconds: 0, EndSeconds: 40, Title: "Intro", Summary: "Para one.", Bullets: []string{"b1", " ", "b2"}},
		{StartSeconds: 40, EndSeconds: 80, Title: "Rest", Summary: ""},
	}}
	got := SearchEntries("vid", []*recap.Transcript{en, de}, []*recap.Document{doc})
	type row struct {
		lang, kind string
		ch         int
		title      string
		start, end time.Duration
		text       string
	}
	var rows []row
	for _, e := range got {
		if e.VideoID != "vid" {
			t.Errorf("entry %+v has video %q", e, e.VideoID)
		}
		rows = append(rows, row{e.Language, e.Kind, e.Chapter, e.ChapterTitle, e.Start, e.End, e.Text})
	}
	cue10 := strings.TrimSpace(strings.Repeat("cue ", 10))
	want := []row{
		// 32 s windows, each with the 8 s tail before the chapter's end.
		{"en", KindPassage, 0, "Intro", 0, 40 * s, cue10},
		{"en", KindPassage, 1, "Rest", 40 * s, 80 * s, cue10},
		{"de", KindPassage, -1, "", 0, 12 * s, "cue cue cue"}, // no German document: no chapters
		{"en", KindChapter, 0, "Intro", 0, 40 * s, "Intro"},
		{"en", KindParagraph, 0, "Intro", 0, 40 * s, "Para one."},
		{"en", KindBullet, 0, "Intro", 0, 40 * s, "b1"},
		{"en", KindBullet, 0, "Intro", 0, 40 * s, "b2"},
		{"en", KindChapter, 1, "Rest", 40 * s, 80 * s, "Rest"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("SearchEntries:\n got %v\nwant %v", rows, want)
	}
}

func TestSearchCursor(t *testing.T) {
	plan := func(f SearchFilter) *SearchPlan {
		t.Helper()
		p, err := CheckSearch(f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := SearchFilter{Q: "cats", Limit: 2}
	p := plan(f)
	results := []SearchResult{
		{Rank: SearchRank{0, -3.5, 7}}, {Rank: SearchRank{0, -1.25e-7, 3}}, {Rank: SearchRank{1, -9, 1}},
	}
	page := p.NewSearchPage(results)
	if len(page.Results) != 2 || page.NextCursor == "" {
		t.Fatalf("page = %+v; want 2 results and a cursor", page)
	}
	f.Cursor = page.NextCursor
	if got := plan(f).After; *got != results[1].Rank {
		t.Errorf("cursor decodes to %+v; want %+v", *got, results[1].Rank)
	}
	if last := p.NewSearchPage(results[:2]); last.NextCursor != "" || len(last.Results) != 2 {
		t.Errorf("a full last page = %+v; want no cursor", last)
	}
	if empty := p.NewSearchPage(nil); empty.Results == nil {
		t.Error("an empty page has nil results; want an empty slice")
	}
	for _, other := range []SearchFilter{
		{Q: "dogs", Cursor: f.Cursor}, {Q: "cats", VideoID: "v", Cursor: f.Cursor},
		{Q: "cats", Channel: "c", Cursor: f.Cursor}, {Q: "cats", Language: "de", Cursor: f.Cursor},
	} {
		if _, err := CheckSearch(other); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "another search") {
			t.Errorf("cursor of another search %+v: %v; want invalid", other, err)
		}
	}
	// The same query written another way is the same search.
	if _, err := CheckSearch(SearchFilter{Q: " cats ", Cursor: f.Cursor}); err != nil {
		t.Errorf("same search, other spacing: %v", err)
	}
	for _, c := range []string{"!!", encodeOpaque("x,0,0,1"), encodeOpaque(p.fingerprint + ",0,zz,1"),
		encodeOpaque(p.fingerprint + ",-1,0,1"), encodeOpaque(p.fingerprint + ",0,7ff8000000000001,1")} {
		if _, err := CheckSearch(SearchFilter{Q: "cats", Cursor: c}); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("CheckSearch with cursor %q: %v; want invalid", c, err)
		}
	}
	for _, l := range []int{-1, 101} {
		if _, err := CheckSearch(SearchFilter{Q: "cats", Limit: l}); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("limit %d: %v; want invalid", l, err)
		}
	}
}

func TestPickPage(t *testing.T) {
	// Video a has five matches, b two, c one; lower scores are better.
	cands := []Candidate{
		{1, "a", -5}, {2, "a", -4}, {3, "a", -3}, {4, "a", -2}, {5, "a", -1},
		{6, "b", -0.5}, {7, "b", -6}, {8, "c", -3}, {9, "a", -3},
	}
	p, err := CheckSearch(SearchFilter{Q: "x", Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	got := p.PickPage(cands)
	want := []SearchRank{{0, -6, 7}, {0, -5, 1}, {0, -4, 2}, {0, -3, 3}, {0, -3, 8}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("first page ranks = %v; want %v", got, want)
	}
	// After the fourth, whether or not it is still a candidate.
	p.After = &got[3]
	want = []SearchRank{{0, -3, 8}, {0, -0.5, 6}, {1, -3, 9}, {1, -2, 4}, {1, -1, 5}}
	if got := p.PickPage(cands); !reflect.DeepEqual(got, want) {
		t.Errorf("second page ranks = %v; want %v", got, want)
	}
	p.After = &SearchRank{0, -3.5, 100}
	if got := p.PickPage(cands); len(got) != 5 || got[0] != (SearchRank{0, -3, 3}) {
		t.Errorf("after a rank that is gone: %v", got)
	}
	results := InRankOrder(want[:3], []SearchResult{{Text: "nine", Rank: SearchRank{ID: 9}}, {Text: "eight", Rank: SearchRank{ID: 8}}})
	if len(results) != 2 || results[0].Text != "eight" || results[1].Rank != want[2] {
		t.Errorf("InRankOrder = %+v", results)
	}
}

// marked renders a snippet with its highlights in brackets.
func marked(sn Snippet) string {
	var b strings.Builder
	for _, p := range sn.Parts() {
		if p.Match {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestQuerySnippet(t *testing.T) {
	words := func(from, to int, at map[int]string) string {
		var ws []string
		for i := from; i < to; i++ {
			if w, ok := at[i]; ok {
				ws = append(ws, w)
			} else {
				ws = append(ws, fmt.Sprintf("w%d", i))
			}
		}
		return strings.Join(ws, " ")
	}
	for _, tc := range []struct{ q, text, want string }{
		{"cafe", "Un Café crème, s'il vous plaît.", "Un [Café] crème, s'il vous plaît."},
		{"CAFÉ noel", "un cafe à Noël!", "un [cafe] à [Noël]!"},
		{`"quick fox"`, "the quick brown fox, quick fox", "the quick brown fox, [quick fox]"},
		{"fox -brown", "the quick brown fox", "the quick brown [fox]"},
		{"dog OR fox", "a fox and a dog", "a [fox] and a [dog]"},
		{"covid-19", "it was covid-19 then", "it was [covid-19] then"},
		{"<b>", "the <b>Aardvark</b> & friends", "the <[b]>Aardvark</[b]> & friends"},
		{"zebra", "no such word", "no such word"},
		// A long text is cut around the match, a few words before it.
		{"target", words(0, 60, map[int]string{40: "target"}), "…" + words(36, 60, map[int]string{40: "[target]"})},
		{"target", words(0, 60, map[int]string{2: "target"}), words(0, 24, map[int]string{2: "[target]"}) + "…"},
		{"target", words(0, 100, map[int]string{50: "target"}), "…" + words(46, 70, map[int]string{50: "[target]"}) + "…"},
		// The window that shows both words wins over the first match.
		{"alpha beta", words(0, 100, map[int]string{5: "alpha", 60: "alpha", 64: "beta"}),
			"…" + words(56, 80, map[int]string{60: "[alpha]", 64: "[beta]"}) + "…"},
	} {
		q, err := ParseQuery(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := marked(q.Snippet(tc.text)); got != tc.want {
			t.Errorf("Query(%q).Snippet(%q)\n got %q\nwant %q", tc.q, tc.text, got, tc.want)
		}
	}
}
