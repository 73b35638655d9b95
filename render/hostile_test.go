package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/recap-dev/recap"
)

// hostileDoc carries what a hand-edited bundle or a misbehaving model
// could put in a document.
func hostileDoc() *recap.Document {
	id := `x>)[evil](javascript:alert(1))`
	return &recap.Document{
		ID: "0193",
		Video: recap.DocumentVideo{
			ID: id, URL: "javascript:alert(1)",
			Title:   "Title\x1b[2J\x1b]0;pwned\x07 \u202eevil\nsecond line",
			Channel: "Chan\nnel\x00", DurationSeconds: 120,
		},
		Language: "en", TranscriptSource: "bundle", ChaptersSource: "bundle",
		People:   []recap.Person{{Name: "Ann\x1b[31m Lee", Role: "guest"}},
		Overview: "```\ncode fence from the model\n```",
		Chapters: []recap.ChapterResult{
			{StartSeconds: 0, EndSeconds: 60, Title: "~~~ fence", SourceTitle: "Intro #",
				Summary: "---", Bullets: []string{"> quote", "| a | b |", "===", "1) numbered", "<div>x</div>"},
				URL: recap.TimeURL(id, 0)},
			{StartSeconds: 60, EndSeconds: 120, Title: "Heading #", Summary: "# h1\n## h2",
				Bullets: []string{"a", "b", "c"}, URL: "https://user:pw@www.youtube.com/watch?v=abcdefghijk&t=60s"},
		},
		Generator: recap.Generator{Summarizer: "llm", Model: "m\x1b[2J"},
	}
}

var controls = "\x00\x07\x1b\u009b\u202e"

// Every format strips control characters from every text.
func TestNoControlCharactersInAnyFormat(t *testing.T) {
	for _, f := range []string{FormatMarkdown, FormatHTML, FormatJSON} {
		out, err := Bytes(hostileDoc(), f)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.IndexAny(out, controls); i >= 0 {
			t.Errorf("%s output keeps a control character at %d: %q", f, i, out[max(0, i-20):min(len(out), i+20)])
		}
		// encoding/json writes ESC as \u001b: still an escape once decoded.
		if bytes.Contains(out, []byte(`\u001b`)) || bytes.Contains(out, []byte(`\u0000`)) {
			t.Errorf("%s output keeps an escaped control character", f)
		}
	}
}

// Rendered through a real CommonMark parser (with GFM tables and
// strikethrough), the hostile fields make no block, no link and no markup
// of their own.
func TestMarkdownFieldsMakeNoMarkup(t *testing.T) {
	md := Markdown(hostileDoc())
	var html bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM))
	if err := gm.Convert([]byte(md), &html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, bad := range []string{"<pre", "<code", "<blockquote", "<table", "<hr>\n<ul", "<del", "<div", "<h1>h1", "<h2>h2", "<h3>h2", `href="javascript`, "evil</a>", "user:pw", "<ol"} {
		if strings.Contains(h, bad) {
			t.Errorf("hostile field became markup %q:\n%s\nfrom\n%s", bad, h, md)
		}
	}
	if got := strings.Count(h, "<a "); got != 2 {
		t.Errorf("%d links, want the two to the first chapter's second:\n%s", got, h)
	}
	if got := strings.Count(h, "<h1>"); got != 1 {
		t.Errorf("%d <h1>, want only the title:\n%s", got, h)
	}
	if got := strings.Count(h, "<hr"); got != 1 {
		t.Errorf("%d <hr>, want only the one before the credits:\n%s", got, h)
	}
	// The titles are folded to one line and shown whole.
	for _, want := range []string{"Title[2J]0;pwned evil second line", "Chan nel", "Heading #</h2>", "Intro #"} {
		if !strings.Contains(h, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, h)
		}
	}
	// The chapter link survives, percent-encoded so it cannot break out.
	if !strings.Contains(md, "(<https://www.youtube.com/watch?v=x%3E)[evil](javascript:alert(1))&t=0s>)") {
		t.Errorf("chapter link not encoded as expected:\n%s", md)
	}
}

func TestHTMLLinksOnlyToHTTP(t *testing.T) {
	out, err := Bytes(hostileDoc(), FormatHTML)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{`href="javascript`, "user:pw", "ZgotmplZ", ">Watch"} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML holds %q", bad)
		}
	}
	if !strings.Contains(s, "With Ann[31m Lee (guest)") {
		t.Errorf("HTML lacks the people line")
	}
}

func TestLinkTarget(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.youtube.com/watch?v=abcdefghijk&t=61s": "https://www.youtube.com/watch?v=abcdefghijk&t=61s",
		"http://example.com/a b<c>":                         "http://example.com/a%20b%3Cc%3E",
		"https://example.com/é":                             "https://example.com/%C3%A9",
		"javascript:alert(1)":                               "",
		"//example.com/x":                                   "",
		"ftp://example.com/x":                               "",
		"https://user:pw@example.com/":                      "",
		"/relative":                                         "",
		"":                                                  "",
	} {
		if got := LinkTarget(in); got != want {
			t.Errorf("LinkTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeMarkdownBlockStarts(t *testing.T) {
	for in, want := range map[string]string{
		"```go":     "\\`\\`\\`go",
		"~~~":       `\~\~\~`,
		"---":       `\---`,
		"=== x":     `\=== x`,
		"| a | b |": `\| a | b |`,
		"+ item":    `\+ item`,
		"# h":       `\# h`,
		"C #":       `C \#`,
		"12. x":     `12\. x`,
		"plain":     "plain",
	} {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
}
