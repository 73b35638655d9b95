package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/recap-dev/recap/storage"
)

// GetASRChunk returns the stored answer for a chunk; ok is false on a miss.
func (s *Store) GetASRChunk(ctx context.Context, k storage.ASRChunkKey) (storage.ASRChunk, bool, error) {
	if err := storage.CheckASRChunkKey(k); err != nil {
		return storage.ASRChunk{}, false, err
	}
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM asr_chunks
		WHERE model = $1 AND language = $2 AND hash = $3 AND offset_ns = $4`,
		k.Model, k.Language, k.Hash, int64(k.Offset)).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.ASRChunk{}, false, nil
	}
	if err != nil {
		return storage.ASRChunk{}, false, fmt.Errorf("postgres: get ASR chunk: %w", err)
	}
	var c storage.ASRChunk
	if err := json.Unmarshal(body, &c); err != nil {
		return storage.ASRChunk{}, false, fmt.Errorf("postgres: decode ASR chunk %s@%s: %w", k.Hash, k.Offset, err)
	}
	return c, true, nil
}

// PutASRChunk stores the answer for a chunk, replacing any before it.
func (s *Store) PutASRChunk(ctx context.Context, k storage.ASRChunkKey, c storage.ASRChunk) error {
	if err := storage.CheckASRChunkKey(k); err != nil {
		return err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: encode ASR chunk: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO asr_chunks (model, language, hash, offset_ns, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (model, language, hash, offset_ns) DO UPDATE SET body = excluded.body, created_at = excluded.created_at`,
		k.Model, k.Language, k.Hash, int64(k.Offset), body, s.now())
	if err != nil {
		return fmt.Errorf("postgres: put ASR chunk: %w", err)
	}
	return nil
}
