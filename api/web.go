package api

import (
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

//go:embed web.html.tmpl
var webSource string

var webPages = template.Must(template.New("web").Funcs(template.FuncMap{
	"pct": func(done, total int) int {
		if total == 0 {
			return 0
		}
		return done * 100 / total
	},
}).Parse(webSource))

type webData struct {
	Page      string // "index" or "job"
	Error     string
	URL       string
	NeedToken bool
	Jobs      []*jobView
	Job       *jobView
}

// webIndex shows the submit form and the newest summaries.
func (s *Server) webIndex(w http.ResponseWriter, r *http.Request) {
	s.renderIndex(w, r, http.StatusOK, webData{})
}

func (s *Server) renderIndex(w http.ResponseWriter, r *http.Request, status int, d webData) {
	d.Page, d.NeedToken = "index", len(s.Tokens) > 0
	if !d.NeedToken {
		page, err := s.Store.ListJobs(r.Context(), storage.JobFilter{Limit: 30})
		if err != nil {
			s.error(w, r, err)
			return
		}
		for _, j := range page.Jobs {
			d.Jobs = append(d.Jobs, newJobView(j))
		}
	}
	s.page(w, status, d)
}

// webSubmit takes the form: the same path as POST /v1/summaries, and the
// same token rule.
func (s *Server) webSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.renderIndex(w, r, http.StatusBadRequest, webData{Error: "could not read the form: " + err.Error()})
		return
	}
	url := r.PostForm.Get("url")
	if len(s.Tokens) > 0 && !s.validToken(r.PostForm.Get("token")) {
		s.renderIndex(w, r, http.StatusUnauthorized, webData{Error: "a valid API token is needed to submit", URL: url})
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
		s.renderIndex(w, r, status, webData{Error: msg, URL: url})
		return
	}
	http.Redirect(w, r, "/s/"+job.ID, http.StatusSeeOther)
}

// webSummary shows one summary, or its progress (refreshing) until done.
func (s *Server) webSummary(w http.ResponseWriter, r *http.Request) {
	job, err := s.Store.GetJob(r.Context(), r.PathValue("id"))
	if err != nil {
		if recap.ErrorCode(err) == recap.ENOTFOUND {
			s.page(w, http.StatusNotFound, webData{Page: "job", Error: "no such summary"})
			return
		}
		s.error(w, r, err)
		return
	}
	if job.Status == storage.StatusDone {
		doc, err := s.Store.GetDocument(r.Context(), job.ID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Content-Type", render.ContentType(render.FormatHTML))
		if err := render.HTML(w, doc); err != nil {
			s.Logger.Debug("write page", slog.Any("error", err))
		}
		return
	}
	s.page(w, http.StatusOK, webData{Page: "job", Job: newJobView(job)})
}

func (s *Server) page(w http.ResponseWriter, status int, d webData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	if err := webPages.Execute(w, d); err != nil {
		s.Logger.Debug("write page", slog.Any("error", err))
	}
}
