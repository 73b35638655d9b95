package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/recap-dev/recap/textclean"
)

// logTally is the log handler of recap summarize: instead of a line per
// warning (an LLM call retried five times is five lines), it counts the
// warnings by message and keeps the last one's error, for summary to sum
// up in one line each at the end of the run.
type logTally struct {
	mu     *sync.Mutex
	counts map[string]int
	last   map[string]string
	order  []string
}

func newLogTally() *logTally {
	return &logTally{mu: &sync.Mutex{}, counts: map[string]int{}, last: map[string]string{}}
}

func (t *logTally) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (t *logTally) Handle(_ context.Context, r slog.Record) error {
	var reason string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" || a.Key == "reason" {
			reason = a.Value.String()
		}
		return true
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts[r.Message] == 0 {
		t.order = append(t.order, r.Message)
	}
	t.counts[r.Message]++
	if reason != "" {
		t.last[r.Message] = reason
	}
	return nil
}

// The tally sums up messages, whatever attributes a logger adds.
func (t *logTally) WithAttrs([]slog.Attr) slog.Handler { return t }
func (t *logTally) WithGroup(string) slog.Handler      { return t }

// summary is one line a kind of warning: how many times, and the last
// reason.
func (t *logTally) summary() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var lines []string
	for _, msg := range t.order {
		line := msg
		if n := t.counts[msg]; n > 1 {
			line = fmt.Sprintf("%s (%d times)", msg, n)
		}
		if r := t.last[msg]; r != "" {
			line += "; last: " + textclean.Line(r)
		}
		lines = append(lines, line)
	}
	return lines
}
