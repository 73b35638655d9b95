package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// seqShift places a video's number above its entries' places in an
// entry id (see search_videos in the migration).
const seqShift = 24

// indexVideo rebuilds the search entries of a video from what tx sees:
// its transcripts and the newest document of each language.
func indexVideo(ctx context.Context, tx *sql.Tx, videoID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_videos (video_id) VALUES (?) ON CONFLICT DO NOTHING`, videoID); err != nil {
		return err
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT seq FROM search_videos WHERE video_id = ?`, videoID).Scan(&seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_entries WHERE video_id = ?`, videoID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE video_id = ?`, videoID); err != nil {
		return err
	}
	var ts []*recap.Transcript
	rows, err := tx.QueryContext(ctx, `SELECT language, source FROM transcripts WHERE video_id = ? ORDER BY language`, videoID)
	if err != nil {
		return err
	}
	for rows.Next() {
		t := &recap.Transcript{}
		if err := rows.Scan(&t.Language, &t.Source); err != nil {
			rows.Close()
			return err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range ts {
		if t.Segments, err = readSegments(ctx, tx, videoID, t.Language); err != nil {
			return err
		}
	}
	docs, err := newestDocuments(ctx, tx, videoID)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO search_entries
		(id, video_id, language, kind, chapter, chapter_title, start_ms, end_ms, text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, e := range storage.SearchEntries(videoID, ts, docs) {
		if _, err := stmt.ExecContext(ctx, seq<<seqShift|int64(i), e.VideoID, e.Language, e.Kind, e.Chapter, e.ChapterTitle,
			e.Start.Milliseconds(), e.End.Milliseconds(), e.Text); err != nil {
			return err
		}
	}
	return nil
}

// newestDocuments returns the video's newest document in each language.
func newestDocuments(ctx context.Context, q querier, videoID string) ([]*recap.Document, error) {
	rows, err := q.QueryContext(ctx, `SELECT body FROM documents d WHERE video_id = ?1
		AND NOT EXISTS (SELECT 1 FROM documents n WHERE n.video_id = ?1 AND n.language = d.language
			AND (n.created_at, n.id) > (d.created_at, d.id))
		ORDER BY language`, videoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var docs []*recap.Document
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		d, err := storage.DecodeDocument([]byte(body))
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// indexPending indexes the videos the search migration listed, a batch of
// them per transaction, so that a large library does not hold the write
// lock for long, then merges the index it built into one segment.
func (s *Store) indexPending(ctx context.Context) error {
	for indexed := 0; ; {
		var ids []string
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT video_id FROM search_pending ORDER BY video_id LIMIT 20`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			if err := rows.Err(); err != nil {
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
		if indexed += len(ids); len(ids) > 0 {
			continue
		}
		if indexed > 0 {
			if _, err := s.write.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("merge the search index: %w", err)
			}
		}
		return nil
	}
}

var (
	shift     = strconv.Itoa(seqShift)
	candLimit = strconv.Itoa(storage.SearchCandidates)
)

// Search runs f on the FTS5 index: bm25 ranks the newest
// storage.SearchCandidates matches, storage.PickPage orders them, and
// Query.Snippet marks the matches in the text of the page's results.
func (s *Store) Search(ctx context.Context, f storage.SearchFilter) (storage.SearchPage, error) {
	plan, err := storage.CheckSearch(f)
	if err != nil {
		return storage.SearchPage{}, err
	}
	match := plan.Query.FTS5()
	args := []any{match}
	from, where := `search_fts`, ``
	if f.VideoID != "" {
		// A rowid range, which FTS5 reads without touching other videos.
		var seq int64
		err := s.read.QueryRowContext(ctx, `SELECT seq FROM search_videos WHERE video_id = ?`, f.VideoID).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return plan.NewSearchPage(nil), nil
		}
		if err != nil {
			return storage.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
		}
		where += ` AND search_fts.rowid BETWEEN ? AND ?`
		args = append(args, seq<<seqShift, (seq+1)<<seqShift-1)
	}
	if f.Language != "" {
		from += ` JOIN search_entries e ON e.id = search_fts.rowid`
		where += ` AND e.language = ?`
		args = append(args, f.Language)
	}
	if f.Channel != "" {
		where += ` AND search_fts.rowid >> ` + shift + ` IN (SELECT seq FROM search_videos s JOIN videos v ON v.id = s.video_id WHERE v.channel = ?)`
		args = append(args, f.Channel)
	}
	// The newest candidates, by rowid, which FTS5 reads in that order and
	// stops at the limit; bm25 is computed for those only. The limit is
	// written out: a bound one would make SQLite plan the query again at
	// each run.
	rows, err := s.read.QueryContext(ctx, `SELECT search_fts.rowid, bm25(search_fts) FROM `+from+`
		WHERE search_fts MATCH ?`+where+` ORDER BY search_fts.rowid DESC LIMIT `+candLimit, args...)
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	var cands []storage.Candidate
	for rows.Next() {
		var c storage.Candidate
		if err := rows.Scan(&c.ID, &c.Score); err != nil {
			rows.Close()
			return storage.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
		}
		c.VideoID = strconv.FormatInt(c.ID>>seqShift, 10)
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return storage.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	ranks := plan.PickPage(cands)
	results, err := s.searchResults(ctx, ranks)
	if err != nil {
		return storage.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	page := plan.NewSearchPage(results)
	for i := range page.Results {
		page.Results[i].Snippet = plan.Query.Snippet(page.Results[i].Text)
	}
	return page, nil
}

// searchResults reads the entries of ranks, in their order.
func (s *Store) searchResults(ctx context.Context, ranks []storage.SearchRank) ([]storage.SearchResult, error) {
	if len(ranks) == 0 {
		return nil, nil
	}
	args := make([]any, len(ranks))
	for i, r := range ranks {
		args[i] = r.ID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.kind, e.video_id, coalesce(v.title, ''), coalesce(v.channel, ''),
			e.language, e.chapter_title, e.start_ms, e.end_ms, e.text
		FROM search_entries e LEFT JOIN videos v ON v.id = e.video_id
		WHERE e.id IN (?`+strings.Repeat(", ?", len(ranks)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var results []storage.SearchResult
	for rows.Next() {
		var r storage.SearchResult
		var start, end int64
		if err := rows.Scan(&r.Rank.ID, &r.Kind, &r.VideoID, &r.Title, &r.Channel,
			&r.Language, &r.ChapterTitle, &start, &end, &r.Text); err != nil {
			return nil, err
		}
		r.Start, r.End = time.Duration(start)*time.Millisecond, time.Duration(end)*time.Millisecond
		results = append(results, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return storage.InRankOrder(ranks, results), nil
}
