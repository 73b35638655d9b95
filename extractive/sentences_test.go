package extractive

import (
	"reflect"
	"strings"
	"testing"
)

func sentenceTexts(text string, english bool) []string {
	var out []string
	for _, s := range splitSentences(text, english) {
		out = append(out, joinTokens(s))
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"plain", "The brain is complex. It has billions of neurons! Does it? Yes.",
			[]string{"The brain is complex.", "It has billions of neurons!", "Does it?", "Yes."}},
		{"titles", "Dr. Smith met Mr. Jones at St. Mary's. They talked.",
			[]string{"Dr. Smith met Mr. Jones at St. Mary's.", "They talked."}},
		{"latin abbreviations", "Some drugs, e.g. caffeine, and i.e. stimulants, work fast. Others do not.",
			[]string{"Some drugs, e.g. caffeine, and i.e. stimulants, work fast.", "Others do not."}},
		{"decimals and versions", "It costs 3.50 dollars, up 2.5 percent from v1.2 last year. Fine.",
			[]string{"It costs 3.50 dollars, up 2.5 percent from v1.2 last year.", "Fine."}},
		{"dotted abbreviation inside", "The U.S. economy grew at 9 a.m. today. Then it stopped.",
			[]string{"The U.S. economy grew at 9 a.m. today.", "Then it stopped."}},
		{"dotted abbreviation at the end", "He moved to the U.S. Then he left.",
			[]string{"He moved to the U.S.", "Then he left."}},
		{"etc and No.", "Apples, pears, etc. are fruit. Take No. 5 now. We said no. Then we left.",
			[]string{"Apples, pears, etc. are fruit.", "Take No. 5 now.", "We said no.", "Then we left."}},
		{"initials", "John F. Kennedy spoke. J. R. R. Tolkien wrote.",
			[]string{"John F. Kennedy spoke.", "J. R. R. Tolkien wrote."}},
		{"quotes", `He said "stop." Then he ran. "Really?!" she asked.`,
			[]string{`He said "stop."`, "Then he ran.", `"Really?!"`, "she asked."}},
		{"ellipsis", "And then... we waited. Nothing… Then a knock.",
			[]string{"And then... we waited.", "Nothing…", "Then a knock."}},
		{"chinese", "大脑非常复杂。它有数十亿个神经元！你知道吗？",
			[]string{"大脑非常复杂。", "它有数十亿个神经元！", "你知道吗？"}},
		{"japanese quotes", "彼は「はい。」と言った。次に行こう。",
			[]string{"彼は「はい。」と言った。", "次に行こう。"}},
		{"hindi danda", "यह एक वाक्य है। यह दूसरा है।",
			[]string{"यह एक वाक्य है।", "यह दूसरा है।"}},
		{"sound tags and speakers", "[Music] so welcome back >> thanks for having me (upbeat music) great ♪",
			[]string{"so welcome back", "thanks for having me great"}},
		{"punctuation only", "... -- !", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sentenceTexts(tc.text, true); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// asrGrind is the grind chapter as automatic captions give it.
func asrGrind(t *testing.T) string {
	return asrStyle(chapterByTitle(t, "Grind size").text)
}

func TestPseudoSentences(t *testing.T) {
	text := asrGrind(t)
	sents := splitSentences(text, true)
	if len(sents) < 10 {
		t.Fatalf("%d pseudo-sentences from %d words, want at least 10", len(sents), len(strings.Fields(text)))
	}
	var words []string
	for i, s := range sents {
		n := weightOf(s)
		if n > maxPiece || (n < minPiece && i != len(sents)-1) {
			t.Errorf("pseudo-sentence %d has %d words, want %d..%d: %q", i, n, minPiece, maxPiece, joinTokens(s))
		}
		for _, tok := range s {
			words = append(words, tok.text)
		}
	}
	if got := strings.Join(words, " "); got != text {
		t.Errorf("pseudo-sentences lose or reorder words:\ngot  %q\nwant %q", got, text)
	}
	// Where a clause word and a poor spot are both in reach, the cut goes
	// before the clause word: no piece may end on an article.
	for _, s := range sents[:len(sents)-1] {
		last := bareLower(s[len(s)-1].text)
		if last == "the" || last == "a" || last == "of" {
			t.Errorf("pseudo-sentence ends on %q: %q", last, joinTokens(s))
		}
	}
}

func TestCutPrefersClauseBoundaries(t *testing.T) {
	// 18 words, then "so", then 18 more, then "but", then 16: the cuts
	// must fall exactly before "so" and "but".
	a := strings.Repeat("neurons fire ", 9)
	b := strings.Repeat("signals travel ", 9)
	c := strings.Repeat("axons grow ", 8)
	text := a + "so " + b + "but " + c
	got := sentenceTexts(text, true)
	if len(got) != 3 || !strings.HasPrefix(got[1], "so ") || !strings.HasPrefix(got[2], "but ") {
		t.Errorf("cuts at %q, want before \"so\" and \"but\"", got)
	}
	// Commas count in any language.
	de := strings.Repeat("Neuronen feuern ", 9) + "schnell, " + strings.Repeat("Signale laufen ", 12)
	got = sentenceTexts(de, false)
	if len(got) != 2 || !strings.HasSuffix(got[0], "schnell,") {
		t.Errorf("cuts at %q, want after the comma", got)
	}
}

func TestLongCJKIsCut(t *testing.T) {
	text := strings.Repeat("神经元通过突触传递信号", 12) // 132 runes, no punctuation
	sents := splitSentences(text, false)
	if len(sents) < 2 {
		t.Fatalf("%d pieces, want the run cut", len(sents))
	}
	var joined strings.Builder
	for _, s := range sents {
		if n := weightOf(s); n > maxPiece+cjkPiece/2 {
			t.Errorf("piece of %d words: %q", n, joinTokens(s))
		}
		joined.WriteString(joinTokens(s))
	}
	if joined.String() != text {
		t.Errorf("pieces do not rejoin to the text: %q", joined.String())
	}
}
