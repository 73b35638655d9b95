package subtitles

import "slices"

// dedupeRolling removes the lines a cue repeats from the cue before it.
//
// YouTube's automatic captions scroll: a cue shows the previous line above
// the new one, and a 10 ms "transition" cue in between shows the previous
// line alone. Read cue by cue, every line would appear two or three times.
// A cue's leading lines that equal the trailing lines of the cue before it
// are therefore dropped, which leaves each line once, in the cue where it
// first appeared (so its start time is when it was first said).
//
// A cue that opens a new window (its first row blank) repeats nothing, so a
// phrase said again after a pause is kept. Hand-made captions sometimes
// repeat a line on purpose ("No." answered by "No."), so nothing is dropped
// unless the track as a whole scrolls: at least two thirds of its cues must
// start with the line the previous cue ended on (in YouTube's tracks nearly
// all do; the rest open a new window).
func dedupeRolling(cues []cue) []cue {
	if !isRolling(cues) {
		return cues
	}
	var prev []string // the lines the previous non-empty cue displayed
	for i, c := range cues {
		if len(c.lines) == 0 {
			continue
		}
		if !c.fresh {
			cues[i].lines = c.lines[overlap(prev, c.lines):]
		}
		prev = c.lines
	}
	return cues
}

// isRolling reports whether most cues start where the previous one ended.
func isRolling(cues []cue) bool {
	pairs, rolled := 0, 0
	var prev []string
	for _, c := range cues {
		if len(c.lines) == 0 {
			continue
		}
		if prev != nil && !c.fresh {
			pairs++
			if overlap(prev, c.lines) > 0 {
				rolled++
			}
		}
		prev = c.lines
	}
	return pairs > 0 && 3*rolled >= 2*pairs
}

// maxRollRows bounds how many rows a cue can repeat. YouTube's windows
// hold two or three; the bound keeps a cue of thousands of lines (broken or
// hostile input) from making de-duplication quadratic.
const maxRollRows = 8

// overlap is the largest m such that the first m lines of cur are the last
// m lines of prev.
func overlap(prev, cur []string) int {
	for m := min(len(prev), len(cur), maxRollRows); m > 0; m-- {
		if slices.Equal(prev[len(prev)-m:], cur[:m]) {
			return m
		}
	}
	return 0
}

// markFresh marks every cue as repeating nothing, for tracks whose format
// says so.
func markFresh(cues []cue) {
	for i := range cues {
		cues[i].fresh = true
	}
}
