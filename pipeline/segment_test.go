package pipeline

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// synth generates transcripts whose topic changes are known: each topic has
// its own vocabulary, mixed with English function words and a vocabulary
// shared by all topics, so that only the topic words tell topics apart.
type synth struct {
	rng     *rand.Rand
	topics  [][]string
	general []string
	// Segments last segMs+[0, segSpreadMs) ms and hold
	// wordsMin+[0, wordsSpread) words.
	segMs, segSpreadMs, wordsMin, wordsSpread int
}

var synthStop = strings.Fields("the a of and to in is it that we you this for on with as be are was so but they at have not or what just there")

func newSynth(seed uint64, topics int) *synth {
	s := &synth{rng: rand.New(rand.NewPCG(seed, 7)), segMs: 2000, segSpreadMs: 3000, wordsMin: 6, wordsSpread: 6}
	for range topics {
		s.topics = append(s.topics, s.vocab(60))
	}
	s.general = s.vocab(300)
	return s
}

func (s *synth) vocab(n int) []string {
	syl := strings.Fields("ka lo mi ne ru sa ti po ve da fu gi ho ja ze bo wi")
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range 2 + s.rng.IntN(3) {
			b.WriteString(syl[s.rng.IntN(len(syl))])
		}
		out[i] = b.String()
	}
	return out
}

// transcript returns segments covering total; changes are the
// times where the topic switches to the next one (cycling through the
// topics).
func (s *synth) transcript(total time.Duration, changes []time.Duration) []recap.Segment {
	var segs []recap.Segment
	topic := 0
	for t := time.Duration(0); t < total; {
		for topic < len(changes) && changes[topic] <= t {
			topic++
		}
		voc := s.topics[topic%len(s.topics)]
		d := time.Duration(s.segMs+s.rng.IntN(s.segSpreadMs)) * time.Millisecond
		var words []string
		for range s.wordsMin + s.rng.IntN(s.wordsSpread) {
			switch u := s.rng.Float64(); {
			case u < 0.45:
				words = append(words, synthStop[s.rng.IntN(len(synthStop))])
			case u < 0.80:
				words = append(words, s.general[s.rng.IntN(len(s.general))])
			default:
				// Zipf-like: a few words of each topic recur often.
				f := s.rng.Float64()
				words = append(words, voc[int(f*f*float64(len(voc)))])
			}
		}
		segs = append(segs, recap.Segment{Start: t, End: min(t+d, total), Text: strings.Join(words, " ")})
		t += d
	}
	return segs
}

func mins(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

// checkCover asserts that chapters are contiguous, cover [0, duration] and
// hold every segment exactly once, in order.
func checkCover(t *testing.T, chs []recap.Chapter, segs []recap.Segment, duration time.Duration) {
	t.Helper()
	if len(chs) == 0 {
		t.Fatal("no chapters")
	}
	if chs[0].Start != 0 || chs[len(chs)-1].End != duration {
		t.Fatalf("chapters cover [%v, %v], want [0, %v]", chs[0].Start, chs[len(chs)-1].End, duration)
	}
	var all []recap.Segment
	for i, c := range chs {
		if c.End <= c.Start && !(len(chs) == 1 && duration == 0) {
			t.Errorf("chapter %d is empty or reversed: [%v, %v]", i, c.Start, c.End)
		}
		if i > 0 && c.Start != chs[i-1].End {
			t.Errorf("gap or overlap between chapter %d (ends %v) and %d (starts %v)", i-1, chs[i-1].End, i, c.Start)
		}
		for _, s := range c.Segments {
			if i > 0 && s.Start < c.Start || i < len(chs)-1 && s.Start >= c.End {
				t.Errorf("segment at %v is in chapter %d [%v, %v]", s.Start, i, c.Start, c.End)
			}
		}
		all = append(all, c.Segments...)
	}
	want := sortedSegments(segs)
	if !reflect.DeepEqual(all, want) {
		t.Errorf("chapters hold %d segments, want each of the %d exactly once, in order", len(all), len(want))
	}
}

func starts(chs []recap.Chapter) []time.Duration {
	var out []time.Duration
	for _, c := range chs[1:] {
		out = append(out, c.Start)
	}
	return out
}

func TestAutoChaptersFindsTopicChanges(t *testing.T) {
	tests := []struct {
		name    string
		seed    uint64
		total   time.Duration
		changes []time.Duration
	}{
		{"four topics in 40 minutes", 1, mins(40), []time.Duration{mins(9.17), mins(19.67), mins(30.33)}},
		{"five topics in 45 minutes", 2, mins(45), []time.Duration{mins(7.5), mins(16), mins(27.25), mins(36.1)}},
		{"three topics in 24 minutes", 3, mins(24), []time.Duration{mins(6.4), mins(15.8)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSynth(tt.seed, len(tt.changes)+1)
			segs := s.transcript(tt.total, tt.changes)
			chs := AutoChapters(segs, tt.total, ChapterOptions{})
			checkCover(t, chs, segs, tt.total)
			got := starts(chs)
			if len(got) != len(tt.changes) {
				t.Fatalf("found boundaries %v, want %d near %v", got, len(tt.changes), tt.changes)
			}
			for i, b := range got {
				if d := (b - tt.changes[i]).Abs(); d > time.Minute {
					t.Errorf("boundary %d at %v is %v from the topic change at %v", i, b, d, tt.changes[i])
				}
			}
			for _, c := range chs {
				if c.SourceTitle != "" {
					t.Errorf("automatic chapter has title %q", c.SourceTitle)
				}
			}
		})
	}
}

// longSynth is a 3-hour transcript with topics of 5 to 11 minutes.
func longSynth(seed uint64) ([]recap.Segment, []time.Duration, time.Duration) {
	const total = 3 * time.Hour
	rng := rand.New(rand.NewPCG(seed, 3))
	var changes []time.Duration
	for t := mins(5 + 6*rng.Float64()); t < total-mins(5); t += mins(5 + 6*rng.Float64()) {
		changes = append(changes, t)
	}
	s := newSynth(seed, 12)
	return s.transcript(total, changes), changes, total
}

func TestAutoChaptersLongTranscript(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		segs, changes, total := longSynth(seed)
		opt := ChapterOptions{AutoMin: 4 * time.Minute, AutoMax: 12 * time.Minute}
		chs := AutoChapters(segs, total, opt)
		checkCover(t, chs, segs, total)
		for i, c := range chs {
			if l := c.End - c.Start; l < opt.AutoMin || l > opt.AutoMax {
				t.Errorf("seed %d: chapter %d is %v long, want %v..%v", seed, i, l, opt.AutoMin, opt.AutoMax)
			}
		}
		// Most boundaries should sit on a real topic change.
		near := 0
		for _, b := range starts(chs) {
			for _, c := range changes {
				if (b - c).Abs() <= time.Minute {
					near++
					break
				}
			}
		}
		t.Logf("seed %d: %d chapters for %d topics, %d of %d boundaries within 1 min of a topic change",
			seed, len(chs), len(changes)+1, near, len(chs)-1)
		if float64(near) < 0.8*float64(len(chs)-1) {
			t.Errorf("seed %d: only %d of %d boundaries near a topic change", seed, near, len(chs)-1)
		}
	}
}

func TestAutoChaptersShortVideoIsOneChapter(t *testing.T) {
	s := newSynth(4, 2)
	segs := s.transcript(mins(7), []time.Duration{mins(3.5)})
	chs := AutoChapters(segs, mins(7), ChapterOptions{})
	if len(chs) != 1 {
		t.Fatalf("%d chapters for a 7-minute video, want 1", len(chs))
	}
	checkCover(t, chs, segs, mins(7))
}

func TestAutoChaptersDeterministic(t *testing.T) {
	segs, _, total := longSynth(9)
	first := AutoChapters(segs, total, ChapterOptions{})
	// Shuffled input, as from a caption file with cues out of order.
	shuffled := append([]recap.Segment(nil), segs...)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := range 5 {
		in := segs
		if i%2 == 1 {
			in = shuffled
		}
		if got := AutoChapters(in, total, ChapterOptions{}); !reflect.DeepEqual(starts(got), starts(first)) {
			t.Fatalf("run %d: boundaries %v, first run %v", i, starts(got), starts(first))
		}
	}
	if reflect.DeepEqual(shuffled, segs) {
		t.Fatal("shuffle did nothing")
	}
}

func TestAutoChaptersUnknownDurationAndSilence(t *testing.T) {
	s := newSynth(5, 3)
	segs := s.transcript(mins(30), []time.Duration{mins(10), mins(20)})
	// Remove minutes 12-16: a long silence with no cues.
	var kept []recap.Segment
	for _, sg := range segs {
		if sg.Start < mins(12) || sg.Start >= mins(16) {
			kept = append(kept, sg)
		}
	}
	chs := AutoChapters(kept, 0, ChapterOptions{})
	end := kept[len(kept)-1].End
	checkCover(t, chs, kept, end)
	for _, c := range chs {
		if len(c.Segments) > 0 && c.Segments[0].Start != c.Start && c.Start != 0 {
			t.Errorf("chapter starts at %v, not on its first segment (%v)", c.Start, c.Segments[0].Start)
		}
	}
}

func TestAutoChaptersEmpty(t *testing.T) {
	chs := AutoChapters(nil, mins(20), ChapterOptions{})
	if len(chs) != 1 || chs[0].Start != 0 || chs[0].End != mins(20) {
		t.Fatalf("got %+v, want one chapter [0, 20m]", chs)
	}
}

func TestWords(t *testing.T) {
	var got []string
	words("Ça VA? Don't stop—the 2nd café, 東京タワー! naïve a", nil, func(w string) { got = append(got, w) })
	// One-letter words ("a", and "ー", which is of no script) say nothing.
	want := []string{"ça", "va", "dont", "stop", "the", "2nd", "café", "東", "京", "タ", "ワ", "naïve"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("words:\n got %q\nwant %q", got, want)
	}
}

func TestStopwordsFromTheDocument(t *testing.T) {
	// "zorp" fills every block, like a function word of an unknown
	// language; "alpha" is frequent but confined to two blocks.
	ids := map[string]int32{"zorp": 0, "alpha": 1, "the": 2, "rare": 3}
	freq := []int{500, 300, 10, 1}
	spread := []int{10, 2, 5, 1}
	stop := stopwords(ids, freq, spread, 10)
	want := []bool{true, false, true, false}
	if !reflect.DeepEqual(stop, want) {
		t.Errorf("stopwords = %v, want %v (zorp, alpha, the, rare)", stop, want)
	}
}

// BenchmarkAutoChapters3h segments a 3-hour transcript of about 4,000
// segments and 30,000 words.
func BenchmarkAutoChapters3h(b *testing.B) {
	const total = 3 * time.Hour
	s := newSynth(1, 20)
	s.segMs, s.segSpreadMs, s.wordsMin, s.wordsSpread = 2000, 1400, 6, 4
	var changes []time.Duration
	for t := mins(7); t < total; t += mins(9) {
		changes = append(changes, t)
	}
	segs := s.transcript(total, changes)
	words := 0
	for _, sg := range segs {
		words += len(strings.Fields(sg.Text))
	}
	for b.Loop() {
		AutoChapters(segs, total, ChapterOptions{})
	}
	b.ReportMetric(float64(len(segs)), "segments")
	b.ReportMetric(float64(words), "words")
}

// TestCorpusAutoChapters joins the six real Crash Course transcripts into
// one hour-long transcript and checks that automatic chapters find the
// joins between episodes. Opt-in: RECAP_CORPUS=/work/shared/corpus.
func TestCorpusAutoChapters(t *testing.T) {
	dir := os.Getenv("RECAP_CORPUS")
	if dir == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "bundles", "*", "*.en.vtt"))
	if err != nil || len(files) < 2 {
		t.Fatalf("need caption files under %s: %v", dir, err)
	}
	var segs []recap.Segment
	var joins []time.Duration
	var offset time.Duration
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cues := readVTT(t, string(b))
		if i > 0 {
			joins = append(joins, offset)
		}
		for _, c := range cues {
			c.Start += offset
			c.End += offset
			segs = append(segs, c)
		}
		offset = segs[len(segs)-1].End + 2*time.Second
	}
	chs := AutoChapters(segs, offset, ChapterOptions{})
	checkCover(t, chs, segs, offset)
	found := 0
	for _, j := range joins {
		for _, b := range starts(chs) {
			if (b - j).Abs() <= time.Minute {
				found++
				break
			}
		}
	}
	t.Logf("%v of captions, %d episodes joined at %v; chapters start at %v; %d of %d joins found within 1 min",
		offset.Round(time.Second), len(files), joins, starts(chs), found, len(joins))
	if found < len(joins)/2 {
		t.Errorf("found %d of %d episode joins", found, len(joins))
	}
}

// readVTT reads the simple WebVTT of the corpus: "hh:mm:ss.mmm --> …" lines
// followed by text.
func readVTT(t *testing.T, s string) []recap.Segment {
	t.Helper()
	var out []recap.Segment
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		from, to, ok := strings.Cut(lines[i], " --> ")
		if !ok {
			continue
		}
		start, err1 := vttTime(from)
		end, err2 := vttTime(strings.Fields(to)[0])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad cue line %q", lines[i])
		}
		var text []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			text = append(text, lines[i])
		}
		out = append(out, recap.Segment{Start: start, End: end, Text: strings.Join(text, " ")})
	}
	return out
}

func vttTime(s string) (time.Duration, error) {
	var h, m, sec, ms int
	if _, err := fmt.Sscanf(s, "%d:%d:%d.%d", &h, &m, &sec, &ms); err != nil {
		return 0, err
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond, nil
}
