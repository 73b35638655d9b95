package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

func (m *Main) runGet(ctx context.Context, args []string) error {
	fs := m.newFlagSet("get", "recap get [--format md|json|html] <summary-id|video-id>")
	format := fs.String("format", "md", "output format: md, json or html")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("get needs exactly one summary id or video id, got %d", len(pos))
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		return err
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer store.Close()
	doc, err := findDocument(ctx, store, strings.TrimSpace(pos[0]))
	if err != nil {
		if recap.ErrorCode(err) == recap.ENOTFOUND {
			return fmt.Errorf("%w (looked in %s)", err, redactURL(cfg.DatabaseURL))
		}
		return err
	}
	return render.Write(m.Stdout, doc, f)
}

// findDocument takes a summary id, else a video id or URL (its newest
// summary). A job that is not done says where it is.
func findDocument(ctx context.Context, store storage.Store, arg string) (*recap.Document, error) {
	job, err := store.GetJob(ctx, arg)
	switch {
	case err == nil && job.Status == storage.StatusDone:
		return store.GetDocument(ctx, job.ID)
	case err == nil && job.Status == storage.StatusFailed:
		return nil, recap.Errorf(recap.EINTERNAL, "summary %s failed: %s", job.ID, job.Error)
	case err == nil:
		return nil, recap.Errorf(recap.EINTERNAL, "summary %s is %s (%d of %d chapters done); try again later", job.ID, job.Status, job.Done, job.Total)
	case recap.ErrorCode(err) != recap.ENOTFOUND:
		return nil, err
	}
	videoID, verr := pipeline.ParseVideoID(arg)
	if verr != nil {
		return nil, recap.Errorf(recap.EINVALID, "%q is neither a summary id nor a YouTube video id or URL", arg)
	}
	doc, err := store.LatestDocument(ctx, videoID)
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		return nil, recap.Errorf(recap.ENOTFOUND, "no summary of video %s yet", videoID)
	}
	return doc, err
}
