package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/atomicfile"
	"github.com/recap-dev/recap/batch"
	"github.com/recap-dev/recap/follow"
	"github.com/recap-dev/recap/outdir"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
	"github.com/recap-dev/recap/worker"
)

const batchUsage = "recap batch [--dry-run] [--limit N] [--since DATE] [--out-dir DIR] [--format md|json|html]\n" +
	"            [--lang L] [--force] [--transcribe] [--max-cost USD] [--server URL] SOURCE..."

// batchGrace is how long running items get to finish after Ctrl-C before
// they go back to the queue (their finished chapters stay cached).
const batchGrace = 10 * time.Second

// batchOptions run a batch in this process: jobs whose run died (a
// killed earlier run) are taken over once their lease lapses; the batch's
// own expansion is done here, with the user's files; no subscriptions.
var batchOptions = serviceOptions{requeueLoop: true, shutdownTimeout: batchGrace}

// batchArgs are the parsed command line of recap batch.
type batchArgs struct {
	req    batch.Request
	dryRun bool
	out    *outdir.Dir
	server string
}

func (m *Main) runBatch(ctx context.Context, args []string) error {
	a, err := m.parseBatchArgs(args)
	if err != nil {
		return err
	}
	switch {
	case a.server != "":
		return m.runBatchRemote(ctx, a)
	case a.dryRun:
		return m.runBatchDryRun(ctx, a)
	}
	return m.runBatchLocal(ctx, a)
}

func (m *Main) parseBatchArgs(args []string) (*batchArgs, error) {
	fs := m.newFlagSet("batch", batchUsage)
	dryRun := fs.Bool("dry-run", false, "list the items, their length, whether each is summarized and an estimate of tokens and cost; summarize nothing")
	limit := fs.Int("limit", 0, "keep the first `N` items of each source: the newest of a channel, the first of a playlist or feed")
	since := fs.String("since", "", "keep items published on or after `DATE` (YYYY-MM-DD)")
	outDir := fs.String("out-dir", "", "write each summary to `DIR` as it finishes, with an index.md")
	format := fs.String("format", render.FormatMarkdown, "format of the --out-dir files: md, json or html")
	lang := fs.String("lang", "", "caption language to ask for (default $RECAP_LANG, else en)")
	force := fs.Bool("force", false, "summarize again items already summarized")
	transcribe := fs.Bool("transcribe", false, "transcribe every item's audio with speech-to-text (RECAP_ASR_BASE_URL) even when it has captions")
	maxCost := fs.Float64("max-cost", 0, "stop starting items once what is spent plus the estimates of running ones would pass `USD`")
	server := fs.String("server", "", "submit to the recap serve at `URL` and follow it there (token from RECAP_API_TOKEN)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	a := &batchArgs{dryRun: *dryRun, server: *server,
		req: batch.Request{Sources: pos, Language: *lang, Force: *force, Limit: *limit, Transcribe: *transcribe}}
	switch {
	case len(pos) == 0:
		fs.Usage()
		return nil, usagef("batch needs at least one SOURCE: a playlist, channel or podcast feed URL, a list of URLs (a file, or - for stdin), a folder of yt-dlp downloads or a yt-dlp --flat-playlist -J file")
	case *limit < 0:
		return nil, usagef("--limit %d: expected 0 (all) or more", *limit)
	case set["max-cost"] && !(*maxCost > 0):
		return nil, usagef("--max-cost %v: expected an amount of US dollars above 0", *maxCost)
	case set["format"] && *outDir == "":
		return nil, usagef("--format is the format of the --out-dir files: give --out-dir too")
	case *dryRun && *server != "":
		return nil, usagef("--dry-run runs here, against this machine's store: leave out --server")
	}
	if set["max-cost"] {
		a.req.MaxCostUSD = maxCost
	}
	if *since != "" {
		if a.req.Since, err = batch.ParseSince(*since); err != nil {
			return nil, usagef("--since %q: expected a date, YYYY-MM-DD", *since)
		}
	}
	if *outDir != "" && !*dryRun {
		if a.out, err = outdir.New(*outDir, *format); err != nil {
			return nil, err
		}
	} else if _, err := render.ParseFormat(*format); err != nil {
		return nil, err
	}
	return a, nil
}

// runBatchLocal runs the batch in this process, with serve's assembly:
// the embedded queue (or RECAP_REDIS_URL) and the store at
// RECAP_DATABASE_URL, which keeps everything a later run needs to
// continue.
func (m *Main) runBatchLocal(ctx context.Context, a *batchArgs) error {
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	rep := progress.New(m.Stderr)
	defer rep.Close()
	// Items' failures show in their lines: logs only for errors.
	logger := newLoggerTo(rep, cfg, slog.LevelError)
	rep.Update(progress.Status{Phase: "starting"})
	svc, err := m.startService(ctx, cfg, logger, batchOptions)
	if err != nil {
		return err
	}
	defer svc.Close()

	// The batch is expanded here, by a resolver that reads this user's
	// files and stdin; the service's own reads none (its tasks may come
	// from API users through a shared Redis). This process holds the
	// listing in the store, so a `recap serve` on the same store leaves
	// it alone while this process lives.
	local := *svc.backlogs.service
	local.Tasks = nil
	local.Resolver = svc.deps.resolver(source.FilesAny, "")
	local.Owner = "recap batch " + worker.NewOwner()
	req := a.req
	if req.Sources, err = m.stdinAsFile(req.Sources); err != nil {
		return err
	}
	b, created, err := local.Create(ctx, req)
	if err != nil {
		return err
	}
	f := &follow.Follower{Source: follow.Store{Store: svc.deps.store}, Progress: rep, OutDir: a.out, Resumed: !created, Logger: logger}
	if b.Status == storage.BatchExpanding {
		rep.Update(progress.Status{Phase: "listing the sources"})
		if err := expand(ctx, &local, b.ID, rep); err != nil && ctx.Err() == nil {
			return err
		}
	}
	if ctx.Err() == nil {
		err = f.Follow(ctx, b.ID)
	}
	interrupted := ctx.Err() != nil
	if interrupted {
		rep.Printf("stopping: no new item starts; running ones get up to %s to finish (Ctrl-C again quits at once)", batchGrace)
	} else if err != nil {
		return err
	}
	svc.Stop()
	report, err := f.Finish(context.WithoutCancel(ctx), b.ID, interrupted)
	if err != nil {
		return err
	}
	return m.endBatch(report)
}

// stdinAsFile keeps a list read from stdin ("-") in a file named by its
// content (its sources, relative paths made absolute), under the user's
// cache folder, and names that file instead: a
// batch is known by its sources, so the same list continues its batch
// and another list on stdin makes a batch of its own (and an expansion
// tried again after a crash reads the list again).
func (m *Main) stdinAsFile(srcs []string) ([]string, error) {
	i := slices.Index(srcs, "-")
	if i < 0 {
		return srcs, nil
	}
	lines, err := readStdinList(m.Stdin)
	if err != nil {
		return nil, err
	}
	// Relative paths stay relative to the current folder, not the file's.
	var list bytes.Buffer
	for _, l := range lines {
		src := l.Source
		if _, err := os.Stat(src); err == nil && !filepath.IsAbs(src) {
			if abs, err := filepath.Abs(src); err == nil {
				src = abs
			}
		}
		list.WriteString(src + "\n")
	}
	data := list.Bytes()
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("keep the list read from stdin: %w", err)
	}
	dir = filepath.Join(dir, "recap", "stdin")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keep the list read from stdin: %w", err)
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, "stdin-"+hex.EncodeToString(sum[:8])+".txt")
	if err := atomicfile.Write(path, data); err != nil {
		return nil, fmt.Errorf("keep the list read from stdin: %w", err)
	}
	out := slices.Clone(srcs)
	out[i] = path
	return out, nil
}

// expand lists the batch's sources, trying a transient failure (YouTube
// or a feed host down for a moment) twice more before the batch fails
// with it.
func expand(ctx context.Context, s *batch.Service, id string, rep progress.Reporter) error {
	const attempts = 3
	var err error
	for i := 1; i <= attempts; i++ {
		if err = s.Expand(ctx, id, i == attempts); err == nil || ctx.Err() != nil {
			return err
		}
		rep.Printf("listing the sources failed (%s); trying again", textclean.Line(err.Error()))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i*i) * 2 * time.Second):
		}
	}
	return err
}

// endBatch prints the report on stdout and says how the batch ended: nil
// when every item is done or skipped, exit 2 for a source that could not
// be recognised, else an error naming what is left (exit 1).
func (m *Main) endBatch(r *follow.Report) error {
	b := r.Batch
	if b.Status == storage.BatchFailed {
		return recap.Errorf(b.ErrorCode, "batch %s failed: %s", b.ID, b.Error)
	}
	r.Write(m.Stdout)
	left := b.Counts[storage.ItemPending] + b.Counts[storage.ItemQueued] + b.Counts[storage.ItemRunning]
	switch {
	case r.Complete():
		return nil
	case b.Status == storage.BatchPaused:
		return errors.New("paused by the budget: " + recap.Count(b.Counts[storage.ItemPaused], "item") + " not started")
	case r.Interrupted && r.Remote:
		return fmt.Errorf("stopped following batch %s: %s not finished yet", b.ID, recap.Count(left, "item"))
	case r.Interrupted && b.Status == storage.BatchExpanding:
		return errors.New("interrupted while listing the sources")
	case r.Interrupted:
		return fmt.Errorf("interrupted: %s not finished", recap.Count(left, "item"))
	case b.Status == storage.BatchCanceled:
		return fmt.Errorf("batch %s was canceled", b.ID)
	}
	return fmt.Errorf("%d of %s failed", b.Counts[storage.ItemFailed], recap.Count(b.Total, "item"))
}
