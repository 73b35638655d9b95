package asr_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap/asr"
	"github.com/recap-dev/recap/asr/asrtest"
)

// speechMP3 is audio/testdata/speech.mp3: 947 frames of 36 ms, 144 bytes
// each, at 16 kHz mono (34.092 s).
const speechMP3 = "../audio/testdata/speech.mp3"

const speechDuration = 947 * 576 * time.Second / 16000

// script is the fake's ground truth for speech.mp3: lines of every
// length, some longer than any overlap, with gaps between some.
func script() []asrtest.Line {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return []asrtest.Line{
		{Start: ms(0), End: ms(2600), Text: "Welcome to the recap test episode."},
		{Start: ms(2600), End: ms(5200), Text: "Today we talk about coffee, from the farm to the cup."},
		{Start: ms(5400), End: ms(13800), Text: "First, the beans grow on small trees in warm hills, and pickers take only the red cherries, one by one, by hand, in the early morning."},
		{Start: ms(13800), End: ms(15000), Text: "Second, the seeds are washed,"},
		{Start: ms(15000), End: ms(17100), Text: "dried in the sun for two weeks,"},
		{Start: ms(17100), End: ms(19300), Text: "and roasted until they crack."},
		{Start: ms(19800), End: ms(27900), Text: "Third, a good grinder matters more than an expensive machine, because even grounds brew evenly and taste sweet, not bitter."},
		{Start: ms(28000), End: ms(30500), Text: "Finally, water just off the boil, a clean cup, and patience."},
		{Start: ms(30600), End: ms(33900), Text: "Thank you for listening, and see you next week."},
	}
}

func scriptText() string {
	var parts []string
	for _, l := range script() {
		parts = append(parts, l.Text)
	}
	return strings.Join(parts, " ")
}

func readSpeech(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sleeps records the waits between attempts instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTranscriber makes a Transcriber against srv with test defaults.
func newTranscriber(t testing.TB, srv *asrtest.Server, cfg asr.Config) *asr.Transcriber {
	t.Helper()
	cfg.BaseURL = srv.BaseURL()
	if cfg.Sleep == nil {
		cfg.Sleep = (&sleeps{}).sleep
	}
	if cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
	}
	tr, err := asr.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func copyFile(t testing.TB, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
