package worker

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
)

// expeditingQueue records what is queued and what is expedited.
type expeditingQueue struct {
	recordingQueue
	expedited []*storage.Job
}

func (q *expeditingQueue) Expedite(_ context.Context, j *storage.Job) error {
	q.expedited = append(q.expedited, j)
	return nil
}

// A download of a video whose YouTube job keeps failing (YouTube
// unreachable) is summarized from the files, at once, by that same job:
// it neither waits behind YouTube nor shares its failures.
func TestDownloadTakesOverAFailingYouTubeJob(t *testing.T) {
	b := setup(t)
	b.pipeline.Loaders[recap.SourceFile] = bundle.Loader{}
	q := &expeditingQueue{}
	b.submitter.Queue = q
	ctx := context.Background()
	dir := t.TempDir()
	info, _ := json.Marshal(map[string]any{"id": "dQw4w9WgXcQ", "title": "A local talk", "duration": 60.0})
	os.WriteFile(filepath.Join(dir, "talk.info.json"), info, 0o644)
	os.WriteFile(filepath.Join(dir, "talk.en.vtt"), []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nlocal words about tea\n"), 0o644)

	b.fetcher.err = recap.WrapError(recap.EFETCH, errors.New("connect: connection refused"), "YouTube unreachable while fetching video dQw4w9WgXcQ")
	yt := b.submit(t, "dQw4w9WgXcQ")
	if err := b.handler.ProcessTask(ctx, b.task(t, yt)); err == nil {
		t.Fatal("the YouTube job succeeded with YouTube unreachable")
	}
	if got := b.job(t, yt.ID); got.Status != storage.StatusQueued || got.ErrorCode != recap.EFETCH {
		t.Fatalf("YouTube job after a failure: %s %s", got.Status, got.ErrorCode)
	}

	// The batch item, `recap summarize` or the API: all go through Submit.
	j, created, err := b.submitter.Submit(ctx, Submission{Input: pipeline.FileInput(dir), Priority: storage.PriorityLow})
	if err != nil {
		t.Fatal(err)
	}
	if created || j.ID != yt.ID || j.SourceKind != recap.SourceFile || j.SourceRef != filepath.Join(dir, "talk.info.json") {
		t.Fatalf("download submitted: created %v, %+v; want job %s with the file source", created, j, yt.ID)
	}
	if len(q.expedited) != 1 || q.expedited[0].ID != yt.ID {
		t.Fatalf("expedited %v; want the job taken over, run now", q.expedited)
	}

	if err := b.handler.ProcessTask(ctx, b.task(t, j)); err != nil {
		t.Fatalf("the job from the download: %v", err)
	}
	doc, err := b.store.GetDocument(ctx, yt.ID)
	if err != nil || doc.Video.Title != "A local talk" || b.fetcher.calls != 1 {
		t.Fatalf("document %+v, %v after %d YouTube fetches; want the download's, and no fetch after the first", doc, err, b.fetcher.calls)
	}
}

// Expedite brings a task waiting for its retry (or scheduled later) back
// to pending, and enqueues one Redis does not have.
func TestExpedite(t *testing.T) {
	opt, _ := testRedis(t, 14)
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	e := &Enqueuer{Client: client, Inspector: insp}
	ctx := context.Background()

	later := &storage.Job{ID: "job-later", Priority: storage.PriorityLow}
	task, err := NewSummarizeVideoTask(later, DefaultMaxRetry, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(task, asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	absent := &storage.Job{ID: "job-absent", Priority: storage.PriorityHigh}
	for _, j := range []*storage.Job{later, absent, later} {
		if err := e.Expedite(ctx, j); err != nil {
			t.Fatalf("Expedite(%s): %v", j.ID, err)
		}
		info, err := insp.GetTaskInfo(queueFor(j.Priority), j.ID)
		if err != nil || info.State != asynq.TaskStatePending {
			t.Fatalf("%s after Expedite: %v, %v; want pending", j.ID, info, err)
		}
	}
}
