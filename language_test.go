package recap

import (
	"strings"
	"testing"
)

func TestParseLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "EN": "en", " en ": "en", "en-us": "en-US", "EN-US": "en-US", "en_US": "en-US",
		"pt-br": "pt-BR", "zh-hant-tw": "zh-Hant-TW", "es-419": "es-419", "iw": "iw",
	} {
		got, err := ParseLanguage(in)
		if err != nil || got != want {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// Two spellings of one tag are one tag.
	a, _ := ParseLanguage("en-us")
	b, _ := ParseLanguage("EN-US")
	if a != b {
		t.Errorf("en-us and EN-US differ: %q, %q", a, b)
	}
	for in, want := range map[string]string{
		"english please":                       "not a language tag",
		"":                                     "not a language tag",
		"und":                                  "not a language tag",
		"e":                                    "not a language tag",
		"en-" + strings.Repeat("abcdefgh-", 4): "too long: the most recap takes is 35",
		strings.Repeat("x", 1<<20):             "too long",
	} {
		_, err := ParseLanguage(in)
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLanguage(%.40q): %v; want EINVALID saying %q", in, err, want)
		}
	}
}

func TestBaseLanguage(t *testing.T) {
	for in, want := range map[string]string{"pt-BR": "pt", "EN": "en", "en-orig": "en", "en_US": "en", "": "", "zh-Hant-TW": "zh"} {
		if got := BaseLanguage(in); got != want {
			t.Errorf("BaseLanguage(%q) = %q; want %q", in, got, want)
		}
	}
}
