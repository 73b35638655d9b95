package extractive

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"

	"github.com/recap-dev/recap"
)

// word is one word of a sentence as the ranker sees it.
type word struct {
	surface string // as written: "Freud", "neurons"
	// key is the folded, stemmed form that similarity compares ("neuron");
	// "" for stop words, numbers and single letters.
	key string
	// clause: punctuation follows, so a keyphrase cannot run past it.
	clause bool
	cjk    bool // a character bigram of text written without spaces
}

// analyzer turns tokens into words for one chapter. It is not safe for
// concurrent use; every call of the summarizer makes its own.
type analyzer struct {
	base  string // ISO 639 base language whose rules apply, e.g. "en"
	lang  language
	fold  cases.Caser
	cache map[string]analyzed
	// Counts of non-CJK words and of stop words among them, to tell
	// whether the stop list fits the text at all.
	nWords, nStops int
}

type analyzed struct {
	key  string
	stop bool
}

// newAnalyzer picks the language rules for text: those of tag when its
// stop list covers a fair share of the words, else English when English
// fits (the captions may not be in the language asked for), else none at
// all, leaving stop words to fallbackStops. Texts too short to judge keep
// tag's rules.
func newAnalyzer(tag, text string) *analyzer {
	a := &analyzer{fold: cases.Fold(), cache: make(map[string]analyzed)}
	base := baseLanguage(tag)
	sample := strings.Fields(text)
	if len(sample) > 1500 {
		sample = sample[:1500]
	}
	l, ok := languages[base]
	switch {
	case len(sample) < 30 || (ok && a.coverage(l, sample) >= 0.12):
	case base != "en" && a.coverage(languages["en"], sample) >= 0.2:
		base = "en"
	case ok:
		base = "und"
	}
	a.base, a.lang = base, languages[base]
	return a
}

// baseLanguage is the base language whose rules apply to tag: its
// primary subtag, "en" when there is none.
func baseLanguage(tag string) string {
	if b := recap.BaseLanguage(tag); b != "" && b != "und" {
		return b
	}
	return "en"
}

func (a *analyzer) coverage(l language, sample []string) float64 {
	if l.stop == nil {
		return 0
	}
	n, stop := 0, 0
	for _, f := range sample {
		w := a.foldWord(strings.TrimFunc(f, func(r rune) bool { return !isWordRune(r) }))
		if w == "" || cjkRunes(w) > 0 {
			continue
		}
		n++
		if l.stop(w) || l.stop(reduceApostrophe(w)) {
			stop++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(stop) / float64(n)
}

// english reports whether English-only rules (discourse words, fillers,
// "i" → "I") apply.
func (a *analyzer) english() bool { return a.base == "en" }

// isStop reports whether a word, as written, is a stop word.
func (a *analyzer) isStop(w string) bool {
	if a.lang.stop == nil {
		return false
	}
	f := a.foldWord(strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) }))
	return a.lang.stop(f) || a.lang.stop(reduceApostrophe(f))
}

func (a *analyzer) foldWord(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return strings.ReplaceAll(a.fold.String(s), "’", "'")
}

// reduceApostrophe keeps the meaningful side of an apostrophe: "freud's" →
// "freud", "it's" → "it", but French and Italian elision "l'homme" →
// "homme".
func reduceApostrophe(w string) string {
	i := strings.IndexByte(w, '\'')
	if i < 0 {
		return w
	}
	left, right := w[:i], w[i+1:]
	if utf8.RuneCountInString(right) >= 3 && (utf8.RuneCountInString(left) <= 2 || left == "qu") {
		return right
	}
	return left
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// words analyzes a sentence's tokens.
func (a *analyzer) words(toks []token) []word {
	var out []word
	for _, t := range toks {
		n := len(out)
		out = a.appendWords(out, t.text)
		if len(out) > n {
			last, _ := utf8.DecodeLastRuneInString(t.text)
			out[len(out)-1].clause = !isWordRune(last)
		}
	}
	return out
}

// appendWords splits one token into words: runs of letters and digits,
// apostrophes inside a word kept ("don't"), CJK runs as bigrams.
func (a *analyzer) appendWords(out []word, s string) []word {
	start, inCJK := -1, false
	flush := func(end int) {
		if start >= 0 {
			out = a.appendRun(out, s[start:end], inCJK)
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case isWordRune(r):
			c := isCJK(r)
			if start >= 0 && c != inCJK {
				flush(i)
			}
			if start < 0 {
				start, inCJK = i, c
			}
		case (r == '\'' || r == '’') && start >= 0 && !inCJK && i+utf8.RuneLen(r) < len(s):
			// Inside a word only when a letter follows.
			if next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):]); !unicode.IsLetter(next) {
				flush(i)
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}

func (a *analyzer) appendRun(out []word, run string, cjk bool) []word {
	if cjk {
		rs := []rune(run)
		if len(rs) == 1 {
			return append(out, word{surface: run, key: run, cjk: true})
		}
		for i := 0; i+1 < len(rs); i++ {
			bg := string(rs[i : i+2])
			out = append(out, word{surface: bg, key: bg, cjk: true})
		}
		return out
	}
	an, ok := a.cache[run]
	if !ok {
		an = a.analyze(run)
		a.cache[run] = an
	}
	a.nWords++
	if an.stop {
		a.nStops++
	}
	return append(out, word{surface: strings.TrimRight(run, "'’"), key: an.key})
}

func (a *analyzer) analyze(run string) analyzed {
	f := a.foldWord(run)
	r := reduceApostrophe(f)
	if a.lang.stop != nil && (a.lang.stop(f) || a.lang.stop(r)) {
		return analyzed{stop: true}
	}
	if utf8.RuneCountInString(r) < 2 || strings.IndexFunc(r, func(c rune) bool { return !unicode.IsDigit(c) }) < 0 {
		return analyzed{}
	}
	if a.lang.stem != nil {
		r = a.lang.stem(r, true)
	}
	return analyzed{key: r}
}

// fallbackStops handles languages without a stop list, or text the list
// does not fit: the words found in a large share of the sentences, and
// the most frequent short words, are function words in any language.
func (a *analyzer) fallbackStops(sents [][]word) {
	if a.lang.stop != nil && float64(a.nStops) >= 0.15*float64(a.nWords) {
		return
	}
	df := make(map[string]int)
	count := make(map[string]int)
	for _, s := range sents {
		seen := make(map[string]bool)
		for _, w := range s {
			if w.key == "" {
				continue
			}
			count[w.key]++
			if !seen[w.key] {
				seen[w.key] = true
				df[w.key]++
			}
		}
	}
	drop := make(map[string]bool)
	if n := len(sents); n >= 5 {
		for k, d := range df {
			if float64(d) >= 0.4*float64(n) && d >= 3 {
				drop[k] = true
			}
		}
	}
	var short []string
	for k, c := range count {
		if c >= 3 && utf8.RuneCountInString(k) <= 3 && cjkRunes(k) == 0 {
			short = append(short, k)
		}
	}
	slices.SortFunc(short, func(x, y string) int {
		return cmp.Or(cmp.Compare(count[y], count[x]), cmp.Compare(x, y))
	})
	for _, k := range short[:min(10, len(short))] {
		drop[k] = true
	}
	for _, s := range sents {
		for i := range s {
			if drop[s[i].key] {
				s[i].key = ""
			}
		}
	}
}
