// Package prompts holds the LLM prompt templates, embedded in the binary and
// versioned by their content: a prompt's version is derived from the bytes
// of its template and of the JSON schema it asks for, so editing either one
// changes the version, and with it every cache key that includes Version().
package prompts

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/recap-dev/recap"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed *.tmpl *.schema.json
var files embed.FS

// Prompt is one rendered-on-demand prompt: a system and a user message, and
// the JSON schema of the answer it asks for.
type Prompt struct {
	// Name is the template's name: "chapter", "combine" or "overview".
	Name string
	// Version is Name plus the first 8 hex digits of the SHA-256 of the
	// template and its schema, e.g. "chapter-1a2b3c4d".
	Version string
	// SchemaName names the answer schema in a json_schema response_format.
	SchemaName string
	// Schema is the JSON schema of the answer, strict-mode compatible (every
	// property required, no additional properties).
	Schema json.RawMessage

	tmpl *template.Template
}

// ChapterData is what the chapter prompt is rendered with. Chapter numbers
// are 1-based; Parts is 0 or 1 for a chapter sent in one call.
type ChapterData struct {
	VideoTitle        string
	Chapter, Chapters int
	SourceTitle       string // the creator's chapter title, if any
	Part, Parts       int
	Language          string // BCP 47; "" means the transcript's language
	// TranscriptLanguage is Text's language, said when it is not Language.
	TranscriptLanguage string
	People             []recap.Person // named in the prompt, when known
	Text               string         // the transcript text, and nothing else
}

// CombineData is what the combine prompt is rendered with: the summaries
// of the parts of a chapter too long for one call.
type CombineData struct {
	VideoTitle        string
	Chapter, Chapters int
	SourceTitle       string
	Language          string
	People            []recap.Person
	Parts             []recap.ChapterSummary
}

// OverviewData is what the overview prompt is rendered with. Only titles
// and summaries of the chapters are rendered, never bullets.
type OverviewData struct {
	VideoTitle string
	Language   string
	People     []recap.Person // known before the overview
	Chapters   []recap.ChapterSummary
}

var (
	chapter  = mustLoad("chapter", "summary")
	combine  = mustLoad("combine", "summary")
	overview = mustLoad("overview", "overview")
	version  = setVersion(chapter, combine, overview)
)

// Chapter is the prompt that summarizes one chapter (or one part of it).
func Chapter() *Prompt { return chapter }

// Combine is the prompt that merges the part summaries of a long chapter.
func Combine() *Prompt { return combine }

// Overview is the prompt that writes the overview from chapter summaries.
func Overview() *Prompt { return overview }

// Version names the whole prompt set: "prompts-" plus 8 hex digits derived
// from every prompt's version. Documents carry it as
// generator.prompt_version and chapter cache keys include it.
func Version() string { return version }

// Render executes the prompt with data (a ChapterData, CombineData or
// OverviewData) and returns the system and user messages.
func (p *Prompt) Render(data any) (system, user string, err error) {
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, "system", data); err != nil {
		return "", "", fmt.Errorf("render %s prompt: %w", p.Name, err)
	}
	system = b.String()
	b.Reset()
	if err := p.tmpl.ExecuteTemplate(&b, "user", data); err != nil {
		return "", "", fmt.Errorf("render %s prompt: %w", p.Name, err)
	}
	return system, b.String(), nil
}

func mustLoad(name, schema string) *Prompt {
	src, err := files.ReadFile(name + ".tmpl")
	if err != nil {
		panic(err)
	}
	sch, err := files.ReadFile(schema + ".schema.json")
	if err != nil {
		panic(err)
	}
	p, err := newPrompt(name, schema, src, sch)
	if err != nil {
		panic(err)
	}
	return p
}

// newPrompt parses a template and derives its version from the template's
// and the schema's bytes.
func newPrompt(name, schemaName string, src, schema []byte) (*Prompt, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse %s prompt: %w", name, err)
	}
	for _, part := range []string{"system", "user"} {
		if t.Lookup(part) == nil {
			return nil, fmt.Errorf("parse %s prompt: no %q template", name, part)
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, schema); err != nil {
		return nil, fmt.Errorf("parse %s schema: %w", schemaName, err)
	}
	h := sha256.New()
	h.Write(src)
	h.Write([]byte{0})
	h.Write(schema)
	return &Prompt{
		Name:       name,
		Version:    name + "-" + hex.EncodeToString(h.Sum(nil))[:8],
		SchemaName: schemaName,
		Schema:     json.RawMessage(compact.Bytes()),
		tmpl:       t,
	}, nil
}

func setVersion(ps ...*Prompt) string {
	h := sha256.New()
	for _, p := range ps {
		h.Write([]byte(p.Version))
		h.Write([]byte{'\n'})
	}
	return "prompts-" + hex.EncodeToString(h.Sum(nil))[:8]
}

var funcs = template.FuncMap{
	"inc":        func(i int) int { return i + 1 },
	"language":   languageName,
	"transcript": fenceText,
	"people":     recap.PeopleLine,
}

// languageName spells a BCP 47 tag out in English ("pt-BR" → "Brazilian
// Portuguese"): models follow a language name more reliably than a code.
func languageName(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "the transcript's language"
	}
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if name := display.English.Tags().Name(t); name != "" {
		return name
	}
	return tag
}

// fenceText keeps a transcript from closing its own <transcript> fence, the
// one way its words could pass for instructions outside the data.
func fenceText(s string) string {
	return closeTag.ReplaceAllString(s, "</ $1>")
}

var closeTag = regexp.MustCompile(`(?i)</\s*(transcript)\s*>`)
