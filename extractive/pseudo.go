package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cutLong cuts a sentence of more than maxSentence words into
// pseudo-sentences of minPiece..maxPiece words. YouTube's automatic
// captions carry no punctuation at all, so without this a whole chapter
// would be one "sentence". Each cut goes where a new clause most likely
// starts: after a comma, before a discourse word ("so", "but", "and
// then"), not after an article or preposition; among equally good places
// the one nearest targetPiece wins, the earliest on ties.
func cutLong(s []token, english bool) [][]token {
	cum := make([]int, len(s)+1)
	for i, t := range s {
		cum[i+1] = cum[i] + weight(t)
	}
	total := cum[len(s)]
	if total <= maxSentence {
		return [][]token{s}
	}
	var out [][]token
	start := 0
	for total-cum[start] > maxPiece {
		best, bestScore := -1, 0.0
		for p := start + 1; p < len(s); p++ {
			w := cum[p] - cum[start]
			if w < minPiece {
				continue
			}
			if w > maxPiece || total-cum[p] < minPiece {
				break
			}
			d := w - targetPiece
			if d < 0 {
				d = -d
			}
			sc := cutScore(s, p, english) - 0.15*float64(d)
			if best < 0 || sc > bestScore {
				best, bestScore = p, sc
			}
		}
		if best < 0 {
			// Heavy (CJK) tokens can jump over the window: cut near the
			// middle of what is left instead.
			half := min(targetPiece, (total-cum[start])/2)
			best = start + 1
			for best < len(s)-1 && cum[best]-cum[start] < half {
				best++
			}
		}
		out = append(out, s[start:best])
		start = best
	}
	return append(out, s[start:])
}

// English words that often open a new clause in speech, with how sure a
// cut before them is.
var clauseStart = map[string]float64{
	"so": 3, "but": 3, "now": 2.5, "okay": 3, "ok": 3, "alright": 3,
	"anyway": 3, "however": 3, "because": 1.5, "then": 1, "which": 0.5,
	"when": 1.5, "if": 1.5, "or": 0.5, "also": 1, "well": 1, "yeah": 2,
	"um": 1, "uh": 1, "and": 1, "i": 2, "we": 2, "you": 2, "they": 2,
	"he": 2, "she": 2, "it's": 2, "there's": 2, "that's": 1.5, "let's": 2,
	"here's": 2, "what": 1, "why": 1.5, "how": 1, "this": 1.5, "these": 1.5,
	"there": 1, "it": 1, "the": 1, "our": 1, "your": 0.5, "in": 0.5,
	"i'm": 2, "we're": 2, "you're": 2, "they're": 2, "i've": 2, "we've": 2,
	"you've": 2, "while": 1.5, "whereas": 2, "although": 2, "though": 1,
	"after": 1, "before": 1, "since": 1,
}

// English words a clause does not end on: articles, prepositions,
// auxiliaries, pronouns that need an object or a verb after them.
var glue = map[string]bool{}

// English words that do not open a clause.
var noStart = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the a an of to in on at for with from by into
		onto about than as like my your our their his her its this these those
		that which who whose whom is are was were be been being am has have had
		will would can could should shall may might must do does did not no
		very really just more most less least also and or but so if because
		when while where how why what whether though although since until
		unless i we you they he she it it's that's there's what's you're
		we're they're i'm i've we've you've get got make some any all each
		every both such same other another over under up down out off
		through between without within upon only even`) {
		glue[w] = true
	}
	for _, w := range strings.Fields(`of to than as 's is are was were has have
		had been be will would can could should does did am versus vs`) {
		noStart[w] = true
	}
}

// cutScore rates a cut before s[p].
func cutScore(s []token, p int, english bool) float64 {
	score := 0.0
	prev := strings.TrimRightFunc(s[p-1].text, isCloser)
	if last, _ := utf8.DecodeLastRuneInString(prev); strings.ContainsRune(",;:-–—、，；：", last) {
		score += 3
	}
	if !s[p].space {
		score-- // inside a CJK run
	}
	if !english {
		return score
	}
	cur := bareLower(s[p].text)
	next := ""
	if p+1 < len(s) {
		next = bareLower(s[p+1].text)
	}
	switch {
	case cur == "and" && (next == "then" || next == "so" || next == "now"):
		score += 3
	case cur == "so" && (next == "much" || next == "many" || next == "far" || next == "that"):
		score += 0.5
	default:
		score += clauseStart[cur]
	}
	if glue[bareLower(s[p-1].text)] {
		score -= 3
	}
	if noStart[cur] {
		score -= 2
	}
	return score
}

// bareLower lowercases an ASCII-ish word and strips punctuation around it;
// it serves the English-only rules, so it need not fold other scripts.
func bareLower(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}))
}
