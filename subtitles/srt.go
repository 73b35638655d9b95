package subtitles

import (
	"regexp"
	"strings"
)

// parseSRT parses SubRip: blocks of an index line, a timing line and text
// lines, separated by empty lines. A missing index is tolerated, and so is
// a missing empty line before the next block (the next timing line starts
// it); anything else out of place is an error with its line number.
func parseSRT(data []byte) ([]cue, error) {
	lines := splitLines(data)
	var cues []cue
	i := 0
	for i < len(lines) {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		if isIndex(lines[i]) && i+1 < len(lines) && strings.Contains(lines[i+1], "-->") {
			i++
		}
		if !strings.Contains(lines[i], "-->") {
			return nil, syntaxErrorf(FormatSRT, i+1, "expected a cue number or a timing line like %q, found %q", "00:00:01,000 --> 00:00:04,000", clip(lines[i]))
		}
		start, end, err := parseTiming(lines[i], FormatSRT, i+1)
		if err != nil {
			return nil, err
		}
		i++
		var text []string
		for i < len(lines) && lines[i] != "" {
			if strings.Contains(lines[i], "-->") {
				// The next block began without an empty line; its index,
				// if any, was taken for text.
				if n := len(text); n > 0 && isIndex(text[n-1]) {
					text = text[:n-1]
					i--
				}
				break
			}
			text = append(text, lines[i])
			i++
		}
		cues = append(cues, newCue(start, end, text, cleanMarkup))
	}
	return cues, nil
}

func isIndex(line string) bool {
	_, ok := digits(strings.TrimSpace(line), 1, 9)
	return ok
}

// labelRE is a speaker label at the start of a cue: one to four
// capitalized words ("Sarah", "Dr. Jane Smith", "SPEAKER 2"), then a colon
// and a space before the text ("At 10:30" is no label). Lower-case words are left alone, so "Here is the thing:
// it works" stays text.
var labelRE = regexp.MustCompile(`^(\p{Lu}[\pL\pM\pN.'’-]*(?: [\p{Lu}\pN][\pL\pM\pN.'’-]*){0,3})\s*:(?:\s+(.*))?$`)

// labelSpeakers takes "Name:" from the start of each cue as its speaker;
// a cue without one is said by the speaker before it.
func labelSpeakers(cues []cue) {
	speaker := ""
	for i := range cues {
		c := &cues[i]
		if len(c.lines) > 0 {
			if m := labelRE.FindStringSubmatch(c.lines[0]); m != nil {
				speaker = m[1]
				if m[2] == "" {
					c.lines = c.lines[1:]
				} else {
					c.lines[0] = m[2]
				}
			}
		}
		c.speaker = speaker
	}
}
