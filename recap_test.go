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
