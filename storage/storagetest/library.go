package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// testLibrary: one entry per video, its newest document, newest first,
// paged without gaps or repeats; videos without a document are not in it.
func testLibrary(t *testing.T, e *env) {
	p, err := e.s.ListLibrary(e.ctx, storage.LibraryFilter{})
	must(t, err, "ListLibrary of an empty store")
	if p.Entries == nil || len(p.Entries) != 0 || p.NextCursor != "" {
		t.Errorf("ListLibrary of an empty store = %+v; want no entries, non-nil, no cursor", p)
	}

	store := func(videoID string, created time.Duration, title string) *recap.Document {
		t.Helper()
		j := e.submit(t, videoID, optsKey, true)
		d := newDocument(j.ID, videoID, start.Add(created))
		d.Video.Title = title
		e.finish(t, j, d)
		return d
	}
	store("vidA", 1*time.Hour, "A, first summary")
	store("vidB", 2*time.Hour, "B")
	newestA := store("vidA", 3*time.Hour, "A, second summary")
	store("vidC", 30*time.Minute, "C, old")
	newestC := store("vidC", 4*time.Hour, "C, new")
	onlyD := store("vidD", 2*time.Hour, "D, same time as B") // a tie, ordered by id
	// A job without a document (queued, then failed) is not in the library.
	failed := e.submit(t, "vidE", optsKey, true)
	_, err = e.s.StartJob(e.ctx, failed.ID, Lease)
	must(t, err, "StartJob")
	must(t, e.s.FailJob(e.ctx, failed.ID, Lease.Owner, recap.EINTERNAL, "boom"), "FailJob")
	e.submit(t, "vidF", optsKey, true)

	bDoc, err := e.s.LatestDocument(e.ctx, "vidB")
	must(t, err, "LatestDocument vidB")
	// B and D share a CreatedAt: the larger id comes first.
	second, third := bDoc, onlyD
	if onlyD.ID > bDoc.ID {
		second, third = onlyD, bDoc
	}
	want := []*recap.Document{newestC, newestA, second, third}

	for _, limit := range []int{0, 1, 3, 4} {
		var got []storage.LibraryEntry
		f := storage.LibraryFilter{Limit: limit}
		for pages := 1; ; pages++ {
			if pages > 10 {
				t.Fatalf("limit %d: no last page after 10 pages", limit)
			}
			p, err := e.s.ListLibrary(e.ctx, f)
			must(t, err, fmt.Sprintf("ListLibrary limit %d page %d", limit, pages))
			if limit > 0 && len(p.Entries) > limit {
				t.Fatalf("limit %d: page %d has %d entries", limit, pages, len(p.Entries))
			}
			got = append(got, p.Entries...)
			if p.NextCursor == "" {
				break
			}
			f.Cursor = p.NextCursor
		}
		if len(got) != len(want) {
			t.Fatalf("limit %d: %d entries %+v; want %d", limit, len(got), got, len(want))
		}
		for i, d := range want {
			g := got[i]
			if g.DocumentID != d.ID || !g.CreatedAt.Equal(d.CreatedAt) {
				t.Errorf("limit %d: entry %d is document %s at %v; want %s at %v", limit, i, g.DocumentID, g.CreatedAt, d.ID, d.CreatedAt)
			}
			deepEqual(t, g.Video, d.Video, fmt.Sprintf("limit %d: entry %d's video", limit, i))
		}
	}

	_, err = e.s.ListLibrary(e.ctx, storage.LibraryFilter{Limit: 101})
	wantCode(t, err, recap.EINVALID, "ListLibrary with limit 101")
	_, err = e.s.ListLibrary(e.ctx, storage.LibraryFilter{Cursor: "not a cursor!"})
	wantCode(t, err, recap.EINVALID, "ListLibrary with a bad cursor")
}
