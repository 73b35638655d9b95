package storagetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// BenchHoursVar sets the size of the synthetic library of BenchmarkSearch,
// in hours of transcript (default benchHours).
const BenchHoursVar = "RECAP_BENCH_SEARCH_HOURS"

const benchHours = 20

// BenchKeepVar names a place where BenchmarkSearch keeps its library
// between runs, so that a large one is built once: for SQLite a database
// file, for PostgreSQL a schema. The library in it is reused when its
// last video is stored (same hours), else built there. Unset: a fresh
// store each run, removed after it.
const BenchKeepVar = "RECAP_BENCH_SEARCH_KEEP"

// SearchSizes are what a driver measures of its search index for
// BenchmarkSearch, in bytes.
type SearchSizes struct {
	Text  int64 // the stored transcript text (every cue's text)
	Index int64 // the full-text index: FTS5's tables, or PostgreSQL's GIN index
	// Vectors is PostgreSQL's tsvector column, which ts_rank_cd reads; 0
	// for SQLite, whose index holds the positions bm25 reads.
	Vectors int64
	Total   int64 // all search storage: the index and the entries with their copy of the text
}

// BenchmarkSearch builds a synthetic library (BenchHoursVar hours of
// one-hour videos, 3-5 s cues of Zipf-distributed words, chapters every
// 6-10 minutes) in s through PutTranscript and FinishJob, then times a mix
// of searches: common words, rare words, phrases, OR and negation. It
// reports p50 and p99 latency, p99 as a multiple of the median GetVideo
// (a one-row lookup timed in the same run), and the index size as a
// multiple of the transcript text. The library is built once per store;
// run with -benchtime 1x.
func BenchmarkSearch(b *testing.B, s storage.Store, sizes func(ctx context.Context) (SearchSizes, error)) {
	ctx := context.Background()
	hours := benchHours
	if v := os.Getenv(BenchHoursVar); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of hours", BenchHoursVar, v)
		}
		hours = n
	}
	lib := newLibrary(1)
	start := time.Now()
	_, err := s.GetVideo(ctx, fmt.Sprintf("v%010d", hours-1))
	built := err == nil
	for v := range hours {
		lib.store(b, ctx, s, fmt.Sprintf("v%010d", v), !built)
	}
	if built {
		b.Logf("reused the library of %d hours (%d cues, %.1f MB of text) stored before", hours, lib.cues, float64(lib.textBytes)/1e6)
	}
	b.Logf("built %d hours (%d cues, %.1f MB of text) in %v", hours, lib.cues, float64(lib.textBytes)/1e6, time.Since(start).Round(time.Second))
	sz, err := sizes(ctx)
	if err != nil {
		b.Fatal(err)
	}

	queries := lib.queries(500)
	// Warm up: the first queries read the index from disk.
	for _, q := range queries[:20] {
		if _, err := s.Search(ctx, storage.SearchFilter{Q: q.q}); err != nil {
			b.Fatal(err)
		}
	}
	baseline := medianOf(b, 200, func() error { _, err := s.GetVideo(ctx, "v0000000000"); return err })

	var lat []time.Duration
	byKind := map[string][]time.Duration{}
	misses := map[string]int{}
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			t0 := time.Now()
			p, err := s.Search(ctx, storage.SearchFilter{Q: q.q})
			d := time.Since(t0)
			if err != nil {
				b.Fatalf("search %q: %v", q.q, err)
			}
			if len(p.Results) == 0 {
				misses[q.kind]++
			}
			lat = append(lat, d)
			byKind[q.kind] = append(byKind[q.kind], d)
		}
	}
	b.StopTimer()
	// A phrase may straddle two passages, and a negation may exclude
	// everything; anything else must be found.
	if misses["common"]+misses["rare"]+misses["or"] > 0 || misses["phrase"] > len(queries)/100 {
		b.Errorf("searches that found nothing, by kind: %v", misses)
	}
	p99 := percentile(lat, 0.99)
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(float64(p99)/float64(baseline), "p99/lookup")
	b.ReportMetric(float64(sz.Index)/float64(sz.Text), "index/text")
	if sz.Vectors > 0 {
		b.ReportMetric(float64(sz.Index+sz.Vectors)/float64(sz.Text), "index+tsvector/text")
	}
	b.ReportMetric(float64(sz.Total)/float64(sz.Text), "search-storage/text")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		b.Logf("%-10s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms", k,
			ms(percentile(byKind[k], 0.5)), ms(percentile(byKind[k], 0.99)), ms(percentile(byKind[k], 1)))
	}
	b.Logf("text %.1f MB, index %.1f MB, all search storage %.1f MB; lookup baseline %v",
		float64(sz.Text)/1e6, float64(sz.Index)/1e6, float64(sz.Total)/1e6, baseline)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func medianOf(b *testing.B, n int, f func() error) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ds[i] = time.Since(t0)
	}
	return percentile(ds, 0.5)
}

// library generates transcripts: sentences of words drawn from a Zipf
// distribution over a vocabulary whose head is English function words
// and whose tail is made-up words, as real speech is.
type library struct {
	r         *rand.Rand
	zipf      *rand.Zipf
	vocab     []string
	bigrams   []string // a sample of adjacent words, for phrase queries
	counts    []int    // how often each word of vocab was said
	words     []string // said next: the rest of the last sentence
	cues      int
	textBytes int64
}

var functionWords = strings.Fields(`the and to of a i that you it in is was we so like
	know this they but have just what do be on for not with are there can think about
	or if my one all really me at he people going as right get them because yeah would
	when she out more from an his were very then some had here how go now time said
	which did our been their well also even who much into because where your way
	make these want two us something could those thing other over back only any`)

func newLibrary(seed uint64) *library {
	r := rand.New(rand.NewPCG(seed, seed+1))
	const size = 30000
	vocab := slices.Clone(functionWords)
	seen := map[string]bool{}
	for _, w := range vocab {
		seen[w] = true
	}
	syl := strings.Fields("ba be bi bo bu ca ce co da de di do fa fe fi ga ge go ha he hi ka ke ko la le li lo lu ma me mi mo mu na ne ni no pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi wa we ya yo za ze zi zo an en in on ar er ir or al el il ol st tr pl gr")
	for len(vocab) < size {
		n := 1 + r.IntN(3)
		if len(vocab) > 2000 {
			n++ // rarer words are longer
		}
		var w strings.Builder
		for range n {
			w.WriteString(syl[r.IntN(len(syl))])
		}
		if !seen[w.String()] {
			seen[w.String()] = true
			vocab = append(vocab, w.String())
		}
	}
	return &library{r: r, zipf: rand.NewZipf(r, 1.07, 2, size-1), vocab: vocab, counts: make([]int, size)}
}

func (l *library) word() string {
	i := l.zipf.Uint64()
	l.counts[i]++
	return l.vocab[i]
}

// sentence is 4-18 words, capitalized, with a full stop.
func (l *library) sentence() []string {
	ws := make([]string, 4+l.r.IntN(15))
	for i := range ws {
		ws[i] = l.word()
	}
	if len(l.bigrams) < 5000 && l.r.IntN(50) == 0 {
		i := l.r.IntN(len(ws) - 1)
		if !slices.Contains(functionWords, ws[i]) && !slices.Contains(functionWords, ws[i+1]) {
			l.bigrams = append(l.bigrams, ws[i]+" "+ws[i+1])
		}
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	ws[len(ws)-1] += "."
	return ws
}

// store adds one hour-long video: metadata, transcript, and a finished
// summary whose chapters cut the passages. With put false it only makes
// them, for the words and phrases the queries draw from.
func (l *library) store(b *testing.B, ctx context.Context, s storage.Store, id string, put bool) {
	const hour = 3600 * time.Second
	tr := recap.Transcript{Language: "en", Source: recap.TranscriptYouTube}
	words := l.words
	for at := time.Duration(0); at < hour; {
		d := time.Duration(3000+l.r.IntN(2000)) * time.Millisecond
		n := int(d.Seconds() * 2.5) // about 150 words a minute
		for len(words) < n {
			words = append(words, l.sentence()...)
		}
		text := strings.Join(words[:n], " ")
		words = words[n:]
		tr.Segments = append(tr.Segments, recap.Segment{Start: at, End: at + d, Text: text})
		l.cues++
		l.textBytes += int64(len(text))
		at += d
	}
	l.words = words
	v := recap.Video{ID: id, URL: recap.WatchURL(id), Title: "Episode " + id, Channel: fmt.Sprintf("Channel %d", l.r.IntN(20)), Duration: hour}
	if !put {
		l.chapters(id, v, "")
		return
	}
	if err := s.PutVideo(ctx, v); err != nil {
		b.Fatal(err)
	}
	if err := s.PutTranscript(ctx, id, tr); err != nil {
		b.Fatal(err)
	}
	j, _, err := s.SubmitJob(ctx, NewJob(id, "bench"), false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.StartJob(ctx, j.ID, Lease); err != nil {
		b.Fatal(err)
	}
	if err := s.FinishJob(ctx, j.ID, Lease.Owner, l.chapters(id, v, j.ID)); err != nil {
		b.Fatal(err)
	}
}

// chapters makes the summary of video v, stored as job jobID.
func (l *library) chapters(id string, v recap.Video, jobID string) *recap.Document {
	doc := &recap.Document{ID: jobID, Video: recap.DocumentVideo{ID: id, Title: v.Title, Channel: v.Channel, DurationSeconds: 3600},
		Language: "en", Generator: recap.Generator{Summarizer: recap.SummarizerExtractive}}
	for at := int64(0); at < 3600; {
		end := min(3600, at+360+int64(l.r.IntN(240)))
		if 3600-end < 120 {
			end = 3600
		}
		var bullets []string
		for range 3 {
			bullets = append(bullets, strings.Join(l.sentence(), " "))
		}
		doc.Chapters = append(doc.Chapters, recap.ChapterResult{
			StartSeconds: at, EndSeconds: end, Title: strings.Join(l.sentence()[:3], " "),
			Summary: strings.Join(append(l.sentence(), l.sentence()...), " "), Bullets: bullets,
			URL: recap.TimeURL(id, time.Duration(at)*time.Second),
		})
		at = end
	}
	return doc
}

type benchQuery struct{ kind, q string }

// queries is a mix of n searches, in equal parts: a common word (the
// 150th-1,500th most used), a rare word (10,000th and beyond, said at
// least once), a phrase said somewhere, two common words joined by OR,
// and a common word without another.
func (l *library) queries(n int) []benchQuery {
	r := rand.New(rand.NewPCG(7, 8))
	common := func() string { return l.vocab[150+r.IntN(1350)] }
	var rare []string
	for i := 10000; i < len(l.vocab); i++ {
		if l.counts[i] > 0 {
			rare = append(rare, l.vocab[i])
		}
	}
	var qs []benchQuery
	for i := range n {
		switch i % 5 {
		case 0:
			qs = append(qs, benchQuery{"common", common()})
		case 1:
			qs = append(qs, benchQuery{"rare", rare[r.IntN(len(rare))]})
		case 2:
			qs = append(qs, benchQuery{"phrase", `"` + l.bigrams[r.IntN(len(l.bigrams))] + `"`})
		case 3:
			qs = append(qs, benchQuery{"or", common() + " OR " + common()})
		case 4:
			qs = append(qs, benchQuery{"negation", common() + " -" + common()})
		}
	}
	return qs
}
