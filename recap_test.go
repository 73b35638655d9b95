package recap

import (
	"testing"
	"time"
)

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
	if !Permanent(Errorf(ENOTRANSCRIPT, "no transcript")) {
		t.Fatal("an episode without a transcript must fail for good")
	}
	if Permanent(Errorf(EBLOCKED, "slow down")) || Permanent(Errorf(EFETCH, "503")) || Permanent(errString("network")) {
		t.Fatal("transient errors must not be permanent")
	}
	if ErrorCode(nil) != "" || ErrorCode(errString("x")) != EINTERNAL {
		t.Fatal("ErrorCode of nil / plain errors")
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestHasWords: sound cues, music signs and punctuation are not words.
func TestHasWords(t *testing.T) {
	for text, want := range map[string]bool{
		"[Music]":                true,
		"[Applause] [Laughter]":  true,
		"(laughs)":               true,
		"♪♪":                     true,
		"♪ [Music] ♪ -":          true,
		"":                       true,
		"♪ la la la ♪":           false,
		"[Music] so we begin":    false,
		"(en) Welcome":           false,
		"42":                     false,
		"Willkommen [Musik] da!": false,
	} {
		if got := HasWords(text); got == want {
			t.Errorf("HasWords(%q) = %v, want %v", text, got, !want)
		}
	}
}

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
	sum.Add(Usage{ASRSeconds: 90.5})
	sum.Add(Usage{ASRSeconds: 30})
	if sum.ASRSeconds != 120.5 || sum.LLMCalls != 2 {
		t.Errorf("sum = %+v, want 120.5 audio seconds and 2 calls", sum)
	}
}

func TestVideoTimeURL(t *testing.T) {
	at := 90*time.Second + 700*time.Millisecond
	for _, tc := range []struct {
		name string
		v    Video
		want string
	}{
		{"youtube", Video{ID: "vo4pMVb0R6M", URL: WatchURL("vo4pMVb0R6M")}, "https://www.youtube.com/watch?v=vo4pMVb0R6M&t=90s"},
		{"youtube without URL", Video{ID: "vo4pMVb0R6M", Source: SourceYouTube}, "https://www.youtube.com/watch?v=vo4pMVb0R6M&t=90s"},
		{"download of a YouTube video", Video{ID: "vo4pMVb0R6M", Source: SourceFile, URL: WatchURL("vo4pMVb0R6M")}, "https://www.youtube.com/watch?v=vo4pMVb0R6M&t=90s"},
		{"download from elsewhere", Video{ID: "123", Source: SourceFile, URL: "https://vimeo.com/123"}, "https://vimeo.com/123#t=90"},
		{"podcast audio", Video{ID: "epabcdefghijkl", Source: SourcePodcast, URL: "https://pod.example/ep/1", MediaURL: "https://cdn.example/ep1.mp3?x=1#old"}, "https://cdn.example/ep1.mp3?x=1#t=90"},
		{"podcast page only", Video{ID: "epabcdefghijkl", Source: SourcePodcast, URL: "https://pod.example/ep/1"}, "https://pod.example/ep/1#t=90"},
	} {
		if got := tc.v.TimeURL(at); got != tc.want {
			t.Errorf("%s: TimeURL = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 items", 1: "1 item", 2: "2 items", 11: "11 items"} {
		if got := Count(n, "item"); got != want {
			t.Errorf("Count(%d, item) = %q, want %q", n, got, want)
		}
	}
}
