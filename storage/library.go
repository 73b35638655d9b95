package storage

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/recap-dev/recap"
)

// LibraryFilter selects a page of the library: the videos that have a
// finished summary.
type LibraryFilter struct {
	Limit int // 1..100; 0 means 20
	// Cursor is the NextCursor of the previous page, "" for the first.
	Cursor string
}

// LibraryEntry is one video of the library, as its newest document shows
// it.
type LibraryEntry struct {
	// DocumentID is the id of the video's newest document (and of the job
	// that made it).
	DocumentID string
	Video      recap.DocumentVideo
	// CreatedAt is when that document was made.
	CreatedAt time.Time
}

// LibraryPage is one page of the library, newest document first.
type LibraryPage struct {
	Entries    []LibraryEntry
	NextCursor string // "" on the last page
}

// CheckLibraryFilter validates f for ListLibrary and returns its page size
// and decoded cursor (nil for the first page). Its errors are
// recap.EINVALID.
func CheckLibraryFilter(f LibraryFilter) (limit int, c *Cursor, err error) {
	return timePage(f.Limit, f.Cursor)
}

// DecodeLibraryVideo reads the "video" object of a stored document, as
// drivers select it for ListLibrary.
func DecodeLibraryVideo(data []byte) (recap.DocumentVideo, error) {
	var v recap.DocumentVideo
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("decode document video: %w", err)
	}
	return v, nil
}

// NewLibraryPage cuts entries, fetched with one row more than limit, to a
// page. Entries is never nil.
func NewLibraryPage(entries []LibraryEntry, limit int) LibraryPage {
	if entries == nil {
		entries = []LibraryEntry{}
	}
	if len(entries) <= limit {
		return LibraryPage{Entries: entries}
	}
	entries = entries[:limit]
	last := entries[limit-1]
	return LibraryPage{Entries: entries, NextCursor: encodeTimeCursor(last.CreatedAt, last.DocumentID)}
}

// encodeTimeCursor makes the opaque cursor of a row ordered by (time, id),
// which DecodeCursor reads.
func encodeTimeCursor(t time.Time, id string) string {
	return encodeOpaque(strconv.FormatInt(t.UnixMicro(), 10) + "," + id)
}
