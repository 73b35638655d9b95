package subtitles

import "strings"

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
