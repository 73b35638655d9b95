package render

import (
	"fmt"
	"strings"

	"github.com/recap-dev/recap"
)

// Markdown renders doc as CommonMark. Every piece of text that came from
// the video or the model is escaped, so a title like "[click](evil)" or
// "# not a heading" shows as written.
func Markdown(doc *recap.Document) string {
	var b strings.Builder
	v := doc.Video
	fmt.Fprintf(&b, "# %s\n\n", escapeMarkdown(titleOr(v.Title, v.ID)))
	var meta []string
	if v.Channel != "" {
		meta = append(meta, escapeMarkdown(v.Channel))
	}
	if v.PublishedAt != "" {
		meta = append(meta, v.PublishedAt)
	}
	meta = append(meta, Timestamp(v.DurationSeconds))
	meta = append(meta, fmt.Sprintf("[%s](<%s>)", linkLabel(v), v.URL))
	b.WriteString(strings.Join(meta, " · "))
	b.WriteString("\n\n")

	if doc.Overview != "" {
		fmt.Fprintf(&b, "%s\n\n", escapeMarkdown(oneLine(doc.Overview)))
	}

	b.WriteString("## Chapters\n\n")
	for _, c := range doc.Chapters {
		fmt.Fprintf(&b, "- [%s](<%s>) %s\n", Timestamp(c.StartSeconds), c.URL, escapeMarkdown(oneLine(c.Title)))
	}
	b.WriteString("\n")

	for _, c := range doc.Chapters {
		fmt.Fprintf(&b, "## [%s](<%s>) %s\n\n", Timestamp(c.StartSeconds), c.URL, escapeMarkdown(oneLine(c.Title)))
		if c.SourceTitle != "" && c.SourceTitle != c.Title {
			fmt.Fprintf(&b, "*Chapter: %s*\n\n", escapeMarkdown(oneLine(c.SourceTitle)))
		}
		if c.Summary != "" {
			fmt.Fprintf(&b, "%s\n\n", escapeMarkdown(oneLine(c.Summary)))
		}
		for _, bl := range c.Bullets {
			fmt.Fprintf(&b, "- %s\n", escapeMarkdown(oneLine(bl)))
		}
		if len(c.Bullets) > 0 {
			b.WriteString("\n")
		}
	}

	b.WriteString("---\n\n")
	fmt.Fprintf(&b, "*%s*\n", escapeMarkdown(Credits(doc)))
	return b.String()
}

// Credits says what wrote the document and what it cost, in one line.
func Credits(doc *recap.Document) string {
	g := doc.Generator
	s := "Summarized by recap (" + g.Summarizer
	if g.Model != "" {
		s += ", " + g.Model
	}
	if g.PromptVersion != "" {
		s += ", prompts " + g.PromptVersion
	}
	s += ")"
	if doc.Usage.LLMCalls > 0 {
		s += fmt.Sprintf(" · %d LLM calls, %d prompt + %d completion tokens",
			doc.Usage.LLMCalls, doc.Usage.PromptTokens, doc.Usage.CompletionTokens)
	}
	s += " · transcript: " + doc.TranscriptSource + ", chapters: " + doc.ChaptersSource
	if !doc.CreatedAt.IsZero() {
		s += " · " + doc.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return s
}

func titleOr(title, id string) string {
	if strings.TrimSpace(title) == "" {
		return id
	}
	return title
}

// oneLine folds line breaks, which would end a list item or paragraph.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
)

// escapeMarkdown backslash-escapes what could start markup in running
// text: emphasis, code, links, HTML, entity references, and a leading
// heading or list marker. Other punctuation is left alone to stay readable.
func escapeMarkdown(s string) string {
	s = markdownEscaper.Replace(s)
	// "&amp;" would render as "&"; "AT&T" is fine as is.
	if strings.Contains(s, "&") {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '&' && i+1 < len(s) && (isAlnum(s[i+1]) || s[i+1] == '#') && strings.IndexByte(s[i:min(len(s), i+12)], ';') > 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	switch {
	case strings.HasPrefix(s, "#"):
		s = `\` + s
	case len(s) > 1 && (s[0] == '-' || s[0] == '+') && s[1] == ' ':
		s = `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && i < 10 && (s[i] == '.' || s[i] == ')') {
		s = s[:i] + `\` + s[i:]
	}
	return s
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
