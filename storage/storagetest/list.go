package storagetest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// newestFirst sorts jobs as ListJobs must: CreatedAt, then ID, descending,
// IDs compared byte by byte.
func newestFirst(jobs []*storage.Job) {
	slices.SortFunc(jobs, func(a, b *storage.Job) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// listAll pages through ListJobs from f.Cursor and checks each page's
// shape; more is called after the first page.
func (e *env) listAll(t *testing.T, f storage.JobFilter, more func()) []*storage.Job {
	t.Helper()
	var all []*storage.Job
	for pages := 1; ; pages++ {
		if pages > 1000 {
			t.Fatal("ListJobs: no last page after 1000 pages")
		}
		p, err := e.s.ListJobs(e.ctx, f)
		must(t, err, fmt.Sprintf("ListJobs page %d", pages))
		if len(p.Jobs) > f.Limit {
			t.Fatalf("ListJobs page %d has %d jobs; limit is %d", pages, len(p.Jobs), f.Limit)
		}
		all = append(all, p.Jobs...)
		if p.NextCursor == "" {
			return all
		}
		if len(p.Jobs) != f.Limit {
			t.Errorf("ListJobs page %d has %d jobs and a next cursor; want a full page of %d", pages, len(p.Jobs), f.Limit)
		}
		if pages == 1 && more != nil {
			more()
		}
		f.Cursor = p.NextCursor
	}
}

func ids(jobs []*storage.Job) []string {
	var s []string
	for _, j := range jobs {
		s = append(s, j.ID)
	}
	return s
}

func testListJobsEmpty(t *testing.T, e *env) {
	p, err := e.s.ListJobs(e.ctx, storage.JobFilter{})
	must(t, err, "ListJobs")
	if len(p.Jobs) != 0 || p.NextCursor != "" {
		t.Errorf("ListJobs of an empty store = %d jobs, cursor %q; want none", len(p.Jobs), p.NextCursor)
	}
}

// submitBursts submits n jobs in bursts of 7 that share a CreatedAt, as a
// batch does, and returns them newest first.
func (e *env) submitBursts(t *testing.T, n int) []*storage.Job {
	t.Helper()
	var jobs []*storage.Job
	for i := range n {
		if i%7 == 0 {
			e.clock.Advance(time.Millisecond)
		}
		jobs = append(jobs, e.submit(t, fmt.Sprintf("vid%03d", i), optsKey, false))
	}
	newestFirst(jobs)
	return jobs
}

func testListJobsPagination(t *testing.T, e *env) {
	const n = 53
	want := e.submitBursts(t, n)

	for _, limit := range []int{1, 7, 10, 53, 100} {
		got := e.listAll(t, storage.JobFilter{Limit: limit}, nil)
		deepEqual(t, ids(got), ids(want), fmt.Sprintf("job ids over pages of %d", limit))
		if limit == 10 {
			deepEqual(t, got, want, "jobs over pages of 10")
		}
	}

	p, err := e.s.ListJobs(e.ctx, storage.JobFilter{})
	must(t, err, "ListJobs with limit 0")
	if len(p.Jobs) != 20 || p.NextCursor == "" {
		t.Errorf("ListJobs with limit 0: %d jobs, cursor %q; want 20 and a cursor", len(p.Jobs), p.NextCursor)
	}

	// Jobs submitted while a client pages are newer than its first page:
	// the following pages still hold each older job exactly once.
	got := e.listAll(t, storage.JobFilter{Limit: 10}, func() {
		e.clock.Advance(time.Second)
		for i := range 5 {
			e.submit(t, fmt.Sprintf("late%d", i), optsKey, false)
		}
	})
	deepEqual(t, ids(got), ids(want), "job ids over pages while jobs are added")
}

func testListJobsFilter(t *testing.T, e *env) {
	jobs := e.submitBursts(t, 30)
	byStatus := map[string][]*storage.Job{}
	for i, j := range jobs {
		switch {
		case i%3 == 0:
			_, err := e.s.StartJob(e.ctx, j.ID, Lease)
			must(t, err, "StartJob")
		case i%5 == 0:
			must(t, e.s.FailJob(e.ctx, j.ID, "", recap.EUNAVAILABLE, "gone"), "FailJob")
		case i%7 == 0:
			e.finish(t, j, nil)
		}
		j = e.get(t, j.ID)
		byStatus[j.Status] = append(byStatus[j.Status], j)
	}
	for _, status := range []string{storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed} {
		want := byStatus[status]
		newestFirst(want)
		got := e.listAll(t, storage.JobFilter{Status: status, Limit: 4}, nil)
		deepEqual(t, got, want, status+" jobs over pages of 4")
	}
}

func testListJobsInvalid(t *testing.T, e *env) {
	e.submitBursts(t, 3)
	bad := []storage.JobFilter{
		{Status: "bogus"},
		{Limit: -1},
		{Limit: 101},
		{Cursor: "%%%"},
		{Cursor: "not base64!"},
		{Cursor: base64.RawURLEncoding.EncodeToString([]byte("garbage"))},
		{Cursor: base64.RawURLEncoding.EncodeToString([]byte(",some-id"))},
		{Cursor: base64.RawURLEncoding.EncodeToString([]byte("yesterday,some-id"))},
	}
	for _, f := range bad {
		_, err := e.s.ListJobs(e.ctx, f)
		wantCode(t, err, recap.EINVALID, fmt.Sprintf("ListJobs(%+v)", f))
	}
	p, err := e.s.ListJobs(e.ctx, storage.JobFilter{Limit: 100})
	must(t, err, "ListJobs with limit 100")
	if len(p.Jobs) != 3 {
		t.Errorf("ListJobs with limit 100: %d jobs; want 3", len(p.Jobs))
	}
}

// testJobVideoTitle checks that every read of a job carries its video's
// stored title, the page of ListJobs included, and follows a rename.
func testJobVideoTitle(t *testing.T, e *env) {
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "titled", Title: "Rockets «101»"}), "PutVideo")
	titled := e.submit(t, "titled", optsKey, false)
	if titled.VideoTitle != "Rockets «101»" {
		t.Errorf("SubmitJob: VideoTitle = %q; want the stored video's title", titled.VideoTitle)
	}
	e.clock.Advance(time.Millisecond)
	untitled := e.submit(t, "untitled", optsKey, false)
	if untitled.VideoTitle != "" {
		t.Errorf("SubmitJob of a video not stored: VideoTitle = %q; want empty", untitled.VideoTitle)
	}
	started, err := e.s.StartJob(e.ctx, titled.ID, Lease)
	must(t, err, "StartJob")
	if started.VideoTitle != "Rockets «101»" {
		t.Errorf("StartJob: VideoTitle = %q", started.VideoTitle)
	}

	// The video of the second job arrives later (the worker stores it).
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "untitled", Title: "Found later"}), "PutVideo")
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "titled", Title: "Rockets, renamed"}), "PutVideo rename")
	want := map[string]string{titled.ID: "Rockets, renamed", untitled.ID: "Found later"}
	p, err := e.s.ListJobs(e.ctx, storage.JobFilter{Limit: 10})
	must(t, err, "ListJobs")
	if len(p.Jobs) != 2 {
		t.Fatalf("ListJobs: %d jobs; want 2", len(p.Jobs))
	}
	for _, j := range p.Jobs {
		if j.VideoTitle != want[j.ID] {
			t.Errorf("ListJobs: job %s VideoTitle = %q; want %q", j.ID, j.VideoTitle, want[j.ID])
		}
		if got := e.get(t, j.ID).VideoTitle; got != want[j.ID] {
			t.Errorf("GetJob %s: VideoTitle = %q; want %q", j.ID, got, want[j.ID])
		}
	}
}

// testListJobStamps checks that ListJobStamps lists what ListJobs lists,
// page by page and with the same cursors, each job as its stamp, in every
// status, and that TitleChanges changes with every new video and every
// change of a title.
func testListJobStamps(t *testing.T, e *env) {
	empty, err := e.s.ListJobStamps(e.ctx, storage.JobFilter{Limit: 5})
	must(t, err, "ListJobStamps of no jobs")
	if len(empty.Stamps) != 0 || empty.NextCursor != "" || empty.TitleChanges != 0 {
		t.Fatalf("ListJobStamps of no jobs = %+v; want an empty page", empty)
	}
	jobs := e.submitBursts(t, 23)
	for i, j := range jobs {
		switch i % 4 {
		case 1:
			_, err := e.s.StartJob(e.ctx, j.ID, Lease)
			must(t, err, "StartJob")
			must(t, e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 1, 3), "SetJobProgress")
		case 2:
			must(t, e.s.FailJob(e.ctx, j.ID, "", recap.EUNAVAILABLE, "gone"), "FailJob")
		case 3:
			e.finish(t, j, nil)
		}
	}
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "vid004", Title: "A title"}), "PutVideo")
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "vid007", Title: "Before"}), "PutVideo")
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "vid007", Title: "After"}), "PutVideo rename")
	for _, f := range []storage.JobFilter{{Limit: 5}, {Limit: 100}, {Status: storage.StatusDone, Limit: 2}, {Status: storage.StatusRunning}} {
		for pages := 1; ; pages++ {
			want, err := e.s.ListJobs(e.ctx, f)
			must(t, err, "ListJobs")
			got, err := e.s.ListJobStamps(e.ctx, f)
			must(t, err, "ListJobStamps")
			var stamps []storage.JobStamp
			for _, j := range want.Jobs {
				stamps = append(stamps, storage.JobStamp{ID: j.ID, Status: j.Status, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt})
			}
			deepEqual(t, got.Stamps, stamps, fmt.Sprintf("stamps of page %d of %+v", pages, f))
			if got.NextCursor != want.NextCursor {
				t.Fatalf("ListJobStamps(%+v) page %d: cursor %q; ListJobs gives %q", f, pages, got.NextCursor, want.NextCursor)
			}
			if want.NextCursor == "" {
				break
			}
			f.Cursor = want.NextCursor
		}
	}
	changes := func() int64 {
		t.Helper()
		p, err := e.s.ListJobStamps(e.ctx, storage.JobFilter{Limit: 1})
		must(t, err, "ListJobStamps")
		if p.TitleChanges == 0 {
			t.Fatal("ListJobStamps of a page of jobs: TitleChanges is 0")
		}
		return p.TitleChanges
	}
	before := changes()
	if again := changes(); again != before {
		t.Errorf("TitleChanges went from %d to %d with no change", before, again)
	}
	for _, v := range []recap.Video{{ID: "vid012", Title: "New video"}, {ID: "vid012", Title: "Renamed"}, {ID: "vid013"}, {ID: "vid013", Title: "Titled at last"}} {
		must(t, e.s.PutVideo(e.ctx, v), "PutVideo")
		if now := changes(); now == before {
			t.Errorf("TitleChanges stayed %d after PutVideo(%+v)", now, v)
		} else {
			before = now
		}
	}
	testJobChanges(t, e)
	_, err = e.s.ListJobStamps(e.ctx, storage.JobFilter{Status: "bogus"})
	wantCode(t, err, recap.EINVALID, "ListJobStamps with an unknown status")
	_, err = e.s.ListJobStamps(e.ctx, storage.JobFilter{Cursor: "%%%"})
	wantCode(t, err, recap.EINVALID, "ListJobStamps with a bad cursor")
}

// testJobChanges checks a page's JobChanges: for a store that counts
// job changes (storage.JobListCounter) it is what JobListChanges reads,
// and it moves with every change of a job and with nothing else; for one
// that does not it is 0.
func testJobChanges(t *testing.T, e *env) {
	counter, counts := e.s.(storage.JobListCounter)
	changes := func() int64 {
		t.Helper()
		p, err := e.s.ListJobStamps(e.ctx, storage.JobFilter{Limit: 1})
		must(t, err, "ListJobStamps")
		if !counts {
			if p.JobChanges != 0 {
				t.Fatalf("ListJobStamps: JobChanges %d from a store that does not count them", p.JobChanges)
			}
			return 0
		}
		jobs, titles, err := counter.JobListChanges(e.ctx)
		must(t, err, "JobListChanges")
		if p.JobChanges == 0 || p.JobChanges != jobs || p.TitleChanges != titles {
			t.Fatalf("ListJobStamps counts jobs %d, titles %d; JobListChanges %d, %d", p.JobChanges, p.TitleChanges, jobs, titles)
		}
		return jobs
	}
	before := changes()
	if !counts {
		return
	}
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "vid014", Title: "Not a job"}), "PutVideo")
	_, err := e.s.ListJobs(e.ctx, storage.JobFilter{})
	must(t, err, "ListJobs")
	if now := changes(); now != before {
		t.Errorf("JobChanges went from %d to %d with no job changed", before, now)
	}
	j, created, err := e.s.SubmitJob(e.ctx, NewJob("vid015", "en|key"), false)
	must(t, err, "SubmitJob")
	if !created {
		t.Fatal("SubmitJob of a new video did not create a job")
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"SubmitJob", func() error { return nil }},
		{"StartJob", func() error { _, err := e.s.StartJob(e.ctx, j.ID, Lease); return err }},
		{"SetJobProgress", func() error { return e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 2, 5) }},
		{"RetryJob", func() error { return e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EUNAVAILABLE, "try again") }},
		{"StartJob again", func() error { _, err := e.s.StartJob(e.ctx, j.ID, Lease); return err }},
		{"FinishJob", func() error {
			return e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, e.clock.Now()))
		}},
	}
	for _, st := range steps {
		must(t, st.do(), st.name)
		if now := changes(); now == before {
			t.Errorf("JobChanges stayed %d after %s", now, st.name)
		} else {
			before = now
		}
	}
}

// testGetJobs checks that GetJobs reads the jobs GetJob reads, in the
// order asked, leaving out ids of no job.
func testGetJobs(t *testing.T, e *env) {
	jobs := e.submitBursts(t, 6)
	e.finish(t, jobs[1], nil)
	_, err := e.s.StartJob(e.ctx, jobs[2].ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.PutVideo(e.ctx, recap.Video{ID: "vid003", Title: "Titled"}), "PutVideo")
	ask := []string{jobs[4].ID, "no-such-job", jobs[1].ID, jobs[2].ID, jobs[0].ID}
	got, err := e.s.GetJobs(e.ctx, ask)
	must(t, err, "GetJobs")
	var want []*storage.Job
	for _, id := range []string{jobs[4].ID, jobs[1].ID, jobs[2].ID, jobs[0].ID} {
		want = append(want, e.get(t, id))
	}
	deepEqual(t, got, want, "GetJobs")
	none, err := e.s.GetJobs(e.ctx, nil)
	must(t, err, "GetJobs of none")
	if len(none) != 0 {
		t.Errorf("GetJobs of no ids = %d jobs", len(none))
	}
	_, err = e.s.GetJobs(e.ctx, make([]string, 101))
	wantCode(t, err, recap.EINVALID, "GetJobs of 101 ids")
}
