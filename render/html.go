package render

import (
	_ "embed"
	"html/template"
	"io"

	"github.com/recap-dev/recap"
)

//go:embed page.html.tmpl
var pageSource string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"ts":        Timestamp,
	"link":      LinkTarget,
	"linkLabel": linkLabel,
}).Parse(pageSource))

// HTML writes doc as a standalone page: no scripts, no outside styles.
// Text is cleaned of control characters and escaped by html/template;
// links are only validated http(s) URLs.
func HTML(w io.Writer, doc *recap.Document) error {
	doc = doc.Cleaned()
	lang := doc.SummaryLanguage
	if lang == "" {
		lang = doc.Language
	}
	return page.Execute(w, struct {
		*recap.Document
		Lang, Credits, People, SourceLabel string
	}{doc, lang, Credits(doc), recap.PeopleLine(doc.People), SourceTitleLabel(doc)})
}
