package postgres

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// Page sizes of ListJobs.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// cursor is the position after the last job of a page. Jobs are ordered by
// (created_at, id), so a cursor holds both: many jobs of a batch share one
// created_at.
type cursor struct {
	createdAt time.Time
	id        string
}

// encodeCursor makes the opaque, URL-safe NextCursor of a page ending at j.
func encodeCursor(j *storage.Job) string {
	raw := strconv.FormatInt(j.CreatedAt.UnixMicro(), 10) + "," + j.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (*cursor, error) {
	bad := recap.Errorf(recap.EINVALID, "invalid cursor %q: want the next_cursor of a previous page", s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	micros, id, ok := strings.Cut(string(raw), ",")
	if !ok || id == "" {
		return nil, bad
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return nil, bad
	}
	return &cursor{createdAt: time.UnixMicro(us).UTC(), id: id}, nil
}

// checkFilter validates f and returns its page size and decoded cursor
// (nil for the first page).
func checkFilter(f storage.JobFilter) (int, *cursor, error) {
	switch f.Status {
	case "", storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed:
	default:
		return 0, nil, recap.Errorf(recap.EINVALID, "unknown job status %q: want queued, running, done or failed", f.Status)
	}
	limit := f.Limit
	if limit == 0 {
		limit = defaultLimit
	}
	if limit < 1 || limit > maxLimit {
		return 0, nil, recap.Errorf(recap.EINVALID, "limit %d out of range: want 1 to %d", f.Limit, maxLimit)
	}
	if f.Cursor == "" {
		return limit, nil, nil
	}
	c, err := decodeCursor(f.Cursor)
	return limit, c, err
}

// page cuts jobs, fetched with one row more than limit, to a page.
// Jobs is never nil, so that an empty page encodes as [].
func page(jobs []*storage.Job, limit int) storage.JobPage {
	if jobs == nil {
		jobs = []*storage.Job{}
	}
	if len(jobs) <= limit {
		return storage.JobPage{Jobs: jobs}
	}
	jobs = jobs[:limit]
	return storage.JobPage{Jobs: jobs, NextCursor: encodeCursor(jobs[limit-1])}
}
