package storagetest

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// Reopen checks that everything stored survives Close: open must return a
// store on the same, initially empty, database every time it is called,
// with Now set to storagetest.Now(t).
func Reopen(t *testing.T, open func(t *testing.T) storage.Store) {
	e := setup(t, open)

	done := e.submit(t, "vid", optsKey, false)
	doc := e.finish(t, done, nil)
	done = e.get(t, done.ID)
	e.clock.Advance(time.Second)
	queued := e.submit(t, "vid2", optsKey, false)
	video := recap.Video{ID: "vid", URL: recap.WatchURL("vid"), Title: "T", Duration: time.Hour}
	must(t, e.s.PutVideo(e.ctx, video), "PutVideo")
	done.VideoTitle = video.Title // jobs show their video's title
	tr := longTranscript(50)
	must(t, e.s.PutTranscript(e.ctx, "vid", tr), "PutTranscript")
	cs := recap.ChapterSummary{Title: "t", Summary: "s", Bullets: []string{"b"}}
	must(t, e.s.PutChapter(e.ctx, "k", cs), "PutChapter")
	must(t, e.s.Close(), "Close")

	s := open(t)
	e = &env{ctx: e.ctx, s: s, clock: e.clock}
	deepEqual(t, e.get(t, done.ID), done, "done job after reopen")
	deepEqual(t, e.get(t, queued.ID), queued, "queued job after reopen")
	gotDoc, err := s.GetDocument(e.ctx, done.ID)
	must(t, err, "GetDocument")
	deepEqual(t, gotDoc, doc, "document after reopen")
	gotVideo, err := s.GetVideo(e.ctx, "vid")
	must(t, err, "GetVideo")
	deepEqual(t, gotVideo, &video, "video after reopen")
	gotTr, err := s.GetTranscript(e.ctx, "vid", "en")
	must(t, err, "GetTranscript")
	deepEqual(t, gotTr, &tr, "transcript after reopen")
	gotCS, ok, err := s.GetChapter(e.ctx, "k")
	must(t, err, "GetChapter")
	if !ok {
		t.Error("cached chapter lost on reopen")
	}
	deepEqual(t, gotCS, cs, "cached chapter after reopen")

	unfinished, err := s.UnfinishedJobs(e.ctx)
	must(t, err, "UnfinishedJobs")
	deepEqual(t, unfinished, []*storage.Job{queued}, "UnfinishedJobs after reopen")
	again, created, err := s.SubmitJob(e.ctx, NewJob("vid", optsKey), false)
	must(t, err, "SubmitJob")
	if created || again.ID != done.ID {
		t.Errorf("SubmitJob of done work after reopen: created %v, id %s; want the done job %s", created, again.ID, done.ID)
	}
}
