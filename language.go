package recap

import "strings"

// BaseLanguage is the primary language subtag of a tag, in lower case:
// "pt" for "pt-BR", "en" for YouTube's "en-orig" or yt-dlp's "en_US".
func BaseLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.ToLower(strings.TrimSpace(base))
}
