package sqlite

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
// them.
func fillLibrary(tb testing.TB, s *Store, n int) {
	tb.Helper()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
		INSERT INTO jobs (id, video_id, options_key, status, created_at, updated_at)
		SELECT printf('job%07d', i), printf('vid%07d', i % (? / 2)), 'k', 'done',
			strftime('%Y-%m-%dT%H:%M:%S.000000Z', ?, '+' || i || ' seconds'),
			strftime('%Y-%m-%dT%H:%M:%S.000000Z', ?, '+' || i || ' seconds') FROM n`,
		`INSERT INTO documents (id, video_id, language, summarizer, model, prompt_version, body, created_at)
		SELECT id, video_id, 'en', 'extractive', '', '', json_object('video', json_object('id', video_id, 'title', 'Video ' || video_id)), created_at
		FROM jobs WHERE id LIKE 'job%'`,
	} {
		args := []any{}
		if strings.Contains(q, "RECURSIVE") {
			args = []any{n, n, start.Format(time.DateTime), start.Format(time.DateTime)}
		}
		if _, err := s.write.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// explain is SQLite's plan of the library query, one step a line.
func explain(t *testing.T, s *Store, cur *storage.Cursor) string {
	t.Helper()
	q, args := libraryQuery(cur, 24)
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n")
}

// The library's pages walk documents_created_at: no scan of every
// document, no sort.
func TestLibraryQueryUsesIndex(t *testing.T) {
	s := mustOpen(t, t.TempDir()+"/recap.db")
	fillLibrary(t, s, 2000)
	if _, err := s.write.ExecContext(t.Context(), "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for name, cur := range map[string]*storage.Cursor{
		"first page":   nil,
		"a later page": {CreatedAt: time.Date(2025, 1, 1, 0, 10, 0, 0, time.UTC), ID: "job0000600"},
	} {
		plan := explain(t, s, cur)
		t.Logf("%s:\n%s", name, plan)
		if !strings.Contains(plan, "USING INDEX documents_created_at") && !strings.Contains(plan, "USING COVERING INDEX documents_created_at") ||
			strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "documents_video_created_at") {
			t.Errorf("%s: plan\n%s\nwant a walk of documents_created_at without a sort, and documents_video_created_at for the newest check", name, plan)
		}
	}
	// The pages are still right: every video once, its newest document.
	page, err := s.ListLibrary(t.Context(), storage.LibraryFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Entries {
		got = append(got, e.DocumentID+" "+e.Video.ID)
	}
	if want := "job0001999 vid0000999,job0001998 vid0000998,job0001997 vid0000997"; strings.Join(got, ",") != want {
		t.Errorf("first page %q; want %s", got, want)
	}
	n := 0
	for f := (storage.LibraryFilter{Limit: 100}); ; {
		p, err := s.ListLibrary(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Entries)
		if p.NextCursor == "" {
			break
		}
		f.Cursor = p.NextCursor
	}
	if n != 1000 {
		t.Errorf("the library lists %d entries; want one for each of the 1000 videos", n)
	}
}

// BenchmarkLibrary reads library pages from 20,000 documents (10,000
// videos), with documents_created_at and, as the in-run baseline,
// without it (storagetest.BenchmarkLibrary).
func BenchmarkLibrary(b *testing.B) {
	s := mustOpen(b, b.TempDir()+"/recap.db")
	fillLibrary(b, s, 20000)
	storagetest.BenchmarkLibrary(b, s, func() error {
		_, err := s.write.ExecContext(b.Context(), "DROP INDEX documents_created_at")
		return err
	})
}

// A page of job stamps, with or without a status, is read from an index
// alone (no row of jobs) and without a sort.
func TestJobStampsQueryUsesCoveringIndex(t *testing.T) {
	s := mustOpen(t, t.TempDir()+"/recap.db")
	fillLibrary(t, s, 2000)
	if _, err := s.write.ExecContext(t.Context(), "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	cur := &storage.Cursor{CreatedAt: time.Date(2025, 1, 1, 0, 10, 0, 0, time.UTC), ID: "job0000600"}
	for _, status := range []string{"", storage.StatusDone} {
		for _, c := range []*storage.Cursor{nil, cur} {
			q, args := jobStampsQuery(status, c, 50)
			rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			p := strings.Join(plan, "\n")
			if !strings.Contains(p, "SCAN jobs USING COVERING INDEX") && !strings.Contains(p, "SEARCH jobs USING COVERING INDEX") || strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("status %q, cursor %v: plan\n%s\nwant a covering index of jobs, no sort", status, c, p)
			}
		}
	}
}

// A line of a page of stamps is read whole, or refused naming the line.
func TestParseJobStamp(t *testing.T) {
	st, err := parseJobStamp("0192-abc done 2025-01-02T03:04:05.000006Z 2025-01-02T03:04:06.000000Z")
	if err != nil || st.ID != "0192-abc" || st.Status != "done" ||
		!st.CreatedAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)) || !st.UpdatedAt.Equal(time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC)) {
		t.Fatalf("parseJobStamp = %+v, %v", st, err)
	}
	for _, bad := range []string{"", "id done 2025-01-02T03:04:05.000006Z", "id done a b c", " done 2025-01-02T03:04:05.000006Z 2025-01-02T03:04:05.000006Z"} {
		if _, err := parseJobStamp(bad); err == nil {
			t.Errorf("parseJobStamp(%q) took it", bad)
		}
	}
}
