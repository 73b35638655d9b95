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

// PutVideo inserts or replaces a video's metadata. Duration is kept to the
// millisecond.
func (s *Store) PutVideo(ctx context.Context, v recap.Video) error {
	if err := storage.CheckVideo(v); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO videos
		(id, url, title, channel, published_at, duration_ms, thumbnail_url, description, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET
			url = excluded.url, title = excluded.title, channel = excluded.channel,
			published_at = excluded.published_at, duration_ms = excluded.duration_ms,
			thumbnail_url = excluded.thumbnail_url, description = excluded.description,
			updated_at = excluded.updated_at`,
		v.ID, v.URL, v.Title, v.Channel, v.PublishedAt, v.Duration.Milliseconds(), v.ThumbnailURL,
		v.Description, s.now())
	if err != nil {
		return fmt.Errorf("postgres: put video %s: %w", v.ID, classify(err))
	}
	return nil
}

// GetVideo returns a video's metadata.
func (s *Store) GetVideo(ctx context.Context, id string) (*recap.Video, error) {
	var v recap.Video
	var ms int64
	err := s.pool.QueryRow(ctx, `SELECT id, url, title, channel, published_at, duration_ms, thumbnail_url, description
		FROM videos WHERE id = $1`, id).
		Scan(&v.ID, &v.URL, &v.Title, &v.Channel, &v.PublishedAt, &ms, &v.ThumbnailURL, &v.Description)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, recap.Errorf(recap.ENOTFOUND, "video %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get video %s: %w", id, classify(err))
	}
	v.Duration = time.Duration(ms) * time.Millisecond
	return &v, nil
}

// PutTranscript replaces the transcript of (videoID, t.Language): its
// segments, kept to the millisecond, become rows numbered in order, loaded
// with COPY.
func (s *Store) PutTranscript(ctx context.Context, videoID string, t recap.Transcript) error {
	if err := storage.CheckTranscript(videoID, t); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO transcripts (video_id, language, source, updated_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (video_id, language) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
			videoID, t.Language, t.Source, s.now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM transcript_segments WHERE video_id = $1 AND language = $2`,
			videoID, t.Language); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"transcript_segments"},
			[]string{"video_id", "language", "idx", "start_ms", "end_ms", "text"},
			pgx.CopyFromSlice(len(t.Segments), func(i int) ([]any, error) {
				seg := t.Segments[i]
				return []any{videoID, t.Language, i, seg.Start.Milliseconds(), seg.End.Milliseconds(), seg.Text}, nil
			}))
		if err != nil {
			return err
		}
		return indexVideo(ctx, tx, videoID)
	})
	if err != nil {
		return fmt.Errorf("postgres: put transcript %s/%s: %w", videoID, t.Language, classify(err))
	}
	return nil
}

// GetTranscript returns the stored transcript of (videoID, language) with
// its segments in order.
func (s *Store) GetTranscript(ctx context.Context, videoID, language string) (*recap.Transcript, error) {
	t := recap.Transcript{Language: language}
	// REPEATABLE READ, so the header and the segments are of one write.
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT source FROM transcripts WHERE video_id = $1 AND language = $2`,
			videoID, language).Scan(&t.Source)
		if errors.Is(err, pgx.ErrNoRows) {
			return recap.Errorf(recap.ENOTFOUND, "no %q transcript for video %q", language, videoID)
		}
		if err != nil {
			return err
		}
		t.Segments, err = readSegments(ctx, tx, videoID, language)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: get transcript %s/%s: %w", videoID, language, classify(err))
	}
	return &t, nil
}

// readSegments returns the stored segments of (videoID, language) in order.
func readSegments(ctx context.Context, q querier, videoID, language string) ([]recap.Segment, error) {
	rows, err := q.Query(ctx, `SELECT start_ms, end_ms, text FROM transcript_segments
		WHERE video_id = $1 AND language = $2 ORDER BY idx`, videoID, language)
	if err != nil {
		return nil, err
	}
	var segs []recap.Segment
	var start, end int64
	var text string
	_, err = pgx.ForEachRow(rows, []any{&start, &end, &text}, func() error {
		segs = append(segs, recap.Segment{
			Start: time.Duration(start) * time.Millisecond,
			End:   time.Duration(end) * time.Millisecond,
			Text:  text,
		})
		return nil
	})
	return segs, err
}
