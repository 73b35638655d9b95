package asr

import (
	"math"
	"strings"
	"time"

	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// cutTolerance: a segment that ends this close to its chunk's end was cut
// by it, and continues in the next chunk.
const cutTolerance = 500 * time.Millisecond

// join shifts each chunk's segments by the chunk's offset and joins the
// chunks at their seams, so that no word is lost or doubled. Consecutive
// chunks share an overlap; its midpoint decides: the earlier chunk gives
// the segments that start before it, the later one those that start at
// or after it. A segment that spans the seam comes back from both chunks,
// cut short by the earlier one's end; it is kept once, the earlier copy
// completed from the later one (the words both heard are found in both
// texts and taken once).
func join(chunks []audio.Chunk, answers [][]storage.ASRSegment) []storage.ASRSegment {
	var out []storage.ASRSegment
	for i, c := range chunks {
		segs := shift(answers[i], c)
		if i == 0 {
			out = segs
			continue
		}
		prev := chunks[i-1]
		mid := c.Start + (prev.End-c.Start)/2
		k := len(out)
		for k > 0 && out[k-1].Start >= mid {
			k--
		}
		out = out[:k]
		cut := len(out) > 0 && out[len(out)-1].End >= prev.End-cutTolerance
		for _, s := range segs {
			if s.Start < mid {
				// This chunk's copy of a segment the earlier one gave.
				if last := len(out) - 1; cut && s.End > out[last].End {
					out[last].Text = mergeText(out[last].Text, s, prev.End)
					out[last].End = s.End
				}
				continue
			}
			if last := len(out) - 1; last >= 0 && norm(out[last].Text) == norm(s.Text) && absDur(out[last].Start-s.Start) < time.Second {
				continue // the same line twice, a little apart
			}
			out = append(out, s)
		}
	}
	return out
}

// shift makes a chunk's segments absolute, inside the chunk's span.
func shift(segs []storage.ASRSegment, c audio.Chunk) []storage.ASRSegment {
	out := make([]storage.ASRSegment, 0, len(segs))
	for _, s := range segs {
		start := min(c.Start+max(s.Start, 0), c.End)
		end := min(c.Start+max(s.End, s.Start), c.End)
		if c.End == 0 { // a whole file of unknown length
			start, end = max(s.Start, 0), max(s.End, s.Start)
		}
		text := textclean.Line(s.Text) // the service's words are untrusted text
		if text == "" {
			continue
		}
		s.Start, s.End, s.Text = start, end, text
		out = append(out, s)
	}
	return out
}

// mergeText completes text, cut at time cutAt, with next, a later copy of
// the same segment that begins before cutAt: the longest run of words
// that ends text and begins next is the audio both heard, taken once.
// Without such a run, next's words are dropped in proportion to the time
// it shares with text, rounding down: no word both heard.
func mergeText(text string, next storage.ASRSegment, cutAt time.Duration) string {
	a, b := strings.Fields(text), strings.Fields(next.Text)
	for k := min(len(a), len(b)); k > 0; k-- {
		if sameWords(a[len(a)-k:], b[:k]) {
			return strings.Join(append(a, b[k:]...), " ")
		}
	}
	n := 0
	if span := next.End - next.Start; span > 0 {
		n = int(math.Floor(float64(len(b)) * float64(cutAt-next.Start) / float64(span)))
		n = max(0, min(n, len(b)))
	}
	return strings.Join(append(a, b[n:]...), " ")
}

func sameWords(a, b []string) bool {
	for i := range a {
		if norm(a[i]) != norm(b[i]) {
			return false
		}
	}
	return true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
