package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/atomicfile"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
)

func (m *Main) runSummarize(ctx context.Context, args []string) error {
	fs := m.newFlagSet("summarize", "recap summarize [--format md|json|html] [--out FILE] <youtube-url|video-id|bundle-dir|info.json>")
	format := fs.String("format", "", "output format: md, json or html (default md, or from --out's extension)")
	out := fs.String("out", "", "write the summary to `FILE` instead of standard output")
	lang := fs.String("lang", "", "caption language to ask for (default $RECAP_LANG, else en)")
	quiet := fs.Bool("quiet", false, "print no progress on standard error")
	noCache := fs.Bool("no-cache", false, "don't reuse or keep chapter summaries in RECAP_DATABASE_URL")
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
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	in, err := pipeline.ParseInput(pos[0])
	if err != nil {
		return err
	}
	if *lang != "" {
		if *lang, err = recap.ParseLanguage(*lang); err != nil {
			return err
		}
	}

	logger := m.newLogger(cfg, levelWarn)
	deps, err := m.openDeps(ctx, cfg, logger, depsOptions{store: !*noCache})
	if err != nil {
		return err
	}
	defer deps.Close()
	p := deps.pipeline()

	pr := newProgressPrinter(m.Stderr, *quiet)
	req := pipeline.Request{Language: *lang, Progress: pr.report}
	if in.Kind == recap.SourceYouTube {
		pr.printf("fetching %s", in.Ref)
	} else {
		pr.printf("reading %s", in.Ref)
	}
	doc, err := p.Run(ctx, in, req)
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
		return fmt.Errorf("write %s: %w", *out, err)
	}
	pr.printf("wrote %s", *out)
	return nil
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

func (p *progressPrinter) printf(format string, args ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, "recap: "+format+"\n", args...)
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
