package recap

import "testing"

func TestTranscriptEmpty(t *testing.T) {
	for _, tc := range []struct {
		texts []string
		empty bool
	}{
		{nil, true},
		{[]string{"", "  "}, true},
		{[]string{"[Music]", "♪ ♪", "(applause)", "[Música]"}, true},
		{[]string{"[Music]", "so today we talk"}, false},
		{[]string{"(laughs) right"}, false},
		{[]string{"日本語です"}, false},
		{[]string{"42"}, false},
	} {
		tr := &Transcript{}
		for _, s := range tc.texts {
			tr.Segments = append(tr.Segments, Segment{Text: s})
		}
		if got := tr.Empty(); got != tc.empty {
			t.Errorf("Empty(%q) = %v, want %v", tc.texts, got, tc.empty)
		}
	}
}

func TestEstimateTokens(t *testing.T) {
	if EstimateTokens("") != 0 || EstimateTokens("a") != 1 || EstimateTokens("abcdefgh") != 2 {
		t.Fatal("latin estimate off")
	}
	if got := EstimateTokens("日本語"); got != 3 {
		t.Fatalf("CJK estimate = %d, want one a character", got)
	}
}

func TestErrorCodes(t *testing.T) {
	err := WrapError(EPRIVATE, Errorf(EINTERNAL, "inner"), "video x is private")
	if ErrorCode(err) != EPRIVATE || !Permanent(err) || ErrorMessage(err) != "video x is private" {
		t.Fatalf("code %q permanent %v message %q", ErrorCode(err), Permanent(err), ErrorMessage(err))
	}
	if Permanent(Errorf(EBLOCKED, "slow down")) || Permanent(errString("network")) {
		t.Fatal("transient errors must not be permanent")
	}
	if ErrorCode(nil) != "" || ErrorCode(errString("x")) != EINTERNAL {
		t.Fatal("ErrorCode of nil / plain errors")
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestUsageAddCost(t *testing.T) {
	usd := func(v float64) *float64 { return &v }
	paid := func(c *float64) Usage { return Usage{LLMCalls: 1, PromptTokens: 10, CompletionTokens: 2, CostUSD: c} }
	for _, tc := range []struct {
		name string
		in   []Usage
		want *float64
	}{
		{"known costs add up", []Usage{paid(usd(0.01)), paid(usd(0.02))}, usd(0.03)},
		{"an unknown cost makes the sum unknown", []Usage{paid(usd(0.01)), paid(nil), paid(usd(0.02))}, nil},
		{"a free usage changes nothing", []Usage{paid(usd(0.01)), {}, {CostUSD: usd(0)}}, usd(0.01)},
		{"from empty, an unknown stays unknown", []Usage{{}, paid(nil)}, nil},
		{"free only", []Usage{{}, {CostUSD: usd(0)}}, nil},
	} {
		var sum Usage
		for _, u := range tc.in {
			sum.Add(u)
		}
		if (sum.CostUSD == nil) != (tc.want == nil) || sum.CostUSD != nil && *sum.CostUSD-*tc.want > 1e-12 {
			t.Errorf("%s: cost %v, want %v", tc.name, sum.CostUSD, tc.want)
		}
	}
	// Add copies: changing the sum does not change an addend.
	a := paid(usd(0.5))
	var sum Usage
	sum.Add(a)
	sum.Add(paid(usd(0.5)))
	if *a.CostUSD != 0.5 {
		t.Errorf("Add changed its argument's cost to %v", *a.CostUSD)
	}
}
