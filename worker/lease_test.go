package worker

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
)

// Redis restarts empty while a job runs; the periodic re-enqueue puts the
// job back and a second copy is delivered beside the first. The second
// copy finds the job held and leaves it: nothing is fetched or paid twice.
func TestRequeueWhileRunningPaysOnce(t *testing.T) {
	b := setup(t)
	b.countStarts()
	b.sum.gate = make(chan struct{})
	b.sum.entered = make(chan int, 16)
	opt, mr := testRedis(t, 14)
	flush := func() {
		if mr != nil {
			mr.FlushAll()
			return
		}
		o := opt.(asynq.RedisClientOpt)
		rdb := redis.NewClient(&redis.Options{Addr: o.Addr, DB: o.DB})
		defer rdb.Close()
		rdb.FlushDB(context.Background())
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	e := &Enqueuer{Client: client}
	b.submitter.Queue = e
	srv := NewServer(opt, ServerConfig{Concurrency: 2, Logger: slog.New(slog.DiscardHandler)})
	if err := srv.Start(NewMux(b.runner)); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	j := b.submit(t, "dQw4w9WgXcQ")
	<-b.sum.entered // the first run is paying for a chapter
	flush()
	if n, err := RequeueUnfinished(context.Background(), b.store, e); err != nil || n != 1 {
		t.Fatalf("RequeueUnfinished = %d, %v; want the running job", n, err)
	}
	// The duplicate is delivered to the free worker slot and tries to
	// start the job.
	select {
	case <-b.starts.second:
	case <-time.After(20 * time.Second):
		t.Fatal("the duplicate task was never delivered")
	}
	close(b.sum.gate)
	done := waitStatus(t, b.store, j.ID, storage.StatusDone)
	if b.fetcher.calls != 1 || b.sum.total() != 4 || done.Attempts != 1 {
		t.Fatalf("fetched %d times, %d chapter calls, %d attempts; want 1, 4, 1 (one run)", b.fetcher.calls, b.sum.total(), done.Attempts)
	}
}

// A run whose lease another run took over (it was cut off from the
// database longer than the lease) stops: its calls are cancelled and it
// records nothing.
func TestRunStopsWhenItLosesTheJob(t *testing.T) {
	b := setup(t)
	b.sum.gate = make(chan struct{}) // never opened: the run waits until cancelled
	b.sum.entered = make(chan int, 16)
	b.runner.Lease = 300 * time.Millisecond
	j := b.submit(t, "dQw4w9WgXcQ")
	type result struct {
		outcome string
		err     error
	}
	res := make(chan result, 1)
	go func() {
		_, outcome, err := b.runner.Run(context.Background(), j.ID, RunOptions{})
		res <- result{outcome, err}
	}()
	<-b.sum.entered
	// Another run takes the job over, as after a lapsed lease.
	if err := b.store.RetryJob(context.Background(), j.ID, b.job(t, j.ID).LeaseOwner, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.StartJob(context.Background(), j.ID, storage.Lease{Owner: "other-run", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-res:
		if r.outcome != OutcomeSkipped || !errors.Is(r.err, storage.ErrLeased) {
			t.Fatalf("run that lost its job: %s, %v; want skipped with ErrLeased", r.outcome, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the run went on after losing its job")
	}
	if got := b.job(t, j.ID); got.LeaseOwner != "other-run" || got.Status != storage.StatusRunning || got.Error != "" {
		t.Fatalf("job after the lost run = %+v; want it left to the other run", got)
	}
}

// startCounter is a store that tells when StartJob has returned twice.
type startCounter struct {
	storage.Store
	mu     sync.Mutex
	n      int
	second chan struct{}
}

func (s *startCounter) StartJob(ctx context.Context, id string, l storage.Lease) (*storage.Job, error) {
	j, err := s.Store.StartJob(ctx, id, l)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n++; s.n == 2 {
		close(s.second)
	}
	return j, err
}

// countStarts makes the runner's store a startCounter.
func (b *testBundle) countStarts() {
	b.starts = &startCounter{Store: b.store, second: make(chan struct{})}
	b.runner.Store = b.starts
}

// A job stopped at its time limit says so in words, not "context deadline
// exceeded".
func TestTimeoutSaysSo(t *testing.T) {
	b := setup(t)
	b.sum.gate = make(chan struct{}) // never opened: the run waits for its deadline
	b.runner.TaskTimeout = 150 * time.Millisecond
	j := b.submit(t, "dQw4w9WgXcQ")
	ctx, cancel := context.WithTimeout(context.Background(), b.runner.TaskTimeout)
	defer cancel()
	_, outcome, err := b.runner.Run(ctx, j.ID, RunOptions{Final: true})
	got := b.job(t, j.ID)
	if outcome != OutcomeFailed || !strings.Contains(got.Error, "longer than RECAP_TASK_TIMEOUT=150ms") {
		t.Fatalf("timed-out job: %s, %v; stored error %q", outcome, err, got.Error)
	}
}

// A run dies (its process is killed): its task stays active in Redis until
// asynq's own lease lapses, but the job is taken over as soon as the run's
// lease in the store has: re-enqueueing it queues a takeover task (one per
// attempt, whoever re-enqueues and how often). The dead run's task, when it
// comes back, finds the job held or done: the job runs once more, not twice.
func TestDeadRunTakenOverAfterItsLease(t *testing.T) {
	b := setup(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b.store.(*sqlite.Store).Now = clock
	opt, _ := testRedis(t, 14)
	client := asynq.NewClient(opt)
	defer client.Close()
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	e := &Enqueuer{Client: client, Now: clock}
	b.submitter.Queue = e
	queued := func() []string {
		t.Helper()
		tasks, err := insp.ListPendingTasks(QueueInteractive)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, task := range tasks {
			ids = append(ids, task.ID)
		}
		return ids
	}

	j := b.submit(t, "dQw4w9WgXcQ") // its task stands for the dead run's
	dead, err := b.store.StartJob(context.Background(), j.ID, storage.Lease{Owner: "dead-run", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RequeueUnfinished(context.Background(), b.store, e); err != nil {
		t.Fatal(err)
	}
	if ids := queued(); len(ids) != 1 || ids[0] != j.ID {
		t.Fatalf("tasks while the run's lease holds: %q; want only the job's own", ids)
	}

	mu.Lock()
	now = now.Add(2 * time.Minute) // the dead run's lease has lapsed
	mu.Unlock()
	for range 3 {
		if _, err := RequeueUnfinished(context.Background(), b.store, e); err != nil {
			t.Fatal(err)
		}
	}
	ids := queued()
	if len(ids) != 2 || !slices.Contains(ids, TakeoverTaskID(dead)) {
		t.Fatalf("tasks once the run's lease lapsed: %q; want the job's own and one takeover %q", ids, TakeoverTaskID(dead))
	}

	srv := NewServer(opt, ServerConfig{Concurrency: 2, Logger: slog.New(slog.DiscardHandler)})
	if err := srv.Start(NewMux(b.runner)); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	done := waitStatus(t, b.store, j.ID, storage.StatusDone)
	if b.fetcher.calls != 1 || b.sum.total() != 4 || done.Attempts != 2 {
		t.Fatalf("fetched %d times, %d chapter calls, %d attempts; want 1, 4, 2 (the dead run and one takeover)", b.fetcher.calls, b.sum.total(), done.Attempts)
	}
}
