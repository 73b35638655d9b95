package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/client"
	"github.com/recap-dev/recap/follow"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
)

// maxStdinList bounds a list read from stdin.
const maxStdinList = 16 << 20

// readStdinList reads the list of sources on stdin.
func readStdinList(stdin io.Reader) ([]source.ListLine, error) {
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdinList+1))
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "cannot read stdin: %v", err)
	}
	if len(data) > maxStdinList {
		return nil, recap.Errorf(recap.ETOOLARGE, "stdin is over %d MiB, the limit for a list", maxStdinList>>20)
	}
	return source.ListLines("stdin", data)
}

// runBatchRemote submits the batch to a recap serve and follows it there;
// --out-dir files are the server's renderings. Ctrl-C stops following:
// the server goes on.
func (m *Main) runBatchRemote(ctx context.Context, a *batchArgs) error {
	c, err := client.New(a.server, m.Getenv("RECAP_API_TOKEN"), newHTTPClient(time.Minute))
	if err != nil {
		return err
	}
	urls, err := remoteSources(a.req.Sources, m.Stdin)
	if err != nil {
		return err
	}
	req := client.BatchRequest{URLs: urls, Limit: a.req.Limit, Language: a.req.Language, Force: a.req.Force, MaxCostUSD: a.req.MaxCostUSD,
		Transcribe: a.req.Transcribe}
	if !a.req.Since.IsZero() {
		req.Since = a.req.Since.Format(time.DateOnly)
	}
	rep := progress.New(m.Stderr)
	defer rep.Close()
	b, err := c.CreateBatch(ctx, req)
	if err != nil {
		return err
	}
	// A new batch is expanding; one further on was made by an earlier
	// run of the same command.
	f := &follow.Follower{Source: c, Progress: rep, OutDir: a.out, Resumed: b.Status != storage.BatchExpanding}
	rep.Printf("batch %s on %s", b.ID, c.BaseURL)
	err = f.Follow(ctx, b.ID)
	interrupted := ctx.Err() != nil
	if err != nil && !interrupted {
		return err
	}
	report, err := f.Finish(context.WithoutCancel(ctx), b.ID, interrupted)
	if err != nil {
		return err
	}
	report.Remote = true
	return m.endBatch(report)
}

// remoteSources are the sources as the server takes them: URLs and ids
// as given; a list file's lines and stdin's (-), read here; any other
// local path made absolute, for a server on this machine that reads
// local sources (RECAP_BATCH_DIR).
func remoteSources(srcs []string, stdin io.Reader) ([]string, error) {
	var out []string
	for _, s := range srcs {
		if s == "-" {
			lines, err := readStdinList(stdin)
			if err != nil {
				return nil, err
			}
			for _, l := range lines {
				out = append(out, l.Source)
			}
			continue
		}
		fi, err := os.Stat(s)
		if err != nil {
			out = append(out, s) // a URL or id: the server says what it is
			continue
		}
		abs, err := filepath.Abs(s)
		if err != nil {
			return nil, recap.WrapError(recap.EINVALID, err, "%s: %v", s, err)
		}
		if fi.IsDir() {
			out = append(out, abs)
			continue
		}
		data, err := os.ReadFile(s)
		if err != nil {
			return nil, recap.WrapError(recap.EINVALID, err, "cannot read %s: %v", s, err)
		}
		if !source.IsList(data) {
			out = append(out, abs)
			continue
		}
		lines, err := source.ListLines(s, data)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			out = append(out, l.Source)
		}
	}
	return out, nil
}
