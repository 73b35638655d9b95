// Package textclean makes untrusted text safe to store, send to a model and
// show on a terminal or a page. It is the one owner of that rule: every
// text that enters recap from outside (titles, descriptions, captions,
// model answers) and every text it writes out goes through it.
//
// Removed: NUL and the other C0 controls but tab and line breaks, DEL, the
// C1 controls (U+0080–U+009F, among them the 8-bit CSI that terminals
// obey), and the bidirectional formatting characters (U+061C, U+200E,
// U+200F, U+202A–U+202E, U+2066–U+2069) that make text display in an order
// other than the one it is stored in. Invalid UTF-8 becomes U+FFFD, so
// PostgreSQL accepts every result. Joiners, variation selectors and other
// format characters that emoji and scripts need are kept.
package textclean

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text cleans text that may run over several lines (a description, a
// transcript): line breaks (CR LF, CR, U+2028, U+2029) become "\n", tabs
// stay, and every other control character goes.
func Text(s string) string {
	if clean(s, true) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				w++
			}
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case drop(r):
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// Line cleans text shown on one line (a title, a channel name, an error
// message): as Text, then every run of white space, line breaks included,
// becomes one space, and the ends are trimmed.
func Line(s string) string {
	if clean(s, false) && !hasSpaceRun(s) {
		return s
	}
	return strings.Join(strings.Fields(Text(s)), " ")
}

// Span cleans a piece of a line that is joined to other pieces (a
// highlighted part of a snippet): as Text, with line breaks and tabs made
// spaces. Unlike Line it keeps the piece's spaces, which separate it from
// its neighbours.
func Span(s string) string {
	s = Text(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	}
	return s
}

// Truncate cuts s to at most n runes, on a word boundary when one is near
// the end, and ends it with "…". It reports whether it cut.
func Truncate(s string, n int) (string, bool) {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s, false
	}
	cut := 0
	for i := range s {
		if n--; n < 0 {
			break
		}
		cut = i
	}
	// cut is the byte offset of the last rune that may stay; leave room
	// for the ellipsis by dropping that rune.
	out := s[:cut]
	if sp := strings.LastIndexFunc(out, unicode.IsSpace); sp > len(out)*4/5 {
		out = out[:sp]
	}
	return strings.TrimRightFunc(out, unicode.IsSpace) + "…", true
}

// clean reports whether s needs no change by Text (or, with multiline
// false, by Line before folding spaces).
func clean(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if c < 0x80 {
			if multiline && (c == '\n' || c == '\t') {
				continue
			}
			return false
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w <= 1 || r == '\u2028' || r == '\u2029' || drop(r) {
			return false
		}
		i += w - 1
	}
	return true
}

// hasSpaceRun reports whether Line would change s's spacing.
func hasSpaceRun(s string) bool {
	prevSpace := true // a leading space is a run too
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (prevSpace || r != ' ') {
			return true
		}
		prevSpace = sp
	}
	return prevSpace && s != ""
}

// drop reports the characters Text removes.
func drop(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	}
	return r >= 0x600 && unicode.Is(unicode.Bidi_Control, r)
}
