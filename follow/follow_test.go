package follow

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/outdir"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/storage"
)

// fakeSource is a batch in memory whose items tests move along.
type fakeSource struct {
	mu        sync.Mutex
	batch     storage.Batch
	items     []*storage.BatchItem
	pageReads int
}

func newFakeSource(n int) *fakeSource {
	s := &fakeSource{batch: storage.Batch{ID: "b1", Title: "Shore [talks]", Status: storage.BatchRunning, Total: n}}
	for i := range n {
		s.items = append(s.items, &storage.BatchItem{BatchID: "b1", Position: i, ItemID: fmt.Sprintf("it%09d", i), Title: fmt.Sprintf("Talk %d", i), Status: storage.ItemPending})
	}
	return s
}

// set gives items [from, to) a status.
func (s *fakeSource) set(from, to int, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range s.items[from:to] {
		it.Status = status
		if status != storage.ItemPending {
			it.JobID = "job-" + it.ItemID
		}
		if status == storage.ItemFailed {
			it.ErrorCode, it.Error = recap.ENOCAPTIONS, "no captions"
		}
	}
}

func (s *fakeSource) Batch(ctx context.Context, id string) (*storage.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batch
	b.Counts = storage.NewCounts()
	finished := 0
	for _, it := range s.items {
		b.Counts[it.Status]++
		if final(it.Status) {
			finished++
		}
	}
	if finished == len(s.items) {
		b.Status = storage.BatchDone
	}
	b.Usage.PromptTokens = 10 * b.Counts[storage.ItemDone]
	return &b, nil
}

func (s *fakeSource) Items(ctx context.Context, f storage.BatchItemFilter) (storage.BatchItemPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageReads++
	start := 0
	if f.Cursor != "" {
		fmt.Sscan(f.Cursor, &start)
	}
	end := min(start+f.Limit, len(s.items))
	page := storage.BatchItemPage{}
	for _, it := range s.items[start:end] {
		c := *it
		page.Items = append(page.Items, &c)
	}
	if end < len(s.items) {
		page.NextCursor = fmt.Sprint(end)
	}
	return page, nil
}

func (s *fakeSource) reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.pageReads
	s.pageReads = 0
	return n
}

func (s *fakeSource) Document(ctx context.Context, jobID, format string) (*recap.Document, []byte, error) {
	id := strings.TrimPrefix(jobID, "job-")
	doc := &recap.Document{ID: jobID, Video: recap.DocumentVideo{ID: id, Title: "Talk " + id, PublishedAt: "2024-05-06", DurationSeconds: 60}}
	return doc, []byte("# " + id + "\n"), nil
}

func TestFollowReadsOnlyWhatCanChange(t *testing.T) {
	src := newFakeSource(250)
	var lines bytes.Buffer
	dir, err := outdir.New(t.TempDir(), "md")
	if err != nil {
		t.Fatal(err)
	}
	f := &Follower{Source: src, Progress: progress.NewLines(&lines), OutDir: dir}
	ctx := context.Background()
	tick := func() (bool, int) {
		t.Helper()
		ended, err := f.tick(ctx, "b1")
		if err != nil {
			t.Fatal(err)
		}
		return ended, src.reads()
	}
	if _, reads := tick(); reads != 3 {
		t.Fatalf("first read: %d pages, want all 3", reads)
	}
	if _, reads := tick(); reads != 0 {
		t.Fatalf("nothing finished: %d pages read", reads)
	}
	src.set(0, 5, storage.ItemDone)
	src.set(5, 7, storage.ItemRunning)
	if _, reads := tick(); reads != 1 {
		t.Fatalf("5 done on the first page: %d pages read, want 1", reads)
	}
	src.set(5, 150, storage.ItemDone)
	src.set(100, 101, storage.ItemFailed)
	src.set(150, 152, storage.ItemRunning)
	if _, reads := tick(); reads != 2 {
		t.Fatalf("150 finished: %d pages read, want 2 (the first settles, the second has the running ones; the third has not started)", reads)
	}
	src.set(150, 250, storage.ItemDone)
	ended, reads := tick()
	if !ended || reads != 2 {
		t.Fatalf("all done: ended %v after %d page reads; want ended, 2 reads (the last two pages)", ended, reads)
	}
	r, err := f.Finish(ctx, "b1", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete() || r.Written != 249 || len(r.Items) != 1 || r.Items[0].Position != 100 {
		t.Fatalf("report: complete %v, %d written, items %+v", r.Complete(), r.Written, r.Items)
	}
	if n := strings.Count(lines.String(), " done "); n != 249 {
		t.Errorf("%d done lines, want 249", n)
	}
	if !strings.Contains(lines.String(), "recap: 101/250 failed it000000100 \"Talk 100\": no_captions: no captions\n") &&
		!strings.Contains(lines.String(), "failed it000000100 \"Talk 100\": no_captions: no captions\n") {
		t.Errorf("no line for the failure:\n%.2000s", lines.String())
	}
	index, err := os.ReadFile(filepath.Join(dir.Path, outdir.IndexName))
	if err != nil {
		t.Fatal(err)
	}
	entries := strings.Split(strings.TrimSpace(string(index)), "\n")[4:]
	if len(entries) != 250 || !strings.Contains(entries[100], "failed: no\\_captions: no captions") ||
		!strings.HasPrefix(entries[0], "- [Talk it000000000](<2024-05-06-talk-it000000000-it000000000.md>)") {
		t.Fatalf("index: %d entries; 1st %q, 101st %q", len(entries), entries[0], entries[100])
	}
	if !strings.HasPrefix(string(index), "# Shore \\[talks\\]\n") {
		t.Errorf("index heading: %.40q", index)
	}
	var out bytes.Buffer
	r.Write(&out)
	for _, want := range []string{"Shore [talks] (batch b1): done\n", "wall time: ", "249 done · 1 failed (250 items)", "failed   #101 it000000100 \"Talk 100\": no_captions: no captions",
		"usage: 0 LLM calls · 2490 prompt", "249 files written by this run", "try the failed items again"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFollowResumedIsQuietAboutEarlierItems(t *testing.T) {
	src := newFakeSource(10)
	src.set(0, 4, storage.ItemDone)
	src.set(4, 5, storage.ItemSkipped)
	var lines bytes.Buffer
	dir, _ := outdir.New(t.TempDir(), "md")
	f := &Follower{Source: src, Progress: progress.NewLines(&lines), OutDir: dir, Resumed: true, Interval: time.Millisecond}
	go func() {
		time.Sleep(20 * time.Millisecond)
		src.set(5, 10, storage.ItemDone)
	}()
	if err := f.Follow(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	r, err := f.Finish(context.Background(), "b1", false)
	if err != nil {
		t.Fatal(err)
	}
	got := lines.String()
	if !strings.Contains(got, "continuing batch b1: 5 of 10 items finished before") || strings.Count(got, " done ") != 5 ||
		strings.Contains(got, "it000000003") || strings.Contains(got, "skipped") {
		t.Errorf("lines:\n%s", got)
	}
	if !strings.Contains(got, "recap: 6/10 done it000000005") {
		t.Errorf("the first item of this run is not counted after the earlier ones:\n%s", got)
	}
	if !r.Complete() || r.Written != 9 {
		t.Errorf("report: complete %v, %d written (the earlier files are written again)", r.Complete(), r.Written)
	}
}

func TestSpeed(t *testing.T) {
	var s speed
	now := time.Now()
	if s.eta(10) != 0 {
		t.Fatal("an ETA without samples")
	}
	s.add(now.Add(-100*time.Second), 0)
	s.add(now.Add(-50*time.Second), 5)
	s.add(now.Add(-50*time.Second), 5) // no change: no sample
	if len(s.samples) != 2 {
		t.Fatalf("samples %v", s.samples)
	}
	// 5 items in 100 s: 20 s each.
	if eta := s.eta(10); eta < 199*time.Second || eta > 201*time.Second {
		t.Errorf("eta = %v, want about 200s", eta)
	}
	// Samples older than the window go (the last two stay whatever).
	s.samples = []sample{{now.Add(-2 * Window), 0}, {now.Add(-Window / 2), 10}, {now, 20}}
	s.add(now.Add(time.Second), 21)
	if s.samples[0].finished != 10 {
		t.Errorf("samples older than the window kept: %v", s.samples)
	}
}
