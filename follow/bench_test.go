package follow

import (
	"context"
	"io"
	"testing"

	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/storage"
)

// BenchmarkFollow5000 follows a 5,000-item batch whose items finish a
// window of 8 at a time, and reports the item pages read per window
// against a full read of every page each time (the baseline, computed in
// the same run): what following a large backlog costs the store or API.
func BenchmarkFollow5000(b *testing.B) {
	const items, window = 5000, 8
	for range b.N {
		src := newFakeSource(items)
		f := &Follower{Source: src, Progress: progress.NewLines(io.Discard)}
		ctx := context.Background()
		if _, err := f.tick(ctx, "b1"); err != nil {
			b.Fatal(err)
		}
		fullScan := src.reads()
		reads, ticks := 0, 0
		for done := 0; done < items; done += window {
			src.set(done, min(done+window, items), storage.ItemDone)
			if next := min(done+window, items); next < items {
				src.set(next, min(next+window, items), storage.ItemRunning)
			}
			if _, err := f.tick(ctx, "b1"); err != nil {
				b.Fatal(err)
			}
			reads += src.reads()
			ticks++
		}
		b.ReportMetric(float64(reads)/float64(ticks), "pages/tick")
		b.ReportMetric(float64(fullScan), "full-pages/tick")
		b.ReportMetric(float64(reads)/float64(ticks*fullScan), "ratio")
	}
}
