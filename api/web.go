package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/web"
)

// newWebApp is the web app (package web) on this server's store, submit
// paths, document cache and token rules; with Batches, its submit box
// takes backlogs as POST /v1/batches does, and it has the batch pages.
func (s *Server) newWebApp() *web.App {
	app := &web.App{
		Store: s.Store,
		Submit: func(ctx context.Context, input string, o web.VideoOptions) (*storage.Job, error) {
			job, _, err := s.submit(ctx, createRequest{URL: input, Language: o.Language, SummaryLanguage: o.SummaryLanguage,
				Force: o.Force, Transcribe: o.Transcribe})
			return job, err
		},
		// The forms offer speech-to-text when a video could be
		// transcribed, as the submitter checks it.
		Transcribe: s.Submitter.Pipeline.CheckTranscribe(recap.SourceYouTube) == nil,
		Auth:       s.webSession,
		Document: func(ctx context.Context, id string) (*recap.Document, error) {
			d, err := s.document(ctx, id)
			if err != nil {
				return nil, err
			}
			return d.doc, nil
		},
		Rendering: func(ctx context.Context, id, format string) ([]byte, error) {
			d, err := s.document(ctx, id)
			if err != nil {
				return nil, err
			}
			return d.render(format)
		},
		Logger:        s.Logger,
		MaxFormBytes:  s.MaxBodyBytes,
		RenderedPages: s.DocumentCache,
	}
	if s.Batches != nil {
		app.Batches = s.Batches
		app.Backlog = func(ctx context.Context, input string, o web.BacklogOptions) (string, error) {
			b, err := s.newBatch(ctx, batchRequest{URL: input, Limit: o.Limit, Since: o.Since, Language: o.Language,
				Force: o.Force, MaxCostUSD: o.MaxCostUSD, Transcribe: o.Transcribe})
			if err != nil {
				return "", err
			}
			return web.BatchLink(b.ID), nil
		}
	}
	return app
}

// webSession tells the web app how a request is signed in (auth.go).
func (s *Server) webSession(r *http.Request) web.Session {
	a := s.webAuth(r)
	return web.Session{OK: a.ok, Required: len(s.Tokens) > 0, SignedIn: a.session != "", CSRF: a.csrf()}
}

// webData is what the sign-in handlers of auth.go show: the sign-in form,
// with why it is shown again.
type webData struct {
	Page, Next, Error string
}

func (s *Server) page(w http.ResponseWriter, status int, d webData) {
	s.web.LoginPage(w, status, d.Next, d.Error)
}

// loginForm shows the sign-in form, which goes on to ?next=.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.web.LoginPage(w, http.StatusOK, localPath(r.URL.Query().Get("next")), "")
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
	s.page(w, http.StatusBadRequest, webData{Page: "login", Next: "/", Error: msg})
	return false
}
