package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/recap-dev/recap/storage"
)

// GetASRChunk returns the stored answer for a chunk; ok is false on a miss.
func (s *Store) GetASRChunk(ctx context.Context, k storage.ASRChunkKey) (storage.ASRChunk, bool, error) {
	if err := storage.CheckASRChunkKey(k); err != nil {
		return storage.ASRChunk{}, false, err
	}
	var body string
	err := s.read.QueryRowContext(ctx, `SELECT body FROM asr_chunks
		WHERE model = ? AND language = ? AND hash = ? AND offset_ns = ?`,
		k.Model, k.Language, k.Hash, int64(k.Offset)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.ASRChunk{}, false, nil
	}
	if err != nil {
		return storage.ASRChunk{}, false, fmt.Errorf("sqlite: get ASR chunk: %w", err)
	}
	var c storage.ASRChunk
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return storage.ASRChunk{}, false, fmt.Errorf("sqlite: decode ASR chunk %s@%s: %w", k.Hash, k.Offset, err)
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
		return fmt.Errorf("sqlite: encode ASR chunk: %w", err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO asr_chunks (model, language, hash, offset_ns, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (model, language, hash, offset_ns) DO UPDATE SET body = excluded.body, created_at = excluded.created_at`,
		k.Model, k.Language, k.Hash, int64(k.Offset), string(body), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("sqlite: put ASR chunk: %w", err)
	}
	return nil
}
