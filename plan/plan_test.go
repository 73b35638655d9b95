package plan

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/source"
)

// perToken prices a token at a micro-dollar, prompt or completion.
type perToken struct{}

func (perToken) Estimate(p, c int) float64 { return float64(p+c) / 1e6 }

func items() []source.Item {
	return []source.Item{
		{ID: "aaaaaaaaaaa", Title: "Twenty minutes", DurationSeconds: 1200},
		{ID: "bbbbbbbbbbb", Title: "Done before", DurationSeconds: 600},
		{ID: "ccccccccccc", Title: "Gone", Skip: "deleted video"},
		{ID: "ddddddddddd", Title: "Length\nunknown"},
	}
}

func TestMake(t *testing.T) {
	done := func(it source.Item) (bool, error) { return it.ID == "bbbbbbbbbbb", nil }
	p, err := Make(items(), Options{Pricer: perToken{}, Summarized: done})
	if err != nil {
		t.Fatal(err)
	}
	a, d := batch.EstimateItem(20*time.Minute, perToken{}), batch.EstimateItem(0, perToken{})
	if p.ToDo != 2 || p.Summarized != 1 || p.Skipped != 1 || p.OverBudget != 0 {
		t.Fatalf("counts: %+v", p)
	}
	if p.Calls != a.Calls+d.Calls || p.Prompt != a.PromptTokens+d.PromptTokens || p.Completion != a.CompletionTokens+d.CompletionTokens ||
		p.CostUSD == nil || *p.CostUSD != *a.CostUSD+*d.CostUSD {
		t.Fatalf("totals: %+v; want the sum of %+v and %+v", p, a, d)
	}
	if p.Items[1].Estimate != nil || p.Items[2].Estimate != nil || p.Items[3].Estimate == nil {
		t.Fatalf("estimates for summarized/skipped items: %+v", p.Items)
	}

	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"20:00", "summarized", "skipped: deleted video", "Length unknown", "\n4 items: 2 to summarize, 1 already summarized, 1 skipped\n", "dry run"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}

	// Forced: the summarized item is estimated too. A budget that covers
	// only the first item leaves the rest over it, as the dispatcher would.
	budget := *a.CostUSD + 0.000001
	p, err = Make(items(), Options{Pricer: perToken{}, Summarized: done, Force: true, MaxCostUSD: &budget})
	if err != nil {
		t.Fatal(err)
	}
	if p.ToDo != 3 || p.OverBudget != 2 || p.Items[0].OverBudget || !p.Items[1].OverBudget || !p.Items[3].OverBudget {
		t.Fatalf("forced with a budget: %+v", p)
	}
	out.Reset()
	p.Write(&out)
	if !strings.Contains(out.String(), "summarized, forced, over budget") || !strings.Contains(out.String(), "would leave 2 items paused") {
		t.Errorf("plan:\n%s", out.String())
	}

	// Unknown prices: no cost, said so.
	p, _ = Make(items(), Options{})
	out.Reset()
	p.Write(&out)
	if p.CostUSD != nil || !strings.Contains(out.String(), "cost unknown (set RECAP_LLM_PRICE_INPUT") {
		t.Errorf("unknown prices: %+v\n%s", p.CostUSD, out.String())
	}
}

// With speech-to-text, the plan counts the audio of the items it would
// transcribe, and its cost.
func TestMakeWithSpeechToText(t *testing.T) {
	asr := &batch.ASR{PricePerMinute: 0.01}
	p, err := Make(items(), Options{Pricer: perToken{}, ASR: asr, Transcribe: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Make(items(), Options{Pricer: perToken{}})
	if err != nil {
		t.Fatal(err)
	}
	// 20 + 10 minutes and an hour for the unknown length.
	if want := 90 * time.Minute; p.ASR != want || p.CostUSD == nil || *p.CostUSD-*plain.CostUSD-0.9 > 1e-9 || *p.CostUSD-*plain.CostUSD-0.9 < -1e-9 {
		t.Fatalf("audio %s, cost %v (without speech-to-text %v); want %s and $0.90 more", p.ASR, p.CostUSD, plain.CostUSD, want)
	}
	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ASR", "20 min", "60 min", "90 min of speech-to-text"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}

	unknown, err := Make(items(), Options{Pricer: perToken{}, ASR: &batch.ASR{PricePerMinute: -1}, Transcribe: true})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := unknown.Write(&out); err != nil || unknown.CostUSD != nil || !strings.Contains(out.String(), "RECAP_ASR_PRICE_PER_MINUTE") {
		t.Errorf("unknown speech-to-text price: cost %v, %v:\n%s", unknown.CostUSD, err, out.String())
	}
}

// With the offline summarizer nothing is estimated: no LLM call, no cost,
// whatever the prices and the budget.
func TestMakeOffline(t *testing.T) {
	done := func(it source.Item) (bool, error) { return it.ID == "bbbbbbbbbbb", nil }
	budget := 0.0
	p, err := Make(items(), Options{Pricer: perToken{}, Summarized: done, Offline: true, MaxCostUSD: &budget})
	if err != nil {
		t.Fatal(err)
	}
	if p.ToDo != 2 || p.Calls != 0 || p.Prompt != 0 || p.OverBudget != 0 || p.CostUSD == nil || *p.CostUSD != 0 {
		t.Fatalf("offline plan: %+v; want 2 to do at no cost", p)
	}
	for _, it := range p.Items {
		if it.Estimate != nil {
			t.Errorf("offline item %s has an estimate %+v", it.ID, it.Estimate)
		}
	}
	var out bytes.Buffer
	p.Write(&out)
	for _, want := range []string{"offline summarizer: no LLM calls, no LLM cost ($0", "covers every item", "20:00 to do 0 0 - $0"} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
			t.Errorf("offline plan lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "estimate:") {
		t.Errorf("offline plan estimates LLM calls:\n%s", out.String())
	}
}

func TestWriteCountsInWords(t *testing.T) {
	p, err := Make(items()[:1], Options{Pricer: perToken{}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p.Write(&out)
	if !strings.Contains(out.String(), "\n1 item: 1 to summarize") {
		t.Errorf("one item:\n%s", out.String())
	}
}

// With the offline summarizer and speech-to-text, only the audio costs:
// no LLM call, but the minutes to transcribe and their price.
func TestMakeOfflineWithSpeechToText(t *testing.T) {
	p, err := Make(items(), Options{Pricer: perToken{}, Offline: true, ASR: &batch.ASR{PricePerMinute: 0.01}, Transcribe: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Calls != 0 || p.Prompt != 0 || p.Completion != 0 || p.ASR != 90*time.Minute || p.CostUSD == nil || math.Abs(*p.CostUSD-0.9) > 1e-9 {
		t.Fatalf("offline plan with speech-to-text: %+v (cost %v); want 90 min at $0.90 and no LLM", p, p.CostUSD)
	}
	var out bytes.Buffer
	p.Write(&out)
	if !strings.Contains(out.String(), "offline summarizer: no LLM calls, no LLM cost, 90 min of speech-to-text, $0.9") {
		t.Errorf("offline plan with speech-to-text:\n%s", out.String())
	}
}
