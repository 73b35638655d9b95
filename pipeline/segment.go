package pipeline

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/recap-dev/recap"
)

// TextTiling parameters. Captions have no sentences, so blocks are spans of
// time. Three minutes of words on each side of a gap smooth out the
// vocabulary of a single minute while staying under the shortest automatic
// chapter; on synthetic transcripts with weak topic vocabularies, 3-minute
// windows found a third fewer false boundaries than 2-minute ones.
const (
	blockLen      = 30 * time.Second
	windowBlocks  = 6
	targetChapter = 8 * time.Minute
	// docStopRank and docStopSpread define the document's own stopwords:
	// among its most frequent words, those spread over much of the text
	// carry no topic, whatever the language.
	docStopRank   = 50
	docStopSpread = 0.4
)

// AutoChapters segments a transcript by topic (TextTiling-style lexical
// cohesion) into chapters of roughly opt.AutoMin..opt.AutoMax. Chapters
// start on segment starts, cover [0, duration] (duration 0: the end of the
// last segment) and have SourceTitle "". The result depends only on the
// input.
func AutoChapters(segs []recap.Segment, duration time.Duration, opt ChapterOptions) []recap.Chapter {
	opt = opt.withDefaults()
	segs = sortedSegments(segs)
	if duration <= 0 {
		duration = transcriptEnd(segs)
	}
	return materialize(segs, autoSpans(segs, duration, opt))
}

// autoSpans is AutoChapters on sorted segments.
func autoSpans(segs []recap.Segment, duration time.Duration, opt ChapterOptions) []span {
	whole := []span{{start: 0, end: duration, lo: 0, hi: len(segs)}}
	if duration < 2*opt.AutoMin || len(segs) == 0 {
		return whole
	}
	coh := analyze(segs, 0)
	gaps := coh.gaps
	var cands []gap
	for _, g := range gaps {
		if g.at > 0 && g.at < duration {
			cands = append(cands, g)
		}
	}
	target := min(max(targetChapter, opt.AutoMin), opt.AutoMax)
	wantBounds := int(math.Round(float64(duration)/float64(target))) - 1
	theta := depthCutoff(gaps, wantBounds)
	chosen := chooseBoundaries(cands, theta, duration, opt.AutoMin, opt.AutoMax)
	refineBoundaries(coh, chosen, duration, opt.AutoMin, opt.AutoMax)
	spans := make([]span, 0, len(chosen)+1)
	prev := span{start: 0, lo: 0}
	for _, c := range chosen {
		prev.end, prev.hi = c.at, c.seg
		spans = append(spans, prev)
		prev = span{start: c.at, lo: c.seg}
	}
	prev.end, prev.hi = duration, len(segs)
	return append(spans, prev)
}

// refineBoundaries moves each chosen boundary to its best segment start
// nearby, as long as the chapters on both sides stay within [lo, hi] (or
// get no further out of it than they were).
func refineBoundaries(coh *cohesion, chosen []gap, duration, lo, hi time.Duration) {
	outside := func(l time.Duration) time.Duration { return max(lo-l, l-hi, 0) }
	for i := range chosen {
		prev, next := time.Duration(0), duration
		if i > 0 {
			prev = chosen[i-1].at
		}
		if i+1 < len(chosen) {
			next = chosen[i+1].at
		}
		j := coh.refine(chosen[i].seg, prev, next)
		t := coh.segs[j].Start
		if outside(t-prev)+outside(next-t) <= outside(chosen[i].at-prev)+outside(next-chosen[i].at) {
			chosen[i].seg, chosen[i].at = j, t
		}
	}
}

// gap is a place between two blocks where a topic may change: before
// segment seg, which starts at at.
type gap struct {
	seg   int
	at    time.Duration
	depth float64 // TextTiling depth score: how far similarity dips here
	// valley marks a local minimum of similarity, the only places
	// TextTiling treats as boundaries; its depths set the cutoff.
	valley bool
}

// cohesion is the lexical analysis of a run of segments: the scored gaps
// between blocks, and each segment's content words for finer comparisons.
type cohesion struct {
	segs        []recap.Segment
	gaps        []gap
	segWords    [][]int32 // content word ids (stopwords removed) per segment
	left, right []float64 // zeroed scratch vectors, one slot per word id
}

// topicGaps scores every block gap of segs (sorted; blocks counted from
// origin) by lexical cohesion. Gaps whose block holds no segment start are
// left out, since a boundary must fall on a segment start.
func topicGaps(segs []recap.Segment, origin time.Duration) []gap {
	return analyze(segs, origin).gaps
}

// analyze tokenizes segs, drops stopwords and scores the block gaps.
func analyze(segs []recap.Segment, origin time.Duration) *cohesion {
	c := &cohesion{segs: segs, segWords: make([][]int32, len(segs))}
	if len(segs) == 0 {
		return c
	}
	blockOf := func(s recap.Segment) int {
		return max(0, int((s.Start-origin)/blockLen))
	}
	nb := blockOf(segs[len(segs)-1]) + 1
	ids := map[string]int32{}
	var freq, spread, lastBlock []int // lastBlock: where a word was last seen, for spread
	var buf []rune
	for i, s := range segs {
		b := blockOf(s)
		buf = words(s.Text, buf[:0], func(w string) {
			id, ok := ids[w]
			if !ok {
				id = int32(len(freq))
				ids[w] = id
				freq = append(freq, 0)
				spread = append(spread, 0)
				lastBlock = append(lastBlock, -1)
			}
			freq[id]++
			if lastBlock[id] != b {
				lastBlock[id] = b
				spread[id]++
			}
			c.segWords[i] = append(c.segWords[i], id)
		})
	}
	stop := stopwords(ids, freq, spread, nb)
	blocks := make([][]int32, nb)
	firstSeg := make([]int, nb)
	for i := range firstSeg {
		firstSeg[i] = -1
	}
	for i, s := range segs {
		content := c.segWords[i][:0]
		for _, id := range c.segWords[i] {
			if !stop[id] {
				content = append(content, id)
			}
		}
		c.segWords[i] = content
		b := blockOf(s)
		if firstSeg[b] < 0 {
			firstSeg[b] = i
		}
		blocks[b] = append(blocks[b], content...)
	}
	c.left, c.right = make([]float64, len(freq)), make([]float64, len(freq))
	if nb < 2 {
		return c
	}

	// Similarity of the windows on both sides of each gap, smoothed.
	sims := make([]float64, nb) // sims[g]: gap before block g; sims[0] unused
	for g := 1; g < nb; g++ {
		sims[g] = c.cosine(blocks[max(0, g-windowBlocks):g], blocks[g:min(nb, g+windowBlocks)])
	}
	smooth := make([]float64, nb)
	for g := 1; g < nb; g++ {
		sum, n := 0.0, 0
		for k := max(1, g-1); k <= min(nb-1, g+1); k++ {
			sum += sims[k]
			n++
		}
		smooth[g] = sum / float64(n)
	}
	// Depth: how far similarity climbs on each side of a gap before it
	// falls again. Peaks are carried along the slopes so that plateaus
	// cost O(1) per gap.
	leftPeak, rightPeak := make([]float64, nb), make([]float64, nb)
	for g := 1; g < nb; g++ {
		leftPeak[g] = smooth[g]
		if g > 1 && smooth[g-1] >= smooth[g] {
			leftPeak[g] = leftPeak[g-1]
		}
	}
	for g := nb - 1; g >= 1; g-- {
		rightPeak[g] = smooth[g]
		if g < nb-1 && smooth[g+1] >= smooth[g] {
			rightPeak[g] = rightPeak[g+1]
		}
	}
	for g := 1; g < nb; g++ {
		if firstSeg[g] < 0 {
			continue
		}
		lp, rp := leftPeak[g], rightPeak[g]
		valley := (g == 1 || smooth[g] < smooth[g-1]) && (g == nb-1 || smooth[g] <= smooth[g+1])
		c.gaps = append(c.gaps, gap{seg: firstSeg[g], at: segs[firstSeg[g]].Start, depth: (lp - smooth[g]) + (rp - smooth[g]), valley: valley})
	}
	return c
}

// cosine is the cosine similarity of the word counts of two bags of word
// lists. It leaves the scratch vectors zeroed.
func (c *cohesion) cosine(leftBags, rightBags [][]int32) float64 {
	for _, bag := range leftBags {
		for _, id := range bag {
			c.left[id]++
		}
	}
	for _, bag := range rightBags {
		for _, id := range bag {
			c.right[id]++
		}
	}
	// A word's slot is zeroed on its first visit, so each distinct word
	// counts once in the norms and the dot product.
	var dot, nl, nr float64
	for _, bag := range leftBags {
		for _, id := range bag {
			if x := c.left[id]; x != 0 {
				nl += x * x
				dot += x * c.right[id]
				c.left[id] = 0
			}
		}
	}
	for _, bag := range rightBags {
		for _, id := range bag {
			if x := c.right[id]; x != 0 {
				nr += x * x
				c.right[id] = 0
			}
		}
	}
	if nl == 0 || nr == 0 {
		return 0
	}
	return dot / math.Sqrt(nl*nr)
}

// refine moves a boundary chosen at block resolution to the segment start
// within two blocks of it where the words before and after differ most
// (windows as wide as those of the gap scoring). On the corpus, this found
// one more of five episode joins than a one-block search. Only starts strictly
// between lo and hi are considered; ties keep the one nearest the original.
func (c *cohesion) refine(seg int, lo, hi time.Duration) int {
	at := c.segs[seg].Start
	window := windowBlocks * blockLen
	best, bestSim := seg, math.Inf(1)
	first := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].Start >= at-2*blockLen })
	for j := first; j < len(c.segs) && c.segs[j].Start < at+2*blockLen; j++ {
		t := c.segs[j].Start
		if t <= lo || t >= hi || j > 0 && t == c.segs[j-1].Start {
			continue
		}
		a := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].Start >= t-window })
		b := sort.Search(len(c.segs), func(i int) bool { return c.segs[i].Start >= t+window })
		sim := c.cosine(c.segWords[a:j], c.segWords[j:b])
		if sim < bestSim-1e-12 || math.Abs(sim-bestSim) <= 1e-12 && (t-at).Abs() < (c.segs[best].Start-at).Abs() {
			best, bestSim = j, sim
		}
	}
	return best
}

// stopwords marks the words that say nothing about a topic: a small English
// list and the document's own most frequent, evenly spread words.
func stopwords(ids map[string]int32, freq, spread []int, blocks int) []bool {
	stop := make([]bool, len(freq))
	for w, id := range ids {
		if englishStop[w] {
			stop[id] = true
		}
	}
	order := make([]int32, len(freq))
	for i := range order {
		order[i] = int32(i)
	}
	// Ties by id (first appearance) keep the result independent of map order.
	sort.SliceStable(order, func(a, b int) bool { return freq[order[a]] > freq[order[b]] })
	for _, id := range order[:min(docStopRank, len(order))] {
		if float64(spread[id]) >= docStopSpread*float64(blocks) {
			stop[id] = true
		}
	}
	return stop
}

// depthCutoff is the depth a gap must exceed to be worth a boundary: deeper
// than all but the want deepest valleys, and deeper than TextTiling's
// mean + σ/2 of the valley depths, so that a text with fewer real topic
// changes than the target length suggests gets no invented ones.
func depthCutoff(gaps []gap, want int) float64 {
	var ds []float64
	for _, g := range gaps {
		if g.valley {
			ds = append(ds, g.depth)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ds)))
	var mean, sq float64
	for _, d := range ds {
		mean += d
	}
	mean /= float64(len(ds))
	for _, d := range ds {
		sq += (d - mean) * (d - mean)
	}
	cut := mean + math.Sqrt(sq/float64(len(ds)))/2
	if want >= 0 && want < len(ds) {
		cut = max(cut, ds[want])
	}
	return cut
}

// chooseBoundaries picks the gaps that split [0, duration] into chapters:
// first keeping every chapter within [lo, hi] as far as the candidates
// allow (least total excess), then maximizing the summed depth above
// theta. It is a dynamic program over the candidates; a chapter's start is
// looked for no further back than 2×hi (and the first candidate beyond,
// for stretches without any), which keeps it linear in the candidates.
func chooseBoundaries(cands []gap, theta float64, duration, lo, hi time.Duration) []gap {
	type state struct {
		excess time.Duration // total length outside [lo, hi]
		gain   float64
		prev   int // index into cands of the previous boundary, -1 for 0:00
		ok     bool
	}
	excess := func(l time.Duration) time.Duration { return max(lo-l, l-hi, 0) }
	// A boundary must be clearly worth it: an epsilon keeps ties out.
	const eps = 1e-9
	dp := make([]state, len(cands))
	// best finds the best chapter ending at time at, whose own boundary
	// (if any) gains gain.
	best := func(j int, at time.Duration, gain float64) state {
		var b state
		for i := j - 1; i >= -1; i-- {
			from, s := time.Duration(0), state{}
			if i >= 0 {
				from, s = cands[i].at, dp[i]
			}
			e, g := s.excess+excess(at-from), s.gain+gain
			if !b.ok || e < b.excess || e == b.excess && g > b.gain+1e-12 {
				b = state{excess: e, gain: g, prev: i, ok: true}
			}
			if at-from > 2*hi {
				break
			}
		}
		return b
	}
	for j, c := range cands {
		dp[j] = best(j, c.at, c.depth-theta-eps)
	}
	end := best(len(cands), duration, 0)
	var out []gap
	for i := end.prev; i >= 0; i = dp[i].prev {
		out = append(out, cands[i])
	}
	slices.Reverse(out)
	return out
}

// words calls fn with each lowercase word of s. Letters, digits and marks
// make words in any script; Han and kana characters, written without
// spaces, count one each. buf is scratch space, returned for reuse.
func words(s string, buf []rune, fn func(string)) []rune {
	flush := func() {
		if len(buf) > 1 {
			fn(string(buf))
		}
		buf = buf[:0]
	}
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			flush()
			fn(string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			buf = append(buf, unicode.ToLower(r))
		case r == '\'' || r == '’':
			// "don't" stays one word, "dont", as in the stopword list.
		default:
			flush()
		}
	}
	flush()
	return buf
}

var englishStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at
		be because been before being below between both but by can could did do does doing down during
		each even few for from further get got had has have having he her here hers herself him himself his
		how i if in into is it its itself just know let like me more most much my myself no nor not now of
		off on once one only or other our ours ourselves out over own really right same she should so some
		such than that thats the their theirs them themselves then there theres these they theyre this those
		through to too under until up us very was we well were weve what whats when where which while who
		whom why will with would yeah you your youre yours yourself yourselves im ive dont doesnt didnt isnt
		arent wasnt cant wont thing things going gonna okay oh um uh actually kind sort lot way say said`) {
		m[w] = true
	}
	return m
}()

// sortedSegments returns the segments ordered by start, as a new slice.
func sortedSegments(segs []recap.Segment) []recap.Segment {
	out := append([]recap.Segment(nil), segs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// transcriptEnd is where the last segment ends.
func transcriptEnd(segs []recap.Segment) time.Duration {
	var end time.Duration
	for _, s := range segs {
		end = max(end, s.End, s.Start)
	}
	return end
}
