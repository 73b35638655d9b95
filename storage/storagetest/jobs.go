package storagetest

import (
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// optsKey is the OptionsKey of most test jobs.
const optsKey = "en|llm|gpt-4o-mini|v3"

// NewJob returns a valid job to submit: a YouTube video, high priority,
// with the options key given. Driver tests use it for their own cases.
func NewJob(videoID, optionsKey string) *storage.Job {
	return &storage.Job{
		VideoID:    videoID,
		SourceKind: recap.SourceYouTube,
		SourceRef:  videoID,
		Input:      "https://youtu.be/" + videoID + "?si=x",
		Language:   "en",
		Priority:   storage.PriorityHigh,
		Summarizer: "llm",
		Model:      "gpt-4o-mini",
		OptionsKey: optionsKey,
	}
}

// submit submits a new job and fails t unless one was created.
func (e *env) submit(t *testing.T, videoID, optionsKey string, force bool) *storage.Job {
	t.Helper()
	j, created, err := e.s.SubmitJob(e.ctx, NewJob(videoID, optionsKey), force)
	must(t, err, "SubmitJob")
	if !created {
		t.Fatalf("SubmitJob(%s, %s, force=%v) returned job %s (%s); want a new job", videoID, optionsKey, force, j.ID, j.Status)
	}
	return j
}

func (e *env) get(t *testing.T, id string) *storage.Job {
	t.Helper()
	j, err := e.s.GetJob(e.ctx, id)
	must(t, err, "GetJob "+id)
	return j
}

// finish starts job j and finishes it with doc (a default one when nil).
func (e *env) finish(t *testing.T, j *storage.Job, doc *recap.Document) *recap.Document {
	t.Helper()
	if doc == nil {
		doc = newDocument(j.ID, j.VideoID, e.clock.Now())
	}
	_, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, doc), "FinishJob")
	return doc
}

func testSubmitJobCreates(t *testing.T, e *env) {
	in := NewJob("dQw4w9WgXcQ", optsKey)
	in.SummaryLanguage = "de" // every field is stored and read back
	in.Transcribe = true
	arg := *in
	got, created, err := e.s.SubmitJob(e.ctx, &arg, false)
	must(t, err, "SubmitJob")
	if !created {
		t.Fatal("SubmitJob on an empty store: created = false")
	}
	id, err := uuid.Parse(got.ID)
	if err != nil || id.Version() != 7 {
		t.Errorf("job id %q: want a UUIDv7 (parse error %v)", got.ID, err)
	}
	if url.PathEscape(got.ID) != got.ID {
		t.Errorf("job id %q is not URL-safe", got.ID)
	}
	if arg.ID != got.ID {
		t.Errorf("SubmitJob left j.ID = %q; want it set to %q", arg.ID, got.ID)
	}
	now := e.clock.Now()
	want := *in
	want.ID = got.ID
	want.Status = storage.StatusQueued
	want.CreatedAt, want.UpdatedAt = now, now
	deepEqual(t, got, &want, "submitted job")
	deepEqual(t, e.get(t, got.ID), &want, "GetJob after SubmitJob")

	// UUIDv7 ids are time-ordered: a later job has a greater id.
	e.clock.Advance(time.Millisecond)
	time.Sleep(2 * time.Millisecond)
	later := e.submit(t, "other-video", optsKey, false)
	if later.ID <= got.ID {
		t.Errorf("later job id %s sorts before earlier id %s", later.ID, got.ID)
	}
	if later.Transcribe || e.get(t, later.ID).Transcribe {
		t.Error("a job that did not ask for speech-to-text reads back asking for it")
	}
	// Listed jobs carry it too.
	page, err := e.s.ListJobs(e.ctx, storage.JobFilter{Limit: 10})
	must(t, err, "ListJobs")
	for _, j := range page.Jobs {
		if j.Transcribe != (j.ID == got.ID) {
			t.Errorf("listed job %s (%s): transcribe %v", j.ID, j.VideoID, j.Transcribe)
		}
	}
}

func testSubmitJobKeepsGivenID(t *testing.T, e *env) {
	j := NewJob("vid-a", optsKey)
	j.ID = "given-id-1"
	got, created, err := e.s.SubmitJob(e.ctx, j, false)
	must(t, err, "SubmitJob")
	if !created || got.ID != "given-id-1" {
		t.Fatalf("SubmitJob with ID set: created=%v id=%q; want a new job with id given-id-1", created, got.ID)
	}
	dup := NewJob("vid-b", optsKey)
	dup.ID = "given-id-1"
	_, _, err = e.s.SubmitJob(e.ctx, dup, false)
	wantCode(t, err, recap.ECONFLICT, "SubmitJob with an id already taken")
	if j := e.get(t, "given-id-1"); j.VideoID != "vid-a" {
		t.Errorf("job given-id-1 now has video %s; want vid-a untouched", j.VideoID)
	}
}

func testSubmitJobInvalid(t *testing.T, e *env) {
	_, _, err := e.s.SubmitJob(e.ctx, nil, false)
	wantCode(t, err, recap.EINVALID, "SubmitJob(nil)")
	_, _, err = e.s.SubmitJob(e.ctx, NewJob("", optsKey), false)
	wantCode(t, err, recap.EINVALID, "SubmitJob without video id")
	_, _, err = e.s.SubmitJob(e.ctx, NewJob("vid", ""), false)
	wantCode(t, err, recap.EINVALID, "SubmitJob without options key")
	noSource := NewJob("vid", optsKey)
	noSource.SourceRef = ""
	_, _, err = e.s.SubmitJob(e.ctx, noSource, false)
	wantCode(t, err, recap.EINVALID, "SubmitJob without a source reference")
	badPriority := NewJob("vid", optsKey)
	badPriority.Priority = "interactive"
	_, _, err = e.s.SubmitJob(e.ctx, badPriority, false)
	wantCode(t, err, recap.EINVALID, "SubmitJob with a queue name for a priority")
	counts, err := e.s.CountJobs(e.ctx)
	must(t, err, "CountJobs")
	for status, n := range counts {
		if n != 0 {
			t.Errorf("after invalid submissions %d jobs are %s; want none", n, status)
		}
	}
}

func testSubmitJobReturnsActive(t *testing.T, e *env) {
	first := e.submit(t, "vid", optsKey, false)
	e.clock.Advance(time.Second)

	again, created, err := e.s.SubmitJob(e.ctx, NewJob("vid", optsKey), false)
	must(t, err, "SubmitJob again")
	if created {
		t.Fatal("second SubmitJob of a queued job created a new job")
	}
	deepEqual(t, again, first, "SubmitJob of a queued job")

	running, err := e.s.StartJob(e.ctx, first.ID, Lease)
	must(t, err, "StartJob")
	// force does not start a second run beside an active one.
	again, created, err = e.s.SubmitJob(e.ctx, NewJob("vid", optsKey), true)
	must(t, err, "SubmitJob forced")
	if created {
		t.Fatal("forced SubmitJob of a running job created a new job")
	}
	deepEqual(t, again, running, "forced SubmitJob of a running job")

	// Other options or another video are other work.
	other := e.submit(t, "vid", "de|llm|gpt-4o-mini|v3", false)
	another := e.submit(t, "vid2", optsKey, false)
	if other.ID == first.ID || another.ID == first.ID || other.ID == another.ID {
		t.Errorf("distinct work shares ids: %s %s %s", first.ID, other.ID, another.ID)
	}
}

func testSubmitJobReturnsNewestDone(t *testing.T, e *env) {
	first := e.submit(t, "vid", optsKey, false)
	e.finish(t, first, nil)
	first = e.get(t, first.ID)
	e.clock.Advance(time.Minute)

	got, created, err := e.s.SubmitJob(e.ctx, NewJob("vid", optsKey), false)
	must(t, err, "SubmitJob of done work")
	if created {
		t.Fatal("SubmitJob of done work created a new job")
	}
	deepEqual(t, got, first, "SubmitJob of done work")

	second := e.submit(t, "vid", optsKey, true)
	if second.ID == first.ID {
		t.Fatal("forced SubmitJob returned the done job")
	}
	e.clock.Advance(time.Minute)
	e.finish(t, second, nil)
	second = e.get(t, second.ID)

	// A later failure does not hide the newest done job.
	e.clock.Advance(time.Minute)
	third := e.submit(t, "vid", optsKey, true)
	must(t, e.s.FailJob(e.ctx, third.ID, "", recap.ELLM, "model gone"), "FailJob")

	got, created, err = e.s.SubmitJob(e.ctx, NewJob("vid", optsKey), false)
	must(t, err, "SubmitJob of done work")
	if created {
		t.Fatal("SubmitJob of done work created a new job")
	}
	deepEqual(t, got, second, "SubmitJob returns the newest done job")
}

func testSubmitJobAfterFailure(t *testing.T, e *env) {
	first := e.submit(t, "vid", optsKey, false)
	must(t, e.s.FailJob(e.ctx, first.ID, "", recap.ENOCAPTIONS, "no captions"), "FailJob")
	e.clock.Advance(time.Second)

	second := e.submit(t, "vid", optsKey, false)
	if second.ID == first.ID {
		t.Fatal("SubmitJob after a failure returned the failed job")
	}
	if j := e.get(t, first.ID); j.Status != storage.StatusFailed {
		t.Errorf("failed job is now %s; want failed", j.Status)
	}
}

// testSubmitJobConcurrent races submissions of the same work: the store,
// not luck, must keep them to one job.
func testSubmitJobConcurrent(t *testing.T, e *env) {
	const n = 20
	for round := range 3 {
		videoID := "race-" + string(rune('a'+round))
		var (
			wg      sync.WaitGroup
			ready   = make(chan struct{})
			mu      sync.Mutex
			ids     = map[string]int{}
			created int
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				j, c, err := e.s.SubmitJob(e.ctx, NewJob(videoID, optsKey), i%2 == 0)
				if err != nil {
					t.Errorf("SubmitJob #%d: %v", i, err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				ids[j.ID]++
				if c {
					created++
				}
			}()
		}
		close(ready)
		wg.Wait()
		if created != 1 || len(ids) != 1 {
			t.Errorf("round %d: %d concurrent submissions created %d jobs and returned ids %v; want 1 job", round, n, created, ids)
		}
	}
	counts, err := e.s.CountJobs(e.ctx)
	must(t, err, "CountJobs")
	if counts[storage.StatusQueued] != 3 {
		t.Errorf("queued jobs: %d; want 3 (one a round)", counts[storage.StatusQueued])
	}
}

func testTimestamps(t *testing.T, e *env) {
	// Nanoseconds may be cut, but not to worse than a millisecond, and
	// what is returned is what is stored.
	e.clock.Set(time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC))
	j := e.submit(t, "vid", optsKey, false)
	if d := e.clock.Now().Sub(j.CreatedAt); d < 0 || d >= time.Millisecond {
		t.Errorf("CreatedAt %v is %v from the clock's %v; want under 1ms", j.CreatedAt, d, e.clock.Now())
	}
	deepEqual(t, e.get(t, j.ID), j, "GetJob of a job made at a nanosecond time")

	// Times are UTC whatever zone the clock reads in.
	e.clock.Set(time.Date(2025, 6, 7, 8, 9, 10, 11000, time.FixedZone("CEST", 2*3600)))
	k := e.submit(t, "vid2", optsKey, false)
	if k.CreatedAt.Location() != time.UTC || !k.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("CreatedAt = %v; want %v in UTC", k.CreatedAt, e.clock.Now().UTC())
	}
	deepEqual(t, e.get(t, k.ID), k, "GetJob of a job made at a CEST time")
}

func testGetJobNotFound(t *testing.T, e *env) {
	_, err := e.s.GetJob(e.ctx, "01890000-0000-7000-8000-000000000000")
	wantCode(t, err, recap.ENOTFOUND, "GetJob of an unknown id")
}

func testStartJob(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	e.clock.Advance(time.Second)
	t1 := e.clock.Now()

	got, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	want := *j
	want.Status, want.Attempts, want.StartedAt, want.UpdatedAt = storage.StatusRunning, 1, ptr(t1), t1
	want.LeaseOwner, want.LeaseExpiresAt = Lease.Owner, ptr(t1.Add(Lease.TTL))
	deepEqual(t, got, &want, "started job")
	deepEqual(t, e.get(t, j.ID), &want, "GetJob of started job")

	must(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, t1)), "FinishJob")
	done := e.get(t, j.ID)
	if done.LeaseOwner != "" || done.LeaseExpiresAt != nil {
		t.Errorf("done job still held: owner %q until %v", done.LeaseOwner, done.LeaseExpiresAt)
	}
	_, err = e.s.StartJob(e.ctx, j.ID, Lease)
	wantCode(t, err, recap.ECONFLICT, "StartJob of a done job")
	if errors.Is(err, storage.ErrLeased) {
		t.Errorf("StartJob of a done job says it is held: %v", err)
	}
	deepEqual(t, e.get(t, j.ID), done, "done job after refused StartJob")

	f := e.submit(t, "vid2", optsKey, false)
	must(t, e.s.FailJob(e.ctx, f.ID, "", recap.EPRIVATE, "private video"), "FailJob")
	_, err = e.s.StartJob(e.ctx, f.ID, Lease)
	wantCode(t, err, recap.ECONFLICT, "StartJob of a failed job")
	if got := e.get(t, f.ID); got.Status != storage.StatusFailed || got.Attempts != 0 {
		t.Errorf("failed job after refused StartJob: status %s, attempts %d; want failed, 0", got.Status, got.Attempts)
	}

	_, err = e.s.StartJob(e.ctx, "no-such-job", Lease)
	wantCode(t, err, recap.ENOTFOUND, "StartJob of an unknown id")
	_, err = e.s.StartJob(e.ctx, j.ID, storage.Lease{Owner: "", TTL: time.Minute})
	wantCode(t, err, recap.EINVALID, "StartJob without an owner")
	_, err = e.s.StartJob(e.ctx, j.ID, storage.Lease{Owner: "x", TTL: 0})
	wantCode(t, err, recap.EINVALID, "StartJob without a duration")
}

// testLease: running a job is exclusive. A second run finds the job held
// until the first one's lease lapses; then it takes the job over, and the
// first run can change nothing any more.
func testLease(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	first, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	second := storage.Lease{Owner: "run-2", TTL: 2 * time.Minute}

	// A duplicate delivery while the lease holds changes nothing.
	e.clock.Advance(Lease.TTL / 2)
	_, err = e.s.StartJob(e.ctx, j.ID, second)
	wantCode(t, err, recap.ECONFLICT, "StartJob of a held job")
	if !errors.Is(err, storage.ErrLeased) {
		t.Errorf("StartJob of a held job: %v; want it to wrap storage.ErrLeased", err)
	}
	deepEqual(t, e.get(t, j.ID), first, "held job after a refused StartJob")
	for name, err := range map[string]error{
		"SetJobProgress": e.s.SetJobProgress(e.ctx, j.ID, second.Owner, 1, 2),
		"RetryJob":       e.s.RetryJob(e.ctx, j.ID, second.Owner, recap.EBLOCKED, "x"),
		"FailJob":        e.s.FailJob(e.ctx, j.ID, "", recap.ELLM, "x"),
		"FinishJob":      e.s.FinishJob(e.ctx, j.ID, second.Owner, newDocument(j.ID, j.VideoID, e.clock.Now())),
		"RenewLease":     e.s.RenewLease(e.ctx, j.ID, second),
	} {
		if !errors.Is(err, storage.ErrLeased) || recap.ErrorCode(err) != recap.ECONFLICT {
			t.Errorf("%s by another run: %v; want an ECONFLICT wrapping storage.ErrLeased", name, err)
		}
	}
	deepEqual(t, e.get(t, j.ID), first, "held job after changes by another run")

	// Renewed, the lease outlives its first term.
	must(t, e.s.RenewLease(e.ctx, j.ID, Lease), "RenewLease")
	renewed := *first
	renewed.LeaseExpiresAt = ptr(e.clock.Now().Add(Lease.TTL))
	deepEqual(t, e.get(t, j.ID), &renewed, "job after RenewLease")
	e.clock.Advance(Lease.TTL * 3 / 4) // past the first term, inside the renewed one
	_, err = e.s.StartJob(e.ctx, j.ID, second)
	if !errors.Is(err, storage.ErrLeased) {
		t.Errorf("StartJob inside a renewed lease: %v; want ErrLeased", err)
	}

	// Not renewed (the first run died), the lease lapses and another run
	// takes the job over: one more attempt.
	e.clock.Advance(Lease.TTL)
	now := e.clock.Now()
	took, err := e.s.StartJob(e.ctx, j.ID, second)
	must(t, err, "StartJob after the lease lapsed")
	want := renewed
	want.Attempts, want.StartedAt, want.UpdatedAt = 2, ptr(now), now
	want.LeaseOwner, want.LeaseExpiresAt = second.Owner, ptr(now.Add(second.TTL))
	deepEqual(t, took, &want, "job taken over")

	// The first run, back, can change nothing.
	for name, err := range map[string]error{
		"SetJobProgress": e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 1, 2),
		"RetryJob":       e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EBLOCKED, "x"),
		"FailJob":        e.s.FailJob(e.ctx, j.ID, Lease.Owner, recap.ELLM, "x"),
		"FinishJob":      e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, now)),
		"RenewLease":     e.s.RenewLease(e.ctx, j.ID, Lease),
	} {
		if !errors.Is(err, storage.ErrLeased) {
			t.Errorf("%s by the run that lost the lease: %v; want ErrLeased", name, err)
		}
	}
	deepEqual(t, e.get(t, j.ID), &want, "job after changes by the run that lost it")
	_, err = e.s.GetDocument(e.ctx, j.ID)
	wantCode(t, err, recap.ENOTFOUND, "document after FinishJob by the run that lost the lease")

	// A retry lets the job go: anyone may start it.
	must(t, e.s.RetryJob(e.ctx, j.ID, second.Owner, recap.EBLOCKED, "later"), "RetryJob")
	if got := e.get(t, j.ID); got.LeaseOwner != "" || got.LeaseExpiresAt != nil || got.Status != storage.StatusQueued {
		t.Errorf("retried job: status %s, held by %q until %v; want queued and free", got.Status, got.LeaseOwner, got.LeaseExpiresAt)
	}
	_, err = e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob of a retried job")
	wantCode(t, e.s.RenewLease(e.ctx, "no-such-job", Lease), recap.ENOTFOUND, "RenewLease of an unknown id")
}

// testLeaseConcurrent: many runs start one job at once; one wins.
func testLeaseConcurrent(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	const n = 12
	var (
		wg      sync.WaitGroup
		ready   = make(chan struct{})
		mu      sync.Mutex
		winners []string
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			l := storage.Lease{Owner: fmt.Sprintf("run-%d", i), TTL: time.Minute}
			_, err := e.s.StartJob(e.ctx, j.ID, l)
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, l.Owner)
				mu.Unlock()
			case !errors.Is(err, storage.ErrLeased):
				t.Errorf("StartJob by %s: %v; want success or ErrLeased", l.Owner, err)
			}
		}()
	}
	close(ready)
	wg.Wait()
	got := e.get(t, j.ID)
	if len(winners) != 1 || got.Attempts != 1 || got.LeaseOwner != winners[0] {
		t.Errorf("%d runs starting one job: winners %v, attempts %d, owner %q; want one winner holding it", n, winners, got.Attempts, got.LeaseOwner)
	}
}

func testSetJobProgress(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	_, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	e.clock.Advance(time.Second)

	must(t, e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 3, 10), "SetJobProgress")
	got := e.get(t, j.ID)
	if got.Done != 3 || got.Total != 10 || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("after SetJobProgress(3, 10): done %d, total %d, updated %v; want 3, 10, %v",
			got.Done, got.Total, got.UpdatedAt, e.clock.Now())
	}
	for _, p := range [][2]int{{-1, 10}, {11, 10}, {1, -1}} {
		wantCode(t, e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, p[0], p[1]), recap.EINVALID, "SetJobProgress out of range")
	}
	if got := e.get(t, j.ID); got.Done != 3 || got.Total != 10 {
		t.Errorf("bad progress changed the job to %d of %d; want 3 of 10", got.Done, got.Total)
	}
	wantCode(t, e.s.SetJobProgress(e.ctx, "no-such-job", Lease.Owner, 1, 2), recap.ENOTFOUND, "SetJobProgress of an unknown id")

	must(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, e.clock.Now())), "FinishJob")
	wantCode(t, e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 1, 10), recap.ECONFLICT, "SetJobProgress of a done job")
}

func testRetryJob(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	started, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	e.clock.Advance(time.Second)

	must(t, e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EBLOCKED, "YouTube asks to sign in"), "RetryJob")
	want := *started
	want.Status, want.ErrorCode, want.Error, want.UpdatedAt = storage.StatusQueued, recap.EBLOCKED, "YouTube asks to sign in", e.clock.Now()
	want.LeaseOwner, want.LeaseExpiresAt = "", nil
	want.Attempts = 0 // a wait for YouTube is not an attempt
	deepEqual(t, e.get(t, j.ID), &want, "retried job")

	unfinished, err := e.s.UnfinishedJobs(e.ctx)
	must(t, err, "UnfinishedJobs")
	if len(unfinished) != 1 || unfinished[0].ID != j.ID {
		t.Errorf("UnfinishedJobs after RetryJob = %v; want the retried job", unfinished)
	}

	e.clock.Advance(time.Second)
	again, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob after RetryJob")
	if again.Attempts != 1 || again.Status != storage.StatusRunning || again.ErrorCode != recap.EBLOCKED {
		t.Errorf("restarted job: attempts %d, status %s, error code %q; want 1, running, the kept %q",
			again.Attempts, again.Status, again.ErrorCode, recap.EBLOCKED)
	}
	// Any other transient failure is an attempt.
	must(t, e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EFETCH, "YouTube unreachable"), "RetryJob")
	again, err = e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob after a failed attempt")
	if again.Attempts != 2 || again.ErrorCode != recap.EFETCH {
		t.Errorf("restarted job: attempts %d, error code %q; want 2, %q", again.Attempts, again.ErrorCode, recap.EFETCH)
	}

	must(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, e.clock.Now())), "FinishJob")
	wantCode(t, e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EBLOCKED, "late"), recap.ECONFLICT, "RetryJob of a done job")
	wantCode(t, e.s.RetryJob(e.ctx, "no-such-job", Lease.Owner, recap.EBLOCKED, "x"), recap.ENOTFOUND, "RetryJob of an unknown id")
}

func testFailJob(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	started, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	e.clock.Advance(time.Second)
	now := e.clock.Now()

	must(t, e.s.FailJob(e.ctx, j.ID, Lease.Owner, recap.ELLM, "model refused: 401"), "FailJob")
	want := *started
	want.Status, want.ErrorCode, want.Error = storage.StatusFailed, recap.ELLM, "model refused: 401"
	want.UpdatedAt, want.FinishedAt = now, ptr(now)
	want.LeaseOwner, want.LeaseExpiresAt = "", nil
	deepEqual(t, e.get(t, j.ID), &want, "failed job")

	unfinished, err := e.s.UnfinishedJobs(e.ctx)
	must(t, err, "UnfinishedJobs")
	if len(unfinished) != 0 {
		t.Errorf("UnfinishedJobs lists %d jobs after FailJob; want none", len(unfinished))
	}

	e.clock.Advance(time.Second)
	wantCode(t, e.s.FailJob(e.ctx, j.ID, Lease.Owner, recap.EINTERNAL, "again"), recap.ECONFLICT, "FailJob of a failed job")
	wantCode(t, e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EINTERNAL, "again"), recap.ECONFLICT, "RetryJob of a failed job")
	wantCode(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, j.VideoID, now)), recap.ECONFLICT, "FinishJob of a failed job")
	deepEqual(t, e.get(t, j.ID), &want, "failed job after refused changes")
	_, err = e.s.GetDocument(e.ctx, j.ID)
	wantCode(t, err, recap.ENOTFOUND, "GetDocument of a failed job")
	wantCode(t, e.s.FailJob(e.ctx, "no-such-job", "", recap.ELLM, "x"), recap.ENOTFOUND, "FailJob of an unknown id")
}

func testFinishJob(t *testing.T, e *env) {
	j := e.submit(t, "vid", optsKey, false)
	_, err := e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.RetryJob(e.ctx, j.ID, Lease.Owner, recap.EBLOCKED, "rate limited"), "RetryJob")
	_, err = e.s.StartJob(e.ctx, j.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.SetJobProgress(e.ctx, j.ID, Lease.Owner, 1, 3), "SetJobProgress")
	before := e.get(t, j.ID)
	e.clock.Advance(time.Minute)
	now := e.clock.Now()

	// Refused documents change nothing.
	wantCode(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, nil), recap.EINVALID, "FinishJob without a document")
	wantCode(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument("other-id", j.VideoID, now)), recap.EINVALID, "FinishJob with another id")
	wantCode(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, newDocument(j.ID, "other-video", now)), recap.EINVALID, "FinishJob with another video")
	deepEqual(t, e.get(t, j.ID), before, "job after refused FinishJob")
	_, err = e.s.GetDocument(e.ctx, j.ID)
	wantCode(t, err, recap.ENOTFOUND, "GetDocument after refused FinishJob")

	doc := newDocument(j.ID, j.VideoID, now.Add(-time.Second))
	sent := *doc
	must(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, doc), "FinishJob")
	deepEqual(t, doc, &sent, "FinishJob changed its document argument")
	want := *before
	want.Status, want.Done, want.Total = storage.StatusDone, len(doc.Chapters), len(doc.Chapters)
	want.ErrorCode, want.Error = "", ""
	want.UpdatedAt, want.FinishedAt = now, ptr(now)
	want.LeaseOwner, want.LeaseExpiresAt = "", nil
	deepEqual(t, e.get(t, j.ID), &want, "finished job")
	got, err := e.s.GetDocument(e.ctx, j.ID)
	must(t, err, "GetDocument")
	deepEqual(t, got, doc, "GetDocument")

	wantCode(t, e.s.FinishJob(e.ctx, j.ID, Lease.Owner, doc), recap.ECONFLICT, "FinishJob twice")
	wantCode(t, e.s.FinishJob(e.ctx, "no-such-job", Lease.Owner, newDocument("no-such-job", "vid", now)), recap.ENOTFOUND, "FinishJob of an unknown id")

	// A document without a time gets the store's; one in another zone is
	// kept as the same instant.
	k := e.submit(t, "vid2", optsKey, false)
	e.finish(t, k, newDocument(k.ID, k.VideoID, time.Time{}))
	got, err = e.s.GetDocument(e.ctx, k.ID)
	must(t, err, "GetDocument")
	if !got.CreatedAt.Equal(now) {
		t.Errorf("document stored without a time has CreatedAt %v; want the store's now %v", got.CreatedAt, now)
	}
	l := e.submit(t, "vid3", optsKey, false)
	inZone := time.Date(2025, 6, 7, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	e.finish(t, l, newDocument(l.ID, l.VideoID, inZone))
	got, err = e.s.GetDocument(e.ctx, l.ID)
	must(t, err, "GetDocument")
	if !got.CreatedAt.Equal(inZone) {
		t.Errorf("document CreatedAt %v; want the instant %v", got.CreatedAt, inZone)
	}
}

func testUnfinishedJobs(t *testing.T, e *env) {
	// Submitted out of time order, so that order of insertion is not
	// mistaken for order of creation.
	at := func(min int) { e.clock.Set(start.Add(time.Duration(min) * time.Minute)) }
	at(30)
	a := e.submit(t, "a", optsKey, false)
	at(10)
	b := e.submit(t, "b", optsKey, false)
	at(20)
	c := e.submit(t, "c", optsKey, false)
	at(5)
	d := e.submit(t, "d", optsKey, false)
	at(40)
	f := e.submit(t, "f", optsKey, false)
	_, err := e.s.StartJob(e.ctx, b.ID, Lease)
	must(t, err, "StartJob")
	e.finish(t, c, nil)
	must(t, e.s.FailJob(e.ctx, d.ID, "", recap.EUNAVAILABLE, "removed"), "FailJob")

	got, err := e.s.UnfinishedJobs(e.ctx)
	must(t, err, "UnfinishedJobs")
	var ids []string
	for _, j := range got {
		ids = append(ids, j.VideoID)
	}
	deepEqual(t, ids, []string{"b", "a", "f"}, "UnfinishedJobs videos, oldest first")
	if len(got) == 3 {
		for i, id := range []string{b.ID, a.ID, f.ID} {
			deepEqual(t, got[i], e.get(t, id), "UnfinishedJobs["+string(rune('0'+i))+"]")
		}
	}
}

func testCountJobs(t *testing.T, e *env) {
	counts, err := e.s.CountJobs(e.ctx)
	must(t, err, "CountJobs")
	checkCounts(t, counts, map[string]int{})

	for i := range 7 {
		e.submit(t, "vid"+string(rune('a'+i)), optsKey, false)
	}
	page, err := e.s.ListJobs(e.ctx, storage.JobFilter{Limit: 7})
	must(t, err, "ListJobs")
	jobs := page.Jobs
	_, err = e.s.StartJob(e.ctx, jobs[0].ID, Lease)
	must(t, err, "StartJob")
	for _, j := range jobs[1:4] {
		e.finish(t, j, nil)
	}
	must(t, e.s.FailJob(e.ctx, jobs[4].ID, "", recap.ELLM, "x"), "FailJob")

	counts, err = e.s.CountJobs(e.ctx)
	must(t, err, "CountJobs")
	checkCounts(t, counts, map[string]int{
		storage.StatusQueued: 2, storage.StatusRunning: 1, storage.StatusDone: 3, storage.StatusFailed: 1,
	})
}

// checkCounts compares counts, a missing status counting as zero.
func checkCounts(t *testing.T, got, want map[string]int) {
	t.Helper()
	for status, n := range got {
		switch status {
		case storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed:
		default:
			t.Errorf("CountJobs has unknown status %q (%d)", status, n)
		}
	}
	for _, status := range []string{storage.StatusQueued, storage.StatusRunning, storage.StatusDone, storage.StatusFailed} {
		if got[status] != want[status] {
			t.Errorf("CountJobs[%s] = %d; want %d", status, got[status], want[status])
		}
	}
}

// A local download of a video takes over the queued YouTube job of the
// same video and options: same job, the download's source, attempts
// counted afresh. A running job, or a YouTube submission, changes nothing.
func testSubmitJobLocalTakesOver(t *testing.T, e *env) {
	yt := e.submit(t, "vid", optsKey, false)
	_, err := e.s.StartJob(e.ctx, yt.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.RetryJob(e.ctx, yt.ID, Lease.Owner, recap.EFETCH, "YouTube unreachable"), "RetryJob")

	local := NewJob("vid", optsKey)
	local.SourceKind, local.SourceRef, local.Input = recap.SourceFile, "/downloads/vid.info.json", "/downloads"
	e.clock.Advance(time.Second)
	got, created, err := e.s.SubmitJob(e.ctx, local, false)
	must(t, err, "SubmitJob of the download")
	if created || got.ID != yt.ID || got.SourceKind != recap.SourceFile || got.SourceRef != local.SourceRef ||
		got.Input != local.Input || got.Attempts != 0 || got.Status != storage.StatusQueued || got.Priority != yt.Priority {
		t.Fatalf("download submitted over a queued YouTube job: created %v, %+v; want job %s, queued, with the file source and 0 attempts", created, got, yt.ID)
	}
	deepEqual(t, e.get(t, yt.ID), got, "the job taken over, as stored")

	// YouTube again: the download stays.
	again, created, err := e.s.SubmitJob(e.ctx, NewJob("vid", optsKey), false)
	must(t, err, "SubmitJob from YouTube")
	if created || again.ID != yt.ID || again.SourceKind != recap.SourceFile {
		t.Errorf("YouTube after the download: created %v, %+v; want the file job", created, again)
	}

	// A running YouTube job is left to its run.
	run := e.submit(t, "vid2", optsKey, false)
	_, err = e.s.StartJob(e.ctx, run.ID, Lease)
	must(t, err, "StartJob")
	local = NewJob("vid2", optsKey)
	local.SourceKind, local.SourceRef = recap.SourceFile, "/downloads/vid2.info.json"
	got, created, err = e.s.SubmitJob(e.ctx, local, false)
	must(t, err, "SubmitJob over a running job")
	if created || got.ID != run.ID || got.SourceKind != recap.SourceYouTube || got.Status != storage.StatusRunning {
		t.Errorf("download over a running YouTube job: created %v, %+v; want the running YouTube job unchanged", created, got)
	}
}
