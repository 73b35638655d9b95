package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// PutVideo inserts or replaces a video's metadata. Duration is kept to the
// millisecond.
func (s *Store) PutVideo(ctx context.Context, v recap.Video) error {
	if err := storage.CheckVideo(v); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO videos
		(id, url, title, channel, published_at, duration_ms, thumbnail_url, description, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			url = excluded.url, title = excluded.title, channel = excluded.channel,
			published_at = excluded.published_at, duration_ms = excluded.duration_ms,
			thumbnail_url = excluded.thumbnail_url, description = excluded.description,
			updated_at = excluded.updated_at`,
		v.ID, v.URL, v.Title, v.Channel, v.PublishedAt, v.Duration.Milliseconds(), v.ThumbnailURL,
		v.Description, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("sqlite: put video %s: %w", v.ID, classify(err))
	}
	return nil
}

// GetVideo returns a video's metadata.
func (s *Store) GetVideo(ctx context.Context, id string) (*recap.Video, error) {
	var v recap.Video
	var ms int64
	err := s.reads.QueryRowContext(ctx, `SELECT id, url, title, channel, published_at, duration_ms, thumbnail_url, description
		FROM videos WHERE id = ?`, id).
		Scan(&v.ID, &v.URL, &v.Title, &v.Channel, &v.PublishedAt, &ms, &v.ThumbnailURL, &v.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recap.Errorf(recap.ENOTFOUND, "video %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get video %s: %w", id, classify(err))
	}
	v.Duration = time.Duration(ms) * time.Millisecond
	return &v, nil
}

// PutTranscript replaces the transcript of (videoID, t.Language): its
// segments, kept to the millisecond, become rows numbered in order.
func (s *Store) PutTranscript(ctx context.Context, videoID string, t recap.Transcript) error {
	if err := storage.CheckTranscript(videoID, t); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO transcripts (video_id, language, source, updated_at)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (video_id, language) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
			videoID, t.Language, t.Source, formatTime(s.now())); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM transcript_segments WHERE video_id = ? AND language = ?`,
			videoID, t.Language); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO transcript_segments
			(video_id, language, idx, start_ms, end_ms, text) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, seg := range t.Segments {
			if _, err := stmt.ExecContext(ctx, videoID, t.Language, i,
				seg.Start.Milliseconds(), seg.End.Milliseconds(), seg.Text); err != nil {
				return err
			}
		}
		return indexVideo(ctx, tx, videoID)
	})
	if err != nil {
		return fmt.Errorf("sqlite: put transcript %s/%s: %w", videoID, t.Language, classify(err))
	}
	return nil
}

// GetTranscript returns the stored transcript of (videoID, language) with
// its segments in order.
func (s *Store) GetTranscript(ctx context.Context, videoID, language string) (*recap.Transcript, error) {
	// One read transaction, so the header and the segments are of one write.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get transcript: %w", classify(err))
	}
	defer tx.Rollback()

	t := recap.Transcript{Language: language}
	err = tx.QueryRowContext(ctx, `SELECT source FROM transcripts WHERE video_id = ? AND language = ?`,
		videoID, language).Scan(&t.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, recap.Errorf(recap.ENOTFOUND, "no %q transcript for video %q", language, videoID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get transcript %s/%s: %w", videoID, language, classify(err))
	}
	if t.Segments, err = readSegments(ctx, tx, videoID, language); err != nil {
		return nil, fmt.Errorf("sqlite: get transcript %s/%s: %w", videoID, language, classify(err))
	}
	return &t, nil
}

// readSegments returns the stored segments of (videoID, language) in order.
func readSegments(ctx context.Context, q querier, videoID, language string) ([]recap.Segment, error) {
	rows, err := q.QueryContext(ctx, `SELECT start_ms, end_ms, text FROM transcript_segments
		WHERE video_id = ? AND language = ? ORDER BY idx`, videoID, language)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var segs []recap.Segment
	for rows.Next() {
		var start, end int64
		var seg recap.Segment
		if err := rows.Scan(&start, &end, &seg.Text); err != nil {
			return nil, err
		}
		seg.Start, seg.End = time.Duration(start)*time.Millisecond, time.Duration(end)*time.Millisecond
		segs = append(segs, seg)
	}
	return segs, rows.Err()
}
