package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// testURL names the database the tests may use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const testURLVar = "RECAP_TEST_POSTGRES_URL"

var (
	adminOnce sync.Once
	admin     *pgxpool.Pool
	adminErr  error
)

// testConfig creates an empty schema of its own for the test, dropped at
// its end, and returns a pool configuration whose search_path is that
// schema: tests and test packages running at once never see each other.
func testConfig(t testing.TB) *pgxpool.Config {
	t.Helper()
	url := os.Getenv(testURLVar)
	if url == "" {
		t.Skipf("%s is not set; skipping PostgreSQL tests", testURLVar)
	}
	adminOnce.Do(func() {
		admin, adminErr = pgxpool.New(context.Background(), url)
	})
	if adminErr != nil {
		t.Fatalf("connect to %s: %v", testURLVar, adminErr)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "recap_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 4
	return cfg
}

// mustOpen opens a store on cfg for the test and closes it after.
func mustOpen(t testing.TB, cfg *pgxpool.Config) *Store {
	t.Helper()
	s, err := OpenConfig(t.Context(), cfg.Copy())
	if err != nil {
		t.Fatalf("OpenConfig: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, testConfig(t))
		s.Now = storagetest.Now(t)
		return s
	})
}

func TestReopen(t *testing.T) {
	cfg := testConfig(t)
	storagetest.Reopen(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, cfg)
		s.Now = storagetest.Now(t)
		return s
	})
}

// TestConcurrentOpens starts several stores on one empty schema at once, as
// several `recap worker` processes may: the advisory lock must let exactly
// one apply each migration.
func TestConcurrentOpens(t *testing.T) {
	cfg := testConfig(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			s, err := OpenConfig(t.Context(), cfg.Copy())
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
	s := mustOpen(t, cfg)
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var rows, newest int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &newest); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || newest != len(ms) {
		t.Errorf("schema_migrations: %d rows up to %d; want %d up to %d", rows, newest, len(ms), len(ms))
	}
}

// TestMigrationInOwnTransaction applies a good and a broken migration: the
// first stays, recorded; nothing of the second remains.
func TestMigrationInOwnTransaction(t *testing.T) {
	cfg := testConfig(t)
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ms := []storage.Migration{
		{Version: 1, Name: "0001_a.sql", SQL: `CREATE TABLE a (x int)`},
		{Version: 2, Name: "0002_b.sql", SQL: `CREATE TABLE b (x int); SELECT 1/0`},
	}
	if err := applyMigrations(t.Context(), pool, ms); err == nil {
		t.Fatal("applyMigrations with a broken file succeeded")
	}
	var version int
	var a, b bool
	err = pool.QueryRow(t.Context(), `SELECT (SELECT max(version) FROM schema_migrations),
		to_regclass('a') IS NOT NULL, to_regclass('b') IS NOT NULL`).Scan(&version, &a, &b)
	if err != nil {
		t.Fatal(err)
	}
	if version != 1 || !a || b {
		t.Errorf("after a broken second migration: version %d, table a %v, table b %v; want 1, true, false", version, a, b)
	}
	// Fixed, it applies on the next start.
	ms[1].SQL = `CREATE TABLE b (x int)`
	if err := applyMigrations(t.Context(), pool, ms); err != nil {
		t.Fatalf("applyMigrations after the fix: %v", err)
	}
	if err := pool.QueryRow(t.Context(), `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != 2 {
		t.Errorf("schema version after the fix: %d (%v); want 2", version, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	cfg := testConfig(t)
	s := mustOpen(t, cfg)
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := OpenConfig(t.Context(), cfg.Copy())
	if recap.ErrorCode(err) != recap.ECONFLICT {
		t.Fatalf("Open of a schema at version 999: %v; want a conflict", err)
	}
	t.Logf("error shown: %v", err)
}

// TestFinishJobAtomic makes the document insert fail after the job update
// and checks the job update is rolled back with it.
func TestFinishJobAtomic(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	ctx := t.Context()
	j, _, err := s.SubmitJob(ctx, storagetest.NewJob("v", "o"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartJob(ctx, j.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	// A stray document row under the job's id makes the insert collide.
	if _, err := s.pool.Exec(ctx, `INSERT INTO documents
		(id, video_id, language, summarizer, model, prompt_version, body, created_at)
		VALUES ($1, 'v', '', '', '', '', '{}', now())`, j.ID); err != nil {
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

func TestOpenBadURL(t *testing.T) {
	_, err := Open(t.Context(), "postgres://user:secret@host:notaport/db")
	if recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("Open of a malformed URL: %v; want invalid", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the password", err)
	}
}

func TestIsURL(t *testing.T) {
	for url, want := range map[string]bool{
		"postgres://u@h/db":   true,
		"postgresql://u@h/db": true,
		"sqlite:recap.db":     false,
		"recap.db":            false,
	} {
		if got := IsURL(url); got != want {
			t.Errorf("IsURL(%q) = %v; want %v", url, got, want)
		}
	}
}

// TestUpgradeKeepsJobs migrates a database holding version 1's jobs: each
// becomes a YouTube job of its video, and its queue a priority.
func TestUpgradeKeepsJobs(t *testing.T) {
	cfg := testConfig(t)
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg.Copy())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(t.Context(), pool, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, row := range [][2]string{{"job-a", "interactive"}, {"job-b", "batch"}} {
		if _, err := pool.Exec(t.Context(), `INSERT INTO jobs (id, video_id, input, language, queue, options_key, status, created_at, updated_at)
			VALUES ($1, 'dQw4w9WgXcQ', 'https://youtu.be/dQw4w9WgXcQ', 'en', $2, $3, 'queued', now(), now())`,
			row[0], row[1], "o-"+row[0]); err != nil {
			t.Fatal(err)
		}
	}
	pool.Close()

	s := mustOpen(t, cfg)
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
	cfg := testConfig(t)
	storagetest.ReadOnly(t, func(t *testing.T) storage.Store {
		s := mustOpen(t, cfg)
		s.Now = storagetest.Now(t)
		return s
	}, func(t *testing.T) storage.Store {
		s, err := OpenReadOnly(t.Context(), cfg.ConnString()+"&search_path="+cfg.ConnConfig.RuntimeParams["search_path"])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// OpenReadOnly applies no migration: an empty schema is an error that says
// so, and stays empty.
func TestOpenReadOnlyRefuses(t *testing.T) {
	cfg := testConfig(t)
	_, err := OpenReadOnly(t.Context(), cfg.ConnString()+"&search_path="+cfg.ConnConfig.RuntimeParams["search_path"])
	if recap.ErrorCode(err) != recap.ENOTFOUND {
		t.Errorf("OpenReadOnly of an empty schema: %v; want ENOTFOUND", err)
	}
	var exists bool
	admin.QueryRow(t.Context(), `SELECT to_regclass($1) IS NOT NULL`, cfg.ConnConfig.RuntimeParams["search_path"]+".schema_migrations").Scan(&exists)
	if exists {
		t.Error("OpenReadOnly created schema_migrations")
	}
}

// TestSaveThroughDroppedConnections kills every connection of the store
// (as a PostgreSQL restart or a network cut would): a chapter answer saved
// through pipeline.Durable, as the pipeline saves what it paid for, is
// kept.
func TestSaveThroughDroppedConnections(t *testing.T) {
	cfg := testConfig(t)
	cfg.ConnConfig.RuntimeParams["application_name"] = "recap-drop-test-" + cfg.ConnConfig.RuntimeParams["search_path"]
	s := mustOpen(t, cfg)
	ctx := t.Context()
	kill := func() {
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
			cfg.ConnConfig.RuntimeParams["application_name"]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutChapter(ctx, "warm", recap.ChapterSummary{Title: "w"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		kill()
		key := fmt.Sprintf("k%d", i)
		err := pipeline.Durable(ctx, func(ctx context.Context) error {
			return s.PutChapter(ctx, key, recap.ChapterSummary{Title: key})
		})
		if err != nil {
			t.Fatalf("save after the connections were killed: %v", err)
		}
		if got, ok, err := s.GetChapter(ctx, key); err != nil || !ok || got.Title != key {
			t.Fatalf("answer %s after the drop: %+v, %v, %v", key, got, ok, err)
		}
	}
}

// PostgreSQL refuses a NUL in text and \u0000 in jsonb. That will not
// change on retry, so the error is permanent and says why; today's
// caller, the worker, then fails the job at once instead of retrying it
// for 40 minutes.
func TestNULIsPermanent(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	err := s.PutVideo(t.Context(), recap.Video{ID: "nul", Title: "a\x00b"})
	if !recap.Permanent(err) || recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "22021") {
		t.Errorf("PutVideo with a NUL: %v (code %q); want a permanent %q error with SQLSTATE 22021", err, recap.ErrorCode(err), recap.EINVALID)
	}
	err = s.PutChapter(t.Context(), "k", recap.ChapterSummary{Title: "a\x00b"})
	if !recap.Permanent(err) || !strings.Contains(err.Error(), "22P05") {
		t.Errorf("PutChapter with a NUL: %v; want a permanent error with SQLSTATE 22P05", err)
	}
	// A unique violation is left to the callers that expect it.
	_, err = s.pool.Exec(t.Context(), `INSERT INTO chapter_cache (key, summary, created_at) VALUES ('d', '{}', now()), ('d', '{}', now())`)
	if err == nil {
		t.Fatal("duplicate key inserted")
	}
	if err := classify(err); recap.Permanent(err) {
		t.Errorf("unique violation %v classified permanent", err)
	}
}
