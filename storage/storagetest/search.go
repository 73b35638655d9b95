package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// searchTests are the search cases every store runs (see Run).
var searchTests = []struct {
	name string
	fn   func(t *testing.T, e *env)
}{
	{"Search/Words", testSearchWords},
	{"Search/Syntax", testSearchSyntax},
	{"Search/Diacritics", testSearchDiacritics},
	{"Search/Chapters", testSearchChapters},
	{"Search/Reindex", testSearchReindex},
	{"Search/Filters", testSearchFilters},
	{"Search/Grouping", testSearchGrouping},
	{"Search/Pagination", testSearchPagination},
	{"Search/Candidates", testSearchCandidates},
	{"Search/Invalid", testSearchInvalid},
}

// filler is what a synthetic transcript says between the lines a test
// puts in; no test searches for its words.
const filler = "lorem ipsum dolor sit amet"

// putTranscript stores a transcript of 4 s cues lasting d, saying filler
// except the lines given by second. It stores the video's metadata too.
func (e *env) putTranscript(t *testing.T, v recap.Video, lang string, d time.Duration, lines map[int]string) {
	t.Helper()
	must(t, e.s.PutVideo(e.ctx, v), "PutVideo")
	tr := recap.Transcript{Language: lang, Source: recap.TranscriptYouTube}
	for at := time.Duration(0); at < d; at += 4 * time.Second {
		text := filler
		for sec, line := range lines {
			if time.Duration(sec)*time.Second >= at && time.Duration(sec)*time.Second < at+4*time.Second {
				text = line
			}
		}
		tr.Segments = append(tr.Segments, recap.Segment{Start: at, End: at + 4*time.Second, Text: text})
	}
	must(t, e.s.PutTranscript(e.ctx, v.ID, tr), "PutTranscript")
}

// finishWithChapters finishes a job of the video with a document in lang
// whose chapters start at the seconds given and end at end.
func (e *env) finishWithChapters(t *testing.T, videoID, lang string, end int64, chapters ...recap.ChapterResult) *recap.Document {
	t.Helper()
	j := e.submit(t, videoID, optsKey+lang, true)
	d := newDocument(j.ID, videoID, e.clock.Now())
	d.Language = lang
	for i := range chapters {
		chapters[i].EndSeconds = end
		if i+1 < len(chapters) {
			chapters[i].EndSeconds = chapters[i+1].StartSeconds
		}
		chapters[i].URL = recap.TimeURL(videoID, time.Duration(chapters[i].StartSeconds)*time.Second)
	}
	d.Chapters = chapters
	e.clock.Advance(time.Second)
	return e.finish(t, j, d)
}

func (e *env) search(t *testing.T, f storage.SearchFilter) storage.SearchPage {
	t.Helper()
	p, err := e.s.Search(e.ctx, f)
	must(t, err, fmt.Sprintf("Search(%+v)", f))
	return p
}

// searchAll follows the cursors to the end and returns every result.
func (e *env) searchAll(t *testing.T, f storage.SearchFilter) []storage.SearchResult {
	t.Helper()
	var all []storage.SearchResult
	for range 100 {
		p := e.search(t, f)
		all = append(all, p.Results...)
		if p.NextCursor == "" {
			return all
		}
		f.Cursor = p.NextCursor
	}
	t.Fatalf("Search(%+v): over 100 pages", f)
	return nil
}

// moments lists results as "video@second kind", in order.
func moments(rs []storage.SearchResult) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s@%d %s", r.VideoID, int(r.Start/time.Second), r.Kind)
	}
	return out
}

// found reports which of the videos a search finds, sorted.
func (e *env) found(t *testing.T, f storage.SearchFilter) []string {
	t.Helper()
	var ids []string
	for _, r := range e.searchAll(t, f) {
		if !slices.Contains(ids, r.VideoID) {
			ids = append(ids, r.VideoID)
		}
	}
	slices.Sort(ids)
	return ids
}

func video(id, channel string) recap.Video {
	return recap.Video{ID: id, URL: recap.WatchURL(id), Title: "Title of " + id, Channel: channel}
}

// testSearchWords finds a word said at a known second: the result is the
// passage holding that second, with the video's metadata, and its snippet
// marks the word.
func testSearchWords(t *testing.T, e *env) {
	e.putTranscript(t, video("vid1", "Chan"), "en", 10*time.Minute, map[int]string{
		125: "the <b>Aardvark</b> & friends eat termites",
	})
	e.putTranscript(t, video("vid2", "Chan"), "en", 10*time.Minute, nil)

	p := e.search(t, storage.SearchFilter{Q: "aardvark"})
	if len(p.Results) != 1 || p.NextCursor != "" {
		t.Fatalf("search aardvark: %v, cursor %q; want one passage", moments(p.Results), p.NextCursor)
	}
	r := p.Results[0]
	if r.Kind != storage.KindPassage || r.VideoID != "vid1" || r.Title != "Title of vid1" || r.Channel != "Chan" ||
		r.Language != "en" || r.ChapterTitle != "" {
		t.Errorf("result = %+v", r)
	}
	if r.Start > 124*time.Second || r.End < 128*time.Second || r.End-r.Start > 45*time.Second || r.End-r.Start < 20*time.Second {
		t.Errorf("passage [%v, %v]; want 20-45 s around 2:04-2:08", r.Start, r.End)
	}
	if !strings.Contains(r.Text, "the <b>Aardvark</b> & friends eat termites") || !strings.Contains(r.Text, filler) {
		t.Errorf("passage text %q; want the cue joined with its neighbours", r.Text)
	}
	sn := r.Snippet
	if len(sn.Highlights) != 1 || sn.Text[sn.Highlights[0].Start:sn.Highlights[0].End] != "Aardvark" {
		t.Errorf("snippet %q highlights %v; want Aardvark", sn.Text, sn.Highlights)
	}
	if !strings.Contains(sn.Text, "<b>Aardvark</b> &") || strings.ContainsAny(sn.Text, storage.MarkOpen+storage.MarkClose) {
		t.Errorf("snippet %q; want the text as it is, without markers", sn.Text)
	}
	// Case does not matter; a word that is not there finds nothing.
	deepEqual(t, moments(e.search(t, storage.SearchFilter{Q: "AARDVARK Termites"}).Results), moments(p.Results), "search in capitals")
	deepEqual(t, moments(e.search(t, storage.SearchFilter{Q: "zebra"}).Results), []string{}, "search zebra")
	// HTML in the text is text: a search for a tag name finds the word.
	deepEqual(t, moments(e.search(t, storage.SearchFilter{Q: "b"}).Results), moments(p.Results), "search b")
}

// testSearchSyntax checks phrases, negation and OR on both engines.
func testSearchSyntax(t *testing.T, e *env) {
	e.putTranscript(t, video("a", ""), "en", 2*time.Minute, map[int]string{10: "the quick brown fox jumps"})
	e.putTranscript(t, video("b", ""), "en", 2*time.Minute, map[int]string{10: "the brown quick fox sleeps"})
	e.putTranscript(t, video("c", ""), "en", 2*time.Minute, map[int]string{10: "a lazy dog, covid-19 and state-of-the-art"})
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"quick fox", []string{"a", "b"}},
		{`"quick brown"`, []string{"a"}},
		{`"brown quick"`, []string{"b"}},
		{`"fox quick"`, nil},
		{`"quick fox"`, []string{"b"}},
		{"fox -sleeps", []string{"a"}},
		{`fox -"brown quick"`, []string{"a"}},
		{"fox -jumps -sleeps", nil},
		{"jumps OR sleeps", []string{"a", "b"}},
		{"jumps OR dog", []string{"a", "c"}},
		{"fox jumps OR dog", []string{"a"}}, // OR binds tighter than AND
		{"quick OR lazy -jumps", []string{"b", "c"}},
		{`"lazy dog" OR "brown quick"`, []string{"b", "c"}},
		{"covid-19", []string{"c"}},
		{`"covid 19"`, []string{"c"}},
		{"state-of-the-art", []string{"c"}},
		{`"dog covid"`, []string{"c"}}, // punctuation does not break a phrase
	} {
		deepEqual(t, e.found(t, storage.SearchFilter{Q: tc.q}), tc.want, "videos found by "+tc.q)
	}
}

// testSearchDiacritics checks that accents are ignored both ways, and
// that a word is found in the form it was said (what both engines do;
// PostgreSQL also stems, which its own tests check).
func testSearchDiacritics(t *testing.T, e *env) {
	e.putTranscript(t, video("fr", ""), "fr", time.Minute, map[int]string{5: "un café crème à Noël"})
	e.putTranscript(t, video("en", ""), "en", time.Minute, map[int]string{5: "cafe culture and running shoes"})
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"café", []string{"en", "fr"}},
		{"cafe", []string{"en", "fr"}},
		{"CAFÉ", []string{"en", "fr"}},
		{"creme noel", []string{"fr"}},
		{`"cafe creme"`, []string{"fr"}},
		{"running", []string{"en"}},
	} {
		deepEqual(t, e.found(t, storage.SearchFilter{Q: tc.q}), tc.want, "videos found by "+tc.q)
	}
	r := e.search(t, storage.SearchFilter{Q: "cafe", Language: "fr"}).Results
	if len(r) != 1 || r[0].Snippet.Text[r[0].Snippet.Highlights[0].Start:r[0].Snippet.Highlights[0].End] != "café" {
		t.Errorf("search cafe in French: %+v; want café highlighted as written", r)
	}
}

// testSearchChapters stores a transcript, then finishes its summary: the
// passages are cut again at the chapters, never crossing one, and carry
// their titles; the summary's titles, paragraphs and bullets are found too.
func testSearchChapters(t *testing.T, e *env) {
	e.putTranscript(t, video("vid", "Chan"), "en", 5*time.Minute, map[int]string{
		58: "marmalade is made here", 62: "marmalade again",
		150: "marmalade in the middle",
	})
	for _, r := range e.search(t, storage.SearchFilter{Q: "marmalade"}).Results {
		if r.ChapterTitle != "" {
			t.Errorf("before the summary, result %+v has a chapter", r)
		}
	}
	e.finishWithChapters(t, "vid", "en", 300,
		recap.ChapterResult{StartSeconds: 0, Title: "Opening", Summary: "About jam.", Bullets: []string{"jam first"}},
		recap.ChapterResult{StartSeconds: 60, Title: "Marmalade", Summary: "Oranges and sugar.", Bullets: []string{"boil the oranges", "add sugar"}},
		recap.ChapterResult{StartSeconds: 140, Title: "Closing", Summary: "Bye."},
	)
	results := e.searchAll(t, storage.SearchFilter{Q: "marmalade", Limit: 100})
	chapterOf := map[string]string{}
	for _, r := range results {
		c := map[string][2]time.Duration{"Opening": {0, 60 * time.Second}, "Marmalade": {60 * time.Second, 140 * time.Second},
			"Closing": {140 * time.Second, 300 * time.Second}}[r.ChapterTitle]
		if r.Start < c[0] || r.End > c[1] || c[1] == 0 {
			t.Errorf("%s [%v, %v] lies outside its chapter %q %v", r.Kind, r.Start, r.End, r.ChapterTitle, c)
		}
		chapterOf[fmt.Sprintf("%s %s", r.Kind, r.Text)] = r.ChapterTitle
	}
	deepEqual(t, len(results), 4, "results for marmalade: three cues in three passages, one chapter title")
	want := map[string]string{
		"chapter Marmalade": "Marmalade",
	}
	for k, v := range want {
		if chapterOf[k] != v {
			t.Errorf("result %q in chapter %q; want %q (all: %v)", k, chapterOf[k], v, chapterOf)
		}
	}
	// The cue at 0:58 ends the first chapter's last passage; 1:02 begins
	// the second chapter.
	var starts []string
	for _, r := range results {
		if r.Kind == storage.KindPassage {
			starts = append(starts, r.ChapterTitle)
		}
	}
	slices.Sort(starts)
	deepEqual(t, starts, []string{"Closing", "Marmalade", "Opening"}, "chapters of the passages")

	for _, tc := range []struct{ q, kind, text string }{
		{"oranges sugar", storage.KindParagraph, "Oranges and sugar."},
		{"boil", storage.KindBullet, "boil the oranges"},
		{"closing", storage.KindChapter, "Closing"},
	} {
		rs := e.search(t, storage.SearchFilter{Q: tc.q}).Results
		if len(rs) != 1 || rs[0].Kind != tc.kind || rs[0].Text != tc.text {
			t.Errorf("search %q: %+v; want one %s %q", tc.q, rs, tc.kind, tc.text)
			continue
		}
		if tc.kind == storage.KindBullet && (rs[0].Start != 60*time.Second || rs[0].ChapterTitle != "Marmalade") {
			t.Errorf("bullet %+v; want it at its chapter's start, 1:00", rs[0])
		}
	}
}

// testSearchReindex checks that a new transcript or summary replaces what
// was indexed before, and that another language's stays.
func testSearchReindex(t *testing.T, e *env) {
	e.putTranscript(t, video("vid", ""), "en", time.Minute, map[int]string{5: "walrus"})
	e.putTranscript(t, video("vid", ""), "de", time.Minute, map[int]string{5: "walross"})
	e.finishWithChapters(t, "vid", "en", 60, recap.ChapterResult{StartSeconds: 0, Title: "Seals", Bullets: []string{"pinniped"}})
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "walrus"}), []string{"vid"}, "found walrus")
	e.putTranscript(t, video("vid", ""), "en", time.Minute, map[int]string{5: "narwhal"})
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "walrus"}), []string(nil), "found walrus after the transcript changed")
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "walross"}), []string{"vid"}, "the German transcript")
	rs := e.search(t, storage.SearchFilter{Q: "narwhal"}).Results
	if len(rs) != 1 || rs[0].ChapterTitle != "Seals" {
		t.Errorf("new transcript: %+v; want one passage in chapter Seals", rs)
	}
	// A newer summary replaces the older one's parts.
	e.finishWithChapters(t, "vid", "en", 60, recap.ChapterResult{StartSeconds: 0, Title: "Whales", Bullets: []string{"cetacean"}})
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "pinniped OR seals"}), []string(nil), "old summary")
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "cetacean"}), []string{"vid"}, "new summary")
}

func testSearchFilters(t *testing.T, e *env) {
	say := map[int]string{5: "platypus"}
	e.putTranscript(t, video("v1", "Nature"), "en", time.Minute, say)
	e.putTranscript(t, video("v2", "Nature"), "de", time.Minute, say)
	e.putTranscript(t, video("v3", "Science & Co"), "en", time.Minute, say)
	// A transcript without the video's metadata is found, but by no channel.
	tr := recap.Transcript{Language: "en", Segments: []recap.Segment{{Start: 0, End: 4 * time.Second, Text: "platypus"}}}
	must(t, e.s.PutTranscript(e.ctx, "v4", tr), "PutTranscript")
	for _, tc := range []struct {
		f    storage.SearchFilter
		want []string
	}{
		{storage.SearchFilter{}, []string{"v1", "v2", "v3", "v4"}},
		{storage.SearchFilter{VideoID: "v2"}, []string{"v2"}},
		{storage.SearchFilter{VideoID: "nope"}, nil},
		{storage.SearchFilter{Channel: "Nature"}, []string{"v1", "v2"}},
		{storage.SearchFilter{Channel: "Science & Co"}, []string{"v3"}},
		{storage.SearchFilter{Channel: "nature"}, nil},
		{storage.SearchFilter{Language: "en"}, []string{"v1", "v3", "v4"}},
		{storage.SearchFilter{Language: "de", Channel: "Nature"}, []string{"v2"}},
		{storage.SearchFilter{Language: "en", VideoID: "v2"}, nil},
	} {
		tc.f.Q = "platypus"
		deepEqual(t, e.found(t, tc.f), tc.want, fmt.Sprintf("videos found with %+v", tc.f))
	}
	rs := e.search(t, storage.SearchFilter{Q: "platypus", VideoID: "v4"}).Results
	if len(rs) != 1 || rs[0].Title != "" || rs[0].Channel != "" {
		t.Errorf("result of a video without metadata: %+v", rs)
	}
}

// testSearchGrouping checks that one video does not fill the first page:
// each video's best three come first, then the next three of each.
func testSearchGrouping(t *testing.T, e *env) {
	many := map[int]string{}
	for i := range 10 {
		many[i*40+5] = "quokka"
	}
	e.putTranscript(t, video("many", ""), "en", 400*time.Second, many)
	e.putTranscript(t, video("one", ""), "en", time.Minute, map[int]string{5: "quokka"})
	e.putTranscript(t, video("two", ""), "en", time.Minute, map[int]string{5: "quokka", 50: "quokka"})

	all := e.searchAll(t, storage.SearchFilter{Q: "quokka", Limit: 5})
	if len(all) != 13 {
		t.Fatalf("%d results; want 13: %v", len(all), moments(all))
	}
	count := func(rs []storage.SearchResult) map[string]int {
		n := map[string]int{}
		for _, r := range rs {
			n[r.VideoID]++
		}
		return n
	}
	deepEqual(t, count(all[:6]), map[string]int{"many": 3, "one": 1, "two": 2}, "videos of the first tier")
	deepEqual(t, count(all[6:9]), map[string]int{"many": 3}, "videos of the second tier")
	var tiers []int
	for _, r := range all {
		tiers = append(tiers, r.Rank.Tier)
	}
	deepEqual(t, tiers, []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3}, "tiers")
}

// testSearchPagination checks that pages, of any size, give every result
// once in the order of one big page.
func testSearchPagination(t *testing.T, e *env) {
	for v := range 4 {
		lines := map[int]string{}
		for i := range v + 3 {
			lines[i*40+5] = strings.Repeat("wombat ", 1+(i+v)%3) + "burrow"
		}
		e.putTranscript(t, video(fmt.Sprintf("v%d", v), ""), "en", 300*time.Second, lines)
	}
	one := e.search(t, storage.SearchFilter{Q: "wombat", Limit: 100})
	if len(one.Results) != 3+4+5+6 || one.NextCursor != "" {
		t.Fatalf("one page: %d results, cursor %q", len(one.Results), one.NextCursor)
	}
	for _, limit := range []int{1, 2, 5, 17, 18} {
		all := e.searchAll(t, storage.SearchFilter{Q: "wombat", Limit: limit})
		deepEqual(t, moments(all), moments(one.Results), fmt.Sprintf("results in pages of %d", limit))
	}
	// Within a tier, better first.
	for i := 1; i < len(one.Results); i++ {
		a, b := one.Results[i-1].Rank, one.Results[i].Rank
		if a.Tier == b.Tier && a.Score > b.Score {
			t.Errorf("result %d scores %v after %v", i, b.Score, a.Score)
		}
	}
	// The default page is 20.
	e.putTranscript(t, video("long", ""), "en", 30*time.Minute, map[int]string{})
	if n := len(e.search(t, storage.SearchFilter{Q: "lorem"}).Results); n != 20 {
		t.Errorf("default page: %d results; want 20", n)
	}
}

// testSearchCandidates checks the bound on the matches a search ranks: a
// word said in more than storage.SearchCandidates moments is ranked among
// the newest of them only, so an older moment, however good, is not found
// unless a filter narrows the search to it.
func testSearchCandidates(t *testing.T, e *env) {
	e.putTranscript(t, video("old", ""), "en", time.Minute, map[int]string{5: "numbat numbat numbat numbat"})
	must(t, e.s.PutVideo(e.ctx, video("new", "")), "PutVideo")
	tr := recap.Transcript{Language: "en", Source: recap.TranscriptYouTube}
	// A passage lasts at most 45 s: this says the word in more passages
	// than the bound.
	for at := time.Duration(0); at < (storage.SearchCandidates+10)*45*time.Second; at += 4 * time.Second {
		tr.Segments = append(tr.Segments, recap.Segment{Start: at, End: at + 4*time.Second, Text: "a numbat " + filler})
	}
	must(t, e.s.PutTranscript(e.ctx, "new", tr), "PutTranscript")

	all := e.searchAll(t, storage.SearchFilter{Q: "numbat", Limit: 100})
	if len(all) != storage.SearchCandidates {
		t.Errorf("%d results; want the bound, %d", len(all), storage.SearchCandidates)
	}
	if found := e.found(t, storage.SearchFilter{Q: "numbat"}); !slices.Equal(found, []string{"new"}) {
		t.Errorf("videos found: %v; want only the newest matches, of video new", found)
	}
	deepEqual(t, e.found(t, storage.SearchFilter{Q: "numbat", VideoID: "old"}), []string{"old"}, "videos found in video old")
}

func testSearchInvalid(t *testing.T, e *env) {
	e.putTranscript(t, video("vid", ""), "en", time.Minute, map[int]string{5: "anything"})
	p := e.search(t, storage.SearchFilter{Q: "lorem", Limit: 1})
	for _, f := range []storage.SearchFilter{
		{Q: ""}, {Q: `"open`}, {Q: "-only"}, {Q: "a OR"}, {Q: strings.Repeat("x", 501)},
		{Q: "lorem", Limit: 101}, {Q: "lorem", Limit: -1},
		{Q: "lorem", Cursor: "garbage!"}, {Q: "ipsum", Cursor: p.NextCursor},
	} {
		_, err := e.s.Search(e.ctx, f)
		wantCode(t, err, recap.EINVALID, fmt.Sprintf("Search(%+.40v)", f))
	}
	// Engine syntax in the query is text, never an error.
	for _, q := range []string{`NEAR(a b)`, `text:anything`, `any*`, `^anything`, `a & b | !c`, `'anything'`, `anything:*`, `(anything`} {
		_, err := e.s.Search(e.ctx, storage.SearchFilter{Q: q})
		must(t, err, "Search "+q)
	}
}
