package batch

import (
	"math"
	"time"
)

// The estimate of what an item will cost, before it is summarized (for
// budgets and dry runs). Only its length is known then, so the estimate
// is the transcript's tokens plus each call's overhead:
const (
	// SpeechTokensPerSecond is transcript tokens per second of speech:
	// people speak about 150 words a minute, and English takes about 1.33
	// tokens a word (3.3 a second); 3.5 leaves room for faster speakers.
	SpeechTokensPerSecond = 3.5
	// ChapterLength is the length of an automatic chapter (the pipeline
	// aims at about 8 minutes), one call each; the overview is one more.
	ChapterLength = 8 * time.Minute
	// CallOverheadTokens is the prompt of a call besides the transcript
	// (instructions, schema, title), and CompletionTokensPerCall what a
	// call answers (a title, a paragraph, a few bullets). The overview's
	// prompt is the chapter summaries: one answer's worth per chapter.
	CallOverheadTokens      = 300
	CompletionTokensPerCall = 300
	// UnknownDuration is assumed for an item whose source does not say
	// how long it is.
	UnknownDuration = time.Hour
)

// Pricer turns tokens into US dollars; llm.Pricing is one.
type Pricer interface {
	Estimate(promptTokens, completionTokens int) float64
}

// Estimate is what summarizing one item is expected to take.
type Estimate struct {
	Calls            int
	PromptTokens     int
	CompletionTokens int
	// CostUSD is nil when the model's prices are unknown.
	CostUSD *float64
}

// EstimateItem estimates an item of length d (0: unknown) priced by p
// (nil: unknown prices).
func EstimateItem(d time.Duration, p Pricer) Estimate {
	if d <= 0 {
		d = UnknownDuration
	}
	chapters := int(math.Ceil(float64(d) / float64(ChapterLength)))
	e := Estimate{Calls: chapters + 1}
	e.PromptTokens = int(math.Ceil(d.Seconds()*SpeechTokensPerSecond)) + e.Calls*CallOverheadTokens + chapters*CompletionTokensPerCall
	e.CompletionTokens = e.Calls * CompletionTokensPerCall
	if p != nil {
		c := p.Estimate(e.PromptTokens, e.CompletionTokens)
		e.CostUSD = &c
	}
	return e
}
