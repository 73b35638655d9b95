package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/recap-dev/recap"
)

// GetChapter returns the cached summary under key; ok is false on a miss.
func (s *Store) GetChapter(ctx context.Context, key string) (recap.ChapterSummary, bool, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT summary FROM chapter_cache WHERE key = $1`, key).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return recap.ChapterSummary{}, false, nil
	}
	if err != nil {
		return recap.ChapterSummary{}, false, fmt.Errorf("postgres: get chapter: %w", classify(err))
	}
	var cs recap.ChapterSummary
	if err := json.Unmarshal(body, &cs); err != nil {
		return recap.ChapterSummary{}, false, fmt.Errorf("postgres: decode cached chapter %q: %w", key, err)
	}
	return cs, true, nil
}

// PutChapter caches a summary under key, replacing any before it.
func (s *Store) PutChapter(ctx context.Context, key string, cs recap.ChapterSummary) error {
	body, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("postgres: encode chapter: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO chapter_cache (key, summary, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, created_at = excluded.created_at`,
		key, body, s.now())
	if err != nil {
		return fmt.Errorf("postgres: put chapter: %w", classify(err))
	}
	return nil
}
