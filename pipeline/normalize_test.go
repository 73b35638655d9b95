package pipeline

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// evenSegs makes a segment every step seconds up to total, with text from
// text(i) (nil: "word<i>").
func evenSegs(total, step time.Duration, text func(i int) string) []recap.Segment {
	var segs []recap.Segment
	for i, t := 0, time.Duration(0); t < total; i, t = i+1, t+step {
		txt := fmt.Sprintf("word%d says something here", i)
		if text != nil {
			txt = text(i)
		}
		segs = append(segs, recap.Segment{Start: t, End: min(t+step, total), Text: txt})
	}
	return segs
}

type wantChapter struct {
	start, end time.Duration
	title      string
}

func checkChapters(t *testing.T, chs []recap.Chapter, want []wantChapter) {
	t.Helper()
	var got []wantChapter
	for _, c := range chs {
		got = append(got, wantChapter{c.Start, c.End, c.SourceTitle})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chapters:\n got %v\nwant %v", got, want)
	}
}

func TestBuildChaptersSources(t *testing.T) {
	segs := evenSegs(10*time.Minute, 5*time.Second, nil)
	desc := "My video.\n0:00 Hello\n4:00 Middle\n8:00 Bye\nLinks: https://example.com"
	bundle := []recap.ChapterMark{mk(0, "Intro"), mk(120, "Part A"), mk(300, "Part B")}
	tests := []struct {
		name       string
		marks      []recap.ChapterMark
		desc       string
		duration   time.Duration
		wantSource string
		want       []wantChapter // nil: check only the source
	}{
		{"bundle chapters come first", bundle, desc, 10 * time.Minute, recap.ChaptersBundle,
			[]wantChapter{{0, secs(120), "Intro"}, {secs(120), secs(300), "Part A"}, {secs(300), secs(600), "Part B"}}},
		{"description when there are no bundle chapters", nil, desc, 10 * time.Minute, recap.ChaptersDescription,
			[]wantChapter{{0, secs(240), "Hello"}, {secs(240), secs(480), "Middle"}, {secs(480), secs(600), "Bye"}}},
		{"description when bundle chapters are invalid", bundle[:2], desc, 10 * time.Minute, recap.ChaptersDescription, nil},
		{"auto when marks lie beyond a known duration", nil, desc, 7 * time.Minute, recap.ChaptersAuto, nil},
		{"auto when there are no marks", nil, "Just prose, at 5:30 nothing.", 10 * time.Minute, recap.ChaptersAuto,
			[]wantChapter{{0, secs(600), ""}}},
		{"unknown duration uses the transcript's end", bundle, "", 0, recap.ChaptersBundle,
			[]wantChapter{{0, secs(120), "Intro"}, {secs(120), secs(300), "Part A"}, {secs(300), secs(600), "Part B"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &recap.Source{
				Video:      recap.Video{ID: "dQw4w9WgXcQ", Duration: tt.duration, Description: tt.desc},
				Transcript: recap.Transcript{Segments: segs},
				Marks:      tt.marks,
			}
			chs, source, err := BuildChapters(src, ChapterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if source != tt.wantSource {
				t.Errorf("source %q, want %q", source, tt.wantSource)
			}
			if tt.want != nil {
				checkChapters(t, chs, tt.want)
			}
			d := tt.duration
			if d == 0 {
				d = segs[len(segs)-1].End
			}
			checkCover(t, chs, segs, d)
		})
	}
}

func TestBuildChaptersUnknownDurationDropsMarksPastTheTranscript(t *testing.T) {
	segs := evenSegs(9*time.Minute+30*time.Second, 5*time.Second, nil)
	src := &recap.Source{
		Transcript: recap.Transcript{Segments: segs},
		Video:      recap.Video{Description: "0:00 Intro\n3:00 Body\n6:00 End\n9:40 Credits"},
	}
	chs, source, err := BuildChapters(src, ChapterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if source != recap.ChaptersDescription {
		t.Errorf("source %q, want description", source)
	}
	checkChapters(t, chs, []wantChapter{{0, secs(180), "Intro"}, {secs(180), secs(360), "Body"}, {secs(360), secs(570), "End"}})
	checkCover(t, chs, segs, secs(570))
}

func TestBuildChaptersMergesShortAndSilentChapters(t *testing.T) {
	// Minutes 5-7 are music: cues without words.
	segs := evenSegs(12*time.Minute, 5*time.Second, func(i int) string {
		if t := time.Duration(i) * 5 * time.Second; t >= 5*time.Minute && t < 7*time.Minute {
			return [...]string{"[Music]", "  ", "♪ ♪", "(applause)"}[i%4]
		}
		return fmt.Sprintf("words %d", i)
	})
	tests := []struct {
		name  string
		marks []recap.ChapterMark
		want  []wantChapter
	}{
		{"a 28-second teaser goes into the next chapter, which keeps its title",
			[]recap.ChapterMark{mk(0, "Introduction"), mk(28, "The talk"), mk(400, "Questions")},
			[]wantChapter{{0, secs(400), "The talk"}, {secs(400), secs(720), "Questions"}}},
		{"a short middle chapter goes into the previous one",
			[]recap.ChapterMark{mk(0, "Start"), mk(100, "Main"), mk(200, "Aside"), mk(220, "More")},
			[]wantChapter{{0, secs(100), "Start"}, {secs(100), secs(220), "Main"}, {secs(220), secs(720), "More"}}},
		{"a chapter without words is merged; the longer title wins",
			[]recap.ChapterMark{mk(0, "Talk"), mk(240, "Second talk"), mk(300, "Music break"), mk(420, "Outro")},
			[]wantChapter{{0, secs(240), "Talk"}, {secs(240), secs(420), "Music break"}, {secs(420), secs(720), "Outro"}}},
		{"several short chapters in a row collapse",
			[]recap.ChapterMark{mk(0, "A"), mk(15, "B"), mk(30, "C"), mk(45, "D"), mk(60, "Long")},
			// A+B reach 30 s and stop merging; C and D join them.
			[]wantChapter{{0, secs(60), "A"}, {secs(60), secs(720), "Long"}}},
		{"a short last chapter goes into the previous one",
			[]recap.ChapterMark{mk(0, "A"), mk(200, "B"), mk(700, "Credits")},
			[]wantChapter{{0, secs(200), "A"}, {secs(200), secs(720), "B"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &recap.Source{Video: recap.Video{Duration: 12 * time.Minute}, Transcript: recap.Transcript{Segments: segs}, Marks: tt.marks}
			chs, _, err := BuildChapters(src, ChapterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkChapters(t, chs, tt.want)
			checkCover(t, chs, segs, 12*time.Minute)
		})
	}
}

func TestBuildChaptersMinChapterOption(t *testing.T) {
	segs := evenSegs(10*time.Minute, 5*time.Second, nil)
	src := &recap.Source{Video: recap.Video{Duration: 10 * time.Minute}, Transcript: recap.Transcript{Segments: segs},
		Marks: []recap.ChapterMark{mk(0, "A"), mk(50, "B"), mk(300, "C")}}
	chs, _, _ := BuildChapters(src, ChapterOptions{})
	if len(chs) != 3 {
		t.Errorf("default MinChapter: %d chapters, want 3 (A is 50 s)", len(chs))
	}
	chs, _, _ = BuildChapters(src, ChapterOptions{MinChapter: time.Minute})
	checkChapters(t, chs, []wantChapter{{0, secs(300), "B"}, {secs(300), secs(600), "C"}})
}

// twoTopics is ten minutes whose words change topic at 6:10, then five
// minutes of other talk.
func twoTopics() []recap.Segment {
	s := newSynth(11, 2)
	segs := s.transcript(10*time.Minute, []time.Duration{secs(370)})
	for t := 10 * time.Minute; t < 15*time.Minute; t += 10 * time.Second {
		segs = append(segs, recap.Segment{Start: t, End: t + 10*time.Second, Text: "and now for something else"})
	}
	return segs
}

func sortSearchStart(segs []recap.Segment, t time.Duration) int {
	for i, s := range segs {
		if s.Start >= t {
			return i
		}
	}
	return len(segs)
}

func chapterTokens(c recap.Chapter) int { return recap.EstimateTokens(c.Text()) }

func TestBuildChaptersSplitsOverBudget(t *testing.T) {
	segs := twoTopics()
	src := &recap.Source{Video: recap.Video{Duration: 15 * time.Minute}, Transcript: recap.Transcript{Segments: segs},
		Marks: []recap.ChapterMark{mk(0, "Deep dive"), mk(600, "Outro"), mk(700, "End")}}
	total := recap.EstimateTokens(recap.JoinSegments(segs[:sortSearchStart(segs, secs(600))]))
	tests := []struct {
		name   string
		budget int
		parts  int
	}{
		{"fits", total, 1},
		{"two parts, cut at the topic change", total*2/3 + 1, 2},
		{"three parts", total/3 + 40, 3},
		{"five parts", total/5 + 40, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chs, _, err := BuildChapters(src, ChapterOptions{Budget: tt.budget})
			if err != nil {
				t.Fatal(err)
			}
			checkCover(t, chs, segs, 15*time.Minute)
			parts := chs[:len(chs)-2]
			if len(parts) != tt.parts {
				t.Fatalf("split into %d parts, want %d", len(parts), tt.parts)
			}
			for i, p := range parts {
				want := "Deep dive"
				if tt.parts > 1 {
					want = fmt.Sprintf("Deep dive (part %d)", i+1)
				}
				if p.SourceTitle != want {
					t.Errorf("part %d title %q, want %q", i, p.SourceTitle, want)
				}
				if n := chapterTokens(p); n > tt.budget {
					t.Errorf("part %d holds %d tokens, budget %d", i, n, tt.budget)
				}
			}
			if tt.parts == 2 {
				if d := (parts[1].Start - secs(370)).Abs(); d > time.Minute {
					t.Errorf("cut at %v, %v from the topic change at 6:10", parts[1].Start, d)
				}
			}
			if got := chs[len(chs)-2].SourceTitle; got != "Outro" {
				t.Errorf("chapter under budget renamed to %q", got)
			}
		})
	}
}

func TestBuildChaptersSplitsAutoChapters(t *testing.T) {
	s := newSynth(12, 3)
	segs := s.transcript(30*time.Minute, []time.Duration{mins(10), mins(20)})
	src := &recap.Source{Video: recap.Video{Duration: 30 * time.Minute}, Transcript: recap.Transcript{Segments: segs}}
	const budget = 500
	chs, source, err := BuildChapters(src, ChapterOptions{Budget: budget})
	if err != nil {
		t.Fatal(err)
	}
	if source != recap.ChaptersAuto {
		t.Errorf("source %q, want auto", source)
	}
	checkCover(t, chs, segs, 30*time.Minute)
	for i, c := range chs {
		if n := chapterTokens(c); n > budget {
			t.Errorf("chapter %d holds %d tokens, budget %d", i, n, budget)
		}
		if c.SourceTitle != "" {
			t.Errorf("automatic chapter %d titled %q", i, c.SourceTitle)
		}
	}
}

func TestBuildChaptersHugeSegmentStaysWhole(t *testing.T) {
	long := strings.Repeat("lorem ipsum dolor ", 200)
	segs := []recap.Segment{
		{Start: 0, End: secs(60), Text: "short start"},
		{Start: secs(60), End: secs(120), Text: long},
		{Start: secs(120), End: secs(300), Text: "short end"},
	}
	src := &recap.Source{Video: recap.Video{Duration: secs(300)}, Transcript: recap.Transcript{Segments: segs},
		Marks: []recap.ChapterMark{mk(0, "Only"), mk(150, "Silent"), mk(280, "Short")}}
	chs, _, err := BuildChapters(src, ChapterOptions{Budget: 100})
	if err != nil {
		t.Fatal(err)
	}
	checkCover(t, chs, segs, secs(300))
	// "Silent" has no words and "Short" is 20 s: both merge into "Only",
	// which the budget then cuts around the long segment.
	checkChapters(t, chs, []wantChapter{{0, secs(60), "Only (part 1)"}, {secs(60), secs(120), "Only (part 2)"}, {secs(120), secs(300), "Only (part 3)"}})
	if len(chs) == 3 && (len(chs[1].Segments) != 1 || chs[1].Segments[0].Text != long) {
		t.Errorf("the over-budget segment should be a part of its own, got %d segments", len(chs[1].Segments))
	}
}

func TestBuildChaptersEmptyTranscript(t *testing.T) {
	for _, src := range []*recap.Source{
		nil,
		{},
		{Transcript: recap.Transcript{Segments: []recap.Segment{{Start: 0, End: secs(5), Text: "  "}}}},
	} {
		_, _, err := BuildChapters(src, ChapterOptions{})
		if recap.ErrorCode(err) != recap.ENOCAPTIONS {
			t.Errorf("BuildChapters(%+v): %v, want code %s", src, err, recap.ENOCAPTIONS)
		}
	}
}

func TestBuildChaptersLeavesInputAlone(t *testing.T) {
	segs := evenSegs(10*time.Minute, 5*time.Second, nil)
	segs[3], segs[40] = segs[40], segs[3] // out of order, as a sloppy caption file
	orig := append([]recap.Segment(nil), segs...)
	src := &recap.Source{Video: recap.Video{Duration: 10 * time.Minute}, Transcript: recap.Transcript{Segments: segs},
		Marks: []recap.ChapterMark{mk(0, "A"), mk(100, "B"), mk(300, "C")}}
	chs, _, err := BuildChapters(src, ChapterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(segs, orig) {
		t.Error("BuildChapters reordered the caller's segments")
	}
	checkCover(t, chs, segs, 10*time.Minute)
	// Appending to one chapter must not overwrite the next.
	next := chs[1].Segments[0]
	_ = append(chs[0].Segments, recap.Segment{Text: "clobber"})
	if chs[1].Segments[0] != next {
		t.Error("chapters share spare capacity")
	}
}

func TestTokenCounterMatchesEstimateTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	pieces := []string{"", " ", "hello", "wörld ", "  東京 ", "a", "très bien", "\t", "日本語のテキスト", "x y z"}
	for trial := range 200 {
		var cs []recap.Segment
		for i := range 1 + rng.IntN(12) {
			cs = append(cs, recap.Segment{Start: secs(float64(i)), Text: pieces[rng.IntN(len(pieces))] + pieces[rng.IntN(len(pieces))]})
		}
		units := cutUnits(cs, span{start: 0, end: time.Hour})
		tc := newTokenCounter(cs, units)
		for i := range len(units) {
			for j := i + 1; j <= len(units); j++ {
				end := len(cs)
				if j < len(units) {
					end = units[j]
				}
				want := recap.EstimateTokens(recap.JoinSegments(cs[units[i]:end]))
				if got := tc.tokens(i, j); got != want {
					t.Fatalf("trial %d units [%d,%d): %d tokens, EstimateTokens says %d", trial, i, j, got, want)
				}
			}
		}
	}
}

// FuzzBuildChapters checks the invariants of BuildChapters on transcripts
// and marks built from fuzz bytes.
func FuzzBuildChapters(f *testing.F) {
	f.Add([]byte{10, 20, 30, 40, 50}, []byte{0, 5, 30}, uint16(600), uint16(0))
	f.Add([]byte{1, 1, 1, 200, 3}, []byte{0, 1, 2, 3}, uint16(0), uint16(20))
	f.Add([]byte{255, 0, 7}, []byte{}, uint16(90), uint16(3))
	f.Fuzz(checkBuildChapters)
}

func checkBuildChapters(t *testing.T, segBytes, markBytes []byte, durSec, budget uint16) {
	var segs []recap.Segment
	at := time.Duration(0)
	for i, b := range segBytes {
		at += time.Duration(b%16) * time.Second
		segs = append(segs, recap.Segment{Start: at, End: at + time.Duration(b%7)*time.Second, Text: strings.Repeat("w ", int(b%5)) + fmt.Sprint(i)})
	}
	var marks []recap.ChapterMark
	mt := time.Duration(0)
	for i, b := range markBytes {
		if i > 0 {
			mt += time.Duration(b) * time.Second
		}
		marks = append(marks, recap.ChapterMark{Start: mt, Title: fmt.Sprint("m", i)})
	}
	src := &recap.Source{Video: recap.Video{Duration: time.Duration(durSec) * time.Second}, Transcript: recap.Transcript{Segments: segs}, Marks: marks}
	chs, source, err := BuildChapters(src, ChapterOptions{Budget: int(budget)})
	if src.Transcript.Empty() {
		if recap.ErrorCode(err) != recap.ENOCAPTIONS {
			t.Fatalf("empty transcript: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if source != recap.ChaptersBundle && source != recap.ChaptersAuto {
		t.Fatalf("source %q", source)
	}
	d := src.Video.Duration
	if d == 0 {
		d = transcriptEnd(segs)
	}
	checkCover(t, chs, segs, d)
	for i, c := range chs {
		if budget > 0 && chapterTokens(c) > int(budget) {
			// Only a chapter that cannot be cut may exceed the budget.
			if u := cutUnits(c.Segments, span{start: c.Start, end: c.End}); len(u) > 1 {
				t.Fatalf("chapter %d holds %d tokens over budget %d in %d cuttable units", i, chapterTokens(c), budget, len(u))
			}
		}
	}
}

// BenchmarkBuildChaptersSplit builds the chapters of a 3-hour video with
// three creator chapters of an hour each, every one over a 2,000-token
// budget.
func BenchmarkBuildChaptersSplit(b *testing.B) {
	segs, _, total := longSynth(2)
	src := &recap.Source{Video: recap.Video{Duration: total}, Transcript: recap.Transcript{Segments: segs},
		Marks: []recap.ChapterMark{mk(0, "First hour"), mk(3600, "Second hour"), mk(7200, "Third hour")}}
	var n int
	for b.Loop() {
		chs, _, err := BuildChapters(src, ChapterOptions{Budget: 2000})
		if err != nil {
			b.Fatal(err)
		}
		n = len(chs)
	}
	b.ReportMetric(float64(n), "chapters")
}
