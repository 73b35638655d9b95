package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/atomicfile"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/textclean"
	"github.com/recap-dev/recap/worker"
)

const summarizeUsage = "recap summarize [--format md|json|html] [--out FILE] [--lang L] [--summary-lang L] [--no-cache] [--quiet] <youtube-url|video-id|bundle-dir|info.json>"

func (m *Main) runSummarize(ctx context.Context, args []string) error {
	fs := m.newFlagSet("summarize", summarizeUsage)
	format := fs.String("format", "", "output format: md, json or html (default md, or from --out's extension)")
	out := fs.String("out", "", "write the summary to `FILE` instead of standard output")
	lang := fs.String("lang", "", "caption language `L` to ask for (default $RECAP_LANG, else en)")
	summaryLang := fs.String("summary-lang", "", "write the summary in language `L`, whatever the transcript's (default: the transcript's language)")
	quiet := fs.Bool("quiet", false, "print nothing on standard error but the one line of a failure")
	noCache := fs.Bool("no-cache", false, "neither reuse nor keep anything in RECAP_DATABASE_URL: no chapter cache, no stored summary")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("summarize needs exactly one input (a YouTube URL, an 11-character video id, a yt-dlp bundle folder or an .info.json file), got %d", len(pos))
	}
	f, err := outputFormat(*format, *out)
	if err != nil {
		return err
	}
	captionLang, err := recap.ParseLanguage("--lang", *lang)
	if err != nil {
		return err
	}
	sumLang, err := recap.ParseLanguage("--summary-lang", *summaryLang)
	if err != nil {
		return err
	}
	if err := checkOut(*out); err != nil {
		return err
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	in, err := pipeline.ParseInput(pos[0])
	if err != nil {
		return err
	}

	// Warnings (an LLM call retried…) are counted and summed up at the
	// end, not listed as they come; RECAP_LOG_LEVEL shows them live.
	tally := newLogTally()
	logger := slog.New(tally)
	if cfg.logLevelSet {
		logger = m.newLogger(cfg, levelWarn)
	}
	pr := newProgressPrinter(m.Stderr, *quiet)
	defer func() {
		if !*quiet {
			for _, line := range tally.summary() {
				pr.printf("%s", cfg.secrets().String(line))
			}
		}
	}()
	deps, err := m.openDeps(ctx, cfg, logger, depsOptions{store: !*noCache})
	if err != nil {
		return err
	}
	defer deps.Close()

	req := pipeline.Request{Language: captionLang, SummaryLanguage: sumLang, Progress: pr.report}
	var doc *recap.Document
	if deps.store == nil {
		pr.reading(in)
		doc, err = deps.pipeline().Run(ctx, in, req)
	} else {
		doc, err = m.summarizeStored(ctx, deps, in, req, pr)
	}
	pr.finish()
	if err != nil {
		return err
	}
	data, err := render.Bytes(doc, f)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = m.Stdout.Write(data)
		return err
	}
	if err := atomicfile.Write(*out, data); err != nil {
		return err
	}
	pr.printf("wrote %s", *out)
	return nil
}

// summarizeStored runs the summary as a stored job, as a worker would, so
// that its document is kept: recap get finds it by its id or its video's.
// A job of the same work another recap process is running is left to it.
func (m *Main) summarizeStored(ctx context.Context, deps *deps, in pipeline.Input, req pipeline.Request, pr *progressPrinter) (*recap.Document, error) {
	sub := &worker.Submitter{Store: deps.store, Pipeline: deps.pipeline(), Logger: deps.logger}
	// Forced: a summary asked for on the command line is made again (the
	// chapter cache pays for what is already done).
	job, _, err := sub.Submit(ctx, worker.Submission{Input: in, Language: req.Language, SummaryLanguage: req.SummaryLanguage, Force: true})
	if err != nil {
		return nil, err
	}
	pr.reading(pipeline.Input{Kind: job.SourceKind, Ref: job.SourceRef})
	runner := deps.runner(nil)
	if !deps.cfg.logLevelSet {
		// The job's start and end are this command's own output.
		runner.Logger = slog.New(slog.DiscardHandler)
	}
	doc, outcome, err := runner.Run(ctx, job.ID, worker.RunOptions{Final: true, Progress: req.Progress})
	if outcome == worker.OutcomeSkipped {
		return nil, recap.WrapError(recap.ECONFLICT, err, "video %s is being summarized by another recap process (summary %s); run `recap get %s` once it is done", job.VideoID, job.ID, job.ID)
	}
	return doc, err
}

// checkOut fails, before any work is paid for, when --out cannot be
// written: its folder missing, not a folder, or not writable. The error
// names the path as the user gave it.
func checkOut(out string) error {
	if out == "" {
		return nil
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return recap.Errorf(recap.EINVALID, "--out %s: folder %s does not exist", out, dir)
	case err != nil:
		return recap.Errorf(recap.EINVALID, "--out %s: %v", out, pathErr(err))
	case !st.IsDir():
		return recap.Errorf(recap.EINVALID, "--out %s: %s is not a folder", out, dir)
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*")
	if err != nil {
		return recap.Errorf(recap.EINVALID, "--out %s: cannot write in %s: %v", out, dir, pathErr(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// pathErr is the reason of a file system error, without the path in it
// (a temporary file's name means nothing to the user).
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// outputFormat takes --format, else the extension of --out, else md.
func outputFormat(format, out string) (string, error) {
	if format != "" {
		return render.ParseFormat(format)
	}
	switch strings.ToLower(filepath.Ext(out)) {
	case ".json":
		return render.FormatJSON, nil
	case ".html", ".htm":
		return render.FormatHTML, nil
	}
	return render.FormatMarkdown, nil
}

// progressPrinter shows progress on stderr: one line rewritten in place on
// a terminal, plain lines otherwise (at most one a second for chapters).
type progressPrinter struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool
	tty   bool
	last  time.Time
	open  bool // a \r line is showing
	start time.Time
}

func newProgressPrinter(w io.Writer, quiet bool) *progressPrinter {
	p := &progressPrinter{w: w, quiet: quiet, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// start says what is being read.
func (p *progressPrinter) reading(in pipeline.Input) {
	if in.Kind == recap.SourceYouTube {
		p.printf("fetching %s", in.Ref)
	} else {
		p.printf("reading %s", in.Ref)
	}
}

func (p *progressPrinter) printf(format string, args ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, "recap: %s\n", textclean.Line(fmt.Sprintf(format, args...)))
}

func (p *progressPrinter) clear() {
	if p.open {
		fmt.Fprint(p.w, "\r\033[K")
		p.open = false
	}
}

func (p *progressPrinter) report(pr pipeline.Progress) {
	if p.quiet {
		return
	}
	switch pr.Stage {
	case pipeline.StageChapters:
		p.printf("%d chapters to summarize", pr.Total)
	case pipeline.StageSummarize:
		msg := fmt.Sprintf("chapter %d of %d done", pr.Done, pr.Total)
		if pr.Cached > 0 {
			msg += fmt.Sprintf(" (%d from cache)", pr.Cached)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.tty {
			p.clear()
			fmt.Fprintf(p.w, "recap: %s", msg)
			p.open = true
			return
		}
		if pr.Done == pr.Total || time.Since(p.last) >= time.Second {
			p.last = time.Now()
			fmt.Fprintf(p.w, "recap: %s\n", msg)
		}
	case pipeline.StageOverview:
		p.printf("writing the overview")
	}
}

func (p *progressPrinter) finish() {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}
