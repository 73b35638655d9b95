package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/netguard"
)

// DownloadOptions says how Download fetches a file.
type DownloadOptions struct {
	// MaxBytes is the size cap (DefaultMaxDownload when 0): a larger file
	// fails, as soon as its size is known.
	MaxBytes int64
	// TempDir holds the download ("" = the system's).
	TempDir string
	// MaxResumes is how many times a dropped transfer is resumed (or
	// restarted, where the server cannot resume); DefaultMaxResumes when 0.
	MaxResumes int
	// Header is added to every request (User-Agent, …).
	Header http.Header
}

// Defaults of DownloadOptions.
const (
	DefaultMaxDownload = 2 << 30 // 2 GiB: a ten-hour episode at 320 kbit/s is 1.4 GiB
	DefaultMaxResumes  = 5
)

// Downloaded is audio fetched to a temporary file. Close removes it.
type Downloaded struct {
	Path        string
	Size        int64
	ContentType string // as the server gave it
	// Resumes counts the transfers resumed with a range request, and
	// Restarts those begun again from the start.
	Resumes, Restarts int
}

// Close removes the file.
func (d *Downloaded) Close() error {
	if d == nil || d.Path == "" {
		return nil
	}
	err := os.Remove(d.Path)
	d.Path = ""
	return err
}

// Download fetches url with hc to a temporary file. A transfer that
// breaks off is resumed with a range request (If-Range guards against the
// file changing meanwhile) where the server allows, and restarted where
// it does not. The temporary file is removed on every failure. Errors
// follow netguard's rules: a 4xx answer is EINVALID, a file over the cap
// ETOOLARGE, and 408, 429, 5xx and network faults that outlast the
// resumes EFETCH, transient (429 and 5xx are not retried here: the
// server is busy or down). hc decides which hosts may be
// fetched (the feeds' guarded client, or YouTube's).
func Download(ctx context.Context, hc *http.Client, url string, opt DownloadOptions) (*Downloaded, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxDownload
	}
	if opt.MaxResumes <= 0 {
		opt.MaxResumes = DefaultMaxResumes
	}
	f, err := os.CreateTemp(opt.TempDir, "recap-download-*")
	if err != nil {
		return nil, fmt.Errorf("audio: temp file: %w", err)
	}
	d := &Downloaded{Path: f.Name()}
	dl := &download{hc: hc, url: url, opt: opt, f: f, d: d}
	err = dl.run(ctx)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audio: write %s: %w", d.Path, cerr)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// download is one Download in progress.
type download struct {
	hc   *http.Client
	url  string
	opt  DownloadOptions
	f    *os.File
	d    *Downloaded
	size int64 // the whole file's size; -1 while unknown
	// validator is the ETag (or Last-Modified) of the first answer, for
	// If-Range.
	validator string
}

func (dl *download) run(ctx context.Context) error {
	dl.size = -1
	for attempt := 0; ; attempt++ {
		err := dl.fetch(ctx)
		if err == nil {
			return nil
		}
		var br *brokeOff
		if ctx.Err() != nil || !errors.As(err, &br) || attempt >= dl.opt.MaxResumes {
			return err
		}
	}
}

// fetch makes one request, from the first byte not yet written.
func (dl *download) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dl.url, nil)
	if err != nil {
		return recap.WrapError(recap.EINVALID, err, "audio URL %q", dl.url)
	}
	for k, vs := range dl.opt.Header {
		req.Header[k] = vs
	}
	have := dl.d.Size
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		if dl.validator != "" {
			req.Header.Set("If-Range", dl.validator)
		}
	}
	resp, err := dl.hc.Do(req)
	if err != nil {
		var re *recap.Error
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &re):
			return err // the client's guard refused it (netguard)
		}
		return &brokeOff{recap.WrapError(recap.EFETCH, err, "audio download %s failed", redactURL(dl.url))}
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		start, total, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return dl.restart(&brokeOff{recap.Errorf(recap.EFETCH, "audio download %s: asked for bytes from %d, got %q", redactURL(dl.url), have, resp.Header.Get("Content-Range"))})
		}
		dl.d.Resumes++
		if total >= 0 {
			dl.size = total
		}
	case resp.StatusCode == http.StatusOK:
		if have > 0 { // the server ignored the range, or the file changed
			if err := dl.truncate(); err != nil {
				return err
			}
			dl.d.Restarts++
		}
		dl.size = resp.ContentLength
		dl.validator = resp.Header.Get("ETag")
		if dl.validator == "" || strings.HasPrefix(dl.validator, "W/") {
			dl.validator = resp.Header.Get("Last-Modified")
		}
		dl.d.ContentType = resp.Header.Get("Content-Type")
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0 && have == dl.size:
		return nil // it was all there
	default:
		// netguard's rule gives the code; the message leaves out the
		// query, where media URLs carry their signatures.
		code := recap.EFETCH
		if err := netguard.CheckStatus("audio", resp); err != nil {
			code = recap.ErrorCode(err)
		}
		return recap.Errorf(code, "audio %s answered %s", redactURL(dl.url), resp.Status)
	}
	if dl.size > dl.opt.MaxBytes {
		return dl.tooLarge(dl.size)
	}
	room := dl.opt.MaxBytes - dl.d.Size
	n, err := io.Copy(dl.f, io.LimitReader(resp.Body, room+1))
	dl.d.Size += n
	switch {
	case dl.d.Size > dl.opt.MaxBytes:
		return dl.tooLarge(-1)
	case err != nil:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &brokeOff{recap.WrapError(recap.EFETCH, err, "audio download %s broke off after %d bytes", redactURL(dl.url), dl.d.Size)}
	case dl.size >= 0 && dl.d.Size < dl.size:
		return &brokeOff{recap.Errorf(recap.EFETCH, "audio download %s broke off after %d of %d bytes", redactURL(dl.url), dl.d.Size, dl.size)}
	}
	return nil
}

// brokeOff is a transfer that stopped short (or never started: a
// network fault): the next attempt resumes it.
type brokeOff struct{ err error }

func (e *brokeOff) Error() string { return e.err.Error() }
func (e *brokeOff) Unwrap() error { return e.err }

// restart drops what was written, so the next attempt begins anew.
func (dl *download) restart(err error) error {
	if terr := dl.truncate(); terr != nil {
		return terr
	}
	dl.validator = ""
	return err
}

func (dl *download) truncate() error {
	if err := dl.f.Truncate(0); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	if _, err := dl.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	dl.d.Size = 0
	return nil
}

func (dl *download) tooLarge(size int64) error {
	if size >= 0 {
		return recap.Errorf(recap.ETOOLARGE, "audio %s is %s, over the download cap of %s", redactURL(dl.url), mib(size), mib(dl.opt.MaxBytes))
	}
	return recap.Errorf(recap.ETOOLARGE, "audio %s is over the download cap of %s", redactURL(dl.url), mib(dl.opt.MaxBytes))
}

// contentRange parses "bytes START-END/TOTAL" (TOTAL may be "*": -1).
func contentRange(v string) (start, total int64, ok bool) {
	v, ok = strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, 0, false
	}
	rng, tot, ok := strings.Cut(v, "/")
	s, _, ok2 := strings.Cut(rng, "-")
	if !ok || !ok2 {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, total, true
}

// redactURL keeps a URL's scheme, host and path: query strings of
// signed media URLs carry tokens.
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}
