// Package plan says what a batch would take before it runs (`recap batch
// --dry-run`): every item with its length, whether it is already
// summarized, and an estimate of its LLM calls, tokens, speech-to-text
// minutes and cost (batch.EstimateSource), with totals. Making a plan
// calls no LLM and no speech-to-text service.
package plan

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/textclean"
)

// Item is one item of the plan.
type Item struct {
	ID       string
	Title    string
	Duration time.Duration // 0 when unknown
	// Skip says why it cannot be summarized.
	Skip string
	// Summarized says a summary with the same options is stored: running
	// the batch takes it at no cost (unless forced).
	Summarized bool
	// Estimate is what summarizing it would take; nil when it is skipped
	// or already summarized (and not forced).
	Estimate *batch.Estimate
	// OverBudget says the budget would keep it from starting.
	OverBudget bool
}

// Plan is a batch's items and what they would take together.
type Plan struct {
	Items                     []Item
	ToDo, Summarized, Skipped int
	Calls, Prompt, Completion int
	// ASR is the audio the items would send to speech-to-text.
	ASR time.Duration
	// ASRPriceUnknown says that a cost is unknown for want of the
	// speech-to-text price.
	ASRPriceUnknown bool
	// CostUSD sums the items' estimates; nil when a price is unknown.
	CostUSD *float64
	// MaxCostUSD is the budget, when one is set; OverBudget counts the
	// items it would leave paused.
	MaxCostUSD *float64
	OverBudget int
	// Offline says the summarizer calls no LLM: no item has LLM calls,
	// tokens or an LLM cost (speech-to-text may still cost).
	Offline bool
}

// Options shape a plan.
type Options struct {
	// Force summarizes items again even when a summary is stored.
	Force bool
	// Pricer prices estimates; nil means unknown prices.
	Pricer batch.Pricer
	// ASR is the speech-to-text service; nil when none is configured.
	ASR *batch.ASR
	// Transcribe asks for every item's transcript from speech-to-text.
	Transcribe bool
	// MaxCostUSD is the budget, nil for none.
	MaxCostUSD *float64
	// Offline says the summarizer calls no LLM (extractive): items to do
	// cost nothing but their speech-to-text, and only those that would be
	// transcribed get an estimate.
	Offline bool
	// Summarized reports whether an item is already summarized with the
	// batch's options.
	Summarized func(source.Item) (bool, error)
}

// Make plans items, in source order.
func Make(items []source.Item, opt Options) (*Plan, error) {
	p := &Plan{MaxCostUSD: opt.MaxCostUSD, Offline: opt.Offline}
	cost, known := 0.0, true
	for _, it := range items {
		pi := Item{ID: it.ID, Title: it.Title, Duration: it.Duration(), Skip: it.Skip}
		if it.Skip != "" {
			p.Skipped++
			p.Items = append(p.Items, pi)
			continue
		}
		if opt.Summarized != nil {
			done, err := opt.Summarized(it)
			if err != nil {
				return nil, fmt.Errorf("is %s summarized: %w", it.ID, err)
			}
			pi.Summarized = done
		}
		if pi.Summarized {
			p.Summarized++
			if !opt.Force {
				p.Items = append(p.Items, pi)
				continue
			}
		}
		var e batch.Estimate
		if opt.Offline {
			e = batch.EstimateSource(it, noLLMCost{}, opt.ASR, opt.Transcribe)
			e.Calls, e.PromptTokens, e.CompletionTokens = 0, 0, 0
			if e.ASR == 0 {
				p.ToDo++
				p.Items = append(p.Items, pi)
				continue
			}
		} else {
			e = batch.EstimateSource(it, opt.Pricer, opt.ASR, opt.Transcribe)
		}
		pi.Estimate = &e
		// As the dispatcher: an item starts only while what is spent and
		// in flight, plus its estimate, stays within the budget.
		if b := opt.MaxCostUSD; b != nil && (p.OverBudget > 0 || e.CostUSD == nil || cost+*e.CostUSD > *b+1e-9) {
			pi.OverBudget = true
			p.OverBudget++
		}
		p.ToDo++
		p.Calls += e.Calls
		p.Prompt += e.PromptTokens
		p.Completion += e.CompletionTokens
		p.ASR += e.ASR
		if e.CostUSD == nil {
			known = false
			p.ASRPriceUnknown = p.ASRPriceUnknown || e.ASR > 0 && opt.ASR.PricePerMinute < 0
		} else {
			cost += *e.CostUSD
		}
		p.Items = append(p.Items, pi)
	}
	if known {
		p.CostUSD = &cost
	}
	return p, nil
}

// Write prints the plan as a table and its totals.
func (p *Plan) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tLENGTH\tSTATE\tCALLS\tTOKENS\tASR\tCOST\tTITLE")
	for i, it := range p.Items {
		length := "?"
		if it.Duration > 0 {
			length = render.Timestamp(int64(it.Duration / time.Second))
		}
		state, calls, tokens, asr, cost := "to do", "-", "-", "-", "-"
		if p.Offline && it.Skip == "" && !it.Summarized {
			calls, tokens, cost = "0", "0", render.USD(new(0.0))
		}
		switch {
		case it.Skip != "":
			state = "skipped: " + textclean.Line(it.Skip)
		case it.Summarized && it.Estimate == nil:
			state = "summarized"
		case it.Summarized:
			state = "summarized, forced"
		}
		if it.OverBudget {
			state += ", over budget"
		}
		if e := it.Estimate; e != nil {
			calls, tokens, cost = fmt.Sprint(e.Calls), progress.Count(e.PromptTokens+e.CompletionTokens), "?"
			if e.ASR > 0 {
				asr = minutes(e.ASR)
			}
			if e.CostUSD != nil {
				cost = render.USD(e.CostUSD)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, it.ID, length, state, calls, tokens, asr, cost, textclean.Line(it.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s: %d to summarize, %d already summarized, %d skipped\n", recap.Count(len(p.Items), "item"), p.ToDo, p.Summarized, p.Skipped)
	asr := ""
	if p.ASR > 0 {
		asr = ", " + minutes(p.ASR) + " of speech-to-text"
	}
	cost := usd(p.CostUSD)
	if p.ASRPriceUnknown {
		cost = "cost unknown (set RECAP_ASR_PRICE_PER_MINUTE)"
	}
	switch {
	case p.Offline && p.ASR > 0:
		fmt.Fprintf(w, "offline summarizer: no LLM calls, no LLM cost%s, %s\n", asr, cost)
	case p.Offline:
		fmt.Fprintf(w, "offline summarizer: no LLM calls, no LLM cost (%s)\n", render.USD(p.CostUSD))
	default:
		fmt.Fprintf(w, "estimate: %s, %d prompt + %d completion tokens%s, %s\n", recap.Count(p.Calls, "LLM call"), p.Prompt, p.Completion, asr, cost)
	}
	if b := p.MaxCostUSD; b != nil && p.OverBudget > 0 {
		fmt.Fprintf(w, "budget: --max-cost %s would leave %s paused\n", render.USD(b), recap.Count(p.OverBudget, "item"))
	} else if b != nil {
		fmt.Fprintf(w, "budget: --max-cost %s covers every item\n", render.USD(b))
	}
	_, err := fmt.Fprintln(w, "nothing was summarized: this was a dry run")
	return err
}

// minutes says d in whole minutes, rounded up: what speech-to-text
// services bill.
func minutes(d time.Duration) string {
	return fmt.Sprintf("%d min", int(math.Ceil(d.Minutes())))
}

func usd(c *float64) string {
	if c == nil {
		return "cost unknown (set RECAP_LLM_PRICE_INPUT and RECAP_LLM_PRICE_OUTPUT)"
	}
	return render.USD(c)
}

// noLLMCost prices the offline summarizer's LLM use: nothing.
type noLLMCost struct{}

func (noLLMCost) Estimate(prompt, completion int) float64 { return 0 }
