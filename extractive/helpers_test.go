package extractive

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

// normWords reduces text to its lowercase words, hesitations dropped, so
// that rendered output can be found in the source.
func normWords(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	}) {
		f = strings.Trim(f, "'’")
		if f == "" || hesitations[f] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// inText reports whether frag's words occur in a row in text.
func inText(frag, text string) bool {
	f, t := normWords(frag), normWords(text)
	if len(f) == 0 {
		return false
	}
outer:
	for i := 0; i+len(f) <= len(t); i++ {
		for j := range f {
			if t[i+j] != f[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

// splitRendered splits a summary paragraph back into its sentences.
func splitRendered(p string) []string {
	var out []string
	for _, s := range splitSentences(p, true) {
		out = append(out, joinTokens(s))
	}
	return out
}

// checkSummary asserts what every chapter summary must satisfy, whatever
// the text: extractive sentences and bullets, sizes, no repeats.
func checkSummary(t *testing.T, in pipeline.ChapterInput, got recap.ChapterSummary) {
	t.Helper()
	if in.SourceTitle != "" && got.Title != in.SourceTitle {
		t.Errorf("title = %q, want the source title %q", got.Title, in.SourceTitle)
	}
	if got.Title == "" || (in.SourceTitle == "" && utf8.RuneCountInString(got.Title) > maxTitleChars) {
		t.Errorf("title %q: want 1..%d characters", got.Title, maxTitleChars)
	}
	if got.Summary == "" {
		t.Fatalf("empty summary")
	}
	if n := len(strings.Fields(got.Summary)); n > summaryWords {
		t.Errorf("summary has %d words, want at most %d: %q", n, summaryWords, got.Summary)
	}
	sums := splitRendered(got.Summary)
	for _, s := range sums {
		if !inText(s, in.Text) {
			t.Errorf("summary sentence not from the chapter text: %q", s)
		}
		checkSentenceShape(t, s)
	}
	if got.Bullets == nil {
		t.Errorf("bullets = nil, want a list (possibly empty)")
	}
	seen := make(map[string]bool)
	for _, b := range got.Bullets {
		body := strings.TrimSuffix(b, "…")
		if n := len(strings.Fields(body)); n > bulletWords {
			t.Errorf("bullet has %d words, want at most %d: %q", n, bulletWords, b)
		}
		if !inText(body, in.Text) {
			t.Errorf("bullet not from the chapter text: %q", b)
		}
		for _, s := range sums {
			if inText(body, s) || inText(s, body) {
				t.Errorf("bullet %q repeats summary sentence %q", b, s)
			}
		}
		if seen[b] {
			t.Errorf("bullet %q twice", b)
		}
		seen[b] = true
		checkSentenceShape(t, b)
	}
}

// checkSentenceShape asserts a rendered sentence starts with a capital
// (for scripts with case), unless it shows with "…" that it began before,
// and ends with a sentence mark or "…".
func checkSentenceShape(t *testing.T, s string) {
	t.Helper()
	if strings.HasPrefix(s, "…") {
		s = strings.TrimPrefix(s, "…")
		if last, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, isCloser)); !isTerminator(last) {
			t.Errorf("%q does not end with a sentence mark", s)
		}
		return
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			if unicode.IsLower(r) {
				t.Errorf("%q does not start with a capital", s)
			}
			break
		}
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, isCloser))
	if !isTerminator(last) {
		t.Errorf("%q does not end with a sentence mark", s)
	}
}
