package storage

import (
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
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		j.ID = id.String()
	}
	j.Status = StatusQueued
	j.Done, j.Total, j.Attempts = 0, 0, 0
	j.ErrorCode, j.Error = "", ""
	j.CreatedAt, j.UpdatedAt = now, now
	j.StartedAt, j.FinishedAt = nil, nil
	return nil
}

// JobNotFound is the recap.ENOTFOUND error for an unknown job id.
func JobNotFound(id string) error { return recap.Errorf(recap.ENOTFOUND, "job %q not found", id) }

// TransitionError explains why a change to job id (op names it: "start",
// "fail"…) matched no queued or running job. cur is the job as it is now,
// nil when there is none: then the error is JobNotFound; otherwise the job
// is finished, which is final, and the error is recap.ECONFLICT.
func TransitionError(id, op string, cur *Job) error {
	if cur == nil {
		return JobNotFound(id)
	}
	return recap.Errorf(recap.ECONFLICT, "cannot %s job %s: it is already %s", op, id, cur.Status)
}
