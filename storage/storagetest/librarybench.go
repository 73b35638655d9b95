package storagetest

import (
	"fmt"
	"testing"

	"github.com/recap-dev/recap/storage"
)

// BenchmarkLibrary times ListLibrary on s, which the driver has filled
// with a large library: the first page of 24 and the page 1,000 entries
// in, first as s is, then, as the in-run baseline, after dropIndex
// (which drops the index the library walks).
func BenchmarkLibrary(b *testing.B, s storage.Store, dropIndex func() error) {
	deep := storage.LibraryFilter{Limit: 24}
	for range 10 {
		p, err := s.ListLibrary(b.Context(), storage.LibraryFilter{Limit: 100, Cursor: deep.Cursor})
		if err != nil {
			b.Fatal(err)
		}
		deep.Cursor = p.NextCursor
	}
	for _, index := range []bool{true, false} {
		if !index {
			if err := dropIndex(); err != nil {
				b.Fatal(err)
			}
		}
		for _, page := range []struct {
			name string
			f    storage.LibraryFilter
		}{{"first", storage.LibraryFilter{Limit: 24}}, {"page42", deep}} {
			b.Run(fmt.Sprintf("%s/index=%v", page.name, index), func(b *testing.B) {
				for b.Loop() {
					if _, err := s.ListLibrary(b.Context(), page.f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
