package storage

import (
	"cmp"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/recap-dev/recap"
)

// PrepareJob readies j, which CheckSubmit accepted, to be inserted as a new
// queued job: it gets an ID when it has none (a UUIDv7, which sorts by
// creation time), no progress, attempts or error, and now as CreatedAt and
// UpdatedAt. now should already be UTC at
// the microsecond, as the driver stores it.
func PrepareJob(j *Job, now time.Time) error {
	if j.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		j.ID = id
	}
	j.Status = StatusQueued
	j.Done, j.Total, j.Attempts = 0, 0, 0
	j.ErrorCode, j.Error = "", ""
	j.CreatedAt, j.UpdatedAt = now, now
	j.StartedAt, j.FinishedAt = nil, nil
	j.LeaseOwner, j.LeaseExpiresAt = "", nil
	return nil
}

// TakesOver reports whether submission j takes over the active job of the
// same video and options instead of waiting behind it: the job is queued
// (no run holds it) and would be fetched from YouTube, while j's source
// needs no YouTube request (a local download). The job then keeps its id,
// priority and batch items, and gets j's source and a fresh count of
// attempts: whatever YouTube did to it (unreachable, pausing every request)
// no longer stands between the user and files already on disk. A job that
// is running is left to finish.
func TakesOver(active, j *Job) bool {
	return active.Status == StatusQueued &&
		cmp.Or(active.SourceKind, recap.SourceYouTube) == recap.SourceYouTube &&
		j.SourceKind != "" && j.SourceKind != recap.SourceYouTube
}

// newID is a new row id: a UUIDv7, which sorts by creation time.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// ErrLeased is wrapped by the recap.ECONFLICT error of a change to a job
// that another run holds.
var ErrLeased = errors.New("job is held by another run")

// JobNotFound is the recap.ENOTFOUND error for an unknown job id.
func JobNotFound(id string) error { return recap.Errorf(recap.ENOTFOUND, "job %q not found", id) }

// TransitionError explains why a change to job id (op names it: "start",
// "fail"…) matched no job it could change. cur is the job as it is now,
// nil when there is none: then the error is JobNotFound. A finished job is
// final: recap.ECONFLICT. An unfinished one is held by another run than
// the change's: an ECONFLICT wrapping ErrLeased.
func TransitionError(id, op string, cur *Job) error {
	if cur == nil {
		return JobNotFound(id)
	}
	if cur.Finished() {
		return recap.Errorf(recap.ECONFLICT, "cannot %s job %s: it is already %s", op, id, cur.Status)
	}
	until := "until it is released"
	if cur.LeaseExpiresAt != nil {
		until = "until " + cur.LeaseExpiresAt.UTC().Format(time.RFC3339)
	}
	return recap.WrapError(recap.ECONFLICT, ErrLeased, "cannot %s job %s: it is held by run %q %s", op, id, cur.LeaseOwner, until)
}

// LeaseExpiry is when a lease taken or renewed at now lapses.
func LeaseExpiry(now time.Time, l Lease) time.Time { return now.Add(l.TTL) }
