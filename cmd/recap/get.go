package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/client"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

const getUsage = "recap get [--format md|json|html] [--server URL] <summary-id|video-id>"

func (m *Main) runGet(ctx context.Context, args []string) error {
	fs := m.newFlagSet("get", getUsage)
	format := fs.String("format", render.FormatMarkdown, "output format: md, json or html")
	server := fs.String("server", "", "read from a running recap server at `URL` (e.g. http://127.0.0.1:8080; token from $RECAP_API_TOKEN) instead of RECAP_DATABASE_URL")
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
	arg := strings.TrimSpace(pos[0])
	if *server != "" {
		data, err := m.getFromServer(ctx, *server, arg, f)
		if err != nil {
			return err
		}
		_, err = m.Stdout.Write(data)
		return err
	}
	cfg, err := ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	store, err := cfg.openStore(ctx, readOnly)
	if err != nil {
		if recap.ErrorCode(err) == recap.ENOTFOUND {
			return recap.Errorf(recap.ENOTFOUND, "no summary of %q: nothing has been summarized into %s yet", arg, redactURL(cfg.DatabaseURL))
		}
		return err
	}
	defer store.Close()
	doc, err := findDocument(ctx, store, arg)
	if err != nil {
		if recap.ErrorCode(err) == recap.ENOTFOUND {
			return fmt.Errorf("%w (looked in %s)", err, redactURL(cfg.DatabaseURL))
		}
		return err
	}
	return render.Write(m.Stdout, doc, f)
}

// findDocument takes a summary id, else a video id or URL or a podcast
// episode id (its newest summary). A job that is not done says where it is.
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
	videoID, verr := pipeline.ParseItemID(arg)
	if verr != nil {
		return nil, recap.Errorf(recap.EINVALID, "%q is neither a summary id nor a YouTube video id or URL nor a podcast episode id", arg)
	}
	doc, err := store.LatestDocument(ctx, videoID)
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		return nil, recap.Errorf(recap.ENOTFOUND, "no summary of video %s yet", videoID)
	}
	return doc, err
}

// getFromServer reads a summary from a recap server's API: by summary id,
// else by video. The token, when the server wants one, is
// $RECAP_API_TOKEN.
func (m *Main) getFromServer(ctx context.Context, server, arg, format string) ([]byte, error) {
	c, err := client.New(server, strings.TrimSpace(m.Getenv("RECAP_API_TOKEN")), &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return nil, usagef("--server %q: expected the http(s) URL of a recap server, e.g. http://127.0.0.1:8080", server)
	}
	data, err := c.Summary(ctx, arg, format)
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		if videoID, verr := pipeline.ParseItemID(arg); verr == nil {
			return c.VideoSummary(ctx, videoID, format)
		}
	}
	return data, err
}
