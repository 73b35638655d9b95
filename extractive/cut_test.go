package extractive

import (
	"context"
	"strings"
	"testing"

	"github.com/recap-dev/recap/pipeline"
)

// A chapter boundary that falls mid-sentence leaves the chapter's first
// sentence begun before it and its last one unfinished: both show as cut,
// never given a period (nor a capital) the speaker did not say.
func TestSentencesCutByTheChapterShowAsCut(t *testing.T) {
	text := "and that is why the synapse matters so much for memory. " +
		"Neurons pass signals across the synapse with chemical messengers. " +
		"The receiving neuron decides whether to fire based on those signals. " +
		"Memory forms when the same synapses are used again and again, and the connection between the two neurons grows"
	got, _, err := New().SummarizeChapter(context.Background(), pipeline.ChapterInput{Text: text, Language: "en", Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{got.Summary}, got.Bullets...)
	joined := strings.Join(all, "\n")
	if !strings.Contains(joined, "…and that is why the synapse matters so much for memory.") {
		t.Errorf("the sentence begun in the chapter before does not show as cut:\n%s", joined)
	}
	if strings.Contains(joined, "grows.") || strings.Contains(joined, "And that is why") {
		t.Errorf("a cut sentence was given a period or a capital:\n%s", joined)
	}
	if !strings.Contains(joined, "grows…") && !strings.Contains(joined, "connection…") {
		t.Errorf("the unfinished last sentence does not end with an ellipsis:\n%s", joined)
	}
	for _, s := range all {
		if strings.HasSuffix(s, "..") {
			t.Errorf("doubled period in %q", s)
		}
	}
}

// Automatic captions have no punctuation at all: their pseudo-sentences
// are a guess, and end with a period as before.
func TestUnpunctuatedPiecesEndWithAPeriod(t *testing.T) {
	var b strings.Builder
	for range 6 {
		b.WriteString("so the neurons in the brain pass signals across the synapse and then the next neuron decides whether it fires or not and that is how memory forms over time ")
	}
	got, _, err := New().SummarizeChapter(context.Background(), pipeline.ChapterInput{Text: b.String(), Language: "en", Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(got.Summary, ".") || strings.HasPrefix(got.Summary, "…") {
		t.Errorf("summary = %q, want pseudo-sentences ending with a period", got.Summary)
	}
}

func TestPunctuated(t *testing.T) {
	if punctuated(splitSentences("no marks here at all just words running on and on", true)) {
		t.Error("unpunctuated text counted as punctuated")
	}
	if !punctuated(splitSentences("One sentence. Another one! And a third?", true)) {
		t.Error("punctuated text not recognized")
	}
}

// A sentence too long to quote whole is cut into pieces: each piece shows
// where it was cut, at its end and, after the first, at its start.
func TestPiecesOfALongSentenceShowTheirCuts(t *testing.T) {
	long := "Scientific psychology got its start in a small laboratory in Germany when a physician set up the very first psychology laboratory at a university " +
		"just a few years after publishing his principles of physiological psychology, considered by many people the first true psychology textbook in the field."
	text := "Psychology is the study of the mind. " + long + " The laboratory trained many students."
	r := rankChapter(text, "en")
	if len(r.toks) != 4 {
		t.Fatalf("%d pieces, want the long sentence in two: %v", len(r.toks), r.toks)
	}
	first, second := r.sentence(1), r.sentence(2)
	if !strings.HasSuffix(first, "…") || !strings.HasPrefix(second, "…") || !strings.HasSuffix(second, "field.") {
		t.Errorf("pieces rendered as %q and %q; want the cut shown on both sides", first, second)
	}
	if r.sentence(0) != "Psychology is the study of the mind." || r.sentence(3) != "The laboratory trained many students." {
		t.Errorf("whole sentences changed: %q, %q", r.sentence(0), r.sentence(3))
	}
}
