package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/recap-dev/recap"
)

// GetChapter returns the cached summary under key; ok is false on a miss.
func (s *Store) GetChapter(ctx context.Context, key string) (recap.ChapterSummary, bool, error) {
	var body string
	err := s.reads.QueryRowContext(ctx, `SELECT summary FROM chapter_cache WHERE key = ?`, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return recap.ChapterSummary{}, false, nil
	}
	if err != nil {
		return recap.ChapterSummary{}, false, fmt.Errorf("sqlite: get chapter: %w", classify(err))
	}
	var cs recap.ChapterSummary
	if err := json.Unmarshal([]byte(body), &cs); err != nil {
		return recap.ChapterSummary{}, false, fmt.Errorf("sqlite: decode cached chapter %q: %w", key, err)
	}
	return cs, true, nil
}

// PutChapter caches a summary under key, replacing any before it.
func (s *Store) PutChapter(ctx context.Context, key string, cs recap.ChapterSummary) error {
	body, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("sqlite: encode chapter: %w", err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO chapter_cache (key, summary, created_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, created_at = excluded.created_at`,
		key, string(body), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("sqlite: put chapter: %w", classify(err))
	}
	return nil
}
