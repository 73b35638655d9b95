package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

// fillLibrary stores n documents straight in SQL, a second apart, two of
// each video (its summary and a newer one), as a long-used library holds
// them, and has the planner read the tables' statistics.
func fillLibrary(tb testing.TB, s *Store, n int) {
	tb.Helper()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO jobs (id, video_id, options_key, status, created_at, updated_at)
		SELECT format('job%s', lpad(i::text, 7, '0')), format('vid%s', lpad((i % ($1::int / 2))::text, 7, '0')), 'k', 'done',
			$2::timestamptz + i * interval '1 second', $2::timestamptz + i * interval '1 second'
		FROM generate_series(0, $1::int - 1) AS i`,
		`INSERT INTO documents (id, video_id, language, summarizer, model, prompt_version, body, created_at)
		SELECT id, video_id, 'en', 'extractive', '', '', jsonb_build_object('video', jsonb_build_object('id', video_id, 'title', 'Video ' || video_id)), created_at
		FROM jobs WHERE id LIKE 'job%'`,
		`ANALYZE jobs, documents`,
	} {
		args := []any{}
		if strings.Contains(q, "generate_series") {
			args = []any{n, start}
		}
		if _, err := s.pool.Exec(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// The library's pages walk documents_created_at backwards: no scan of
// every document, no sort.
func TestLibraryQueryUsesIndex(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	fillLibrary(t, s, 20000)
	for name, cur := range map[string]*storage.Cursor{
		"first page":   nil,
		"a later page": {CreatedAt: time.Date(2025, 1, 1, 5, 0, 0, 0, time.UTC), ID: "job0018000"},
	} {
		q, args := libraryQuery(cur, 24)
		rows, err := s.pool.Query(t.Context(), "EXPLAIN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		t.Logf("%s:\n%s", name, text)
		if !strings.Contains(text, "Index Scan Backward using documents_created_at") && !strings.Contains(text, "Index Only Scan Backward using documents_created_at") ||
			strings.Contains(text, "Sort") || strings.Contains(text, "Seq Scan on documents d") {
			t.Errorf("%s: plan\n%s\nwant a backward walk of documents_created_at, no sort, no scan of documents", name, text)
		}
	}
	page, err := s.ListLibrary(t.Context(), storage.LibraryFilter{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 2 || page.Entries[0].DocumentID != "job0019999" || page.Entries[1].Video.ID != "vid0009998" {
		t.Errorf("first page %+v", page.Entries)
	}
}

// BenchmarkLibrary reads library pages from 20,000 documents (10,000
// videos), with documents_created_at and, as the in-run baseline,
// without it (storagetest.BenchmarkLibrary).
func BenchmarkLibrary(b *testing.B) {
	s := mustOpen(b, testConfig(b))
	fillLibrary(b, s, 20000)
	storagetest.BenchmarkLibrary(b, s, func() error {
		_, err := s.pool.Exec(b.Context(), "DROP INDEX documents_created_at")
		return err
	})
}
