package render

import (
	"net/url"
	"strings"
)

// LinkTarget returns raw as a link target when it is an absolute http(s)
// URL without credentials, percent-encoding every byte that could end or
// escape a target in Markdown or HTML (spaces, angle brackets, quotes,
// backslashes, controls, non-ASCII). It returns "" for anything else:
// URLs and ids read from bundles are not trusted.
func LinkTarget(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User != nil || u.Host == "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return ""
	}
	s := u.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("<>\"'`\\{}|^", c) >= 0 {
			b.WriteString("%")
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
