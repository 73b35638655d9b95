package storagetest

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// nulText holds a NUL byte, which PostgreSQL refuses in text and jsonb.
const nulText = "before\x00after"

// wantStoredOrPermanent passes when err is nil (the store kept the value,
// and roundTrip checks it) or marks a failure that retrying cannot change:
// a worker must fail such a job at once, not retry it for 40 minutes.
func wantStoredOrPermanent(t *testing.T, err error, what string, roundTrip func()) {
	t.Helper()
	if err == nil {
		roundTrip()
		return
	}
	if !recap.Permanent(err) || recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("%s: error %v has code %q and is not permanent; want it stored or refused with %q", what, err, recap.ErrorCode(err), recap.EINVALID)
	}
}

// testUnstorableText writes text with a NUL byte through every write
// method. Each either stores it as given or refuses it for good; the
// store works normally afterwards.
func testUnstorableText(t *testing.T, e *env) {
	v := recap.Video{ID: "nulvideo", Title: nulText, Description: nulText, Duration: time.Minute}
	wantStoredOrPermanent(t, e.s.PutVideo(e.ctx, v), "PutVideo", func() {
		got, err := e.s.GetVideo(e.ctx, v.ID)
		must(t, err, "GetVideo")
		deepEqual(t, got, &v, "video with a NUL")
	})

	tr := recap.Transcript{Language: "en", Source: recap.TranscriptYouTube,
		Segments: []recap.Segment{{Start: 0, End: time.Second, Text: nulText}}}
	wantStoredOrPermanent(t, e.s.PutTranscript(e.ctx, "nulvideo", tr), "PutTranscript", func() {
		got, err := e.s.GetTranscript(e.ctx, "nulvideo", "en")
		must(t, err, "GetTranscript")
		deepEqual(t, got, &tr, "transcript with a NUL")
	})

	cs := recap.ChapterSummary{Title: nulText, Summary: "s", Bullets: []string{nulText}}
	wantStoredOrPermanent(t, e.s.PutChapter(e.ctx, "nulkey", cs), "PutChapter", func() {
		got, ok, err := e.s.GetChapter(e.ctx, "nulkey")
		must(t, err, "GetChapter")
		if !ok {
			t.Error("GetChapter: chapter with a NUL stored but not found")
		}
		deepEqual(t, got, cs, "chapter with a NUL")
	})

	in := NewJob("nuljob", optsKey)
	in.Input = "https://youtu.be/nuljob?x=" + nulText
	job, _, err := e.s.SubmitJob(e.ctx, in, false)
	wantStoredOrPermanent(t, err, "SubmitJob", func() {
		if got := e.get(t, job.ID); got.Input != in.Input {
			t.Errorf("job input = %q; want %q", got.Input, in.Input)
		}
	})

	j := e.submit(t, "nuldoc", optsKey, false)
	_, err = e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	doc := newDocument(j.ID, j.VideoID, e.clock.Now())
	doc.Overview = nulText
	err = e.s.FinishJob(e.ctx, j.ID, Lease.Owner, doc)
	wantStoredOrPermanent(t, err, "FinishJob", func() {
		got, err := e.s.GetDocument(e.ctx, j.ID)
		must(t, err, "GetDocument")
		deepEqual(t, got.Overview, nulText, "overview with a NUL")
	})
	if err != nil {
		// Refused as a whole: the job is still running and can fail with
		// the reason, and the store still works.
		if got := e.get(t, j.ID); got.Status != storage.StatusRunning {
			t.Errorf("job after a refused FinishJob is %s; want running", got.Status)
		}
		must(t, e.s.FailJob(e.ctx, j.ID, Lease.Owner, recap.ErrorCode(err), "the summary cannot be stored"), "FailJob after a refused FinishJob")
	}
	e.submit(t, "afterwards", optsKey, false)
}
