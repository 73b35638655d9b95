package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// tsConfigs maps a language (its primary subtag) to the text-search
// configuration that stems it; every other language is "simple". These
// configurations ship with PostgreSQL 12 and later.
var tsConfigs = map[string]string{
	"ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
	"fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian", "id": "indonesian", "it": "italian",
	"lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian",
	"pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}

// tsConfig returns the text-search configuration of a language tag such
// as "en", "en-US" or "pt_BR".
func tsConfig(language string) string {
	base, _, _ := strings.Cut(strings.ToLower(language), "-")
	base, _, _ = strings.Cut(base, "_")
	if c, ok := tsConfigs[base]; ok {
		return c
	}
	return "simple"
}

// searchLockKey is the first key of the advisory lock that serializes the
// indexing of one video ("recs"); the second is a hash of its id.
const searchLockKey = 0x72656373

// headlineOptions make ts_headline mark matches as storage.ParseMarked
// reads them, in a fragment about as long as SQLite's snippet.
var headlineOptions = fmt.Sprintf(`StartSel="%s", StopSel="%s", MaxWords=24, MinWords=12`, storage.MarkOpen, storage.MarkClose)

// indexVideo rebuilds the search entries of a video from what tx sees:
// its transcripts and the newest document of each language. Concurrent
// calls for one video take turns, so that neither adds to the other's.
func indexVideo(ctx context.Context, tx pgx.Tx, videoID string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, hashtext($2))`, searchLockKey, videoID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM search_entries WHERE video_id = $1`, videoID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM search_pending WHERE video_id = $1`, videoID); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT language, source FROM transcripts WHERE video_id = $1 ORDER BY language`, videoID)
	if err != nil {
		return err
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*recap.Transcript, error) {
		t := &recap.Transcript{}
		return t, row.Scan(&t.Language, &t.Source)
	})
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Segments, err = readSegments(ctx, tx, videoID, t.Language); err != nil {
			return err
		}
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT ON (language) body FROM documents WHERE video_id = $1
		ORDER BY language, created_at DESC, id DESC`, videoID)
	if err != nil {
		return err
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*recap.Document, error) {
		var body []byte
		if err := row.Scan(&body); err != nil {
			return nil, err
		}
		return storage.DecodeDocument(body)
	})
	if err != nil {
		return err
	}

	entries := storage.SearchEntries(videoID, ts, docs)
	if len(entries) == 0 {
		return nil
	}
	n := len(entries)
	var (
		langs, kinds, titles, texts, cfgs, folded = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		chapters                                  = make([]int32, n)
		starts, ends                              = make([]int64, n), make([]int64, n)
	)
	for i, e := range entries {
		langs[i], kinds[i], chapters[i], titles[i] = e.Language, e.Kind, int32(e.Chapter), e.ChapterTitle
		starts[i], ends[i], texts[i] = e.Start.Milliseconds(), e.End.Milliseconds(), e.Text
		cfgs[i], folded[i] = tsConfig(e.Language), storage.FoldSearchText(e.Text)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO search_configs (cfg) SELECT DISTINCT c::regconfig FROM unnest($1::text[]) AS c
		ON CONFLICT DO NOTHING`, cfgs); err != nil {
		return err
	}
	// One statement for all: the server makes each tsvector.
	_, err = tx.Exec(ctx, `INSERT INTO search_entries
		(video_id, language, kind, chapter, chapter_title, start_ms, end_ms, text, cfg, tsv)
		SELECT $1, u.language, u.kind, u.chapter, u.chapter_title, u.start_ms, u.end_ms, u.text,
			u.cfg::regconfig, to_tsvector(u.cfg::regconfig, u.folded)
		FROM unnest($2::text[], $3::text[], $4::int4[], $5::text[], $6::int8[], $7::int8[], $8::text[], $9::text[], $10::text[])
			AS u (language, kind, chapter, chapter_title, start_ms, end_ms, text, cfg, folded)`,
		videoID, langs, kinds, chapters, titles, starts, ends, texts, cfgs, folded)
	return err
}

// indexPending indexes the videos the search migration listed, a batch of
// them per transaction. Processes opening the database at once share the
// work: each skips the rows another has locked.
func indexPending(ctx context.Context, pool *pgxpool.Pool) error {
	for {
		var ids []string
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT video_id FROM search_pending ORDER BY video_id LIMIT 20 FOR UPDATE SKIP LOCKED`)
			if err != nil {
				return err
			}
			if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				return err
			}
			for _, id := range ids {
				if err := indexVideo(ctx, tx, id); err != nil {
					return fmt.Errorf("video %s: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("index stored videos for search: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
	}
}

// searchConfigs returns the text-search configurations a search must
// query: the filter's language's, or every one entries are in.
func (s *Store) searchConfigs(ctx context.Context, language string) ([]string, error) {
	if language != "" {
		return []string{tsConfig(language)}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT cfg::text FROM search_configs ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Search runs f on the tsvector index: each configuration in use parses
// the query its own way (to_tsquery), ts_rank_cd ranks the matches, a
// window function numbers each video's matches to make the tiers, and
// ts_headline marks the matches of the page's results.
func (s *Store) Search(ctx context.Context, f storage.SearchFilter) (storage.SearchPage, error) {
	plan, err := storage.CheckSearch(f)
	if err != nil {
		return storage.SearchPage{}, err
	}
	cfgs, err := s.searchConfigs(ctx, f.Language)
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	if len(cfgs) == 0 { // nothing stored
		return plan.NewSearchPage(nil), nil
	}
	tsq := plan.Query.TSQuery()
	args := []any{tsq}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// Configuration names come from tsConfigs, never from the request.
	var values []string
	for _, c := range cfgs {
		values = append(values, fmt.Sprintf(`('%[1]s'::regconfig, to_tsquery('%[1]s'::regconfig, $1))`, c))
	}
	where := ""
	if f.VideoID != "" {
		where += ` AND e.video_id = ` + arg(f.VideoID)
	}
	if f.Language != "" {
		where += ` AND e.language = ` + arg(f.Language)
	}
	if f.Channel != "" {
		where += ` AND e.video_id IN (SELECT id FROM videos WHERE channel = ` + arg(f.Channel) + `)`
	}
	cands, err := s.candidates(ctx, `FROM (VALUES `+strings.Join(values, ", ")+`) AS q (cfg, query)
		JOIN search_entries e ON e.cfg = q.cfg AND e.tsv @@ q.query
		WHERE true`+where, args, storage.SearchCandidates, f.VideoID == "")
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	ranks := plan.PickPage(cands)
	ids := make([]int64, len(ranks))
	for i, r := range ranks {
		ids[i] = r.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.kind, e.video_id, coalesce(v.title, ''), coalesce(v.channel, ''),
			e.language, e.chapter_title, e.start_ms, e.end_ms, e.text, e.cfg::text
		FROM search_entries e LEFT JOIN videos v ON v.id = e.video_id
		WHERE e.id = ANY($1)`, ids)
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	cfgOf := map[int64]string{}
	results, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.SearchResult, error) {
		var r storage.SearchResult
		var start, end int64
		var cfg string
		err := row.Scan(&r.Rank.ID, &r.Kind, &r.VideoID, &r.Title, &r.Channel,
			&r.Language, &r.ChapterTitle, &start, &end, &r.Text, &cfg)
		r.Start, r.End = time.Duration(start)*time.Millisecond, time.Duration(end)*time.Millisecond
		cfgOf[r.Rank.ID] = cfg
		return r, err
	})
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	results = storage.InRankOrder(ranks, results)
	page := plan.NewSearchPage(results)
	rowCfgs := make([]string, len(page.Results))
	for i, r := range page.Results {
		rowCfgs[i] = cfgOf[r.Rank.ID]
	}
	if err := s.headlines(ctx, tsq, page.Results, rowCfgs); err != nil {
		return storage.SearchPage{}, fmt.Errorf("postgres: search headlines: %w", err)
	}
	return page, nil
}

// firstWindow is how many of the newest entry ids candidates looks at
// first; the next window is as wide as the density of the matches so far
// says the rest needs.
var firstWindow int64 = 1 << 14 // a variable for tests

// candidates returns the newest limit matches of the search in fromWhere
// (which reads e, the entries, and q.query, the query, with args), ranked
// by ts_rank_cd.
//
// The GIN index gives every match at once, in no order, and finding the
// newest among them would read every match's row: for a common word in a
// large library, a good part of the table. In windows (a range of ids
// that the primary key gives as a bitmap to AND with the index's), from
// the newest back, only the rows of the matches that make the cut, and of
// those in the last window, are read. A search narrowed to one video
// (which the video index bounds) looks at every id at once.
func (s *Store) candidates(ctx context.Context, fromWhere string, args []any, limit int64, windowed bool) ([]storage.Candidate, error) {
	// The window is (lo, hi]; the last one has no lower bound.
	top, lo, hi := int64(0), int64(math.MinInt64), int64(math.MaxInt64)
	if windowed {
		if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM search_entries`).Scan(&top); err != nil {
			return nil, err
		}
		lo, hi = top-firstWindow, top
	}
	// Each window's query is planned for its bounds (QueryExecModeExec:
	// an unnamed statement), so that a narrow one ANDs the key's bitmap
	// and the widest, without a lower bound, does not.
	args = append([]any{pgx.QueryExecModeExec}, args...)
	query := func(n int64) string {
		var cond string
		if lo > math.MinInt64 {
			cond = fmt.Sprintf(` AND e.id > %d`, lo)
		}
		if hi < math.MaxInt64 {
			cond += fmt.Sprintf(` AND e.id <= %d`, hi)
		}
		// ts_rank_cd, a good part of the cost of a row, only for the
		// rows that make the cut.
		return `SELECT id, video_id, -ts_rank_cd(tsv, query)::float8 FROM (SELECT e.id, e.video_id, e.tsv, q.query ` +
			fromWhere + cond + ` ORDER BY e.id DESC LIMIT ` + strconv.FormatInt(n, 10) + `) AS m ORDER BY id DESC`
	}
	var cands []storage.Candidate
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// Bitmaps only: the planner would otherwise walk the key
		// backwards and test every row of a window, or of the table,
		// against the query.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
			return err
		}
		for {
			if lo <= 0 {
				lo = math.MinInt64
			}
			rows, err := tx.Query(ctx, query(limit-int64(len(cands))), args...)
			if err != nil {
				return err
			}
			cands, err = pgx.AppendRows(cands, rows, func(row pgx.CollectableRow) (storage.Candidate, error) {
				var c storage.Candidate
				return c, row.Scan(&c.ID, &c.VideoID, &c.Score)
			})
			if err != nil {
				return err
			}
			if int64(len(cands)) >= limit || lo == math.MinInt64 {
				return nil
			}
			// The next window is as wide as the rest needs at the
			// density of the matches so far, and a quarter more. A key
			// range costs for every id in it, so a window that would
			// hold most of the ids left, or that follows one without
			// a match (a rare word), is the last.
			n := int64(len(cands))
			if n == 0 {
				hi, lo = lo, math.MinInt64
				continue
			}
			width := max((top-lo)*(limit-n)/n*5/4, firstWindow)
			hi, lo = lo, lo-width
			if lo < hi/2 {
				lo = math.MinInt64
			}
		}
	})
	return cands, err
}

// headlines sets the snippet of each result with ts_headline. It runs on
// the folded text, as indexed, so that "cafe" marks "café"; the folding
// keeps every rune in place, which maps the marks back to the text.
func (s *Store) headlines(ctx context.Context, tsq string, results []storage.SearchResult, cfgs []string) error {
	if len(results) == 0 {
		return nil
	}
	folded := make([]string, len(results))
	for i, r := range results {
		folded[i] = storage.FoldSearchText(r.Text)
	}
	rows, err := s.pool.Query(ctx, `SELECT ts_headline(u.cfg::regconfig, u.folded, to_tsquery(u.cfg::regconfig, $1), $2)
		FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u (folded, cfg, i) ORDER BY u.i`,
		tsq, headlineOptions, folded, cfgs)
	if err != nil {
		return err
	}
	heads, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for i, h := range heads {
		results[i].Snippet = storage.ParseMarked(unfoldHeadline(results[i].Text, folded[i], h))
	}
	return nil
}

// unfoldHeadline returns the part of text that headline, a fragment of
// folded (text folded rune for rune) with marks, shows: text's own runes
// with the marks at the same places, and "…" where the fragment cuts the
// text. A headline that is not a fragment of folded gives text unmarked.
func unfoldHeadline(text, folded, headline string) string {
	plain := strings.NewReplacer(storage.MarkOpen, "", storage.MarkClose, "").Replace(headline)
	at := strings.Index(folded, plain)
	if at < 0 {
		return text
	}
	orig := []rune(text)
	first := utf8.RuneCountInString(folded[:at]) // the fragment's first rune in text
	var b strings.Builder
	if first > 0 {
		b.WriteString("…")
	}
	i := first
	for _, r := range headline {
		if s := string(r); s == storage.MarkOpen || s == storage.MarkClose {
			b.WriteString(s)
			continue
		}
		b.WriteRune(orig[i])
		i++
	}
	if i < len(orig) {
		b.WriteString("…")
	}
	return b.String()
}
