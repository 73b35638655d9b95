package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// TestSearchIndexesOlderDatabase opens a database made before search
// existed: Open indexes the transcripts it already holds.
func TestSearchIndexesOlderDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "recap.db")
	db, err := sql.Open("sqlite", dsn(path, false, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, db, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO videos (id, title, updated_at) VALUES ('old', 'Old video', '2024-01-01T00:00:00.000000Z')`,
		`INSERT INTO transcripts (video_id, language, updated_at) VALUES ('old', 'en', '2024-01-01T00:00:00.000000Z')`,
		`INSERT INTO transcript_segments VALUES ('old', 'en', 0, 0, 4000, 'a gnu'), ('old', 'en', 1, 4000, 8000, 'and a yak')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := mustOpen(t, path)
	page, err := s.Search(ctx, storage.SearchFilter{Q: "gnu yak"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Results[0].Title != "Old video" || page.Results[0].Text != "a gnu and a yak" {
		t.Errorf("search an older database: %+v; want its transcript", page.Results)
	}
	var pending int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("search_pending holds %d rows (%v) after Open; want 0", pending, err)
	}
}

// BenchmarkSearch: go test -run '^$' -bench Search -benchtime 1x ./storage/sqlite/
// (RECAP_BENCH_SEARCH_HOURS=2000 for the full library;
// RECAP_BENCH_SEARCH_KEEP=/path/lib.db to build it once and reuse it).
func BenchmarkSearch(b *testing.B) {
	path := os.Getenv(storagetest.BenchKeepVar)
	if path == "" {
		path = filepath.Join(b.TempDir(), "recap.db")
	}
	s := mustOpen(b, path)
	storagetest.BenchmarkSearch(b, s, func(ctx context.Context) (sz storagetest.SearchSizes, err error) {
		// dbstat counts the pages of each table and index.
		err = s.read.QueryRowContext(ctx, `SELECT
			(SELECT sum(length(CAST(text AS BLOB))) FROM transcript_segments),
			(SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'),
			(SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%')`).Scan(&sz.Text, &sz.Index, &sz.Total)
		return sz, err
	})
}
