package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// splitText cuts text into the fewest parts of at most budget tokens
// (recap.EstimateTokens), cutting between sentences where it can, between
// words where a sentence is too long (automatic captions have no
// punctuation), and between characters only inside an over-long run
// without spaces. Among the cuts that give that fewest number of parts it
// takes the most even ones, so no part is a stub. The parts are
// consecutive and, joined, hold every word of text exactly once.
func splitText(text string, budget int) []string {
	text = strings.TrimSpace(text)
	if budget <= 0 || recap.EstimateTokens(text) <= budget {
		return []string{text}
	}
	p := packer{text: text, units: cutUnits(text, budget)}
	n := len(p.pack(budget))
	// The smallest cap that still packs into n parts gives the most even
	// split with n parts.
	lo, hi := (recap.EstimateTokens(text)+n-1)/n, budget
	for lo < hi {
		mid := (lo + hi) / 2
		if len(p.pack(mid)) <= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	starts := p.pack(lo)
	parts := make([]string, len(starts))
	for i, s := range starts {
		end := len(p.units)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		parts[i] = p.part(s, end)
	}
	return parts
}

// packer packs consecutive units into parts, measuring each candidate part
// with recap.EstimateTokens itself: summing per-unit estimates would round
// every short word up to a whole token and make twice the parts needed.
type packer struct {
	text  string
	units []span
}

// part is the text of units [s, e).
func (p packer) part(s, e int) string {
	return strings.TrimSpace(p.text[p.units[s].start:p.units[e-1].end])
}

// pack returns the first unit of each part when every part takes as many
// units as fit under limit; greedy packing is optimal for consecutive
// parts. A unit over limit gets a part of its own.
func (p packer) pack(limit int) []int {
	var starts []int
	for s := 0; s < len(p.units); {
		starts = append(starts, s)
		// The cost only grows as a part takes more units: binary search
		// for the last end that fits.
		lo, hi := s+1, len(p.units)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if recap.EstimateTokens(p.part(s, mid)) <= limit {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		s = lo
	}
	return starts
}

// cutUnits splits text into consecutive spans, each within budget: whole
// sentences, or words of an over-long sentence, or character runs of an
// over-long word.
func cutUnits(text string, budget int) []span {
	var out []span
	for _, s := range cutAfter(text, span{0, len(text)}, sentenceBoundary) {
		if recap.EstimateTokens(text[s.start:s.end]) <= budget {
			out = append(out, s)
			continue
		}
		for _, w := range cutAfter(text, s, wordBoundary) {
			if recap.EstimateTokens(text[w.start:w.end]) <= budget {
				out = append(out, w)
				continue
			}
			out = append(out, cutRunes(text, w, budget)...)
		}
	}
	return out
}

// cutAfter splits s where boundary says a unit ends after rune r at byte
// i; the whitespace following a cut stays with the unit before it.
func cutAfter(text string, s span, boundary func(r rune, next rune) bool) []span {
	var out []span
	start := s.start
	for i := s.start; i < s.end; {
		r, size := utf8.DecodeRuneInString(text[i:s.end])
		i += size
		next, _ := utf8.DecodeRuneInString(text[i:s.end])
		if i < s.end && boundary(r, next) {
			for i < s.end {
				sp, n := utf8.DecodeRuneInString(text[i:s.end])
				if !unicode.IsSpace(sp) {
					break
				}
				i += n
			}
			if i < s.end {
				out = append(out, span{start, i})
				start = i
			}
		}
	}
	return append(out, span{start, s.end})
}

func sentenceBoundary(r, next rune) bool {
	switch r {
	case '。', '！', '？':
		return true
	case '.', '!', '?', '…':
		return unicode.IsSpace(next)
	}
	return false
}

func wordBoundary(r, next rune) bool { return !unicode.IsSpace(r) && unicode.IsSpace(next) }

// cutRunes cuts a run without spaces (CJK text, mostly) into pieces of a
// few runes, fine enough for even parts; a rune never costs more than one
// token, so a piece stays within budget.
func cutRunes(text string, s span, budget int) []span {
	size := min(budget, runePiece)
	var out []span
	start, count := s.start, 0
	for i := s.start; i < s.end; {
		_, n := utf8.DecodeRuneInString(text[i:s.end])
		if count == size {
			out = append(out, span{start, i})
			start, count = i, 0
		}
		i += n
		count++
	}
	return append(out, span{start, s.end})
}

const runePiece = 16
