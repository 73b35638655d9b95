// Package storagetest is the conformance suite of storage.Store: every
// implementation runs the same tests, as river's drivers run
// riverdrivertest. A driver's test calls
//
//	storagetest.Run(t, func(t *testing.T) storage.Store {
//		s := openEmptyStore(t) // and t.Cleanup(s.Close)
//		s.Now = storagetest.Now(t)
//		return s
//	})
//
// and Reopen with an open function that returns the same database each
// time, to check that data survives Close.
package storagetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// Lease is the lease of the suite's runs; driver tests use it too.
var Lease = storage.Lease{Owner: "run-1", TTL: time.Minute}

// start is where every test clock begins: microsecond precision, which
// both stores keep exactly.
var start = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// Clock is a test's time, moved only by the test.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	wired atomic.Bool // the store under test asked for it
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, backwards if need be.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// clocks holds the clock of every running subtest, so that a driver's open
// function can find it without the suite knowing the store's type.
var clocks sync.Map // *testing.T → *Clock

// Now returns the clock function of the suite's subtest t. The open
// function given to Run or Reopen must make it the store's time source.
func Now(t *testing.T) func() time.Time {
	t.Helper()
	v, ok := clocks.Load(t)
	if !ok {
		t.Fatal("storagetest.Now: t is not a test that storagetest.Run or Reopen is running")
	}
	c := v.(*Clock)
	c.wired.Store(true)
	return c.Now
}

// env is what every test gets: a fresh empty store and its clock.
type env struct {
	ctx   context.Context
	s     storage.Store
	clock *Clock
}

func newClock(t *testing.T) *Clock {
	c := &Clock{now: start}
	clocks.Store(t, c)
	t.Cleanup(func() { clocks.Delete(t) })
	return c
}

func setup(t *testing.T, open func(t *testing.T) storage.Store) *env {
	t.Helper()
	c := newClock(t)
	s := open(t)
	if !c.wired.Load() {
		t.Fatal("open did not set the store's Now to storagetest.Now(t)")
	}
	return &env{ctx: t.Context(), s: s, clock: c}
}

// Run runs the conformance suite. open must return a new, empty store for
// the subtest t, closed by t.Cleanup, whose Now is storagetest.Now(t).
// Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"SubmitJob/Creates", testSubmitJobCreates},
		{"SubmitJob/KeepsGivenID", testSubmitJobKeepsGivenID},
		{"SubmitJob/Invalid", testSubmitJobInvalid},
		{"SubmitJob/ReturnsActive", testSubmitJobReturnsActive},
		{"SubmitJob/LocalTakesOver", testSubmitJobLocalTakesOver},
		{"SubmitJob/ReturnsNewestDone", testSubmitJobReturnsNewestDone},
		{"SubmitJob/AfterFailure", testSubmitJobAfterFailure},
		{"SubmitJob/Concurrent", testSubmitJobConcurrent},
		{"Timestamps", testTimestamps},
		{"GetJob/NotFound", testGetJobNotFound},
		{"StartJob", testStartJob},
		{"Lease", testLease},
		{"Lease/Concurrent", testLeaseConcurrent},
		{"SetJobProgress", testSetJobProgress},
		{"RetryJob", testRetryJob},
		{"FailJob", testFailJob},
		{"FinishJob", testFinishJob},
		{"ListJobs/Empty", testListJobsEmpty},
		{"ListJobs/Pagination", testListJobsPagination},
		{"ListJobs/Filter", testListJobsFilter},
		{"ListJobs/Invalid", testListJobsInvalid},
		{"ListJobs/VideoTitle", testJobVideoTitle},
		{"ListJobStamps", testListJobStamps},
		{"GetJobs", testGetJobs},
		{"UnfinishedJobs", testUnfinishedJobs},
		{"CountJobs", testCountJobs},
		{"Videos", testVideos},
		{"Transcripts", testTranscripts},
		{"Documents", testDocuments},
		{"Library", testLibrary},
		{"ChapterCache", testChapterCache},
		{"ASRChunks", testASRChunks},
		{"UnstorableText", testUnstorableText},
		{"Ping", testPing},
		{"Batch/Create", testCreateBatch},
		{"Batch/Items", testBatchItems},
		{"Batch/Expansion", testBatchExpansion},
		{"Batch/ExpansionHold", testExpansionHold},
		{"Batch/List", testListBatches},
		{"Batch/ClaimRoundRobin", testClaimRoundRobin},
		{"Batch/ClaimStale", testClaimStale},
		{"Batch/ClaimConcurrent", testClaimConcurrent},
		{"Batch/ItemsFollowJobs", testItemsFollowJobs},
		{"Batch/SettleConcurrent", testSettleConcurrent},
		{"Batch/LinkDoneJob", testLinkDoneJob},
		{"Batch/Budget", testBudget},
		{"Batch/Cancel", testCancelBatch},
		{"Batch/Retry", testRetryBatch},
		{"Subscriptions", testSubscriptions},
		{"Subscriptions/ConcurrentClaims", testSubscriptionClaimsConcurrent},
	}
	tests = append(tests, searchTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, open))
		})
	}
}

// wantCode fails t unless err carries the recap error code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := recap.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q; want %q", what, err, got, code)
	}
}

// must fails t at once on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// deepEqual fails t unless got and want are reflect.DeepEqual.
func deepEqual(t *testing.T, got, want any, what string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

// show prints jobs with their pointer fields followed.
func show(v any) string {
	if j, ok := v.(*storage.Job); ok && j != nil {
		return fmt.Sprintf("%+v started=%v finished=%v lease=%v", *j, fmtTime(j.StartedAt), fmtTime(j.FinishedAt), fmtTime(j.LeaseExpiresAt))
	}
	return fmt.Sprintf("%+v", v)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.Format(time.RFC3339Nano)
}

func ptr[T any](v T) *T { return &v }
