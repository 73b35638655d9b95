package ratelimit

import (
	"context"
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

func TestPace(t *testing.T) {
	for _, tc := range []struct {
		rate     Rate
		interval time.Duration
		burst    int
	}{
		{PerMinute(600), (time.Minute + 594) / 595, 6},
		{PerMinute(60), time.Second, 1},
		{PerMinute(1), time.Minute, 1},
		{Rate{N: 10, Per: 6 * time.Second}, 600 * time.Millisecond, 1},
		{Rate{N: 200000}, (time.Minute + 197999) / 198001, 2000},
		{Rate{N: 20, Burst: 4}, (time.Minute + 16) / 17, 4},
		{Rate{N: 2, Burst: 4}, time.Minute, 2},
	} {
		interval, burst, ok := tc.rate.pace()
		if !ok || interval != tc.interval || burst != tc.burst {
			t.Errorf("%+v: pace = %s, %d, %v; want %s, %d", tc.rate, interval, burst, ok, tc.interval, tc.burst)
		}
	}
	if _, _, ok := PerMinute(0).pace(); ok {
		t.Error("a zero rate limits")
	}
}

// clock is a frozen time the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// starts reserves n turns at a frozen instant, as n callers arriving at
// once would, and returns when each may start and its cost.
func starts(t *testing.T, b backend, now time.Time, costs []int) []time.Time {
	t.Helper()
	var out []time.Time
	for _, c := range costs {
		d, paused, err := b.reserve(context.Background(), c)
		if err != nil || paused {
			t.Fatalf("reserve: %v, paused %v", err, paused)
		}
		out = append(out, now.Add(d))
	}
	return out
}

// checkWindows asserts the property providers check: no window of per
// holds more than limit units (plus slack), and the busiest steady window
// (the second) holds at least 97% of the limit (less the slack: with
// large calls, where a window cuts matters).
func checkWindows(t *testing.T, at []time.Time, costs []int, per time.Duration, limit, slack int) {
	t.Helper()
	type ev struct {
		t time.Time
		c int
	}
	evs := make([]ev, len(at))
	for i := range at {
		evs[i] = ev{at[i], costs[i]}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].t.Before(evs[j].t) })
	// Sliding half-open windows [evs[i].t, evs[i].t+per): the worst
	// window starts at some request.
	sum, j, worst := 0, 0, 0
	for i := range evs {
		for j < len(evs) && evs[j].t.Before(evs[i].t.Add(per)) {
			sum += evs[j].c
			j++
		}
		worst = max(worst, sum)
		sum -= evs[i].c
	}
	if worst > limit+slack {
		t.Errorf("a window of %s holds %d units, limit %d", per, worst, limit)
	}
	second := 0
	for _, e := range evs {
		if !e.t.Before(evs[0].t.Add(per)) && e.t.Before(evs[0].t.Add(2*per)) {
			second += e.c
		}
	}
	if float64(second) < 0.97*float64(limit)-float64(slack) {
		t.Errorf("the second window holds %d units, want at least 97%% of %d (less %d slack)", second, limit, slack)
	}
	t.Logf("busiest window %d, second window %d, of %d", worst, second, limit)
}

func ones(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = 1
	}
	return c
}

// tokenSlack is what a window may hold beyond a token limit: one call's
// excess over the burst (a call larger than the burst goes when the
// bucket is empty and is paid for after).
const tokenSlack = 9300

// tokenCosts are calls of uneven sizes (300 to 9299 tokens), many larger
// than the burst.
func tokenCosts(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = 300 + (i*7919)%9000
	}
	return c
}

// A backlog that wants far more than the limit gets it spread evenly:
// no sliding minute over the limit, and the limit nearly used.
func TestLocalPacesWithinEveryWindow(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLocal(Config{Requests: PerMinute(600)})
	l.now = c.now
	costs := ones(2000)
	checkWindows(t, starts(t, l, c.t, costs), costs, time.Minute, 600, 0)

	tok := NewLocal(Config{Tokens: PerMinute(200000)})
	tok.now = c.now
	costs = tokenCosts(100)
	checkWindows(t, starts(t, tok, c.t, costs), costs, time.Minute, 200000, tokenSlack)
}

// The first requests after a quiet spell go at once, but only a burst of
// them: 1% of the minute's allowance, never the whole minute.
func TestLocalSmallBurst(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLocal(Config{Requests: PerMinute(600)})
	l.now = c.now
	at := starts(t, l, c.t, ones(20))
	now := 0
	for _, s := range at {
		if !s.After(c.t) {
			now++
		}
	}
	if now != 6 {
		t.Errorf("%d of 20 requests went at once, want a burst of 6", now)
	}
	// A call bigger than the token burst goes once the bucket is empty,
	// rather than never; the next waits until it is paid for.
	tok := NewLocal(Config{Tokens: PerMinute(6000)}) // 60-token burst
	tok.now = c.now
	if d, _, _ := tok.reserve(context.Background(), 1000); d != 0 {
		t.Errorf("a 1000-token call into an empty bucket waits %s", d)
	}
	if d, _, _ := tok.reserve(context.Background(), 1000); d < 9*time.Second || d > 11*time.Second {
		t.Errorf("the next 1000-token call waits %s, want ~10s (1000 tokens at 6000 a minute)", d)
	}
}

func TestLocalPauseAndBlock(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLocal(Config{Requests: PerMinute(60), MaxWait: 5 * time.Second, Backoff: 10 * time.Second, MaxBackoff: 35 * time.Second})
	l.now = c.now
	testPauseAndBlock(t, l, func(d time.Duration) { c.t = c.t.Add(d) })
	_ = ctx
}

// testPauseAndBlock runs the pause rules on a backend whose clock advance
// moves.
func testPauseAndBlock(t *testing.T, l interface {
	backend
	Wait(context.Context, int) error
	Pause(context.Context, time.Duration) error
	Block(context.Context) (time.Time, error)
}, advance func(time.Duration)) {
	ctx := context.Background()
	if err := l.Pause(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := l.Pause(ctx, 5*time.Second); err != nil { // shorter: the longer pause stays
		t.Fatal(err)
	}
	d, paused, err := l.reserve(ctx, 0)
	if err != nil || !paused || d < 19*time.Second || d > 20*time.Second {
		t.Fatalf("reserve while paused = %s, %v, %v; want ~20s of pause", d, paused, err)
	}
	err = l.Wait(ctx, 0)
	if until, ok := PausedUntil(err); !ok || time.Until(until) < 15*time.Second {
		t.Fatalf("Wait while paused past MaxWait = %v, want a *PausedError ~20s ahead", err)
	}
	advance(21 * time.Second)
	if d, paused, err := l.reserve(ctx, 0); err != nil || paused || d != 0 {
		t.Fatalf("reserve after the pause = %s, %v, %v; want at once", d, paused, err)
	}

	// Block: 10s, unchanged while paused, then 20s, 35s (the cap), 35s.
	wantPause := func(want time.Duration) {
		t.Helper()
		p, err := l.pausedFor(ctx)
		if err != nil || p < want-time.Second || p > want {
			t.Fatalf("paused for %s, %v; want %s", p, err, want)
		}
	}
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 35 * time.Second, 35 * time.Second} {
		if _, err := l.Block(ctx); err != nil {
			t.Fatal(err)
		}
		wantPause(want)
		advance(time.Second)
		if _, err := l.Block(ctx); err != nil { // a request sent before the pause
			t.Fatal(err)
		}
		wantPause(want - time.Second)
		advance(want) // past the pause
		_ = i
	}
	// After MaxBackoff without a block, the growth is forgotten.
	advance(40 * time.Second)
	if _, err := l.Block(ctx); err != nil {
		t.Fatal(err)
	}
	wantPause(10 * time.Second)
}

// Wait sleeps through a short pause and a turn, and gives up with ctx.
func TestLocalWaitSleeps(t *testing.T) {
	l := NewLocal(Config{Requests: Rate{N: 1, Per: time.Hour}})
	ctx := context.Background()
	if err := l.Wait(ctx, 0); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(short, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second request in an hour: %v, want to wait past the deadline", err)
	}
	p := NewLocal(Config{})
	p.Pause(ctx, 30*time.Millisecond)
	if err := p.Wait(ctx, 0); err != nil {
		t.Fatalf("Wait through a short pause: %v", err)
	}
	if d, _ := p.pausedFor(ctx); d != 0 {
		t.Fatalf("Wait returned %s before the pause ended", d)
	}
}

// testRedis is a real Redis when RECAP_TEST_REDIS_URL is set (database
// 13, flushed), else miniredis (returned, so that tests can move its
// clock).
func testRedis(t *testing.T) (*redis.Client, *miniredis.Miniredis) {
	t.Helper()
	if u := os.Getenv("RECAP_TEST_REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		opt.DB = 13
		rdb := redis.NewClient(opt)
		t.Cleanup(func() { rdb.Close() })
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatalf("RECAP_TEST_REDIS_URL=%s: %v", u, err)
		}
		return rdb, nil
	}
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return rdb, mr
}

// The Redis limiter keeps the same windows as the local one, on Redis's
// clock (frozen here through miniredis).
func TestRedisPacesWithinEveryWindow(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mr.SetTime(now)
	costs := ones(1300)
	checkWindows(t, starts(t, NewRedis(rdb, "req", Config{Requests: PerMinute(600)}), now, costs), costs, time.Minute, 600, 0)
	costs = tokenCosts(100)
	checkWindows(t, starts(t, NewRedis(rdb, "tok", Config{Tokens: PerMinute(200000)}), now, costs), costs, time.Minute, 200000, tokenSlack)
	// Both rates at once: each call waits for the later of its turns.
	both := NewRedis(rdb, "both", Config{Requests: PerMinute(600), Tokens: PerMinute(60000)})
	costs = tokenCosts(50)
	at := starts(t, both, now, costs)
	checkWindows(t, at, costs, time.Minute, 60000, tokenSlack)
}

// Two processes with limiters of the same name share one pace and one
// pause; another name is limited on its own.
func TestRedisShared(t *testing.T) {
	rdb, _ := testRedis(t)
	ctx := context.Background()
	cfg := Config{Requests: PerMinute(60), MaxWait: time.Second}
	a, b := NewRedis(rdb, "acct", cfg), NewRedis(rdb, "acct", cfg)
	if d, _, err := a.reserve(ctx, 0); err != nil || d != 0 {
		t.Fatalf("first request waits %s, %v", d, err)
	}
	// One a second: the other process's next request waits about a
	// second for its turn.
	if d, _, err := b.reserve(ctx, 0); err != nil || d < 500*time.Millisecond || d > time.Second {
		t.Fatalf("second request of the account, from another process, waits %s (%v), want ~1s", d, err)
	}
	other := NewRedis(rdb, "other", cfg)
	if d, _, err := other.reserve(ctx, 0); err != nil || d != 0 {
		t.Fatalf("another account waits %s, %v", d, err)
	}
	if err := a.Pause(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok := PausedUntil(b.Wait(ctx, 0)); !ok {
		t.Fatal("a pause set by one process does not hold another")
	}
	if err := other.Wait(ctx, 0); err != nil {
		t.Fatalf("a pause of one account holds another: %v", err)
	}
}

func TestRedisPauseAndBlock(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	now := time.Now()
	mr.SetTime(now)
	l := NewRedis(rdb, "yt", Config{Requests: PerMinute(60), MaxWait: 5 * time.Second, Backoff: 10 * time.Second, MaxBackoff: 35 * time.Second})
	testPauseAndBlock(t, l, func(d time.Duration) {
		now = now.Add(d)
		mr.SetTime(now)
		mr.FastForward(d) // key expiry runs on its own clock
	})
}
