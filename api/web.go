package api

import (
	"context"
	"net/http"

	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/web"
)

// newWebApp is the web app on this server's store, submit path and token
// rules.
func (s *Server) newWebApp() *web.App {
	return &web.App{
		Store: s.Store,
		Submit: func(ctx context.Context, input string, force bool) (*storage.Job, error) {
			job, _, err := s.submit(ctx, createRequest{URL: input, Force: force})
			return job, err
		},
		Auth:         s.webSession,
		Logger:       s.Logger,
		MaxFormBytes: s.MaxBodyBytes,
	}
}

// webSession tells the web app how a request is signed in.
func (s *Server) webSession(r *http.Request) web.Session {
	a := s.webAuth(r)
	return web.Session{OK: a.ok, Required: len(s.Tokens) > 0, SignedIn: a.session != "", CSRF: a.csrf()}
}

// webData is what the sign-in handlers show: the sign-in form again, with
// why.
type webData struct {
	Page, Next, Error string
}

func (s *Server) page(w http.ResponseWriter, status int, d webData) {
	s.web.LoginPage(w, status, d.Next, d.Error)
}

// parseForm reads a form body of at most MaxBodyBytes, or answers 400.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.page(w, http.StatusBadRequest, webData{Page: "login", Next: "/", Error: "could not read the form"})
		return false
	}
	return true
}
