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
	"linkLabel": linkLabel,
}).Parse(pageSource))

// HTML writes doc as a standalone page: no scripts, no outside styles.
// html/template escapes every piece of text and refuses unsafe URLs.
func HTML(w io.Writer, doc *recap.Document) error {
	return page.Execute(w, struct {
		*recap.Document
		Credits string
	}{doc, Credits(doc)})
}
