package storage

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestPrepareJob(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	old := now.Add(-time.Hour)
	j := &Job{VideoID: "v", OptionsKey: "o", Status: StatusFailed, Done: 3, Total: 4, Attempts: 2,
		ErrorCode: recap.ELLM, Error: "x", CreatedAt: old, StartedAt: &old, FinishedAt: &old}
	if err := PrepareJob(j, now); err != nil {
		t.Fatal(err)
	}
	if j.ID == "" || j.Status != StatusQueued || j.Done != 0 || j.Total != 0 || j.Attempts != 0 ||
		j.ErrorCode != "" || j.Error != "" || j.CreatedAt != now || j.UpdatedAt != now ||
		j.StartedAt != nil || j.FinishedAt != nil {
		t.Errorf("prepared job = %+v; want a fresh queued job created now", j)
	}
	if j.VideoID != "v" || j.OptionsKey != "o" {
		t.Errorf("prepared job lost what was submitted: %+v", j)
	}
	given := &Job{ID: "mine"}
	if err := PrepareJob(given, now); err != nil || given.ID != "mine" {
		t.Errorf("PrepareJob replaced a given id with %q (%v)", given.ID, err)
	}
}

func TestTransitionError(t *testing.T) {
	if err := TransitionError("j", "start", nil); recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Errorf("TransitionError of a missing job: %v; want not found", err)
	}
	if err := TransitionError("j", "start", &Job{Status: StatusDone}); recap.ErrorCode(err) != recap.ECONFLICT {
		t.Errorf("TransitionError of a done job: %v; want a conflict", err)
	}
}
