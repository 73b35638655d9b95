package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// insertDocument stores doc, the product of job j; see
// storage.EncodeDocument.
func insertDocument(ctx context.Context, tx pgx.Tx, j *storage.Job, doc *recap.Document, now time.Time) error {
	r, err := storage.EncodeDocument(j, doc, now)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO documents
		(id, video_id, language, summarizer, model, prompt_version, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.VideoID, r.Language, r.Summarizer, r.Model, r.PromptVersion, r.Body, r.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert document: %w", err)
	}
	return nil
}

// GetDocument returns the document of job id.
func (s *Store) GetDocument(ctx context.Context, id string) (*recap.Document, error) {
	d, err := s.findDocument(ctx, `id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get document %s: %w", id, classify(err))
	}
	if d == nil {
		return nil, recap.Errorf(recap.ENOTFOUND, "document %q not found", id)
	}
	return d, nil
}

// LatestDocument returns the video's document with the newest CreatedAt.
func (s *Store) LatestDocument(ctx context.Context, videoID string) (*recap.Document, error) {
	d, err := s.findDocument(ctx, `video_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, videoID)
	if err != nil {
		return nil, fmt.Errorf("postgres: latest document of %s: %w", videoID, classify(err))
	}
	if d == nil {
		return nil, recap.Errorf(recap.ENOTFOUND, "no document for video %q", videoID)
	}
	return d, nil
}

// FindDocument returns the newest document stored under key.
func (s *Store) FindDocument(ctx context.Context, key storage.DocumentKey) (*recap.Document, error) {
	d, err := s.findDocument(ctx, `video_id = $1 AND language = $2 AND summarizer = $3 AND model = $4 AND prompt_version = $5
		ORDER BY created_at DESC, id DESC LIMIT 1`,
		key.VideoID, key.Language, key.Summarizer, key.Model, key.PromptVersion)
	if err != nil {
		return nil, fmt.Errorf("postgres: find document: %w", classify(err))
	}
	if d == nil {
		return nil, recap.Errorf(recap.ENOTFOUND, "no document for video %q, language %q, summarizer %q, model %q, prompt %q",
			key.VideoID, key.Language, key.Summarizer, key.Model, key.PromptVersion)
	}
	return d, nil
}

// findDocument returns the first document matching where, or nil.
func (s *Store) findDocument(ctx context.Context, where string, args ...any) (*recap.Document, error) {
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM documents WHERE `+where, args...).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return storage.DecodeDocument(body)
}
