package recap

import "testing"

func TestBaseLanguage(t *testing.T) {
	for in, want := range map[string]string{"pt-BR": "pt", "EN": "en", "en-orig": "en", "en_US": "en", "": "", "zh-Hant-TW": "zh"} {
		if got := BaseLanguage(in); got != want {
			t.Errorf("BaseLanguage(%q) = %q; want %q", in, got, want)
		}
	}
}
