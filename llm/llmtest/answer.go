package llmtest

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// detectKind tells the prompts apart by the markers recap's prompts use
// (prompts/*.tmpl): the overview asks for {"overview": ...}, a chapter
// fences its <transcript>, a combine call lists its <parts>.
func detectKind(r Request) string {
	text := r.Text()
	switch {
	case strings.Contains(text, `{"overview"`):
		return KindOverview
	case strings.Contains(text, "<transcript>"):
		return KindChapter
	case strings.Contains(text, "<parts>"):
		return KindCombine
	}
	return KindUnknown
}

// Answer is the default message content for a request: deterministic JSON
// built from the words the request carries, in the shape its kind asks for.
func Answer(r Request) string {
	var v any
	switch r.Kind {
	case KindOverview:
		words := distinctive(between(r.Text(), "<chapters>", "</chapters>"))
		v = map[string]any{"overview": "This video covers " + phrase(words, 0, 4) +
			". It goes on to " + phrase(words, len(words)/2, 4) + ".", "people": []any{}}
	case KindCombine:
		parts := between(r.Text(), "<parts>", "</parts>")
		sum := summaryOf(parts)
		// A merged chapter keeps its first part's title, as a model would
		// when the parts continue one topic.
		if m := firstPartTitle.FindStringSubmatch(parts); m != nil {
			sum.Title = strings.TrimSpace(m[1])
		}
		v = sum
	case KindChapter:
		v = summaryOf(r.Transcript())
	default:
		v = summaryOf(lastUser(r))
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var firstPartTitle = regexp.MustCompile(`(?m)^Part 1: (.+)$`)

type summary struct {
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Bullets []string `json:"bullets"`
}

// summaryOf quotes the text: its first distinctive words make the title,
// a few more the summary, and three spread-out ones the bullets.
func summaryOf(text string) summary {
	words := distinctive(text)
	title := phrase(words, 0, 3)
	if r, size := utf8.DecodeRuneInString(title); size > 0 {
		title = string(unicode.ToUpper(r)) + title[size:]
	}
	n := len(words)
	return summary{
		Title:   title,
		Summary: "The speaker talks about " + phrase(words, 0, 6) + ". Later they mention " + phrase(words, n/2, 4) + ".",
		Bullets: []string{
			"Mentions " + phrase(words, n/4, 2) + ".",
			"Discusses " + phrase(words, n/2, 2) + ".",
			"Ends with " + phrase(words, max(0, n-2), 2) + ".",
		},
	}
}

// distinctive keeps the words of four letters or more, without
// punctuation; text without such words (CJK) is cut into short runs.
func distinctive(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if utf8.RuneCountInString(w) >= 4 && !stop[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		runes := []rune(strings.Join(strings.Fields(text), ""))
		for len(runes) > 0 {
			k := min(4, len(runes))
			out = append(out, string(runes[:k]))
			runes = runes[k:]
		}
	}
	return out
}

func phrase(words []string, from, n int) string {
	if len(words) == 0 {
		return "nothing in particular"
	}
	from = min(from, len(words)-1)
	return strings.Join(words[from:min(len(words), from+n)], " ")
}

func lastUser(r Request) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

var stop = map[string]bool{
	"that": true, "this": true, "with": true, "have": true, "from": true, "they": true,
	"what": true, "there": true, "about": true, "which": true, "their": true, "would": true,
	"were": true, "been": true, "just": true, "like": true, "know": true, "really": true,
	"then": true, "than": true, "them": true, "these": true, "those": true, "your": true,
	"part": true, "video": true, "chapter": true,
}
