package storagetest

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// ReadOnly checks a store opened to read only (no migrations, no
// writes), as recap get opens one: open returns a store on a new, empty
// database, with Now set to storagetest.Now(t); openReadOnly returns one
// that only reads that same database.
func ReadOnly(t *testing.T, open, openReadOnly func(t *testing.T) storage.Store) {
	e := setup(t, open)
	video := recap.Video{ID: "vid", URL: recap.WatchURL("vid"), Title: "T", Duration: time.Hour}
	must(t, e.s.PutVideo(e.ctx, video), "PutVideo")
	done := e.submit(t, "vid", optsKey, false)
	doc := e.finish(t, done, nil)
	done = e.get(t, done.ID)
	e.clock.Advance(time.Second)
	queued := e.submit(t, "vid2", optsKey, false)

	ro := openReadOnly(t)
	got, err := ro.GetJob(e.ctx, done.ID)
	must(t, err, "GetJob read-only")
	deepEqual(t, got, done, "done job read-only")
	gotDoc, err := ro.GetDocument(e.ctx, done.ID)
	must(t, err, "GetDocument read-only")
	deepEqual(t, gotDoc, doc, "document read-only")
	latest, err := ro.LatestDocument(e.ctx, "vid")
	must(t, err, "LatestDocument read-only")
	deepEqual(t, latest, doc, "latest document read-only")
	gotVideo, err := ro.GetVideo(e.ctx, "vid")
	must(t, err, "GetVideo read-only")
	deepEqual(t, gotVideo, &video, "video read-only")
	page, err := ro.ListJobs(e.ctx, storage.JobFilter{})
	must(t, err, "ListJobs read-only")
	if len(page.Jobs) != 2 || page.Jobs[0].ID != queued.ID {
		t.Errorf("ListJobs read-only = %v; want the queued then the done job", page.Jobs)
	}
	_, _, err = ro.SubmitJob(e.ctx, NewJob("vid3", optsKey), false)
	if err == nil {
		t.Error("SubmitJob on a read-only store succeeded")
	}
	if err := ro.PutChapter(e.ctx, "k", recap.ChapterSummary{Title: "t"}); err == nil {
		t.Error("PutChapter on a read-only store succeeded")
	}
	if _, ok, _ := e.s.GetChapter(e.ctx, "k"); ok {
		t.Error("a read-only store wrote a chapter")
	}
}
