package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/textclean"
)

// invalidError is an answer that arrived but cannot be used; a new call
// may do better.
type invalidError struct{ reason string }

func (e *invalidError) Error() string { return "invalid answer: " + e.reason }

func invalid(format string, args ...any) error {
	return &invalidError{reason: fmt.Sprintf(format, args...)}
}

var (
	thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)
	codeFence  = regexp.MustCompile("(?s)```[a-zA-Z]*\\s*\\n?(.*?)```")
)

// extractJSON finds the JSON object in a model's answer: the whole answer,
// or the one inside a code fence, or the first object amid prose. Reasoning
// models' <think> blocks are dropped first, braces in them are not answers.
func extractJSON(content string) (json.RawMessage, error) {
	s := strings.TrimSpace(thinkBlock.ReplaceAllString(content, ""))
	if s == "" {
		return nil, invalid("empty answer")
	}
	candidates := []string{s}
	for _, m := range codeFence.FindAllStringSubmatch(s, -1) {
		candidates = append(candidates, m[1])
	}
	for _, c := range candidates {
		if obj, ok := firstObject(c); ok {
			return obj, nil
		}
	}
	return nil, invalid("no JSON object in %q", clip(s, 80))
}

// firstObject decodes the first complete JSON object in s; the decoder
// stops at the object's end, so prose after it is ignored.
func firstObject(s string) (json.RawMessage, bool) {
	const maxTries = 8
	for i, tries := 0, 0; tries < maxTries; tries++ {
		j := strings.IndexByte(s[i:], '{')
		if j < 0 {
			return nil, false
		}
		i += j
		var raw json.RawMessage
		if err := json.NewDecoder(strings.NewReader(s[i:])).Decode(&raw); err == nil {
			return raw, true
		}
		i++
	}
	return nil, false
}

// plainText reports whether an answer is text rather than JSON: a server
// that honours response_format starts its answer with the object (cut
// short, maybe, but never prose first).
func plainText(content string) bool {
	s := strings.TrimSpace(content)
	return s != "" && s[0] != '{'
}

// bulletList accepts bullets as a JSON array or, from models that ignore
// the schema, as one string with a bullet per line.
type bulletList []string

func (b *bulletList) UnmarshalJSON(data []byte) error {
	var list []string
	if err := json.Unmarshal(data, &list); err == nil {
		*b = list
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return errors.New("bullets are neither a list nor a string")
	}
	*b = strings.Split(s, "\n")
	return nil
}

const (
	minBullets = 3
	maxBullets = 6
)

// Longest fields accepted from the model, in characters: several times
// what the prompts ask for (a title of about 12 words, 2-4 sentences, short
// bullets), so that only a runaway answer is refused, and nothing of
// unbounded size is cached.
const (
	maxTitleChars   = 200
	maxSummaryChars = 2000
	maxBulletChars  = 500
)

// within refuses a field over its limit, naming both.
func within(field, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return invalid("%s is %d characters long: the limit is %d", field, n, limit)
	}
	return nil
}

// parseSummary validates and tidies a {title, summary, bullets} answer.
func parseSummary(content string) (recap.ChapterSummary, error) {
	raw, err := extractJSON(content)
	if err != nil {
		return recap.ChapterSummary{}, err
	}
	var v struct {
		Title   string     `json:"title"`
		Summary string     `json:"summary"`
		Bullets bulletList `json:"bullets"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return recap.ChapterSummary{}, invalid("answer is not {title, summary, bullets}: %v", err)
	}
	out := recap.ChapterSummary{Title: cleanTitle(v.Title), Summary: oneParagraph(v.Summary)}
	if out.Title == "" {
		return recap.ChapterSummary{}, invalid("empty title")
	}
	if out.Summary == "" {
		return recap.ChapterSummary{}, invalid("empty summary")
	}
	if err := within("title", out.Title, maxTitleChars); err != nil {
		return recap.ChapterSummary{}, err
	}
	if err := within("summary", out.Summary, maxSummaryChars); err != nil {
		return recap.ChapterSummary{}, err
	}
	for _, b := range v.Bullets {
		if b = cleanBullet(b); b != "" {
			if err := within("a bullet", b, maxBulletChars); err != nil {
				return recap.ChapterSummary{}, err
			}
			out.Bullets = append(out.Bullets, b)
		}
	}
	if len(out.Bullets) < minBullets {
		return recap.ChapterSummary{}, invalid("%d bullets, want %d to %d", len(out.Bullets), minBullets, maxBullets)
	}
	if len(out.Bullets) > maxBullets {
		out.Bullets = out.Bullets[:maxBullets]
	}
	return out, nil
}

// maxOverviewSentences is looser than the 2-4 the prompt asks for: the
// count is rough (abbreviations end "sentences" too), and only a clearly
// overlong overview is worth a paid retry.
const maxOverviewSentences = 6

// parseOverview validates an {"overview": ..., "people": [...]} answer.
// People are optional (a server without structured output may leave them
// out) and read leniently: a malformed list is no reason to pay for
// another call, and the pipeline checks every name anyway.
func parseOverview(content string) (pipeline.Overview, error) {
	raw, err := extractJSON(content)
	if err != nil {
		return pipeline.Overview{}, err
	}
	var v struct {
		Overview string          `json:"overview"`
		People   json.RawMessage `json:"people"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return pipeline.Overview{}, invalid("answer is not {overview}: %v", err)
	}
	o := oneParagraph(v.Overview)
	if o == "" {
		return pipeline.Overview{}, invalid("empty overview")
	}
	if err := within("overview", o, maxSummaryChars); err != nil {
		return pipeline.Overview{}, err
	}
	if n := len(sentenceEnd.FindAllStringIndex(o, -1)); n > maxOverviewSentences {
		return pipeline.Overview{}, invalid("overview has %d sentences, want 2 to 4", n)
	}
	out := pipeline.Overview{Text: o}
	var people []struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if len(v.People) > 0 && json.Unmarshal(v.People, &people) == nil {
		for _, p := range people {
			if name := oneParagraph(p.Name); name != "" {
				out.People = append(out.People, recap.Person{Name: name, Role: oneParagraph(p.Role)})
			}
		}
	}
	return out, nil
}

var sentenceEnd = regexp.MustCompile(`[.!?。！？]+["'”’)\]]*(\s|$)`)

// oneParagraph joins lines, drops blank ones and control characters: a
// summary is one paragraph of plain text.
func oneParagraph(s string) string { return textclean.Line(s) }

func cleanTitle(s string) string {
	s = oneParagraph(s)
	s = strings.Trim(s, "\"'“”‘’«»*_` ")
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(s)
}

// bulletMark matches a list marker a model put in front of a bullet:
// "- ", "• ", "1. ", "2) ". A number needs a space after it, so "3.5
// billion" keeps its figure.
var bulletMark = regexp.MustCompile(`^(?:[-*•·‣◦–—+]+\s*|\(?\d{1,2}[.)]\s+)`)

func cleanBullet(s string) string {
	s = strings.TrimSpace(s)
	s = bulletMark.ReplaceAllString(s, "")
	return oneParagraph(s)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
