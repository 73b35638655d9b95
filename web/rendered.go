package web

import (
	"bytes"
	"html/template"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/recap-dev/recap"
)

// defaultRenderedPages is how many summary pages an App keeps rendered
// when App.RenderedPages is 0 (a 3-hour video's page, transcript and
// all, is about 200 KB).
const defaultRenderedPages = 128

// renderedPage is the part of a finished summary's page that is the same
// for every request: its title and its content, as the summary template
// writes it inside the layout. What differs per request (the script
// nonce, the session's header and its CSRF token) is in the layout,
// which is executed around it each time (page "rendered").
type renderedPage struct {
	title string
	body  template.HTML
}

// renderedPages keeps finished summaries' pages by document id, which is
// their job's id. A finished job is final (no transition leaves done)
// and its document never changes, so a kept page is never stale, and one
// found by a job id tells that the job is done without reading it.
//
// The page shows the transcript stored for the video when the page was
// first rendered; a transcript stored again later (the same video
// summarized again) shows once the page leaves the cache.
type renderedPages struct {
	once  sync.Once
	cache *lru.Cache[string, *renderedPage]
}

// renderedPages returns the App's kept pages, made on first use.
func (a *App) renderedPages() *lru.Cache[string, *renderedPage] {
	a.rendered.once.Do(func() {
		size := a.RenderedPages
		if size <= 0 {
			size = defaultRenderedPages
		}
		a.rendered.cache, _ = lru.New[string, *renderedPage](size) // only fails for size < 1
	})
	return a.rendered.cache
}

// summaryPage returns the rendered page of doc and its transcript t (nil
// when not stored), rendering it once.
func (a *App) summaryPage(doc *recap.Document, t *recap.Transcript) (*renderedPage, error) {
	s := NewSummary(doc, t)
	var b bytes.Buffer
	// "content" alone writes what the layout writes of it: it is called
	// in the same (HTML text) context, and it reads nothing per request.
	if err := pages["summary"].ExecuteTemplate(&b, "content", layoutData{Title: s.Title, Page: s}); err != nil {
		return nil, err
	}
	rp := &renderedPage{title: s.Title, body: template.HTML(b.String())}
	a.renderedPages().Add(doc.ID, rp)
	return rp, nil
}
