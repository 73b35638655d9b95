package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/textclean"
)

// Exit codes (DESIGN.md): success, failure of the work, bad usage or input.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Main is the program: its streams and environment are fields so tests can
// run commands in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads configuration; os.Getenv by default.
	Getenv func(string) string
	// OnListen, when set, is told the address the HTTP server listens on
	// (tests listen on port 0).
	OnListen func(addr string)
	// HTTPLimits, when set, replace defaultHTTPLimits (tests shorten them).
	HTTPLimits *HTTPLimits
}

// NewMain returns a Main on the process's streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

var commands = []command{
	{"summarize", "summarize one video or yt-dlp bundle, in-process", (*Main).runSummarize},
	{"batch", "summarize a playlist, channel, feed, list or folder, resumably", (*Main).runBatch},
	{"serve", "run the API, web page and workers", (*Main).runServe},
	{"worker", "run workers only (needs RECAP_REDIS_URL)", (*Main).runWorker},
	{"get", "print a stored summary by summary id or video id", (*Main).runGet},
	{"search", "find the moments of stored transcripts that say some words", (*Main).runSearch},
	{"healthcheck", "exit 0 if the local server's /healthz answers 200, else 1", (*Main).runHealthcheck},
}

// Each command's usage line, with every flag it takes.
const (
	serveUsage       = "recap serve [--addr HOST:PORT] [--workers N]"
	workerUsage      = "recap worker [--workers N]"
	healthcheckUsage = "recap healthcheck [--addr HOST:PORT] [--timeout 5s]"
)

var usageText = `recap turns long YouTube videos and podcasts into chaptered summaries.

Usage:
  ` + summarizeUsage + `
  ` + batchUsage + `
  ` + serveUsage + `
  ` + workerUsage + `
  ` + getUsage + `
  ` + searchUsage + `
  ` + healthcheckUsage + `
  recap --version

"recap COMMAND --help" shows a command's flags and their defaults.
Configuration comes from RECAP_* environment variables; see README.md.
`

// Run runs the command in args and returns the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(m.Stderr, usageText)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintf(m.Stdout, "recap %s\n", versionLine(version, info))
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return m.exit(c.run(m, ctx, args[1:]))
		}
	}
	fmt.Fprintf(m.Stderr, "%s\nrecap: unknown command %q\n", usageText, args[0])
	return exitUsage
}

// version is set at link time (go build -ldflags "-X main.version=v1.2.3"),
// for builds that carry no VCS information (GOFLAGS=-buildvcs=false, a
// container build without .git); without it the version is the module's.
var version string

// versionLine names this build: its version (the link-time one, else the
// module's, else "(devel)") and, when Go recorded them, the VCS revision
// it was built from, whether the tree was modified, and the commit's time.
func versionLine(linked string, info *debug.BuildInfo) string {
	v := linked
	if v == "" && info != nil {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	if info == nil {
		return v
	}
	var rev, modified, at string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		case "vcs.time":
			at = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev != "" && at != "":
		v += " (" + rev + modified + ", " + at + ")"
	case rev != "":
		v += " (" + rev + modified + ")"
	}
	return v
}

// optionalInt is an int flag whose default comes from the environment:
// it says whether it was given, and shows no "(default 0)" in --help.
type optionalInt struct {
	n   int
	set bool
}

func (o *optionalInt) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optionalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("expected a whole number ≥ 0")
	}
	o.n, o.set = n, true
	return nil
}

// usageError is bad usage of a command: exit 2 with the command's usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exit prints err as one line and maps it to an exit code.
func (m *Main) exit(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(m.Stderr, "recap: %s\n", textclean.Line(ue.msg))
		return exitUsage
	}
	// Errors quote titles and server answers: no terminal escapes.
	fmt.Fprintf(m.Stderr, "recap: %s\n", textclean.Line(err.Error()))
	if recap.ErrorCode(err) == recap.EINVALID {
		return exitUsage
	}
	return exitFailure
}

// parseFlags parses flags that may come before or after the positional
// arguments (`recap summarize URL --format md`), which flag.Parse alone
// does not allow.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// newLogger writes logs to stderr; RECAP_LOG_FORMAT=json for JSON lines,
// RECAP_LOG_LEVEL=debug|info|warn|error (defaultLevel when unset).
func (m *Main) newLogger(cfg *Config, defaultLevel slog.Level) *slog.Logger {
	return newLoggerTo(m.Stderr, cfg, defaultLevel)
}

// newLoggerTo writes logs to w (a progress display, which keeps them
// from breaking its bar).
func newLoggerTo(w io.Writer, cfg *Config, defaultLevel slog.Level) *slog.Logger {
	level := defaultLevel
	if cfg.logLevelSet {
		level = cfg.LogLevel
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: cfg.secrets().ReplaceAttr}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
