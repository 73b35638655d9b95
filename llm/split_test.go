package llm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestSplitText(t *testing.T) {
	asr := strings.Repeat("so we went to the launch site and then we waited for hours ", 60) // no punctuation
	cjk := strings.Repeat("ロケットは宇宙へ飛ぶ", 100)                                                 // no spaces, no stops
	cjkStops := strings.Repeat("ロケットは宇宙へ飛ぶ。", 100)
	tests := []struct {
		name   string
		text   string
		budget int
	}{
		{"sentences", transcript(40), 100},
		{"asr without punctuation", asr, 120},
		{"cjk without spaces", cjk, 150},
		{"cjk with stops", cjkStops, 150},
		{"one huge word", strings.Repeat("x", 2000), 60},
		{"exactly at budget", strings.Repeat("abcd ", 40), 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts := splitText(tc.text, tc.budget)
			checkParts(t, tc.text, parts, tc.budget)
		})
	}
}

func checkParts(t *testing.T, text string, parts []string, budget int) {
	t.Helper()
	total := recap.EstimateTokens(strings.TrimSpace(text))
	lower := (total + budget - 1) / budget
	if len(parts) < lower || len(parts) > lower+1 {
		t.Errorf("%d parts for %d tokens at %d a part, want %d or %d", len(parts), total, budget, lower, lower+1)
	}
	minTok, maxTok := total, 0
	for i, p := range parts {
		tok := recap.EstimateTokens(p)
		if tok > budget {
			t.Errorf("part %d has %d tokens, budget %d", i+1, tok, budget)
		}
		if p == "" || p != strings.TrimSpace(p) {
			t.Errorf("part %d is empty or untrimmed: %q", i+1, p)
		}
		minTok, maxTok = min(minTok, tok), max(maxTok, tok)
	}
	// Joined back they are the text: every word once, in order.
	if got := strings.Join(parts, ""); strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(text), "") {
		t.Error("parts joined differ from the text")
	}
	if len(strings.Fields(strings.Join(parts, " "))) != len(strings.Fields(text)) && strings.Contains(text, " ") {
		t.Error("a word was cut in two")
	}
	// Even parts: no stub at the end.
	if len(parts) > 1 && minTok < maxTok/2 {
		t.Errorf("uneven parts: smallest %d tokens, largest %d", minTok, maxTok)
	}
}

func TestSplitTextCutsAtSentences(t *testing.T) {
	parts := splitText(transcript(40), 100)
	for i, p := range parts {
		if !strings.HasSuffix(p, "today.") || !strings.HasPrefix(p, "Sentence") {
			t.Errorf("part %d does not hold whole sentences: %q…%q", i+1, p[:20], p[len(p)-20:])
		}
	}
}

func TestSplitTextUnderBudget(t *testing.T) {
	if parts := splitText("  short text.  ", 100); len(parts) != 1 || parts[0] != "short text." {
		t.Errorf("parts = %q", parts)
	}
}

// TestSplitCorpus splits the real transcripts of the shared corpus (set
// RECAP_CORPUS to its folder) at a small budget.
func TestSplitCorpus(t *testing.T) {
	dir := os.Getenv("RECAP_CORPUS")
	if dir == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "bundles", "*", "*.vtt"))
	if len(files) == 0 {
		t.Skip("no .vtt subtitles under RECAP_CORPUS/bundles")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(vttText(string(b))), " ")
		parts := splitText(text, 2000)
		t.Logf("%s: %d tokens → %d parts", filepath.Base(f), recap.EstimateTokens(text), len(parts))
		checkParts(t, text, parts, 2000)
	}
}

// vttText keeps the cue text of a WebVTT file, roughly: enough to get
// realistic words for splitting.
func vttText(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.Contains(line, "-->") || strings.HasPrefix(line, "WEBVTT") ||
			strings.HasPrefix(line, "Kind:") || strings.HasPrefix(line, "Language:") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, " ")
}
