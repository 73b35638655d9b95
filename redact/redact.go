// Package redact keeps secrets (the LLM API key, the API tokens) out of
// what leaves the process: logs, error messages stored for users to read,
// and errors handed to the queue.
package redact

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// Mask is what a secret is replaced with.
const Mask = "[redacted]"

// Secrets hides a set of secret values wherever they appear, whatever
// their length. The nil *Secrets hides nothing.
type Secrets struct {
	r *strings.Replacer
}

// New returns the Secrets hiding values; empty ones are ignored.
func New(values ...string) *Secrets {
	var vs []string
	for _, v := range values {
		if strings.TrimSpace(v) != "" && !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	// Longest first: a secret that holds another is hidden whole.
	slices.SortFunc(vs, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	pairs := make([]string, 0, 2*len(vs))
	for _, v := range vs {
		pairs = append(pairs, v, Mask)
	}
	return &Secrets{r: strings.NewReplacer(pairs...)}
}

// String returns text with every secret replaced by Mask.
func (s *Secrets) String(text string) string {
	if s == nil {
		return text
	}
	return s.r.Replace(text)
}

// Error returns err when its text holds no secret, else an error whose
// text is redacted and which still wraps err, so that errors.Is and
// errors.As (error codes, sentinels such as asynq.SkipRetry) see what
// they saw before.
func (s *Secrets) Error(err error) error {
	if s == nil || err == nil {
		return err
	}
	text := err.Error()
	if red := s.String(text); red != text {
		return &redactedError{text: red, err: err}
	}
	return err
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// ReplaceAttr redacts the message and every attribute of a log record;
// it is meant for slog.HandlerOptions.ReplaceAttr.
func (s *Secrets) ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	if s == nil {
		return a
	}
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if red := s.String(v.String()); red != v.String() {
			a.Value = slog.StringValue(red)
		}
	case slog.KindAny:
		var text string
		if err, ok := v.Any().(error); ok {
			text = err.Error()
		} else {
			text = fmt.Sprintf("%+v", v.Any())
		}
		if red := s.String(text); red != text {
			a.Value = slog.StringValue(red)
		}
	}
	return a
}
