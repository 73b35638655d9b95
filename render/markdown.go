package render

import (
	"fmt"
	"strings"

	"github.com/recap-dev/recap"
)

// Markdown renders doc as CommonMark. Every piece of text that came from
// the video or the model is cleaned of control characters, folded to one
// line and escaped, so a title like "[click](evil)", "# not a heading" or
// a leading code fence shows as written; link targets are only validated
// http(s) URLs, percent-encoded.
func Markdown(doc *recap.Document) string {
	doc = doc.Cleaned()
	var b strings.Builder
	v := doc.Video
	fmt.Fprintf(&b, "# %s\n\n", escapeMarkdown(titleOr(v.Title, v.ID)))
	var meta []string
	if v.Channel != "" {
		meta = append(meta, escapeMarkdown(v.Channel))
	}
	if v.PublishedAt != "" {
		meta = append(meta, escapeMarkdown(v.PublishedAt))
	}
	meta = append(meta, Timestamp(v.DurationSeconds))
	if target := LinkTarget(v.URL); target != "" {
		meta = append(meta, fmt.Sprintf("[%s](<%s>)", linkLabel(v), target))
	}
	b.WriteString(strings.Join(meta, " · "))
	b.WriteString("\n\n")

	if len(doc.People) > 0 {
		fmt.Fprintf(&b, "With %s\n\n", escapeMarkdown(recap.PeopleLine(doc.People)))
	}
	if doc.Overview != "" {
		fmt.Fprintf(&b, "%s\n\n", escapeMarkdown(doc.Overview))
	}

	b.WriteString("## Chapters\n\n")
	for _, c := range doc.Chapters {
		fmt.Fprintf(&b, "- %s %s\n", timeLink(c), escapeMarkdown(c.Title))
	}
	b.WriteString("\n")

	label := SourceTitleLabel(doc)
	for _, c := range doc.Chapters {
		fmt.Fprintf(&b, "## %s %s\n\n", timeLink(c), escapeMarkdown(c.Title))
		if c.SourceTitle != "" && c.SourceTitle != c.Title {
			fmt.Fprintf(&b, "*%s: %s*\n\n", label, escapeMarkdown(c.SourceTitle))
		}
		if c.Summary != "" {
			fmt.Fprintf(&b, "%s\n\n", escapeMarkdown(c.Summary))
		}
		for _, bl := range c.Bullets {
			fmt.Fprintf(&b, "- %s\n", escapeMarkdown(bl))
		}
		if len(c.Bullets) > 0 {
			b.WriteString("\n")
		}
	}

	b.WriteString("---\n\n")
	fmt.Fprintf(&b, "*%s*\n", escapeMarkdown(Credits(doc)))
	return b.String()
}

// timeLink is a chapter's start time, linked to that second when its URL
// is a valid http(s) URL.
func timeLink(c recap.ChapterResult) string {
	ts := Timestamp(c.StartSeconds)
	if target := LinkTarget(c.URL); target != "" {
		return fmt.Sprintf("[%s](<%s>)", ts, target)
	}
	return ts
}

// SourceTitleLabel names what a chapter's source_title is: the creator's
// chapter title, or for automatic chapters the topics recap found.
func SourceTitleLabel(doc *recap.Document) string {
	if doc.ChaptersSource == recap.ChaptersAuto {
		return "Topics"
	}
	return "Chapter"
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
		s += fmt.Sprintf(" · %d LLM calls, %d prompt + %d completion tokens, %s",
			doc.Usage.LLMCalls, doc.Usage.PromptTokens, doc.Usage.CompletionTokens, USD(doc.Usage.CostUSD))
	}
	s += " · transcript: " + doc.TranscriptSource + ", chapters: " + doc.ChaptersSource
	if !doc.CreatedAt.IsZero() {
		s += " · " + doc.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return s
}

// USD writes a cost in US dollars to a hundredth of a cent ("$0.0123"),
// or "cost unknown" for nil.
func USD(c *float64) string {
	switch {
	case c == nil:
		return "cost unknown"
	case *c > 0 && *c < 0.00005:
		return "< $0.0001"
	}
	return fmt.Sprintf("$%.4f", *c)
}

func titleOr(title, id string) string {
	if strings.TrimSpace(title) == "" {
		return id
	}
	return title
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`, `~`, `\~`,
)

// escapeMarkdown backslash-escapes what could start markup in one line of
// running text (s is already cleaned and on one line): emphasis,
// strikethrough, code, links, HTML, entity references; at the start, any
// block syntax (heading, list, quote, code fence, thematic break, table,
// setext underline); and a closing "#" that would end a heading. Other
// punctuation is left alone to stay readable.
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
	if s != "" && strings.IndexByte("#-+=|", s[0]) >= 0 {
		s = `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && i < 10 && (s[i] == '.' || s[i] == ')') {
		s = s[:i] + `\` + s[i:]
	}
	if strings.HasSuffix(s, "#") && !strings.HasSuffix(s, `\#`) {
		s = s[:len(s)-1] + `\#`
	}
	return s
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
