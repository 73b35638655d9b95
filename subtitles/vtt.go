package subtitles

import (
	"html"
	"regexp"
	"strings"
	"time"
)

// parseVTT parses WebVTT as the WHATWG/W3C parser does where it matters:
// only a truly empty line ends a block (YouTube writes a single space as a
// blank caption row), a line holding "-->" starts a new cue even without a
// blank line before it, and blocks without a timing line (NOTE, STYLE,
// REGION, stray text) are ignored. Unlike a browser it rejects malformed timings, so a
// broken file is reported instead of silently losing text.
func parseVTT(data []byte) ([]cue, error) {
	lines := splitLines(data)
	if !isVTTSignature(lines[0]) {
		return nil, syntaxErrorf(FormatVTT, 1, "missing the WEBVTT header, found %q", clip(lines[0]))
	}
	i := 1
	// The header runs to the first empty line (Kind:, Language:, X-TIMESTAMP-MAP…).
	for i < len(lines) && lines[i] != "" && !strings.Contains(lines[i], "-->") {
		i++
	}
	var cues []cue
	for i < len(lines) {
		if lines[i] == "" {
			i++
			continue
		}
		first := lines[i]
		if !strings.Contains(first, "-->") {
			if i+1 < len(lines) && strings.Contains(lines[i+1], "-->") {
				i++ // a cue identifier
			} else {
				i = skipBlock(lines, i)
				continue
			}
		}
		start, end, err := parseTiming(lines[i], FormatVTT, i+1)
		if err != nil {
			return nil, err
		}
		i++
		var text []string
		for i < len(lines) && lines[i] != "" && !strings.Contains(lines[i], "-->") {
			text = append(text, lines[i])
			i++
		}
		c := newCue(start, end, text, cleanMarkup)
		c.speaker = voice(text)
		cues = append(cues, c)
	}
	return cues, nil
}

// voiceRE matches a WebVTT voice span's start tag, <v Name> or
// <v.class Name>, capturing the name.
var voiceRE = regexp.MustCompile(`<v(?:\.[^\s>]*)?[ \t]+([^>]*)>`)

// voice is the speaker named by the first voice span of a cue's lines.
func voice(lines []string) string {
	for _, l := range lines {
		if m := voiceRE.FindStringSubmatch(l); m != nil {
			if name := collapse(html.UnescapeString(m[1])); name != "" {
				return name
			}
		}
	}
	return ""
}

func isVTTSignature(line string) bool {
	rest, ok := strings.CutPrefix(line, "WEBVTT")
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// skipBlock skips a block that is not a cue (NOTE, STYLE, REGION, or
// anything unknown): it returns the index of the first line at or after i
// that is empty or holds "-->", where the next block starts.
func skipBlock(lines []string, i int) int {
	for i < len(lines) && lines[i] != "" && !strings.Contains(lines[i], "-->") {
		i++
	}
	return i
}

// parseTiming parses "start --> end [settings]" on line number lineNo.
func parseTiming(line, format string, lineNo int) (start, end time.Duration, err error) {
	left, right, _ := strings.Cut(line, "-->")
	left = strings.TrimSpace(left)
	// Cue settings (align:start position:0%) or SRT coordinates follow the end time.
	fields := strings.Fields(right)
	var ok1, ok2 bool
	start, ok1 = parseClock(left)
	if len(fields) > 0 {
		end, ok2 = parseClock(fields[0])
	}
	if !ok1 || !ok2 {
		example := "00:00:01.000 --> 00:00:04.000"
		if format == FormatSRT {
			example = "00:00:01,000 --> 00:00:04,000"
		}
		return 0, 0, syntaxErrorf(format, lineNo, "bad cue timing %q, expected %q", clip(line), example)
	}
	if end < start {
		return 0, 0, syntaxErrorf(format, lineNo, "cue ends at %s, before it starts at %s", fields[0], left)
	}
	return start, end, nil
}

// splitLines splits text into lines, accepting LF, CRLF and lone CR
// endings. It always returns at least one line.
func splitLines(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
