package extractive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

type fixtureChapter struct {
	title, text string
}

// loadFixture reads a testdata transcript: "## Title" opens a chapter,
// other "#" lines are comments.
func loadFixture(t testing.TB, name string) []fixtureChapter {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []fixtureChapter
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			out = append(out, fixtureChapter{title: strings.TrimPrefix(line, "## ")})
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case len(out) > 0:
			out[len(out)-1].text += line + " "
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no chapters", name)
	}
	return out
}

// withHesitations inserts "um" and "uh" as automatic captions transcribe
// them, every few words, at fixed places.
func withHesitations(s string) string {
	ws := strings.Fields(s)
	var out []string
	for i, w := range ws {
		if i%23 == 11 {
			out = append(out, "um")
		}
		if i%37 == 29 {
			out = append(out, "uh")
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// variants gives a chapter as manual captions write it and as automatic
// captions do: lowercase, no punctuation, hesitations transcribed.
func variants(text string) map[string]string {
	return map[string]string{"punctuated": text, "asr": withHesitations(asrStyle(text))}
}

func summarize(t testing.TB, in pipeline.ChapterInput) recap.ChapterSummary {
	t.Helper()
	if in.Language == "" {
		in.Language = "en"
	}
	got, usage, err := New().SummarizeChapter(context.Background(), in)
	if err != nil {
		t.Fatalf("SummarizeChapter(%q): %v", in.SourceTitle, err)
	}
	if usage != (recap.Usage{}) {
		t.Errorf("usage = %+v, want zero", usage)
	}
	return got
}

func TestSummarizeChapterFixture(t *testing.T) {
	chapters := loadFixture(t, "espresso.txt")
	for i, ch := range chapters {
		for name, text := range variants(ch.text) {
			t.Run(fmt.Sprintf("%s/%s", ch.title, name), func(t *testing.T) {
				in := pipeline.ChapterInput{Index: i, Total: len(chapters), SourceTitle: ch.title, Text: text, Language: "en"}
				got := summarize(t, in)
				checkSummary(t, in, got)
				t.Logf("title: %s\nsummary: %s\nbullets:\n- %s", got.Title, got.Summary, strings.Join(got.Bullets, "\n- "))
			})
		}
	}
}

func chapterByTitle(t *testing.T, title string) fixtureChapter {
	t.Helper()
	for _, ch := range loadFixture(t, "espresso.txt") {
		if ch.title == title {
			return ch
		}
	}
	t.Fatalf("no chapter %q in the fixture", title)
	return fixtureChapter{}
}

// The grind chapter has one sentence that states its topic, and channel
// filler ("thanks so much for watching … subscribe") in its middle.
const (
	centralGrind = "grind size is the single most important variable in espresso"
	fillerGrind  = "thanks so much for watching"
)

func TestCentralSentenceBeatsFiller(t *testing.T) {
	ch := chapterByTitle(t, "Grind size")
	for name, text := range variants(ch.text) {
		t.Run(name, func(t *testing.T) {
			got := summarize(t, pipeline.ChapterInput{Text: text})
			all := got.Summary + " " + strings.Join(got.Bullets, " ")
			if inText(fillerGrind, all) {
				t.Errorf("filler %q chosen:\n%s", fillerGrind, all)
			}
			// Automatic captions cut the central sentence in two; its
			// topic half must still be in the summary.
			want := centralGrind
			if name == "asr" {
				want = "the grind size controls how fast the water flows"
			}
			if !inText(want, got.Summary) {
				t.Errorf("summary lacks the central sentence %q:\n%s", want, got.Summary)
			}
		})
	}
}

// TestTextRankAloneRanksFillerLow checks the graph, without the length
// and boilerplate priors: the filler shares few words with the chapter.
func TestTextRankAloneRanksFillerLow(t *testing.T) {
	ch := chapterByTitle(t, "Grind size")
	sents := splitSentences(ch.text, true)
	an := newAnalyzer("en", ch.text)
	words := make([][]word, len(sents))
	for i, s := range sents {
		words[i] = an.words(s)
	}
	score := pagerank(similarityGraph(tfidf(words)))
	order := byScore(score)
	rank := func(frag string) int {
		for r, i := range order {
			if inText(frag, joinTokens(sents[i])) {
				return r
			}
		}
		t.Fatalf("no sentence holds %q", frag)
		return -1
	}
	central, filler := rank(centralGrind), rank(fillerGrind)
	if central > 2 {
		t.Errorf("central sentence ranks %d of %d, want in the top 3", central+1, len(order))
	}
	if filler < len(order)-4 {
		t.Errorf("filler ranks %d of %d, want in the last 4", filler+1, len(order))
	}
}

func TestDeterministic(t *testing.T) {
	chapters := loadFixture(t, "espresso.txt")
	run := func() (sums []recap.ChapterSummary, overview string) {
		s := New()
		for i, ch := range chapters {
			for _, text := range []string{ch.text, withHesitations(asrStyle(ch.text))} {
				got, _, err := s.SummarizeChapter(context.Background(), pipeline.ChapterInput{Index: i, Text: text, Language: "en"})
				if err != nil {
					t.Fatal(err)
				}
				sums = append(sums, got)
			}
		}
		ov, _, err := s.Overview(context.Background(), pipeline.OverviewInput{Language: "en", Chapters: sums})
		if err != nil {
			t.Fatal(err)
		}
		return sums, ov.Text
	}
	want, wantOv := run()
	// Concurrent runs share the package's tables: they must neither race
	// nor differ.
	var wg sync.WaitGroup
	results := make([][]recap.ChapterSummary, 4)
	ovs := make([]string, 4)
	for k := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k], ovs[k] = run()
		}()
	}
	wg.Wait()
	for k := range results {
		if !reflect.DeepEqual(results[k], want) || ovs[k] != wantOv {
			t.Fatalf("run %d differs from the first run", k+2)
		}
	}
}

func TestTitle(t *testing.T) {
	ch := chapterByTitle(t, "Grind size")
	got := summarize(t, pipeline.ChapterInput{SourceTitle: "  Grind size  ", Text: ch.text})
	if got.Title != "Grind size" {
		t.Errorf("title = %q, want the source title trimmed", got.Title)
	}
	for _, tc := range []struct {
		chapter, want string
	}{
		{"Grind size", "Grind"},
		{"Water temperature", "Water Temperature"},
		{"Steaming milk", "Milk"},
	} {
		for name, text := range variants(chapterByTitle(t, tc.chapter).text) {
			got := summarize(t, pipeline.ChapterInput{Text: text})
			t.Logf("%s/%s: %q", tc.chapter, name, got.Title)
			if !strings.Contains(got.Title, tc.want) {
				t.Errorf("%s/%s: title %q lacks %q", tc.chapter, name, got.Title, tc.want)
			}
			if n := len(strings.FieldsFunc(got.Title, func(r rune) bool { return r == ' ' || r == ',' })); n < 2 || n > maxTitleWords {
				t.Errorf("%s/%s: title %q has %d words, want 2..%d", tc.chapter, name, got.Title, n, maxTitleWords)
			}
			if len(got.Title) > maxTitleChars {
				t.Errorf("%s/%s: title %q longer than %d", tc.chapter, name, got.Title, maxTitleChars)
			}
			for _, w := range strings.FieldsFunc(got.Title, func(r rune) bool { return r == ' ' || r == ',' }) {
				if unicode.IsLower([]rune(w)[0]) {
					t.Errorf("%s/%s: title %q not title-cased", tc.chapter, name, got.Title)
				}
				if an := newAnalyzer("en", text); an.isStop(w) {
					t.Errorf("%s/%s: title %q has stop word %q", tc.chapter, name, got.Title, w)
				}
			}
		}
	}
}

func TestEmptyChapter(t *testing.T) {
	for _, text := range []string{"", "   \n\t", "[Music] [Applause] ♪ ♪", "... -- !"} {
		_, _, err := New().SummarizeChapter(context.Background(), pipeline.ChapterInput{Index: 4, Text: text, Language: "en"})
		if !errors.Is(err, ErrNoText) {
			t.Errorf("text %q: err = %v, want ErrNoText", text, err)
		}
		if err != nil && !strings.Contains(err.Error(), "chapter 5") {
			t.Errorf("text %q: error %q does not name the chapter", text, err)
		}
	}
}

// A short chapter gets fewer bullets rather than bullets that repeat the
// summary.
func TestShortChapter(t *testing.T) {
	for _, tc := range []struct {
		text          string
		sums, bullets int
	}{
		{"Espresso needs finely ground coffee and hot water under pressure.", 1, 0},
		{"Espresso needs finely ground coffee and hot water under pressure. A good grinder matters more than the espresso machine itself.", 1, 1},
		{"Espresso needs finely ground coffee and hot water under pressure. A good grinder matters more than the espresso machine itself. Fresh beans roasted a few weeks ago make the best espresso shots. Hard water leaves scale in the boiler of the machine.", 2, 2},
		{"Espresso needs finely ground coffee. All that? Yes.", 1, 0},
	} {
		in := pipeline.ChapterInput{Text: tc.text}
		got := summarize(t, in)
		checkSummary(t, in, got)
		if n := len(splitRendered(got.Summary)); n != tc.sums || len(got.Bullets) != tc.bullets {
			t.Errorf("%q: %d summary sentences and %d bullets, want %d and %d\n%+v", tc.text, n, len(got.Bullets), tc.sums, tc.bullets, got)
		}
	}
}

func TestBulletsCountScalesWithLength(t *testing.T) {
	var long []string
	for _, ch := range loadFixture(t, "espresso.txt")[1:4] {
		long = append(long, ch.text)
	}
	in := pipeline.ChapterInput{Text: strings.Join(long, " ")}
	got := summarize(t, in)
	checkSummary(t, in, got)
	if len(got.Bullets) != 5 {
		t.Errorf("%d bullets for %d words, want 5", len(got.Bullets), len(strings.Fields(in.Text)))
	}
	if n := len(splitRendered(got.Summary)); n != 3 {
		t.Errorf("%d summary sentences, want 3: %q", n, got.Summary)
	}
}

func TestGeneratorAndBudget(t *testing.T) {
	s := New()
	want := recap.Generator{Summarizer: recap.SummarizerExtractive, Model: "textrank", PromptVersion: Version}
	if g := s.Generator(); g != want {
		t.Errorf("Generator() = %+v, want %+v", g, want)
	}
	if b := s.Budget(); b != 0 {
		t.Errorf("Budget() = %d, want 0", b)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := New()
	if _, _, err := s.SummarizeChapter(ctx, pipeline.ChapterInput{Text: "Some words here."}); !errors.Is(err, context.Canceled) {
		t.Errorf("SummarizeChapter: err = %v, want context.Canceled", err)
	}
	if _, _, err := s.Overview(ctx, pipeline.OverviewInput{Chapters: []recap.ChapterSummary{{Summary: "Some words."}}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Overview: err = %v, want context.Canceled", err)
	}
}

func TestOverview(t *testing.T) {
	chapters := loadFixture(t, "espresso.txt")
	var sums []recap.ChapterSummary
	for i, ch := range chapters {
		sums = append(sums, summarize(t, pipeline.ChapterInput{Index: i, SourceTitle: ch.title, Text: ch.text}))
	}
	o, usage, err := New().Overview(context.Background(), pipeline.OverviewInput{VideoTitle: "Espresso at home", Language: "en", Chapters: sums})
	if err != nil {
		t.Fatal(err)
	}
	ov := o.Text
	if usage != (recap.Usage{}) {
		t.Errorf("usage = %+v, want zero", usage)
	}
	t.Logf("overview: %s", ov)
	sents := splitRendered(ov)
	if len(sents) < 2 || len(sents) > 4 {
		t.Fatalf("overview has %d sentences, want 2..4: %q", len(sents), ov)
	}
	last := -1
	for _, s := range sents {
		at := -1
		for ci, sum := range sums {
			if inText(s, sum.Summary) {
				at = ci
				break
			}
		}
		if at < 0 {
			t.Errorf("overview sentence %q is in no chapter summary", s)
		}
		if at < last {
			t.Errorf("overview sentence %q (chapter %d) after one of chapter %d", s, at, last)
		}
		last = at
		if boilerplate.MatchString(s) {
			t.Errorf("overview sentence %q is channel boilerplate", s)
		}
	}
	if _, _, err := New().Overview(context.Background(), pipeline.OverviewInput{Chapters: []recap.ChapterSummary{{Summary: " "}}}); err == nil {
		t.Error("Overview of empty summaries: no error")
	}
}

// A chapter without a keyphrase is titled by the start of its most
// central sentence.
func TestTitleFallback(t *testing.T) {
	for _, text := range []string{
		"It is what it is. And so it was, and we were there with them, as we would be. It is.",
		"Pneumonoultramicroscopicsilicovolcanoconiosis pneumonoultramicroscopicsilicovolcanoconiosis pneumonoultramicroscopicsilicovolcanoconiosis is it.",
	} {
		in := pipeline.ChapterInput{Text: text}
		got := summarize(t, in)
		checkSummary(t, in, got)
		if !inText(strings.TrimSuffix(got.Title, "…"), text) {
			t.Errorf("fallback title %q is not from the text", got.Title)
		}
	}
}
