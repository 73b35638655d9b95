package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

var errSentinel = errors.New("skip retry")

type codeError struct{ code string }

func (e *codeError) Error() string { return "code " + e.code }

func TestString(t *testing.T) {
	s := New("sk-LONG-secret-123", "", "  ", "tok")
	for in, want := range map[string]string{
		"Incorrect API key provided: sk-LONG-secret-123.": "Incorrect API key provided: [redacted].",
		"Bearer sk-LONG-secret-123, then tok":             "Bearer [redacted], then [redacted]",
		"nothing secret":                                  "nothing secret",
	} {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q; want %q", in, got, want)
		}
	}
	// A one-character key is hidden too: length is no excuse.
	if got := New("x").String("key=x;"); got != "key=[redacted];" {
		t.Errorf("one-character secret: %q", got)
	}
	// The longer secret wins over one it contains.
	if got := New("abc", "abcdef").String("abcdef abc"); got != "[redacted] [redacted]" {
		t.Errorf("overlapping secrets: %q", got)
	}
	var none *Secrets
	if none.String("a") != "a" || New() != nil || New("", " ") != nil {
		t.Error("no secrets must hide nothing")
	}
}

func TestError(t *testing.T) {
	s := New("sk-abc")
	clean := errors.New("no secret here")
	if s.Error(clean) != clean || s.Error(nil) != nil {
		t.Error("an error without a secret must be returned as it is")
	}
	err := fmt.Errorf("call failed for key sk-abc: %w: %w", &codeError{"llm"}, errSentinel)
	red := s.Error(err)
	if strings.Contains(red.Error(), "sk-abc") || !strings.Contains(red.Error(), Mask) {
		t.Errorf("redacted error = %q", red)
	}
	var ce *codeError
	if !errors.Is(red, errSentinel) || !errors.As(red, &ce) || ce.code != "llm" {
		t.Error("the redacted error no longer wraps what the original did")
	}
}

type config struct{ Key string }

func TestReplaceAttr(t *testing.T) {
	const key = "tok7"
	s := New(key)
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: s.ReplaceAttr})
		},
		func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: s.ReplaceAttr})
		},
	} {
		var b bytes.Buffer
		log := slog.New(h(&b)).With(slog.String("with", "w "+key))
		log.Error("message "+key, slog.Any("error", errors.New("echo "+key)), slog.String("s", key),
			slog.Any("struct", config{Key: key}), slog.Group("g", slog.String("inner", key)), slog.Int("n", 7))
		if strings.Contains(b.String(), key) {
			t.Errorf("log holds the secret:\n%s", b.String())
		}
		if strings.Count(b.String(), Mask) != 6 {
			t.Errorf("want 6 redactions:\n%s", b.String())
		}
	}
}
