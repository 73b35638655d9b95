package pipeline

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// ChapterOptions tunes how chapters are normalized and generated.
type ChapterOptions struct {
	// MinChapter: chapters shorter than this are merged into a neighbour;
	// default 30s.
	MinChapter time.Duration
	// Budget is the most transcript tokens (recap.EstimateTokens) a chapter
	// may hold; 0 means no limit.
	Budget int
	// AutoMin and AutoMax bound automatic chapter lengths; default 4m and 12m.
	AutoMin, AutoMax time.Duration
}

func (o ChapterOptions) withDefaults() ChapterOptions {
	if o.MinChapter <= 0 {
		o.MinChapter = 30 * time.Second
	}
	if o.AutoMin <= 0 {
		o.AutoMin = 4 * time.Minute
	}
	if o.AutoMax <= 0 {
		o.AutoMax = 12 * time.Minute
	}
	o.AutoMax = max(o.AutoMax, o.AutoMin)
	return o
}

// span is a chapter while it is being built: a time range, the segments
// segs[lo:hi] whose start lies in it, and the creator's title.
type span struct {
	start, end time.Duration
	lo, hi     int
	title      string
}

// BuildChapters turns a source into the chapters to summarize, and says
// where they came from (src.MarksSource, by default recap.ChaptersBundle;
// recap.ChaptersDescription or recap.ChaptersAuto). The creator's chapters
// are kept as given, except that one too short or without words is merged into a neighbour and one
// over opt.Budget is split at topic boundaries. Every transcript segment
// lands in exactly one chapter; chapters cover [0, duration].
func BuildChapters(src *recap.Source, opt ChapterOptions) ([]recap.Chapter, string, error) {
	if src == nil || src.Transcript.Empty() {
		return nil, "", recap.Errorf(recap.ENOCAPTIONS, "transcript is empty: nothing to summarize")
	}
	opt = opt.withDefaults()
	segs := sortedSegments(src.Transcript.Segments)
	known := src.Video.Duration
	duration := known
	if duration <= 0 {
		duration = transcriptEnd(segs)
	}

	var spans []span
	source := recap.ChaptersAuto
	if marks, ok := creatorMarks(src.Marks, known, duration); ok {
		spans, source = markSpans(segs, marks, duration), recap.ChaptersBundle
		if src.MarksSource != "" {
			source = src.MarksSource
		}
	} else if marks, ok := creatorMarks(ParseChapterMarks(src.Video.Description), known, duration); ok {
		spans, source = markSpans(segs, marks, duration), recap.ChaptersDescription
	} else {
		spans = autoSpans(segs, duration, opt)
	}
	spans = mergeSmall(segs, spans, opt.MinChapter)
	if opt.Budget > 0 {
		var out []span
		for _, sp := range spans {
			out = append(out, splitOverBudget(segs, sp, opt.Budget)...)
		}
		spans = out
	}
	return materialize(segs, spans), source, nil
}

// creatorMarks returns marks fit to be chapters. With the duration known,
// YouTube's rule applies in full; without, only the order rules, and marks
// past the end of the transcript are dropped (nothing is said there).
func creatorMarks(marks []recap.ChapterMark, known, duration time.Duration) ([]recap.ChapterMark, bool) {
	if ValidateMarks(marks, known) != nil {
		return nil, false
	}
	if known > 0 {
		return marks, true
	}
	n := sort.Search(len(marks), func(i int) bool { return marks[i].Start >= duration })
	return marks[:max(n, 1)], true
}

// markSpans makes one span per mark; a segment belongs to the mark whose
// range holds its start (before 0:00: the first).
func markSpans(segs []recap.Segment, marks []recap.ChapterMark, duration time.Duration) []span {
	spans := make([]span, len(marks))
	for i, m := range marks {
		lo := 0
		if i > 0 {
			lo = sort.Search(len(segs), func(k int) bool { return segs[k].Start >= m.Start })
		}
		spans[i] = span{start: m.Start, lo: lo, title: m.Title}
		if i > 0 {
			spans[i-1].end, spans[i-1].hi = m.Start, lo
		}
	}
	spans[len(spans)-1].end = max(duration, marks[len(marks)-1].Start)
	spans[len(spans)-1].hi = len(segs)
	return spans
}

// mergeSmall merges every chapter shorter than minLen, or without any
// words (music, silence), into a neighbour: the next one for the first
// chapter, otherwise the previous.
func mergeSmall(segs []recap.Segment, spans []span, minLen time.Duration) []span {
	spans = append([]span(nil), spans...)
	for i := 0; i < len(spans) && len(spans) > 1; {
		sp := spans[i]
		if sp.end-sp.start >= minLen && recap.SegmentsHaveWords(segs[sp.lo:sp.hi]) {
			i++
			continue
		}
		a := max(i-1, 0) // merge spans[a] and spans[a+1]
		spans[a] = mergeSpans(spans[a], spans[a+1])
		spans = append(spans[:a+1], spans[a+2:]...)
		if i > 0 {
			// The previous chapter passed already and only grew.
			i = a + 1
		}
	}
	return spans
}

// mergeSpans joins two adjacent spans; the longer one's title wins.
func mergeSpans(a, b span) span {
	title := a.title
	if b.end-b.start > a.end-a.start {
		title = b.title
	}
	return span{start: a.start, end: b.end, lo: a.lo, hi: b.hi, title: title}
}

// materialize turns spans into chapters. Each chapter's segments are capped
// so that appending to one can never overwrite the next.
func materialize(segs []recap.Segment, spans []span) []recap.Chapter {
	out := make([]recap.Chapter, len(spans))
	for i, sp := range spans {
		out[i] = recap.Chapter{Start: sp.start, End: sp.end, SourceTitle: sp.title, Segments: segs[sp.lo:sp.hi:sp.hi]}
	}
	return out
}

// splitOverBudget splits a chapter whose text exceeds budget tokens into the
// fewest parts that each fit, choosing the cut points with the deepest
// topic valleys (lexical cohesion within the chapter). Parts start on
// segment starts. A single segment over budget cannot be cut and stays
// whole.
func splitOverBudget(segs []recap.Segment, sp span, budget int) []span {
	cs := segs[sp.lo:sp.hi]
	if recap.EstimateTokens(recap.JoinSegments(cs)) <= budget {
		return []span{sp}
	}
	units := cutUnits(cs, sp)
	if len(units) < 2 {
		return []span{sp}
	}
	tok := newTokenCounter(cs, units)
	depth := unitDepths(cs, units, sp.start)

	k := minParts(tok, len(units), budget)
	total := tok.tokens(0, len(units))
	// Parts of at least half their fair share, when that costs no extra
	// part, keep a valley near one end from making a sliver.
	cuts := bestCuts(tok, depth, len(units), k, budget, total/(2*k))
	if cuts == nil {
		cuts = bestCuts(tok, depth, len(units), k, budget, 0)
	}
	if cuts == nil { // cannot happen: minParts found a way
		return []span{sp}
	}
	parts := make([]span, 0, len(cuts)+1)
	prev := 0
	for p, c := range append(cuts, len(units)) {
		part := span{start: sp.start, end: sp.end, lo: sp.lo + units[prev], hi: sp.hi, title: sp.title}
		if prev > 0 {
			part.start = cs[units[prev]].Start
		}
		if c < len(units) {
			part.end, part.hi = cs[units[c]].Start, sp.lo+units[c]
		}
		if sp.title != "" {
			part.title = fmt.Sprintf("%s (part %d)", sp.title, p+1)
		}
		parts = append(parts, part)
		prev = c
	}
	return parts
}

// cutUnits returns the indexes into cs where a part may begin: segments
// that start strictly after the previous one and inside the chapter. Runs
// of segments sharing a start time stay together.
func cutUnits(cs []recap.Segment, sp span) []int {
	units := []int{0}
	for j := 1; j < len(cs); j++ {
		if t := cs[j].Start; t > cs[j-1].Start && t > sp.start && t < sp.end {
			units = append(units, j)
		}
	}
	return units
}

// tokenCounter gives recap.EstimateTokens of the joined text of a run of
// units in O(1), from prefix sums of the same counts EstimateTokens makes.
type tokenCounter struct {
	narrow, wide, words []int // prefix sums per unit
}

func newTokenCounter(cs []recap.Segment, units []int) tokenCounter {
	n := len(units)
	tc := tokenCounter{narrow: make([]int, n+1), wide: make([]int, n+1), words: make([]int, n+1)}
	for u := range n {
		end := len(cs)
		if u+1 < n {
			end = units[u+1]
		}
		var narrow, wide, nonEmpty int
		for _, s := range cs[units[u]:end] {
			t := strings.TrimSpace(s.Text)
			if t == "" {
				continue
			}
			nonEmpty++
			for _, r := range t {
				if r < 0x2E80 {
					narrow++
				} else {
					wide++
				}
			}
		}
		tc.narrow[u+1] = tc.narrow[u] + narrow
		tc.wide[u+1] = tc.wide[u] + wide
		tc.words[u+1] = tc.words[u] + nonEmpty
	}
	return tc
}

// tokens estimates the tokens of units [i, j): JoinSegments puts one space
// between non-empty texts.
func (tc tokenCounter) tokens(i, j int) int {
	narrow := tc.narrow[j] - tc.narrow[i]
	if n := tc.words[j] - tc.words[i]; n > 1 {
		narrow += n - 1
	}
	return (narrow+3)/4 + tc.wide[j] - tc.wide[i]
}

// fits reports whether units [i, j) may form one part.
func (tc tokenCounter) fits(i, j, budget int) bool {
	return j-i == 1 || tc.tokens(i, j) <= budget
}

// minParts is the fewest parts, greedily filled, that each fit.
func minParts(tc tokenCounter, n, budget int) int {
	k := 0
	for i := 0; i < n; k++ {
		j := i + 1
		for j < n && tc.fits(i, j+1, budget) {
			j++
		}
		i = j
	}
	return k
}

// unitDepths scores a cut before each unit by the TextTiling depth of the
// chapter's own vocabulary. Cuts inside a block score below any block gap.
func unitDepths(cs []recap.Segment, units []int, origin time.Duration) []float64 {
	bySeg := map[int]float64{}
	for _, g := range topicGaps(cs, origin) {
		bySeg[g.seg] = g.depth
	}
	depth := make([]float64, len(units))
	for u, j := range units {
		d, ok := bySeg[j]
		if !ok {
			d = -1
		}
		depth[u] = d
	}
	depth[0] = 0 // the chapter's start is no cut
	return depth
}

// bestCuts splits n units into k parts or fewer that fit the budget and
// hold at least minTokens each: the fewest such parts, and among those the
// cuts of greatest total depth. It returns the unit index of each cut, or
// nil when no such split exists.
//
// The parts that may end at unit j start in a window [lo, hi] that only
// moves right as j grows, so the best start is kept in a monotone deque:
// O(n) time and memory.
func bestCuts(tc tokenCounter, depth []float64, n, k, budget, minTokens int) []int {
	type state struct {
		parts int // 0: unreachable (except at 0)
		score float64
		from  int
	}
	dp := make([]state, n+1)
	// key orders the starts i: fewer parts first, then more depth.
	worse := func(a, b int) bool { // is start a no better than b?
		sa, sb := dp[a].score+depth[a], dp[b].score+depth[b]
		return dp[a].parts > dp[b].parts || dp[a].parts == dp[b].parts && sa <= sb
	}
	var dq []int
	next, lo := 0, 0
	for j := 1; j <= n; j++ {
		for ; next < j && tc.tokens(next, j) >= minTokens; next++ {
			if next > 0 && dp[next].parts == 0 {
				continue
			}
			for len(dq) > 0 && worse(dq[len(dq)-1], next) {
				dq = dq[:len(dq)-1]
			}
			dq = append(dq, next)
		}
		for !tc.fits(lo, j, budget) {
			lo++
		}
		for len(dq) > 0 && dq[0] < lo {
			dq = dq[1:]
		}
		if len(dq) == 0 {
			continue
		}
		i := dq[0]
		dp[j] = state{parts: dp[i].parts + 1, score: dp[i].score + depth[i], from: i}
	}
	if dp[n].parts == 0 || dp[n].parts > k {
		return nil
	}
	var cuts []int
	for j := dp[n].from; j > 0; j = dp[j].from {
		cuts = append(cuts, j)
	}
	slices.Reverse(cuts)
	return cuts
}
