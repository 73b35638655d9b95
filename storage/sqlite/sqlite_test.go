package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// mustOpen opens the database at path for the test and closes it after.
func mustOpen(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, filepath.Join(t.TempDir(), "recap.db"))
		s.Now = storagetest.Now(t)
		return s
	})
}

func TestConformanceMemory(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, ":memory:")
		s.Now = storagetest.Now(t)
		return s
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	storagetest.Reopen(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, path)
		s.Now = storagetest.Now(t)
		return s
	})
}

func TestMemoryDatabasesAreSeparate(t *testing.T) {
	a, b := mustOpen(t, ":memory:"), mustOpen(t, ":memory:")
	if err := a.PutVideo(t.Context(), recap.Video{ID: "v"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetVideo(t.Context(), "v"); err != nil {
		t.Fatalf("GetVideo on the store written: %v", err)
	}
	if _, err := b.GetVideo(t.Context(), "v"); recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Errorf("GetVideo on another :memory: store: %v; want not found", err)
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "recap.db"))
	for _, db := range []struct {
		name string
		q    querier
	}{{"write", s.write}, {"read", s.read}} {
		var mode string
		var fk, timeout int
		if err := db.q.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(t.Context(), `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || timeout != int(busyTimeout.Milliseconds()) {
			t.Errorf("%s pool: journal_mode %s, foreign_keys %d, busy_timeout %d; want wal, 1, %d",
				db.name, mode, fk, timeout, busyTimeout.Milliseconds())
		}
	}
	if _, err := s.read.ExecContext(t.Context(), `DELETE FROM jobs`); err == nil {
		t.Error("the read pool accepted a write; want query_only")
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, path := range []string{"", "recap.db?mode=ro", filepath.Join(t.TempDir(), "missing-dir", "recap.db")} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; want an error", path)
		}
	}
}

// TestMigrationsRecorded checks every embedded file is applied once and
// recorded, and that opening again applies nothing.
func TestMigrationsRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path).Close()
	s := mustOpen(t, path)
	var n, newest int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &newest); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || newest != len(ms) {
		t.Errorf("schema_migrations has %d rows up to version %d; want %d up to %d", n, newest, len(ms), len(ms))
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	s := mustOpen(t, path)
	if _, err := s.write.ExecContext(t.Context(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(t.Context(), path)
	if recap.ErrorCode(err) != recap.ECONFLICT {
		t.Fatalf("Open of a database at schema 999: %v; want a conflict", err)
	}
	t.Logf("error shown: %v", err)
}

// TestConcurrentOpens starts several stores on one new file at once, as
// `recap serve` and `recap worker` may: all must migrate without error.
func TestConcurrentOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Go(func() {
			s, err := Open(t.Context(), path)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Open: %v", err)
	}
	s := mustOpen(t, path)
	var n int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if ms, _ := loadMigrations(); n != len(ms) {
		t.Errorf("schema_migrations has %d rows after concurrent opens; want %d", n, len(ms))
	}
}

// TestWritersInTwoStores writes from many goroutines through two stores on
// one file, two pools competing for SQLite's write lock as two processes
// would: busy_timeout and BEGIN IMMEDIATE must keep SQLITE_BUSY away.
func TestWritersInTwoStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	stores := []*Store{mustOpen(t, path), mustOpen(t, path)}
	ctx := t.Context()
	var wg sync.WaitGroup
	const perStore = 16
	for si, s := range stores {
		for g := range perStore {
			wg.Go(func() {
				if err := churn(ctx, s, fmt.Sprintf("s%d-g%d", si, g)); err != nil {
					t.Error(err)
				}
			})
		}
	}
	// Every store races for the same work too.
	created := make(chan bool, 2*perStore)
	for range perStore {
		for _, s := range stores {
			wg.Go(func() {
				_, c, err := s.SubmitJob(ctx, storagetest.NewJob("shared", "o"), false)
				if err != nil {
					t.Errorf("SubmitJob shared: %v", err)
				}
				created <- c
			})
		}
	}
	wg.Wait()
	close(created)
	n := 0
	for c := range created {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Errorf("two stores racing for one video created %d jobs; want 1", n)
	}
}

// churn runs one job through its life, with progress, a transcript and
// cached chapters.
func churn(ctx context.Context, s *Store, video string) error {
	j, _, err := s.SubmitJob(ctx, storagetest.NewJob(video, "o"), false)
	if err != nil {
		return fmt.Errorf("%s: submit: %w", video, err)
	}
	if _, err := s.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		return fmt.Errorf("%s: start: %w", video, err)
	}
	tr := recap.Transcript{Language: "en"}
	for i := range 200 {
		tr.Segments = append(tr.Segments, recap.Segment{Start: time.Duration(i) * time.Second, Text: "x"})
	}
	if err := s.PutTranscript(ctx, video, tr); err != nil {
		return fmt.Errorf("%s: transcript: %w", video, err)
	}
	for i := range 5 {
		if err := s.PutChapter(ctx, fmt.Sprintf("%s-%d", video, i), recap.ChapterSummary{Title: "t"}); err != nil {
			return fmt.Errorf("%s: chapter: %w", video, err)
		}
		if err := s.SetJobProgress(ctx, j.ID, storagetest.Lease.Owner, i+1, 5); err != nil {
			return fmt.Errorf("%s: progress: %w", video, err)
		}
	}
	doc := &recap.Document{ID: j.ID, Video: recap.DocumentVideo{ID: video}, Chapters: make([]recap.ChapterResult, 5)}
	if err := s.FinishJob(ctx, j.ID, storagetest.Lease.Owner, doc); err != nil {
		return fmt.Errorf("%s: finish: %w", video, err)
	}
	return nil
}

// TestFinishJobAtomic makes the document insert fail after the job update
// and checks the job update is rolled back with it.
func TestFinishJobAtomic(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "recap.db"))
	ctx := t.Context()
	j, _, err := s.SubmitJob(ctx, storagetest.NewJob("v", "o"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	// A stray document row under the job's id makes the insert collide.
	if _, err := s.write.ExecContext(ctx, `INSERT INTO documents
		(id, video_id, language, summarizer, model, prompt_version, body, created_at)
		VALUES (?, 'v', '', '', '', '', '{}', 'x')`, j.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, j.ID, storagetest.Lease.Owner, &recap.Document{ID: j.ID}); err == nil {
		t.Fatal("FinishJob succeeded despite a colliding document")
	}
	got, err := s.GetJob(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != storage.StatusRunning || got.FinishedAt != nil {
		t.Errorf("job after failed FinishJob: status %s, finished %v; want running, nil", got.Status, got.FinishedAt)
	}
}

func TestPathFromURL(t *testing.T) {
	for _, tc := range []struct {
		url, path string
		ok        bool
	}{
		{"sqlite:recap.db", "recap.db", true},
		{"sqlite:/var/lib/recap/recap.db", "/var/lib/recap/recap.db", true},
		{"sqlite:///var/lib/recap.db", "/var/lib/recap.db", true},
		{"sqlite::memory:", ":memory:", true},
		{"sqlite:", "", false},
		{"postgres://localhost/recap", "", false},
		{"recap.db", "", false},
	} {
		path, ok := PathFromURL(tc.url)
		if path != tc.path || ok != tc.ok {
			t.Errorf("PathFromURL(%q) = %q, %v; want %q, %v", tc.url, path, ok, tc.path, tc.ok)
		}
	}
}

// TestMigrationInOwnTransaction applies a good and a broken migration: the
// first stays, recorded; nothing of the second remains.
func TestMigrationInOwnTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sql.Open("sqlite", dsn(path, false, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms := []storage.Migration{
		{Version: 1, Name: "0001_a.sql", SQL: `CREATE TABLE a (x INTEGER)`},
		{Version: 2, Name: "0002_b.sql", SQL: `CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1)`},
	}
	if err := applyMigrations(t.Context(), db, ms); err == nil {
		t.Fatal("applyMigrations with a broken file succeeded")
	}
	var version, a, b int
	err = db.QueryRowContext(t.Context(), `SELECT (SELECT max(version) FROM schema_migrations),
		(SELECT count(*) FROM sqlite_schema WHERE name = 'a'), (SELECT count(*) FROM sqlite_schema WHERE name = 'b')`).
		Scan(&version, &a, &b)
	if err != nil {
		t.Fatal(err)
	}
	if version != 1 || a != 1 || b != 0 {
		t.Errorf("after a broken second migration: version %d, table a %d, table b %d; want 1, 1, 0", version, a, b)
	}
	ms[1].SQL = `CREATE TABLE b (x INTEGER)`
	if err := applyMigrations(t.Context(), db, ms); err != nil {
		t.Fatalf("applyMigrations after the fix: %v", err)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != 2 {
		t.Errorf("schema version after the fix: %d (%v); want 2", version, err)
	}
}

// TestUpgradeKeepsJobs migrates a database holding version 1's jobs: each
// becomes a YouTube job of its video, and its queue a priority.
func TestUpgradeKeepsJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path, false, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(t.Context(), db, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, row := range [][2]string{{"job-a", "interactive"}, {"job-b", "batch"}} {
		if _, err := db.ExecContext(t.Context(), `INSERT INTO jobs (id, video_id, input, language, queue, options_key, status, created_at, updated_at)
			VALUES (?, 'dQw4w9WgXcQ', 'https://youtu.be/dQw4w9WgXcQ', 'en', ?, ?, 'queued', '2025-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z')`,
			row[0], row[1], "o-"+row[0]); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := mustOpen(t, path)
	for id, prio := range map[string]string{"job-a": storage.PriorityHigh, "job-b": storage.PriorityLow} {
		j, err := s.GetJob(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.SourceKind != recap.SourceYouTube || j.SourceRef != "dQw4w9WgXcQ" || j.Priority != prio {
			t.Errorf("job %s after the upgrade: source %q %q, priority %q; want youtube dQw4w9WgXcQ, %s", id, j.SourceKind, j.SourceRef, j.Priority, prio)
		}
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	storagetest.ReadOnly(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, path)
		s.Now = storagetest.Now(t)
		return s
	}, func(t *testing.T) storage.Store {
		s, err := OpenReadOnly(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// OpenReadOnly applies no migration: a missing, empty or old database is
// an error that says so, and stays as it was.
func TestOpenReadOnlyRefuses(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenReadOnly(t.Context(), filepath.Join(dir, "missing.db"))
	if recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Errorf("OpenReadOnly of a missing file: %v; want ENOTFOUND", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Errorf("OpenReadOnly created the missing file (%v)", err)
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	if _, err := OpenReadOnly(t.Context(), empty); recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Errorf("OpenReadOnly of an empty file: %v; want ENOTFOUND", err)
	}

	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", dsn(old, false, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations()
	if err := applyMigrations(t.Context(), db, ms[:1]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = OpenReadOnly(t.Context(), old)
	if recap.ErrorCode(err) != recap.ECONFLICT || !strings.Contains(err.Error(), "upgrade") {
		t.Errorf("OpenReadOnly of a version 1 database: %v; want a conflict that says to upgrade", err)
	}
}

// Errors that a retry cannot change are permanent (a job fails at once
// with the reason); UNIQUE and PRIMARY KEY failures, which the callers
// expect and which depend on what other writers did, are not.
func TestPermanentErrors(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "recap.db"))
	ctx := t.Context()

	// A value over SQLite's length limit (lowered here from 1 GB).
	conn, err := s.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, 10_000); err != nil {
		t.Fatal(err)
	}
	conn.Close() // back to the pool of one, with its limit
	err = s.PutVideo(ctx, recap.Video{ID: "big", Title: strings.Repeat("x", 20_000)})
	if !recap.Permanent(err) || recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "too big") {
		t.Errorf("PutVideo over the length limit: %v (code %q); want a permanent %q error naming the cause", err, recap.ErrorCode(err), recap.EINVALID)
	}

	// A CHECK constraint.
	_, err = s.write.ExecContext(ctx, `INSERT INTO jobs (id, video_id, options_key, status, created_at, updated_at)
		VALUES ('j', 'v', 'o', 'bogus', '', '')`)
	if err == nil {
		t.Fatal("insert of a bad status passed the CHECK")
	}
	if err := classify(err); !recap.Permanent(err) {
		t.Errorf("CHECK failure %v is not permanent", err)
	}

	// A UNIQUE failure stays as it is.
	_, err = s.write.ExecContext(ctx, `INSERT INTO chapter_cache (key, summary, created_at) VALUES ('k', '{}', ''), ('k', '{}', '')`)
	if err == nil {
		t.Fatal("duplicate key inserted")
	}
	if err := classify(err); recap.Permanent(err) || recap.ErrorCode(err) != recap.EINTERNAL {
		t.Errorf("PRIMARY KEY failure classified %q; want it left alone", recap.ErrorCode(err))
	}
	// The store still works.
	if err := s.PutVideo(ctx, recap.Video{ID: "small", Title: "fine"}); err != nil {
		t.Fatal(err)
	}
}

// Reads reuse one prepared statement per query text, from many
// goroutines, and Close closes them.
func TestStatementCache(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "recap.db"))
	ctx := t.Context()
	for i := range 3 {
		if err := s.PutVideo(ctx, recap.Video{ID: fmt.Sprintf("v%d", i), Title: fmt.Sprintf("T%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := fmt.Sprintf("v%d", (g+i)%3)
				v, err := s.GetVideo(ctx, id)
				if err != nil || v.Title != "T"+id[1:] {
					t.Errorf("GetVideo(%s) = %+v, %v", id, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	s.reads.stmts.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d statements cached for one query text; want 1", n)
	}
	if err := s.reads.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetVideo(ctx, "v1"); err != nil {
		t.Errorf("GetVideo after the statements were closed: %v", err)
	}
}

// parseTime reads what formatTime writes as time.Parse does, and refuses
// what time.Parse refuses.
func TestParseTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		want := time.Unix(rng.Int64N(1<<35)-1<<33, rng.Int64N(1e9)).UTC().Truncate(time.Microsecond)
		got, err := parseTime(formatTime(want))
		if err != nil || got != want {
			t.Fatalf("parseTime(%q) = %v, %v; want %v", formatTime(want), got, err, want)
		}
	}
	for _, s := range []string{
		"2024-04-31T10:00:00.000000Z", "2023-02-29T10:00:00.000000Z", "2024-13-01T10:00:00.000000Z",
		"2024-01-01T24:00:00.000000Z", "2024-01-01T10:60:00.000000Z", "2024-01-01T10:00:60.000000Z",
		"2024-01-01T10:00:00.00000aZ", "2024-01-01 10:00:00.000000Z", "2024-01-01T10:00:00.000000+",
		"2024-01-01T10:00:00Z", "", "2024-00-10T10:00:00.000000Z", "2024-01-00T10:00:00.000000Z", "-024-01-01T10:00:00.000000Z",
	} {
		_, want := time.Parse(timeLayout, s)
		if _, err := parseTime(s); (err == nil) != (want == nil) {
			t.Errorf("parseTime(%q) error = %v; time.Parse's = %v", s, err, want)
		}
	}
	if got, err := parseTime("2024-02-29T23:59:59.999999Z"); err != nil || got != time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC) {
		t.Errorf("leap day = %v, %v", got, err)
	}
}
