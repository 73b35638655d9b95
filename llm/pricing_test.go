package llm

import (
	"testing"

	"github.com/recap-dev/recap"
)

func TestPricingFor(t *testing.T) {
	in, out := 1.25, 5.0
	for _, tc := range []struct {
		model     string
		in, out   *float64
		want      Pricing
		wantKnown bool
	}{
		{"gpt-4.1-mini", nil, nil, Pricing{0.40, 1.60}, true},
		{DefaultModel, nil, nil, Pricing{0.40, 1.60}, true},
		{"openai/gpt-4.1-mini", nil, nil, Pricing{0.40, 1.60}, true},
		{"gpt-4.1-mini-2025-04-14", nil, nil, Pricing{0.40, 1.60}, true},
		{"GPT-4o", nil, nil, Pricing{2.50, 10}, true},
		{"gpt-4.1-mini", &in, nil, Pricing{1.25, 1.60}, true}, // one overridden
		{"llama3.1:8b", nil, nil, Pricing{}, false},
		{"llama3.1:8b", &in, nil, Pricing{1.25, 0}, false}, // half a price is no price
		{"llama3.1:8b", &in, &out, Pricing{1.25, 5}, true},
	} {
		got, known := PricingFor(tc.model, tc.in, tc.out)
		if got != tc.want || known != tc.wantKnown {
			t.Errorf("PricingFor(%q) = %+v, %v; want %+v, %v", tc.model, got, known, tc.want, tc.wantKnown)
		}
	}
}

func TestCostAndEstimate(t *testing.T) {
	p, _ := PricingFor(DefaultModel, nil, nil)
	// A 3-hour video: ~40k transcript tokens in, ~6k out.
	if got := p.Cost(recap.Usage{LLMCalls: 21, PromptTokens: 42000, CompletionTokens: 6300}); got != 0.02688 {
		t.Errorf("Cost = %v, want 0.042×0.40 + 0.0063×1.60 = 0.02688", got)
	}
	if got := p.Estimate(1_000_000, 1_000_000); got != 2.0 {
		t.Errorf("Estimate(1M, 1M) = %v, want 2.00", got)
	}
	if got := p.Estimate(1, 0); got != 0 {
		t.Errorf("Estimate(1, 0) = %v, want 0 (rounded to a millionth of a dollar)", got)
	}
}
