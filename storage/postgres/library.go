package postgres

import (
	"context"
	"fmt"

	"github.com/recap-dev/recap/storage"
)

// ListLibrary returns one entry per video that has a document: its newest
// document's id, time and video, newest first.
func (s *Store) ListLibrary(ctx context.Context, f storage.LibraryFilter) (storage.LibraryPage, error) {
	limit, cur, err := storage.CheckLibraryFilter(f)
	if err != nil {
		return storage.LibraryPage{}, err
	}
	q, args := libraryQuery(cur, limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return storage.LibraryPage{}, fmt.Errorf("postgres: list library: %w", err)
	}
	defer rows.Close()
	var entries []storage.LibraryEntry
	for rows.Next() {
		var (
			e   storage.LibraryEntry
			vid []byte
		)
		if err := rows.Scan(&e.DocumentID, &e.CreatedAt, &vid); err != nil {
			return storage.LibraryPage{}, fmt.Errorf("postgres: list library: %w", err)
		}
		e.CreatedAt = e.CreatedAt.UTC()
		if e.Video, err = storage.DecodeLibraryVideo(vid); err != nil {
			return storage.LibraryPage{}, fmt.Errorf("postgres: list library: %w", err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return storage.LibraryPage{}, fmt.Errorf("postgres: list library: %w", err)
	}
	return storage.NewLibraryPage(entries, limit), nil
}

// libraryQuery is the query of a library page, with one row more than
// limit. It walks documents_created_at backwards from the cursor and
// stops once it has the page; a document is its video's newest when no
// document of the video comes after it (documents_video_created_at
// answers that).
func libraryQuery(cur *storage.Cursor, limit int) (string, []any) {
	q := `SELECT d.id, d.created_at, d.body->'video' FROM documents d
		WHERE NOT EXISTS (SELECT 1 FROM documents n
			WHERE n.video_id = d.video_id AND (n.created_at, n.id) > (d.created_at, d.id))`
	args := []any{}
	if cur != nil {
		q += ` AND (d.created_at, d.id) < ($1, $2)`
		args = append(args, cur.CreatedAt, cur.ID)
	}
	q += fmt.Sprintf(` ORDER BY d.created_at DESC, d.id DESC LIMIT $%d`, len(args)+1)
	return q, append(args, limit+1)
}
