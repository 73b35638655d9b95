package extractive

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/recap-dev/recap/pipeline"
)

func TestRender(t *testing.T) {
	en := newAnalyzer("en", "the brain and the nervous system of a person")
	de := newAnalyzer("de", "das Gehirn und das Nervensystem der Menschen und um die")
	for _, tc := range []struct {
		an   *analyzer
		in   string
		want string
	}{
		{en, "so um the brain is uh basically a network", "The brain is basically a network."},
		{en, "and i'm sure i think it works,", "I'm sure I think it works."},
		{en, "so many neurons fire at once here", "So many neurons fire at once here."},
		{en, "Well over half of it is water.", "Well over half of it is water."},
		{en, "well, the cortex is thin", "The cortex is thin."},
		{en, "The pons is perched on the medulla.", "The pons is perched on the medulla."},
		{en, `"why?" she asked`, `"Why?" she asked.`},
		{en, "- okay", "Okay."},
		{de, "um die Ecke und i sagen", "Um die Ecke und i sagen."},
		{en, "神经元传递信号", "神经元传递信号。"},
		{en, "élan vital is french", "Élan vital is french."},
	} {
		if got := tc.an.render(tokenize(tc.in)); got != tc.want {
			t.Errorf("render(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// words returns "w1 w2 … wn".
func words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%d", i+1)
	}
	return strings.Join(ws, " ")
}

func TestShorten(t *testing.T) {
	an := newAnalyzer("en", "the brain")
	long := "The soma, or cell body, is basically the neuron's life support; it contains all that necessary cell action like the nucleus, DNA, mitochondria, ribosomes, and so on."
	got := an.shorten(long, 25)
	if !strings.HasSuffix(got, "…") || len(strings.Fields(got)) > 25 {
		t.Errorf("shorten = %q, want at most 25 words ending in …", got)
	}
	if !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("shorten = %q, not a prefix of the sentence", got)
	}
	// It prefers a comma in the last two fifths, and never ends on a
	// stop word.
	s := words(17) + ", w18 w19 w20 w21 w22"
	if got, want := an.shorten(s, 20), words(17)+"…"; got != want {
		t.Errorf("shorten = %q, want %q", got, want)
	}
	s = words(16) + " and the of w20 w21"
	if got, want := an.shorten(s, 19), words(16)+"…"; got != want {
		t.Errorf("shorten = %q, want %q", got, want)
	}
	if got := an.shorten("Short enough.", 25); got != "Short enough." {
		t.Errorf("shorten changed a short sentence: %q", got)
	}
	if got := shortenRunes(strings.Repeat("神经元", 30), 50); len([]rune(got)) != 51 || !strings.HasSuffix(got, "…") {
		t.Errorf("shortenRunes = %q", got)
	}
}

func TestGerman(t *testing.T) {
	text := `Das Gehirn besteht aus Milliarden von Nervenzellen. Die Nervenzellen sind über Synapsen miteinander verbunden, und an den Synapsen werden Signale übertragen. Jede Nervenzelle hat einen Zellkörper, Dendriten und ein Axon. Die Dendriten empfangen Signale von anderen Nervenzellen. Das Axon leitet die Signale an andere Nervenzellen weiter. An der Synapse setzt das Axon Botenstoffe frei, die an Rezeptoren binden. Diese Botenstoffe heißen Neurotransmitter. Manche Neurotransmitter erregen die Nervenzellen, andere hemmen sie. Danke fürs Zuschauen und bis zum nächsten Mal!`
	in := pipeline.ChapterInput{Text: text, Language: "de"}
	got := summarize(t, in)
	checkSummary(t, in, got)
	t.Logf("%+v", got)
	if !strings.Contains(got.Title, "Nervenzellen") && !strings.Contains(got.Title, "Synapse") && !strings.Contains(got.Title, "Signale") {
		t.Errorf("title %q names none of the topic words", got.Title)
	}
	for _, stop := range []string{"Die", "Und", "Von", "Der"} {
		if strings.Contains(" "+got.Title+" ", " "+stop+" ") {
			t.Errorf("title %q has stop word %q", got.Title, stop)
		}
	}
}

func TestChinese(t *testing.T) {
	text := "大脑由数十亿个神经元组成。神经元通过突触相互连接，并在突触处传递信号。每个神经元都有细胞体、树突和轴突。树突接收来自其他神经元的信号。轴突把信号传递给其他神经元。谢谢观看。"
	in := pipeline.ChapterInput{Text: text, Language: "zh-Hans"}
	got, _, err := New().SummarizeChapter(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if strings.Contains(got.Summary, " ") {
		t.Errorf("summary %q has spaces the text did not", got.Summary)
	}
	for _, s := range splitSentences(got.Summary, false) {
		if !strings.Contains(text, joinTokens(s)) {
			t.Errorf("summary sentence %q not in the text", joinTokens(s))
		}
	}
	if got.Title == "" || len([]rune(got.Title)) > 21 {
		t.Errorf("title %q: want 1..21 runes", got.Title)
	}
	if len(got.Bullets) == 0 {
		t.Errorf("no bullets for 6 sentences")
	}
}

// Captions in English for a video asked in German: the English rules must
// apply, or "um" and lowercase "i" stay in the summary.
func TestLanguageMismatch(t *testing.T) {
	text := asrStyle(chapterByTitle(t, "Welcome").text) + " um i think that um is it"
	in := pipeline.ChapterInput{Text: withHesitations(text), Language: "de"}
	got := summarize(t, in)
	checkSummary(t, in, got)
	all := " " + got.Summary + " " + strings.Join(got.Bullets, " ") + " "
	if strings.Contains(all, " um ") || strings.Contains(all, " i ") {
		t.Errorf("English rules not applied: %q", all)
	}
}

// Captions in German for a video asked in English: the English rules must
// not apply, or German "um" ("around") is dropped as a hesitation.
func TestEnglishTagGermanText(t *testing.T) {
	text := strings.Repeat("Wir gehen um die Ecke und sehen das Haus, um zu verstehen, wie das Gehirn die Welt wahrnimmt. ", 4)
	an := newAnalyzer("en", text)
	if an.english() {
		t.Fatalf("analyzer base %q for German text", an.base)
	}
	got := summarize(t, pipeline.ChapterInput{Text: text, Language: "en"})
	if !strings.Contains(got.Summary, "um die Ecke") {
		t.Errorf("summary %q lost German words", got.Summary)
	}
}
