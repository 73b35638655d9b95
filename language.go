package recap

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// MaxLanguageLen is the longest language tag recap takes: the 35
// characters BCP 47 asks every implementation to handle.
const MaxLanguageLen = 35

// ParseLanguage checks a BCP 47 language tag and returns it in canonical
// case, so that tags that mean the same thing compare equal ("en-us",
// "EN-US" and "en_US" are "en-US"; "EN" is "en"). Subtags keep their
// spelling: YouTube's "iw" stays "iw". A tag that is not one, "und", or one
// over MaxLanguageLen is EINVALID.
func ParseLanguage(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if n := utf8.RuneCountInString(tag); n > MaxLanguageLen {
		return "", Errorf(EINVALID, "language tag of %d characters is too long: the most recap takes is %d (e.g. en, de or pt-BR)", n, MaxLanguageLen)
	}
	t, err := language.Raw.Parse(tag)
	if err != nil || t == language.Und {
		return "", Errorf(EINVALID, "language %q is not a language tag: expected e.g. en, de or pt-BR", tag)
	}
	return t.String(), nil
}

// BaseLanguage is the primary language subtag of a tag, in lower case:
// "pt" for "pt-BR", "en" for YouTube's "en-orig" or yt-dlp's "en_US".
func BaseLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.ToLower(strings.TrimSpace(base))
}
