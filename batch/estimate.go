package batch

import (
	"math"
	"time"

	"github.com/recap-dev/recap/source"
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
	// ASR is the audio it would send to speech-to-text; 0 when its
	// transcript is not to come from there.
	ASR time.Duration
	// CostUSD is nil when the model's prices (or, with ASR, the
	// speech-to-text price) are unknown.
	CostUSD *float64
}

// ASR is what batches know of the speech-to-text service: whether there
// is one (a non-nil *ASR), and its price.
type ASR struct {
	// PricePerMinute is USD per minute of audio uploaded
	// (RECAP_ASR_PRICE_PER_MINUTE); negative when unknown.
	PricePerMinute float64
}

// Transcribes reports whether item it would be transcribed by the
// service a: every item when the batch asks for it (transcribe), else a
// podcast episode without a <podcast:transcript>. A YouTube video without
// captions is transcribed too, but that is known only once it is fetched.
// Without a service (a nil a) nothing is.
func (a *ASR) Transcribes(it source.Item, transcribe bool) bool {
	if a == nil {
		return false
	}
	return transcribe || it.Kind == source.KindPodcast && it.Episode != nil && len(it.Episode.Transcripts) == 0
}

// EstimateSource estimates a batch's item: EstimateItem, plus its audio
// and what it costs when a would transcribe it.
func EstimateSource(it source.Item, p Pricer, a *ASR, transcribe bool) Estimate {
	e := EstimateItem(it.Duration(), p)
	if !a.Transcribes(it, transcribe) {
		return e
	}
	e.ASR = it.Duration()
	if e.ASR <= 0 {
		e.ASR = UnknownDuration
	}
	if a.PricePerMinute < 0 {
		e.CostUSD = nil
	} else if e.CostUSD != nil {
		c := *e.CostUSD + e.ASR.Minutes()*a.PricePerMinute
		e.CostUSD = &c
	}
	return e
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
