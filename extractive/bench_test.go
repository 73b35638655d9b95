package extractive

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

// synthTranscript makes a transcript of about words words in chapters
// chapters: each chapter speaks of its own topic words among common
// English, as a talk would. The same arguments give the same text.
func synthTranscript(words, chapters int, punctuated bool) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	common := strings.Fields(`the a of and to in is that it was for on are as with they be at one have this from
		or had by but what some we can out other were all there when up use your how said an each she which do their
		time if will way about many then them would write like so these her long make thing see him two has look more
		day could go come did number sound no most people my over know water than call first who may down side been now find`)
	topics := strings.Fields(`neuron axon synapse dendrite cortex hormone gland receptor signal memory grinder espresso
		pressure temperature milk pitcher roast bean extraction crema election ballot senate policy budget tax vote campaign
		rocket orbit thrust engine payload launch satellite fuel gravity planet guitar chord melody rhythm scale tempo`)
	out := make([]string, chapters)
	per := words / chapters
	for c := range out {
		topic := make([]string, 6)
		for i := range topic {
			topic[i] = topics[(c*5+i*7)%len(topics)]
		}
		var b strings.Builder
		n := 0
		for n < per {
			l := 8 + rng.IntN(18)
			for i := range l {
				w := common[rng.IntN(len(common))]
				if rng.IntN(4) == 0 {
					w = topic[rng.IntN(len(topic))]
				}
				if punctuated && i == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				if i < l-1 {
					b.WriteByte(' ')
				}
			}
			if punctuated {
				b.WriteByte('.')
			}
			b.WriteByte(' ')
			n += l
		}
		out[c] = b.String()
	}
	return out
}

// BenchmarkThreeHours summarizes a 3-hour talk (27,000 words at 150 words
// a minute) in 20 chapters, plus the overview: one op is the whole video.
func BenchmarkThreeHours(b *testing.B) {
	for _, punctuated := range []bool{true, false} {
		name := "asr"
		if punctuated {
			name = "punctuated"
		}
		b.Run(name, func(b *testing.B) {
			chapters := synthTranscript(27000, 20, punctuated)
			s := New()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				sums := make([]recap.ChapterSummary, len(chapters))
				for i, text := range chapters {
					got, _, err := s.SummarizeChapter(ctx, pipeline.ChapterInput{Index: i, Total: len(chapters), Text: text, Language: "en"})
					if err != nil {
						b.Fatal(err)
					}
					sums[i] = got
				}
				if _, _, err := s.Overview(ctx, pipeline.OverviewInput{Language: "en", Chapters: sums}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOneLongChapter is the worst case: a 3-hour video summarized as
// a single chapter, past denseLimit sentences.
func BenchmarkOneLongChapter(b *testing.B) {
	text := strings.Join(synthTranscript(27000, 20, true), " ")
	s := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.SummarizeChapter(context.Background(), pipeline.ChapterInput{Text: text, Language: "en"}); err != nil {
			b.Fatal(err)
		}
	}
}

// The synthetic transcript must be what the benchmark says it is.
func TestSynthTranscript(t *testing.T) {
	chs := synthTranscript(27000, 20, true)
	n := 0
	for _, c := range chs {
		n += len(strings.Fields(c))
	}
	if len(chs) != 20 || n < 27000 || n > 28000 {
		t.Errorf("%d chapters, %d words; want 20 and about 27000", len(chs), n)
	}
	if got := len(splitSentences(strings.Join(chs, " "), true)); got <= denseLimit {
		t.Errorf("%d sentences in all; BenchmarkOneLongChapter needs more than %d", got, denseLimit)
	}
}
