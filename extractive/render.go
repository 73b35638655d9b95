package extractive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// English hesitations dropped wherever they stand: in automatic captions
// they are transcribed word for word.
var hesitations = map[string]bool{
	"um": true, "umm": true, "uh": true, "uhh": true, "erm": true, "hmm": true, "mm": true,
}

// English words that open spoken sentences without adding to them
// ("So, the cortex…", "And then…" keeps "then").
var leadFillers = map[string]bool{
	"and": true, "so": true, "okay": true, "ok": true, "alright": true,
	"yeah": true, "um": true, "uh": true, "oh": true, "well,": true,
}

// "So many", "so far": here "so" is an adverb and stays.
var soAdverb = map[string]bool{
	"much": true, "many": true, "far": true, "long": true, "that": true,
	"to": true, "called": true, "few": true, "little": true,
}

// cut says which ends of a sentence the speaker did not reach within the
// text at hand: begun before it (the chapter starts mid-sentence) or
// finished after it (a chapter boundary, or a long sentence cut into
// pieces, stops it).
type cut struct{ start, end bool }

// render writes a sentence or pseudo-sentence for the reader: speech
// fillers gone (English), first letter capitalized, and a closing period
// where the captions had none. A sentence cut short ends with "…", never a
// period, and one begun before the text starts with "…" and keeps its
// first word as spoken. The words are the source's: the summary stays
// extractive.
func (a *analyzer) render(toks []token) string { return a.renderCut(toks, cut{}) }

func (a *analyzer) renderCut(toks []token, c cut) string {
	ws := make([]token, 0, len(toks))
	for _, t := range toks {
		if a.english() && hesitations[bareLower(t.text)] {
			continue
		}
		ws = append(ws, t)
	}
	for len(ws) > 1 && strings.IndexFunc(ws[0].text, isWordRune) < 0 {
		ws = ws[1:] // a leading dash or ellipsis
	}
	if a.english() && !c.start {
		for len(ws) > 4 {
			first := bareLower(ws[0].text)
			if first == "well" && !strings.HasSuffix(ws[0].text, ",") {
				break
			}
			if first == "well" {
				first = "well,"
			}
			if !leadFillers[first] || (first == "so" && soAdverb[bareLower(ws[1].text)]) {
				break
			}
			ws = ws[1:]
		}
	}
	if len(ws) == 0 {
		ws = toks
	}
	var b strings.Builder
	for i, t := range ws {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		text := t.text
		if a.english() {
			text = capitalI(text)
		}
		b.WriteString(text)
	}
	s := strings.TrimRightFunc(b.String(), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—、，；：", r)
	})
	core := strings.TrimRightFunc(s, isCloser)
	if last, _ := utf8.DecodeLastRuneInString(core); !isTerminator(last) {
		switch {
		case c.end:
			s += "…"
		case cjkRunes(s)*2 > utf8.RuneCountInString(s):
			s += "。"
		default:
			s += "."
		}
	}
	if c.start && !strings.HasPrefix(s, "…") && !strings.HasPrefix(s, "...") {
		return "…" + s
	}
	if c.start {
		return s
	}
	return capitalizeFirst(s)
}

// endsWithTerminator reports whether a token closes a sentence.
func endsWithTerminator(t token) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(t.text, isCloser))
	return isTerminator(last)
}

// punctuated reports whether sentences were split at the speaker's own
// punctuation: at least one sentence mark per maxSentence words, as any
// written or manually captioned text has. YouTube's automatic captions
// have none; their pseudo-sentences are the best guess there is, and end
// with a period.
func punctuated(sents [][]token) bool {
	marks, words := 0, 0
	for _, s := range sents {
		for _, t := range s {
			words += weight(t)
			if endsWithTerminator(t) {
				marks++
			}
		}
	}
	return words > 0 && marks*maxSentence >= words
}

// isTerminator reports runes that may close a sentence.
func isTerminator(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || isCJKStop(r) || isOtherStop(r)
}

// capitalI writes the English pronoun "i" of lowercase captions as "I".
func capitalI(w string) string {
	core := strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) && r != '\'' && r != '’' })
	switch strings.ReplaceAll(core, "’", "'") {
	case "i", "i'm", "i've", "i'll", "i'd":
		return strings.Replace(w, "i", "I", 1)
	}
	return w
}

// capitalizeFirst upper-cases the first letter if it is lowercase; scripts
// without case are left alone.
func capitalizeFirst(s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsLower(r) {
				return s
			}
			return s[:i] + string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
		}
		if unicode.IsDigit(r) {
			return s
		}
	}
	return s
}

// shorten cuts a rendered sentence to at most maxWords words on a word
// boundary, ending it with "…". It prefers a comma in the last two
// fifths, and does not end on a stop word ("the", "of").
func (a *analyzer) shorten(s string, maxWords int) string {
	if cjkRunes(s)*2 > utf8.RuneCountInString(s) {
		return shortenRunes(s, 2*maxWords)
	}
	fields := strings.Fields(s)
	if len(fields) <= maxWords {
		return s
	}
	cut := maxWords
	for i := maxWords; i >= max(1, maxWords*3/5); i-- {
		if strings.ContainsAny(fields[i-1][len(fields[i-1])-1:], ",;:") {
			cut = i
			break
		}
	}
	kept := fields[:cut]
	for len(kept) > maxWords/2 && a.isStop(kept[len(kept)-1]) {
		kept = kept[:len(kept)-1]
	}
	out := strings.TrimRightFunc(strings.Join(kept, " "), func(r rune) bool {
		return strings.ContainsRune(",;:-–—", r)
	})
	return out + "…"
}

// shortenRunes cuts text written without spaces to maxRunes runes,
// preferring a CJK comma.
func shortenRunes(s string, maxRunes int) string {
	rs := []rune(s)
	if len(rs) <= maxRunes {
		return s
	}
	cut := maxRunes
	for i := maxRunes; i >= max(1, maxRunes*3/5); i-- {
		if strings.ContainsRune("，、；：,", rs[i-1]) {
			cut = i - 1
			break
		}
	}
	return string(rs[:cut]) + "…"
}
