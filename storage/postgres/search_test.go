package postgres

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/storagetest"
)

func TestTSConfig(t *testing.T) {
	for lang, want := range map[string]string{
		"en": "english", "en-US": "english", "EN_gb": "english", "de": "german", "pt-BR": "portuguese",
		"nb": "norwegian", "ja": "simple", "": "simple", "english": "simple",
	} {
		if got := tsConfig(lang); got != want {
			t.Errorf("tsConfig(%q) = %q; want %q", lang, got, want)
		}
	}
}

func TestUnfoldHeadline(t *testing.T) {
	o, c := storage.MarkOpen, storage.MarkClose
	text := "Un café, s'il vous plaît: crème brûlée."
	folded := storage.FoldSearchText(text)
	for _, tc := range []struct{ headline, want string }{
		{"Un " + o + "cafe" + c + "  s il vous plait  creme brulee ", "Un " + o + "café" + c + ", s'il vous plaît: crème brûlée."},
		{"s il vous plait  " + o + "creme" + c + " " + o + "brulee" + c, "…s'il vous plaît: " + o + "crème" + c + " " + o + "brûlée" + c + "…"},
		{"not a fragment", text},
	} {
		if got := unfoldHeadline(text, folded, tc.headline); got != tc.want {
			t.Errorf("unfoldHeadline(%q) = %q; want %q", tc.headline, got, tc.want)
		}
	}
}

// TestSearchStems checks what PostgreSQL adds to the conformance suite:
// words are stemmed in the configuration of their language, and stop
// words alone find nothing.
func TestSearchStems(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	ctx := t.Context()
	put := func(id, lang, text string) {
		tr := recap.Transcript{Language: lang, Segments: []recap.Segment{{Start: 0, End: 4 * time.Second, Text: text}}}
		if err := s.PutTranscript(ctx, id, tr); err != nil {
			t.Fatal(err)
		}
	}
	put("en", "en-US", "she was running between the houses")
	put("de", "de", "die Häuser der Kinder")
	put("ja", "ja", "running 東京")
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"runs", []string{"en"}}, // "ja" is "simple": no stemming
		{"running", []string{"en", "ja"}},
		{"house", []string{"en"}},
		{"haus", []string{"de"}}, // Häuser, folded and stemmed
		{"kind", []string{"de"}},
		{"the", nil},
		{`"running between the houses"`, []string{"en"}}, // stop words keep their place in a phrase
		{`"running houses"`, nil},
		{"東京", []string{"ja"}},
	} {
		page, err := s.Search(ctx, storage.SearchFilter{Q: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Results {
			got = append(got, r.VideoID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %q found %v; want %v", tc.q, got, tc.want)
		}
	}
}

// TestSearchIndexesOlderDatabase opens a database made before search
// existed: Open indexes the transcripts it already holds.
func TestSearchIndexesOlderDatabase(t *testing.T) {
	ctx := t.Context()
	cfg := testConfig(t)
	pool, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigrations(ctx, pool, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO videos (id, title, updated_at) VALUES ('old', 'Old video', now())`,
		`INSERT INTO transcripts (video_id, language, updated_at) VALUES ('old', 'en', now())`,
		`INSERT INTO transcript_segments VALUES ('old', 'en', 0, 0, 4000, 'a gnu'), ('old', 'en', 1, 4000, 8000, 'and a yak')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	pool.Close()

	s := mustOpen(t, cfg)
	page, err := s.Search(ctx, storage.SearchFilter{Q: "gnu yak"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Results[0].Title != "Old video" || page.Results[0].Text != "a gnu and a yak" {
		t.Errorf("search an older database: %+v; want its transcript", page.Results)
	}
	var pending int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("search_pending holds %d rows (%v) after Open; want 0", pending, err)
	}
}

// BenchmarkSearch: RECAP_TEST_POSTGRES_URL=… go test -run '^$' -bench Search -benchtime 1x ./storage/postgres/
// (RECAP_BENCH_SEARCH_HOURS=2000 for the full library;
// RECAP_BENCH_SEARCH_KEEP=schema to build it once in that schema and reuse it).
func BenchmarkSearch(b *testing.B) {
	cfg := testConfig(b)
	if schema := os.Getenv(storagetest.BenchKeepVar); schema != "" {
		if _, err := admin.Exec(b.Context(), `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			b.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	s := mustOpen(b, cfg)
	storagetest.BenchmarkSearch(b, s, func(ctx context.Context) (sz storagetest.SearchSizes, err error) {
		if _, err := s.pool.Exec(ctx, `VACUUM ANALYZE search_entries`); err != nil {
			return sz, err
		}
		err = s.pool.QueryRow(ctx, `SELECT
			(SELECT sum(octet_length(text)) FROM transcript_segments),
			pg_total_relation_size('search_entries_tsv'),
			(SELECT sum(pg_column_size(tsv)) FROM search_entries),
			pg_total_relation_size('search_entries')`).Scan(&sz.Text, &sz.Index, &sz.Vectors, &sz.Total)
		return sz, err
	})
}

// TestSearchCandidateWindows checks that the windows candidates reads
// the index in find the newest matches, whatever their density: the
// same ids as one query over every entry.
func TestSearchCandidateWindows(t *testing.T) {
	s := mustOpen(t, testConfig(t))
	ctx := t.Context()
	defer func(w int64) { firstWindow = w }(firstWindow)
	firstWindow = 2
	for v := range 12 {
		var segs []recap.Segment
		for i := range 18 {
			text := "every cue says common"
			if i%5 == 0 {
				text += " and sometimes"
			}
			if v == 3 && i == 7 {
				text += " once"
			}
			segs = append(segs, recap.Segment{Start: time.Duration(i) * 10 * time.Second, End: time.Duration(i+1) * 10 * time.Second, Text: text})
		}
		if err := s.PutTranscript(ctx, fmt.Sprintf("v%02d", v), recap.Transcript{Language: "en", Segments: segs}); err != nil {
			t.Fatal(err)
		}
	}
	for _, word := range []string{"common", "sometimes", "once", "never"} {
		for _, limit := range []int64{1, 5, 13, 1000} {
			rows, err := s.pool.Query(ctx, `SELECT id FROM search_entries WHERE tsv @@ to_tsquery('english', $1)
				ORDER BY id DESC LIMIT $2`, word, limit)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatal(err)
			}
			cands, err := s.candidates(ctx, `FROM (VALUES ('english'::regconfig, to_tsquery('english', $1))) AS q (cfg, query)
				JOIN search_entries e ON e.cfg = q.cfg AND e.tsv @@ q.query WHERE true`, []any{word}, limit, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range cands {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("candidates %q, limit %d: %v; want %v", word, limit, got, want)
			}
		}
	}
}
