package extractive

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one whitespace-separated piece of the transcript, punctuation
// attached. CJK text has no spaces, so a long CJK run is cut into several
// tokens and space records whether the source had a space before it: the
// output then rejoins the text exactly as it was written.
type token struct {
	text  string
	space bool
}

// Pseudo-sentence sizes, in words. A punctuated sentence up to maxSentence
// words is kept whole; anything longer (an unpunctuated caption run above
// all) is cut into pieces of minPiece..maxPiece words, aiming at
// targetPiece.
const (
	maxSentence = 40
	minPiece    = 15
	targetPiece = 22
	maxPiece    = 30
)

// cjkPiece is the most CJK runes one token carries; two CJK runes count as
// about one word.
const cjkPiece = 16

var (
	// Sound tags captioners add: [Music], [Applause], [ __ ], ♪.
	bracketTag = regexp.MustCompile(`\[[^\[\]]{0,40}\]|[♪♫♬]+`)
	// Parenthesized sound tags of manual captions: (upbeat music), (laughs).
	parenTag = regexp.MustCompile(`(?i)\([^()]{0,30}\b(?:music|applause|laugh\w*|chuckl\w*|inaudible|silence|cheer\w*|sigh\w*|cough\w*|crosstalk)\b[^()]{0,30}\)`)
	// Speaker-change markers of YouTube captions end a sentence even where
	// no punctuation does.
	speakerTurn = regexp.MustCompile(`>>|&gt;&gt;`)
)

// splitSentences cuts text into sentences, and over-long sentences into
// pseudo-sentences, after removing sound tags ([Music], ♪). Pieces without
// a letter or digit are dropped. english enables English discourse words
// as preferred cut points.
func splitSentences(text string, english bool) [][]token {
	// The checks spare most texts the regular expressions.
	if strings.ContainsAny(text, "[♪♫♬") {
		text = bracketTag.ReplaceAllString(text, " ")
	}
	if strings.Contains(text, "(") {
		text = parenTag.ReplaceAllString(text, " ")
	}
	turns := []string{text}
	if strings.Contains(text, ">>") || strings.Contains(text, "&gt;&gt;") {
		turns = speakerTurn.Split(text, -1)
	}
	var out [][]token
	for _, turn := range turns {
		for _, s := range splitTurn(tokenize(turn)) {
			if slices.ContainsFunc(s, func(t token) bool { return strings.IndexFunc(t.text, isWordRune) >= 0 }) {
				out = append(out, cutLong(s, english)...)
			}
		}
	}
	return out
}

// tokenize splits text at whitespace, after CJK sentence marks, and inside
// long CJK runs.
func tokenize(text string) []token {
	var toks []token
	for _, f := range strings.Fields(text) {
		space := true
		for _, part := range splitAfterCJKStops(f) {
			for _, p := range chopCJK(part) {
				toks = append(toks, token{text: p, space: space})
				space = false
			}
		}
	}
	return toks
}

// splitAfterCJKStops cuts a field after each full-width sentence mark:
// CJK writes the next sentence without a space. A mark inside a quote
// that the sentence goes on after (彼は「はい。」と言った) is no end.
func splitAfterCJKStops(f string) []string {
	var parts []string
	start := 0
	for i, r := range f {
		if !isCJKStop(r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		quoted := false
		for end < len(f) {
			r2, n := utf8.DecodeRuneInString(f[end:])
			if !isCloser(r2) && !isCJKStop(r2) {
				break
			}
			quoted = quoted || isCloser(r2)
			end += n
		}
		if end < len(f) && end > start && !quoted {
			parts = append(parts, f[start:end])
			start = end
		}
	}
	return append(parts, f[start:])
}

// chopCJK cuts a token holding many CJK runes into pieces of cjkPiece
// runes, so that unpunctuated CJK text can still be cut into
// pseudo-sentences.
func chopCJK(s string) []string {
	if cjkRunes(s) <= cjkPiece {
		return []string{s}
	}
	var parts []string
	n, start := 0, 0
	for i, r := range s {
		if n == cjkPiece && !isCloser(r) && !isCJKStop(r) {
			parts = append(parts, s[start:i])
			start, n = i, 0
		}
		if isCJK(r) {
			n++
		}
	}
	return append(parts, s[start:])
}

// splitTurn groups tokens into sentences at sentence punctuation.
func splitTurn(toks []token) [][]token {
	var out [][]token
	start := 0
	for i := range toks {
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].text
		}
		if endsSentence(toks[i].text, next) {
			out = append(out, toks[start:i+1])
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// Abbreviations after which a period never ends a sentence.
var alwaysAbbrev = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true,
	"jr": true, "st": true, "vs": true, "cf": true, "e.g": true, "i.e": true,
	"eg": true, "ie": true, "approx": true, "fig": true, "figs": true,
	"gen": true, "gov": true, "sen": true, "rep": true, "rev": true,
	"lt": true, "col": true, "sgt": true, "capt": true, "mt": true,
	"ft": true, "dept": true, "vol": true, "pp": true, "ca": true,
	"viz": true, "hr": true, "bzw": true, "usw": true, "z.b": true,
	"sra": true, "sr.a": true, "mme": true, "mlle": true,
}

// Abbreviations that end a sentence only when a capital follows:
// "… and so on, etc. The next" but "No. 5" and "Jan. 3".
var maybeAbbrev = map[string]bool{
	"etc": true, "al": true, "inc": true, "ltd": true, "co": true,
	"corp": true, "no": true, "nos": true, "jan": true, "feb": true,
	"mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
}

// endsSentence reports whether a sentence ends with token tok, given the
// token after it ("" at the end).
func endsSentence(tok, next string) bool {
	core := strings.TrimRightFunc(tok, isCloser)
	last, _ := utf8.DecodeLastRuneInString(core)
	switch {
	case core == "":
		return false
	case isCJKStop(last):
		return true
	case strings.HasSuffix(core, "...") || last == '…':
		// An ellipsis mostly trails off mid-thought in speech; before a
		// piece that shows it was cut ("…and then"), it ends one.
		return next == "" || startsUpper(next) || strings.HasPrefix(next, "…")
	case last == '!' || last == '?' || isOtherStop(last):
		return true
	case last != '.':
		return false
	}
	word := strings.ToLower(strings.TrimLeftFunc(strings.TrimSuffix(core, "."), isOpener))
	switch {
	case word == "":
		return true
	case alwaysAbbrev[word]:
		return false
	case maybeAbbrev[word] || strings.Contains(word, "."):
		// "U.S.", "a.m.", "Ph.D." inside a sentence, or closing it.
		return next == "" || startsUpper(next)
	case utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) && next != "" && startsUpper(next):
		// An initial, as in "John F. Kennedy".
		return !unicode.IsUpper([]rune(strings.TrimLeftFunc(core, isOpener))[0])
	}
	return true
}

// startsUpper reports whether s's first letter is not lowercase; scripts
// without case count as upper, so a period before them ends a sentence.
func startsUpper(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return !unicode.IsLower(r)
		}
		if unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// startsLower reports whether s's first letter is lowercase, as a sentence
// begun before s would have it.
func startsLower(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.IsLower(r)
		}
		if unicode.IsDigit(r) {
			return false
		}
	}
	return false
}

func isCJKStop(r rune) bool {
	switch r {
	case '。', '！', '？', '｡', '．':
		return true
	}
	return false
}

// isOtherStop reports sentence marks of other scripts: Arabic question
// mark, Devanagari danda, Armenian, Ethiopic, and the paired !?.
func isOtherStop(r rune) bool {
	switch r {
	case '؟', '۔', '।', '॥', '։', '።', '‼', '⁇', '⁈', '⁉':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}', '」', '』', '】', '〉', '》', '）', '*':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '(', '[', '{', '「', '『', '【', '〈', '《', '（', '¿', '¡', '*':
		return true
	}
	return false
}

// isCJK reports runes of scripts written without spaces between words.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

func cjkRunes(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x0E00 && isCJK(r) {
			n++
		}
	}
	return n
}

// weight is a token's length in words: two CJK runes make about one word.
func weight(t token) int {
	if n := cjkRunes(t.text); n > 0 {
		return max(1, (n+1)/2)
	}
	return 1
}

func weightOf(toks []token) int {
	n := 0
	for _, t := range toks {
		n += weight(t)
	}
	return n
}
