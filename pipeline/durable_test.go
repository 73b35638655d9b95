package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// source is a video of n one-minute chapters from its description.
func source(n int) *recap.Source {
	src := &recap.Source{
		Video:      recap.Video{ID: "dQw4w9WgXcQ", Title: "V", Duration: time.Duration(n) * time.Minute},
		Transcript: recap.Transcript{Language: "en", Source: recap.TranscriptYouTube},
	}
	var desc strings.Builder
	for c := range n {
		fmt.Fprintf(&desc, "%s Part %d\n", recap.Timestamp(time.Duration(c)*time.Minute), c+1)
		for s := range 12 {
			start := time.Duration(c)*time.Minute + time.Duration(s)*5*time.Second
			src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{Start: start, End: start + 5*time.Second,
				Text: fmt.Sprintf("part%d sentence %d about topic%d", c+1, s, c+1)})
		}
	}
	src.Video.Description = desc.String()
	return src
}

// slowSummarizer answers after a delay, fails the chapters told, and
// records every call and whether any was cancelled.
type slowSummarizer struct {
	delay     time.Duration
	failAt    map[int]error
	mu        sync.Mutex
	calls     int
	cancelled int
}

func (s *slowSummarizer) SummarizeChapter(ctx context.Context, in ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	select {
	case <-time.After(s.delay * time.Duration(in.Index+1)):
	case <-ctx.Done():
		s.mu.Lock()
		s.cancelled++
		s.mu.Unlock()
		return recap.ChapterSummary{}, recap.Usage{LLMCalls: 1}, ctx.Err()
	}
	if err := s.failAt[in.Index]; err != nil {
		return recap.ChapterSummary{}, recap.Usage{LLMCalls: 1}, err
	}
	return recap.ChapterSummary{Title: fmt.Sprint("T", in.Index), Summary: "S.", Bullets: []string{"a", "b", "c"}}, recap.Usage{LLMCalls: 1}, nil
}

func (s *slowSummarizer) Overview(context.Context, OverviewInput) (Overview, recap.Usage, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return Overview{Text: "O."}, recap.Usage{LLMCalls: 1}, nil
}

func (s *slowSummarizer) Generator() recap.Generator {
	return recap.Generator{Summarizer: "llm", Model: "m", PromptVersion: "p"}
}
func (s *slowSummarizer) Budget() int { return 0 }

// flakyCache is a chapter cache whose database connection drops: the
// first fails calls of each kind fail, then (down) every put fails.
type flakyCache struct {
	mu         sync.Mutex
	m          map[string]recap.ChapterSummary
	getFails   int
	putFails   int
	down       func(key string) bool
	gets, puts int
}

var errDropped = errors.New("write tcp 127.0.0.1:5432: connection reset by peer")

func (c *flakyCache) GetChapter(_ context.Context, key string) (recap.ChapterSummary, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gets++; c.gets <= c.getFails {
		return recap.ChapterSummary{}, false, errDropped
	}
	s, ok := c.m[key]
	return s, ok, nil
}

func (c *flakyCache) PutChapter(_ context.Context, key string, s recap.ChapterSummary) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.puts++; c.puts <= c.putFails || (c.down != nil && c.down(key)) {
		return errDropped
	}
	if c.m == nil {
		c.m = map[string]recap.ChapterSummary{}
	}
	c.m[key] = s
	return nil
}

func (c *flakyCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func fastBackoff(t *testing.T, budget time.Duration) {
	first, maxWait, b := durableFirst, durableMax, durableBudget
	durableFirst, durableMax, durableBudget = time.Millisecond, 10*time.Millisecond, budget
	t.Cleanup(func() { durableFirst, durableMax, durableBudget = first, maxWait, b })
}

// Answers bought while the database connection drops are saved once it
// is back, and none is bought twice.
func TestPaidAnswersSurviveADroppedConnection(t *testing.T) {
	fastBackoff(t, 5*time.Second)
	sum := &slowSummarizer{delay: time.Millisecond}
	cache := &flakyCache{getFails: 2, putFails: 5}
	p := &Pipeline{Loaders: Loaders{recap.SourceYouTube: Loaded{Source: source(4)}}, Summarizer: sum, Cache: cache}
	doc, err := p.Run(context.Background(), YouTubeInput("dQw4w9WgXcQ"), Request{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.calls != 5 || cache.size() != 5 || len(doc.Chapters) != 4 {
		t.Fatalf("%d LLM calls, %d answers kept, %d chapters; want 5, 5 (4 chapters and the overview), 4", sum.calls, cache.size(), len(doc.Chapters))
	}
	// Run again: everything from the cache.
	if _, err := p.Run(context.Background(), YouTubeInput("dQw4w9WgXcQ"), Request{}); err != nil || sum.calls != 5 {
		t.Fatalf("second run: %v, %d LLM calls; want none more", err, sum.calls)
	}
}

// A chapter whose answer cannot be saved (the database stays down) fails
// the run, but cancels no call in flight: the others' answers are kept.
func TestStoreFaultCancelsNoCallInFlight(t *testing.T) {
	fastBackoff(t, 50*time.Millisecond)
	sum := &slowSummarizer{delay: 30 * time.Millisecond}
	src := source(4)
	first := ""
	cache := &flakyCache{}
	cache.down = func(key string) bool {
		if first == "" {
			first = key // the fastest chapter's answer is never saved
		}
		return key == first
	}
	p := &Pipeline{Loaders: Loaders{recap.SourceYouTube: Loaded{Source: src}}, Summarizer: sum, Cache: cache}
	_, err := p.Run(context.Background(), YouTubeInput("dQw4w9WgXcQ"), Request{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("run with the database down: %v; want the store's error", err)
	}
	if sum.cancelled != 0 || sum.calls != 4 || cache.size() != 3 {
		t.Fatalf("%d calls cancelled, %d made, %d answers kept; want 0, 4, 3", sum.cancelled, sum.calls, cache.size())
	}
}

// A chapter the LLM fails stops new calls but cancels none in flight; the
// retry pays only for the failed chapter.
func TestFailedChapterKeepsTheOthers(t *testing.T) {
	sum := &slowSummarizer{delay: 20 * time.Millisecond, failAt: map[int]error{0: errors.New("503 Service Unavailable")}}
	cache := &flakyCache{}
	p := &Pipeline{Loaders: Loaders{recap.SourceYouTube: Loaded{Source: source(4)}}, Summarizer: sum, Cache: cache}
	if _, err := p.Run(context.Background(), YouTubeInput("dQw4w9WgXcQ"), Request{}); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("run: %v; want the 503", err)
	}
	if sum.cancelled != 0 || cache.size() != 3 {
		t.Fatalf("%d calls cancelled, %d answers kept; want 0 and 3", sum.cancelled, cache.size())
	}
	sum.failAt = nil
	calls := sum.calls
	if _, err := p.Run(context.Background(), YouTubeInput("dQw4w9WgXcQ"), Request{}); err != nil {
		t.Fatal(err)
	}
	if got := sum.calls - calls; got != 2 {
		t.Fatalf("the retry made %d LLM calls; want 2 (the failed chapter and the overview)", got)
	}
}

func TestDurableStopsOnAnswers(t *testing.T) {
	fastBackoff(t, time.Second)
	n := 0
	err := Durable(context.Background(), func(context.Context) error { n++; return recap.Errorf(recap.ECONFLICT, "already done") })
	if n != 1 || recap.ErrorCode(err) != recap.ECONFLICT {
		t.Fatalf("Durable on a conflict: %d attempts, %v; want 1", n, err)
	}
	n = 0
	err = Durable(context.Background(), func(context.Context) error {
		if n++; n < 4 {
			return errDropped
		}
		return nil
	})
	if err != nil || n != 4 {
		t.Fatalf("Durable through three faults: %d attempts, %v; want success on the 4th", n, err)
	}
}
