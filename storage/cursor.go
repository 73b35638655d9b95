package storage

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// Page sizes of ListJobs.
const (
	defaultJobLimit = 20
	maxJobLimit     = 100
)

// Cursor is the position after the last job of a page. Jobs are ordered by
// (CreatedAt, ID), so a cursor holds both: many jobs of a batch share one
// CreatedAt. Drivers compare rows with (created_at, id) < (CreatedAt, ID).
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// EncodeCursor makes the opaque, URL-safe NextCursor of a page ending at j.
// CreatedAt is kept to the microsecond, the precision both stores keep.
func EncodeCursor(j *Job) string { return encodeTimeCursor(j.CreatedAt, j.ID) }

// encodeOpaque and decodeOpaque wrap a cursor's fields, joined as text,
// so that clients treat it as a token rather than parse it.
func encodeOpaque(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

func decodeOpaque(s string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	return string(raw), err == nil
}

// DecodeCursor reverses EncodeCursor. Anything else is a recap.EINVALID
// error, since cursors come from API clients.
func DecodeCursor(s string) (*Cursor, error) {
	bad := recap.Errorf(recap.EINVALID, "invalid cursor %q: want the next_cursor of a previous page", s)
	raw, ok := decodeOpaque(s)
	if !ok {
		return nil, bad
	}
	micros, id, ok := strings.Cut(raw, ",")
	if !ok || id == "" {
		return nil, bad
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return nil, bad
	}
	return &Cursor{CreatedAt: time.UnixMicro(us).UTC(), ID: id}, nil
}

// CheckJobFilter validates f for ListJobs and returns its page size and
// decoded cursor (nil for the first page). Its errors are recap.EINVALID.
func CheckJobFilter(f JobFilter) (limit int, c *Cursor, err error) {
	switch f.Status {
	case "", StatusQueued, StatusRunning, StatusDone, StatusFailed:
	default:
		return 0, nil, recap.Errorf(recap.EINVALID, "unknown job status %q: want queued, running, done or failed", f.Status)
	}
	return timePage(f.Limit, f.Cursor)
}

// timePage checks the page size and decodes the cursor of a listing
// ordered by (time, id): ListJobs and ListLibrary.
func timePage(limit int, cursor string) (int, *Cursor, error) {
	limit, err := pageLimit(limit)
	if err != nil || cursor == "" {
		return limit, nil, err
	}
	c, err := DecodeCursor(cursor)
	return limit, c, err
}

// pageLimit is the page size asked for: 0 means the default, and the
// rest must lie in 1..maxJobLimit (the bounds of every paged call).
func pageLimit(limit int) (int, error) {
	if limit == 0 {
		return defaultJobLimit, nil
	}
	if limit < 1 || limit > maxJobLimit {
		return 0, recap.Errorf(recap.EINVALID, "limit %d out of range: want 1 to %d", limit, maxJobLimit)
	}
	return limit, nil
}

// NewJobStampPage is NewJobPage for ListJobStamps, with the counts read
// with the page (jobChanges 0 for a store that does not count them).
func NewJobStampPage(stamps []JobStamp, limit int, titleChanges, jobChanges int64) JobStampPage {
	if len(stamps) == 0 {
		return JobStampPage{Stamps: []JobStamp{}} // nothing listed: nothing to vouch for
	}
	p := JobStampPage{Stamps: stamps, TitleChanges: titleChanges, JobChanges: jobChanges}
	if len(stamps) > limit {
		p.Stamps = stamps[:limit]
		last := p.Stamps[limit-1]
		p.NextCursor = encodeTimeCursor(last.CreatedAt, last.ID)
	}
	return p
}

// CheckJobIDs validates the ids of GetJobs.
func CheckJobIDs(ids []string) error {
	if len(ids) > maxJobLimit {
		return recap.Errorf(recap.EINVALID, "%d job ids: at most %d at once", len(ids), maxJobLimit)
	}
	return nil
}

// OrderJobs returns jobs, read by GetJobs in any order, in the order of
// ids, those of no job left out.
func OrderJobs(ids []string, jobs []*Job) []*Job {
	byID := make(map[string]*Job, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	out := make([]*Job, 0, len(jobs))
	for _, id := range ids {
		if j, ok := byID[id]; ok {
			out = append(out, j)
			delete(byID, id) // an id given twice is one job
		}
	}
	return out
}

// NewJobPage cuts jobs, fetched with one row more than limit so that the
// extra row tells whether another page follows, to a page of at most limit.
// Jobs is never nil, so that an empty page encodes as [].
func NewJobPage(jobs []*Job, limit int) JobPage {
	if jobs == nil {
		jobs = []*Job{}
	}
	if len(jobs) <= limit {
		return JobPage{Jobs: jobs}
	}
	jobs = jobs[:limit]
	return JobPage{Jobs: jobs, NextCursor: EncodeCursor(jobs[limit-1])}
}
