package feed

import (
	"html"
	"io"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText turns show notes (HTML, or plain text) into plain text: one
// line per paragraph, list item, heading or <br>, runs of spaces made one,
// scripts and styles dropped, entities decoded. Lines are kept because
// chapter timestamps in show notes are read line by line.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return tidyLines(s, true)
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if z.Err() != io.EOF {
				return tidyLines(html.UnescapeString(s), false)
			}
			return tidyLines(b.String(), false)
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text()) // already unescaped
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style:
				if tt == xhtml.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			case atom.Br, atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3,
				atom.H4, atom.H5, atom.H6, atom.Tr, atom.Blockquote, atom.Pre, atom.Hr, atom.Dd, atom.Dt:
				b.WriteByte('\n')
			}
		}
	}
}

// tidyLines trims every line and makes runs of spaces one. Plain text
// keeps at most one blank line between paragraphs (keepBlank); text from
// HTML, whose every block tag made a line break, keeps none.
func tidyLines(s string, keepBlank bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = keepBlank && len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
