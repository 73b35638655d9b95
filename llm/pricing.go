package llm

import (
	"math"
	"regexp"
	"strings"

	"github.com/recap-dev/recap"
)

// Pricing is what a model charges, in US dollars per million tokens. It
// is the one place recap turns tokens into money: documents' cost_usd
// (Cost) and estimates before paying (Estimate).
type Pricing struct {
	Input  float64 // per million prompt tokens
	Output float64 // per million completion tokens
}

// prices are OpenAI's list prices for a few common models, USD per
// million tokens (standard tier, no cached-input discount).
var prices = map[string]Pricing{
	"gpt-4.1-mini": {Input: 0.40, Output: 1.60}, // the default model
	"gpt-4.1":      {Input: 2.00, Output: 8.00},
	"gpt-4.1-nano": {Input: 0.10, Output: 0.40},
	"gpt-4o-mini":  {Input: 0.15, Output: 0.60},
	"gpt-4o":       {Input: 2.50, Output: 10.00},
}

// snapshot matches a dated model name, "gpt-4.1-mini-2025-04-14".
var snapshot = regexp.MustCompile(`-\d{4}-\d{2}-\d{2}$`)

// PricingFor returns model's prices: input and output (RECAP_LLM_PRICE_INPUT
// and _OUTPUT; nil when unset) override the built-in table, which knows a
// few OpenAI models by name, with an "openai/" prefix (OpenRouter) or a
// date suffix. ok is false when a price is still unknown.
func PricingFor(model string, input, output *float64) (p Pricing, ok bool) {
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(model)), "openai/")
	p, ok = prices[name]
	if !ok {
		p, ok = prices[snapshot.ReplaceAllString(name, "")]
	}
	if input != nil && output != nil {
		ok = true
	}
	if input != nil {
		p.Input = *input
	}
	if output != nil {
		p.Output = *output
	}
	return p, ok
}

// Cost is what u's tokens cost, rounded to a millionth of a dollar.
func (p Pricing) Cost(u recap.Usage) float64 {
	return p.Estimate(u.PromptTokens, u.CompletionTokens)
}

// Estimate is what calls of so many prompt and completion tokens would
// cost, rounded to a millionth of a dollar: for budgets, before paying.
func (p Pricing) Estimate(promptTokens, completionTokens int) float64 {
	usd := (float64(promptTokens)*p.Input + float64(completionTokens)*p.Output) / 1e6
	return math.Round(usd*1e6) / 1e6
}
