// Package web is recap's web app: the home page (submit box, search box,
// library), the summary page, the search page, the job page, and the
// pages of batches and subscriptions (batch.go). Pages are
// server-rendered html/template with a small embedded stylesheet and
// script; every page reads without JavaScript. View models are built by
// the plain functions of view.go; the handlers here only fetch and render.
package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Session is how a request is signed in, as the API's token rules see it.
type Session struct {
	OK       bool   // the request may see stored content
	Required bool   // tokens are configured: without OK the sign-in form shows
	SignedIn bool   // signed in by the session cookie (sign out is offered)
	CSRF     string // the token its forms carry; "" when none is needed
}

// App serves the pages. Store, Submit and Auth are required.
type App struct {
	Store storage.Store
	// Submit submits a video exactly as POST /v1/summaries does, with
	// its options checked there.
	Submit func(ctx context.Context, input string, o VideoOptions) (*storage.Job, error)
	// Backlog, when set, submits a playlist, channel or feed as a batch
	// exactly as POST /v1/batches does, and returns the batch's page
	// (BatchLink). Without it the home page says that backlogs go through
	// `recap batch`.
	Backlog func(ctx context.Context, input string, o BacklogOptions) (link string, err error)
	// Transcribe says that a speech-to-text service is configured: the
	// forms then offer "transcribe".
	Transcribe bool
	// Batches, when set, serves the batch pages and the subscriptions
	// page (their routes are left out without it).
	Batches *batch.Service
	// Auth tells how a request is signed in.
	Auth func(r *http.Request) Session
	// Document returns a finished job's document; nil means
	// Store.GetDocument.
	Document func(ctx context.Context, id string) (*recap.Document, error)
	// Rendering returns a finished job's document in a render format
	// (md, json, html); nil means render.Bytes of Document.
	Rendering func(ctx context.Context, id, format string) ([]byte, error)
	Logger    *slog.Logger
	// MaxFormBytes bounds a form body; 0 means 64 KiB.
	MaxFormBytes int64
	// RenderedPages is how many finished summaries' pages are kept
	// rendered in memory (rendered.go); 0 means 128.
	RenderedPages int

	rendered renderedPages
}

// pages holds each page's template, parsed once: the layout with the
// page's "content".
var pages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl"))
	out := map[string]*template.Template{}
	names, _ := fs.Glob(templateFS, "templates/*.tmpl")
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".tmpl")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	// "rendered" is the layout around content rendered before: a kept
	// summary page (rendered.go). The layout is written with a mark in
	// place of the content, which goes out as it is at the mark (render).
	out["rendered"] = template.Must(template.Must(layout.Clone()).Parse(`{{define "content"}}` + contentMark + `{{end}}`))
	return out
}()

// contentMark is where page "rendered" puts its content: a tag, which no
// text the layout writes can make (it escapes every "<"). Not a comment:
// html/template drops comments.
const contentMark = "<recap-content>"

var funcs = template.FuncMap{
	"searchURL": SearchURL,
	"pct": func(done, total int) int {
		if total <= 0 {
			return 0
		}
		return done * 100 / total
	},
}

// assets are the static files with their content hashes, which version
// their URLs so that they can be cached for long.
var assets = func() map[string]string {
	out := map[string]string{}
	entries, _ := fs.ReadDir(staticFS, "static")
	for _, e := range entries {
		b, _ := staticFS.ReadFile("static/" + e.Name())
		sum := sha256.Sum256(b)
		out[e.Name()] = "/static/" + e.Name() + "?v=" + hex.EncodeToString(sum[:6])
	}
	return out
}()

// layoutData is what the layout gets; Page is the page's own view.
type layoutData struct {
	Title   string
	Nonce   string
	Session Session
	Q       string // the search box's value
	CSS, JS string
	// Refresh, on a page that changes, reloads it without JavaScript.
	Refresh bool
	// Batches: the header links to the batches.
	Batches bool
	Page    any
}

// ContentSecurityPolicy is the policy of every page, with the request's
// script nonce: no inline script without it, no inline style, images only
// from here and YouTube's image hosts, frames only from the player's host,
// and no framing of recap itself.
func ContentSecurityPolicy(nonce string) string {
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' " + thumbnailSources +
		"; media-src https: http:; frame-src " + PlayerOrigin + "; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

func newNonce() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pageBuffers hold pages while they are rendered: a page is written
// whole once it has rendered without error, and a summary's page is tens
// of kilobytes, which a fresh buffer per request would make the garbage
// collector's work at thousands of pages a second.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPageBuffer returns b to pageBuffers, unless it grew past what a page
// needs (an outsized one is left to the garbage collector).
func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// render writes a page with its security headers. Page "rendered" has
// its content, rendered before, in d.Page (template.HTML): it is written
// as it is between the two halves of the layout, not copied through the
// template and a buffer (a summary's page is hundreds of kilobytes, the
// layout around it one or two).
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, sess Session, d layoutData) {
	t, ok := pages[name]
	if !ok {
		panic("web: no page " + name)
	}
	var content template.HTML
	if name == "rendered" {
		content, d.Page = d.Page.(template.HTML), nil
	}
	d.Nonce, d.Session, d.CSS, d.JS = newNonce(), sess, assets["app.css"], assets["app.js"]
	d.Batches = a.Batches != nil
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	err := t.ExecuteTemplate(b, "layout.tmpl", d)
	head, tail := b.Bytes(), []byte(nil)
	if err == nil && name == "rendered" {
		var found bool
		if head, tail, found = bytes.Cut(head, []byte(contentMark)); !found {
			err = errors.New("the layout wrote no content mark") // TestRenderedPageIsTheSummaryPage
		}
	}
	if err != nil {
		a.logger().Error("render page", slog.String("page", name), slog.Any("error", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy(d.Nonce))
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin") // YouTube's player needs the origin
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(head)+len(content)+len(tail)))
	w.WriteHeader(status)
	if content == "" {
		w.Write(head)
		return
	}
	// One write of the whole page: three would cost the server a system
	// call more per page.
	page := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(page)
	page.Grow(len(head) + len(content) + len(tail))
	page.Write(head)
	page.WriteString(string(content))
	page.Write(tail)
	w.Write(page.Bytes())
}

func (a *App) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

// errorPage shows err: its message for bad input and unknown ids, a
// generic one (and a log line) for the rest.
func (a *App) errorPage(w http.ResponseWriter, r *http.Request, sess Session, err error) {
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. Try again in a moment."
	switch recap.ErrorCode(err) {
	case recap.ENOTFOUND:
		status, msg = http.StatusNotFound, recap.ErrorMessage(err)
	case recap.EINVALID:
		status, msg = http.StatusBadRequest, recap.ErrorMessage(err)
	case recap.ECONFLICT:
		status, msg = http.StatusConflict, recap.ErrorMessage(err)
	default:
		a.logger().Error("web", slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	a.render(w, r, status, "error", sess, layoutData{Title: http.StatusText(status), Page: msg})
}

// signedIn checks the request; when it may not see the page, it shows
// the sign-in form (401) and returns false.
func (a *App) signedIn(w http.ResponseWriter, r *http.Request) (Session, bool) {
	sess := a.Auth(r)
	if sess.OK {
		return sess, true
	}
	a.LoginPage(w, http.StatusUnauthorized, r.URL.RequestURI(), "")
	return sess, false
}

// LoginPage shows the sign-in form, which goes on to next.
func (a *App) LoginPage(w http.ResponseWriter, status int, next, msg string) {
	a.render(w, nil, status, "login", Session{Required: true}, layoutData{Title: "Sign in", Page: struct{ Next, Error string }{next, msg}})
}

// form reads a posted form and checks its CSRF token; on failure it has
// answered.
func (a *App) form(w http.ResponseWriter, r *http.Request) (Session, bool) {
	max := a.MaxFormBytes
	if max == 0 {
		max = 64 << 10
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if err := r.ParseForm(); err != nil {
		msg := "could not read the form"
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			msg = "the form is too large"
		}
		a.errorPage(w, r, a.Auth(r), recap.Errorf(recap.EINVALID, "%s", msg))
		return Session{}, false
	}
	sess, ok := a.signedIn(w, r)
	if !ok {
		return sess, false
	}
	if sess.CSRF != "" && !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(sess.CSRF)) {
		a.render(w, r, http.StatusForbidden, "error", sess, layoutData{Title: "Forbidden",
			Page: "This form has expired. Go back, reload the page and send it again."})
		return sess, false
	}
	return sess, true
}

func (a *App) document(ctx context.Context, id string) (*recap.Document, error) {
	if a.Document != nil {
		return a.Document(ctx, id)
	}
	return a.Store.GetDocument(ctx, id)
}

func (a *App) rendering(ctx context.Context, id, format string) ([]byte, error) {
	if a.Rendering != nil {
		return a.Rendering(ctx, id, format)
	}
	doc, err := a.document(ctx, id)
	if err != nil {
		return nil, err
	}
	return render.Bytes(doc, format)
}

// Summary shows a finished job's summary, or the job's progress until
// then; a failed job's page is 410 Gone with the reason and a retry. A
// finished summary's page is rendered once and kept (rendered.go).
func (a *App) Summary(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	if rp, ok := a.renderedPages().Get(r.PathValue("id")); ok {
		a.renderSummary(w, r, sess, rp)
		return
	}
	job, ok := a.findJob(w, r, sess)
	if !ok {
		return
	}
	ctx := r.Context()
	if job.Status != storage.StatusDone {
		title := a.videoTitle(ctx, job.VideoID)
		status := http.StatusOK
		if job.Status == storage.StatusFailed {
			status = http.StatusGone
		}
		jv := NewJob(job, title)
		a.render(w, r, status, "job", sess, layoutData{Title: jv.Title, Page: jv, Refresh: !job.Finished()})
		return
	}
	doc, err := a.document(ctx, job.ID)
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	a.summary(w, r, sess, doc)
}

// Video shows the newest summary of a video (search results link here).
func (a *App) Video(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	doc, err := a.Store.LatestDocument(r.Context(), r.PathValue("video_id"))
	if err != nil {
		a.errorPage(w, r, sess, notFound(err, "no summary of video %q", r.PathValue("video_id")))
		return
	}
	a.summary(w, r, sess, doc)
}

func (a *App) summary(w http.ResponseWriter, r *http.Request, sess Session, doc *recap.Document) {
	if rp, ok := a.renderedPages().Get(doc.ID); ok {
		a.renderSummary(w, r, sess, rp)
		return
	}
	t, err := a.Store.GetTranscript(r.Context(), doc.Video.ID, doc.Language)
	if err != nil && recap.ErrorCode(err) != recap.ENOTFOUND {
		a.errorPage(w, r, sess, err)
		return
	}
	rp, err := a.summaryPage(doc, t)
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	a.renderSummary(w, r, sess, rp)
}

// renderSummary writes a summary's kept page inside the layout, with
// this request's nonce and session.
func (a *App) renderSummary(w http.ResponseWriter, r *http.Request, sess Session, rp *renderedPage) {
	a.render(w, r, http.StatusOK, "rendered", sess, layoutData{Title: rp.title, Page: rp.body})
}

// job reads the job of /s/{id} for a signed-in request; otherwise it has
// answered.
func (a *App) job(w http.ResponseWriter, r *http.Request) (Session, *storage.Job, bool) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return sess, nil, false
	}
	job, ok := a.findJob(w, r, sess)
	return sess, job, ok
}

func (a *App) findJob(w http.ResponseWriter, r *http.Request, sess Session) (*storage.Job, bool) {
	job, err := a.Store.GetJob(r.Context(), r.PathValue("id"))
	if err != nil {
		a.errorPage(w, r, sess, notFound(err, "no summary %q", r.PathValue("id")))
		return nil, false
	}
	return job, true
}

// videoTitle is a video's title, "" when its metadata is not stored.
func (a *App) videoTitle(ctx context.Context, id string) string {
	if v, err := a.Store.GetVideo(ctx, id); err == nil {
		return v.Title
	}
	return ""
}

// notFound rewords a not-found error for a page; other errors stay.
func notFound(err error, format string, args ...any) error {
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		return recap.Errorf(recap.ENOTFOUND, format, args...)
	}
	return err
}

// Retry, at POST /s/{id}/retry, submits a failed (or finished) job's
// video again with its options (caption and summary language,
// transcribe), forced.
func (a *App) Retry(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.form(w, r)
	if !ok {
		return
	}
	if r.PathValue("file") != "retry" {
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "nothing to post to at %s", r.URL.Path))
		return
	}
	job, ok := a.findJob(w, r, sess)
	if !ok {
		return
	}
	if !job.Finished() {
		http.Redirect(w, r, "/s/"+job.ID, http.StatusSeeOther)
		return
	}
	input := job.Input
	if input == "" {
		input = job.VideoID
	}
	// Again as it was asked for, forced.
	next, err := a.Submit(r.Context(), input, VideoOptions{Language: job.Language, SummaryLanguage: job.SummaryLanguage,
		Transcribe: job.Transcribe, Force: true})
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/s/"+next.ID, http.StatusSeeOther)
}

// Search shows the moments that match ?q=, with the filters video_id,
// channel and language; a query the parser refuses is a 400 with its
// message.
func (a *App) Search(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.signedIn(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := storage.SearchFilter{Q: q.Get("q"), VideoID: q.Get("video_id"), Channel: q.Get("channel"),
		Language: q.Get("language"), Cursor: q.Get("cursor")}
	d := layoutData{Title: "Search", Q: f.Q}
	if strings.TrimSpace(f.Q) == "" {
		d.Page = SearchResults{VideoID: f.VideoID, Channel: f.Channel, Language: f.Language}
		a.render(w, r, http.StatusOK, "search", sess, d)
		return
	}
	d.Title = f.Q + " · search"
	page, err := a.Store.Search(r.Context(), f)
	if err != nil {
		if recap.ErrorCode(err) != recap.EINVALID {
			a.errorPage(w, r, sess, err)
			return
		}
		d.Page = SearchResults{Q: f.Q, VideoID: f.VideoID, Channel: f.Channel, Language: f.Language, Error: recap.ErrorMessage(err)}
		a.render(w, r, http.StatusBadRequest, "search", sess, d)
		return
	}
	d.Page = NewSearchResults(f, page)
	a.render(w, r, http.StatusOK, "search", sess, d)
}

// File serves /s/{id}/{file}: the summary as summary.md, summary.json or
// summary.html, and progress.json, the job page's live state.
func (a *App) File(w http.ResponseWriter, r *http.Request) {
	sess, job, ok := a.job(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	file := r.PathValue("file")
	if file == "progress.json" {
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, NewJob(job, a.videoTitle(ctx, job.VideoID)))
		return
	}
	format, ok := strings.CutPrefix(file, "summary.")
	if !ok || (format != "md" && format != "json" && format != "html") {
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "no file %q: expected summary.md, summary.json or summary.html", file))
		return
	}
	if job.Status != storage.StatusDone {
		a.errorPage(w, r, sess, recap.Errorf(recap.ENOTFOUND, "summary %s is %s: nothing to download yet", job.ID, job.Status))
		return
	}
	b, err := a.rendering(ctx, job.ID, format)
	if err != nil {
		a.errorPage(w, r, sess, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="recap-%s.%s"`, safeFileName(job.VideoID), format))
	if format == "html" {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https:; frame-ancestors 'none'")
	}
	w.Header().Set("Content-Type", render.ContentType(format))
	w.Write(b)
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// Static serves the embedded stylesheet and script.
func (a *App) Static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// IsBacklog reports whether input names more than one video, as
// source.Classify reads it: a YouTube playlist or channel, or an http(s)
// URL on another host (a podcast feed). A watch URL with a list= names
// its video, as POST /v1/summaries reads it.
func IsBacklog(input string) bool {
	if _, err := pipeline.ParseVideoID(input); err == nil {
		return false
	}
	kind, err := source.Classify(input)
	return err == nil && source.Backlog(kind)
}
