package api

import (
	_ "embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

//go:embed web.html.tmpl
var webSource string

// webPages is parsed once, at start.
var webPages = template.Must(template.New("web").Funcs(template.FuncMap{
	"pct": func(done, total int) int {
		if total == 0 {
			return 0
		}
		return done * 100 / total
	},
}).Parse(webSource))

type webData struct {
	Page  string // "index", "job" or "login"
	Error string
	URL   string
	Jobs  []*jobView
	Job   *jobView
	// Next is where the sign-in form goes on to.
	Next string
	// CSRF is the session's CSRF token for the submit form; SignedIn
	// says a session cookie signed the page in (it offers to sign out).
	CSRF     string
	SignedIn bool
}

func (d *webData) signedIn(a webAuth) {
	d.CSRF, d.SignedIn = a.csrf(), a.session != ""
}

// webIndex shows the submit form and the newest summaries, or, when
// tokens are set and the request is not signed in, the sign-in form.
func (s *Server) webIndex(w http.ResponseWriter, r *http.Request) {
	a := s.webAuth(r)
	if !a.ok {
		s.page(w, http.StatusOK, webData{Page: "login", Next: "/"})
		return
	}
	s.renderIndex(w, r, a, http.StatusOK, webData{})
}

func (s *Server) renderIndex(w http.ResponseWriter, r *http.Request, a webAuth, status int, d webData) {
	d.Page = "index"
	d.signedIn(a)
	page, err := s.Store.ListJobs(r.Context(), storage.JobFilter{Limit: 30})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, j := range page.Jobs {
		d.Jobs = append(d.Jobs, newJobView(j))
	}
	s.page(w, status, d)
}

// parseForm reads a form body of at most MaxBodyBytes, or answers 400.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	err := r.ParseForm()
	if err == nil {
		return true
	}
	msg := "could not read the form"
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		msg = "the form is too large"
	}
	s.page(w, http.StatusBadRequest, webData{Page: "index", Error: msg})
	return false
}

// webSubmit takes the form: the same path as POST /v1/summaries, with the
// same input rules and the same token rule.
func (s *Server) webSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	url := r.PostForm.Get("url")
	a := s.webAuth(r)
	if !a.ok {
		s.page(w, http.StatusUnauthorized, webData{Page: "login", Next: "/", Error: "sign in with an API token to submit"})
		return
	}
	if !a.checkCSRF(r) {
		s.renderIndex(w, r, a, http.StatusForbidden, webData{Error: "the form has expired: submit it again", URL: url})
		return
	}
	job, _, err := s.submit(r.Context(), createRequest{URL: url, Force: r.PostForm.Get("force") == "on"})
	if err != nil {
		status := http.StatusInternalServerError
		msg := "internal error"
		if recap.ErrorCode(err) == recap.EINVALID {
			status, msg = http.StatusBadRequest, recap.ErrorMessage(err)
		} else {
			s.Logger.Error("web submit", slog.Any("error", err))
		}
		s.renderIndex(w, r, a, status, webData{Error: msg, URL: url})
		return
	}
	http.Redirect(w, r, "/s/"+job.ID, http.StatusSeeOther)
}

// webSummary shows one summary, or its progress (refreshing) until done.
// A failed job's page is 410 Gone with the reason.
func (s *Server) webSummary(w http.ResponseWriter, r *http.Request) {
	if !s.webAuth(r).ok {
		s.page(w, http.StatusUnauthorized, webData{Page: "login", Next: "/s/" + r.PathValue("id")})
		return
	}
	job, err := s.Store.GetJob(r.Context(), r.PathValue("id"))
	if err != nil {
		if recap.ErrorCode(err) == recap.ENOTFOUND {
			s.page(w, http.StatusNotFound, webData{Page: "job", Error: "no such summary"})
			return
		}
		s.error(w, r, err)
		return
	}
	switch job.Status {
	case storage.StatusDone:
		d, err := s.document(r.Context(), job.ID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.writeDocument(w, r, d, render.FormatHTML)
	case storage.StatusFailed:
		s.page(w, http.StatusGone, webData{Page: "job", Job: newJobView(job)})
	default:
		s.page(w, http.StatusOK, webData{Page: "job", Job: newJobView(job)})
	}
}

func (s *Server) page(w http.ResponseWriter, status int, d webData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := webPages.Execute(w, d); err != nil {
		s.Logger.Debug("write page", slog.Any("error", err))
	}
}
