package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// With RECAP_API_TOKENS set, everything that shows stored content needs a
// token: the API takes it as a bearer header; the web pages take the
// header too, or the session cookie that signing in with a token sets.
//
// A session is "<expiry>.<mac>", where mac is an HMAC-SHA256 of the
// expiry keyed by the token that signed in. It holds no state on the
// server, is valid on every replica sharing the tokens, and ends when its
// token is removed from RECAP_API_TOKENS.

const (
	sessionCookie = "recap_session"
	sessionTTL    = 7 * 24 * time.Hour
	// csrfField is the hidden form field that carries a session's CSRF
	// token.
	csrfField = "csrf"
)

// requireToken lets a request with a valid bearer token through when
// tokens are configured; others get 401.
func (s *Server) requireToken(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(s.Tokens) > 0 && s.bearerKey(r) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="recap"`)
			s.error(w, r, errUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// tokenKey returns the configured token equal to tok, or nil. Every token
// is compared, in constant time.
func (s *Server) tokenKey(tok string) []byte {
	if tok == "" {
		return nil
	}
	var key []byte
	for _, t := range s.Tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			key = []byte(t)
		}
	}
	return key
}

func (s *Server) bearerKey(r *http.Request) []byte { return s.tokenKey(bearer(r)) }

// webAuth is how a web request is signed in.
type webAuth struct {
	ok bool
	// session is the session cookie's value when that is what signed the
	// request in ("" for a bearer header or when no tokens are set);
	// key is the token that signed it.
	session string
	key     []byte
}

// webAuth checks a web request: anyone when no tokens are set, else a
// bearer header or a valid session cookie.
func (s *Server) webAuth(r *http.Request) webAuth {
	if len(s.Tokens) == 0 {
		return webAuth{ok: true}
	}
	if key := s.bearerKey(r); key != nil {
		return webAuth{ok: true, key: key}
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return webAuth{}
	}
	if key := s.sessionKey(c.Value, time.Now()); key != nil {
		return webAuth{ok: true, session: c.Value, key: key}
	}
	return webAuth{}
}

// csrf is the CSRF token of the session's forms, "" without a session.
func (a webAuth) csrf() string {
	if a.session == "" {
		return ""
	}
	return mac(a.key, "csrf "+a.session)
}

// checkCSRF reports whether a form posted under a may act: a request
// signed in by a header or with no tokens set needs no CSRF token (the
// cross-origin check still applies to it), a session needs its own.
func (a webAuth) checkCSRF(r *http.Request) bool {
	if a.session == "" {
		return true
	}
	return hmac.Equal([]byte(r.PostForm.Get(csrfField)), []byte(a.csrf()))
}

func mac(key []byte, msg string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// newSession returns a session value signed with key, valid until
// expires.
func newSession(key []byte, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + mac(key, "session "+exp)
}

// sessionKey returns the token that signed the session value v, or nil
// when none did or it has expired.
func (s *Server) sessionKey(v string, now time.Time) []byte {
	exp, sig, ok := strings.Cut(v, ".")
	if !ok {
		return nil
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= unix {
		return nil
	}
	var key []byte
	for _, t := range s.Tokens {
		if hmac.Equal([]byte(sig), []byte(mac([]byte(t), "session "+exp))) {
			key = []byte(t)
		}
	}
	return key
}

// setSessionCookie sets (or, with value "", clears) the session cookie:
// HttpOnly, SameSite=Strict, and Secure when the request came over TLS.
func setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
		MaxAge: int(maxAge.Seconds()),
	}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// login takes the sign-in form (token, next): a valid token sets the
// session cookie and goes on to next.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	next := localPath(r.PostForm.Get("next"))
	key := s.tokenKey(strings.TrimSpace(r.PostForm.Get("token")))
	if len(s.Tokens) == 0 {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if key == nil {
		s.page(w, http.StatusUnauthorized, webData{Page: "login", Next: next, Error: "that token is not valid"})
		return
	}
	setSessionCookie(w, r, newSession(key, time.Now().Add(sessionTTL)), sessionTTL)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout clears the session cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	setSessionCookie(w, r, "", 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// localPath returns p when it is a path on this site, else "/": a sign-in
// form must not send the browser elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}
