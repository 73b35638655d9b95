package textclean

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello, world", "Hello, world"},
		{"NUL", "a\x00b", "ab"},
		{"terminal escape", "title\x1b[2J\x1b]0;pwned\x07 end", "title[2J]0;pwned end"},
		{"DEL and C1 CSI", "a\x7fb\u009b31mc\u0085d", "ab31mcd"},
		{"line breaks kept and unified", "one\r\ntwo\rthree\u2028four\nfive\tsix", "one\ntwo\nthree\nfour\nfive\tsix"},
		{"bidi overrides", "abc\u202Etxt.exe\u202C \u2066x\u2069 \u200Fy\u061C", "abctxt.exe x y"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"emoji joiners and selectors stay", "👩\u200D💻 ❤\uFE0F", "👩\u200D💻 ❤\uFE0F"},
		{"other scripts stay", "Größe 導入 مرحبا", "Größe 導入 مرحبا"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A title", "A title"},
		{"  two\nlines\r\n\tand  tabs ", "two lines and tabs"},
		{"clear\x1b[2J screen", "clear[2J screen"},
		{"nul\x00 inside", "nul inside"},
		{"", ""},
		{"\u00a0nbsp\u00a0", "nbsp"},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Nothing Text or Line returns holds a control character other than the
// line breaks and tabs Text keeps, or invalid UTF-8.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"a\x00b", "\x1b[31m", "\u202e", "\xff\xfe", "a\r\nb", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Text(s), Line(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 in %q", out)
			}
			for _, r := range out {
				if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || drop(r) {
					t.Fatalf("control %U left in %q", r, out)
				}
			}
		}
		if l := Line(s); strings.ContainsAny(l, "\n\t") || strings.Contains(l, "  ") || strings.TrimSpace(l) != l {
			t.Fatalf("Line(%q) = %q is not one tidy line", s, l)
		}
		if Text(Text(s)) != Text(s) || Line(Line(s)) != Line(s) {
			t.Fatalf("cleaning %q twice changes it", s)
		}
	})
}

func TestSpan(t *testing.T) {
	if got := Span(" a\x1b[1m\nb\tc "); got != " a[1m b c " {
		t.Errorf("Span = %q", got)
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("word ", 100)
	got, cut := Truncate(long, 50)
	if !cut || utf8.RuneCountInString(got) > 50 || !strings.HasSuffix(got, "word…") {
		t.Errorf("Truncate(long, 50) = %q, %v", got, cut)
	}
	if got, cut := Truncate("short", 50); cut || got != "short" {
		t.Errorf("Truncate(short) = %q, %v", got, cut)
	}
	got, cut = Truncate(strings.Repeat("導", 10), 5)
	if !cut || got != "導導導導…" {
		t.Errorf("Truncate(CJK, 5) = %q", got)
	}
}
