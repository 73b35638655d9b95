package extractive

import (
	"regexp"
	"slices"
	"strings"
)

// ranked is a text split into sentences, analyzed and ranked by TextRank.
type ranked struct {
	an     *analyzer
	toks   [][]token
	words  [][]word
	vecs   [][]entry
	keys   [][]string // each sentence's distinct keys, sorted
	length []int      // in words
	boiler []bool
	// score is the TextRank centrality times a prior that lowers very
	// short sentences and channel boilerplate.
	score []float64
	order []int // sentence indexes, best first
	// punct: the text has its speaker's punctuation, so a sentence
	// without a closing mark was cut (see sentence).
	punct bool
}

// sentence renders sentence i. In punctuated text a sentence without its
// closing mark was cut (by the chapter's end or into pieces), and shows
// so; so does one that continues the piece before it, or, first in the
// chapter, starts lower-case: it began in the chapter before.
func (r *ranked) sentence(i int) string {
	toks := r.toks[i]
	var c cut
	if r.punct && len(toks) > 0 {
		c.end = !endsWithTerminator(toks[len(toks)-1])
		if i == 0 {
			c.start = startsLower(toks[0].text)
		} else if prev := r.toks[i-1]; len(prev) > 0 {
			c.start = !endsWithTerminator(prev[len(prev)-1])
		}
	}
	return r.an.renderCut(toks, c)
}

// Sentences shorter than this are poor summaries ("All that?"): they are
// chosen only when nothing longer is left.
const minWords = 5

// shortPrior is the length from which a sentence's centrality counts in
// full; shorter ones are scaled down linearly, since one shared word makes
// a short sentence look similar to many.
const shortPrior = 8

// boilerplate matches the channel housekeeping that closes many videos:
// it is never what a chapter is about.
var boilerplate = regexp.MustCompile(`(?i)\b(?:subscrib\w*|patreon|subbable|like and subscribe|thanks? (?:you )?(?:so much )?for (?:watching|listening)|(?:hit|ring|click) the bell|notification bell|link(?:s)? (?:is |are )?(?:below|in the description)|description below|sponsored by|this video is sponsored|today's sponsor|promo code|use (?:the )?code|leave a comment|comment below|see you (?:next time|in the next)|smash that like)\b`)

// boilerplateCue holds a word each boilerplate match has, to spare most
// sentences the regular expression.
var boilerplateCue = []string{"subscri", "patreon", "subbable", "thank", "bell", "link", "description", "sponsor", "code", "comment", "see you", "smash"}

// isBoilerplate reports channel housekeeping in English.
func isBoilerplate(s string) bool {
	l := strings.ToLower(s)
	return slices.ContainsFunc(boilerplateCue, func(c string) bool { return strings.Contains(l, c) }) &&
		boilerplate.MatchString(s)
}

// rankText splits, analyzes and ranks sentences. text is what the
// sentences came from, for language detection.
func rankText(sents [][]token, tag, text string) *ranked {
	r := &ranked{an: newAnalyzer(tag, text), toks: sents, punct: punctuated(sents)}
	n := len(sents)
	r.words = make([][]word, n)
	for i, s := range r.toks {
		r.words[i] = r.an.words(s)
	}
	r.an.fallbackStops(r.words)
	r.vecs = tfidf(r.words)
	r.score = pagerank(similarityGraph(r.vecs))
	r.keys = make([][]string, n)
	r.length = make([]int, n)
	r.boiler = make([]bool, n)
	for i, s := range r.toks {
		ks := make([]string, 0, len(r.words[i]))
		for _, w := range r.words[i] {
			if w.key != "" {
				ks = append(ks, w.key)
			}
		}
		slices.Sort(ks)
		r.keys[i] = slices.Compact(ks)
		r.length[i] = weightOf(s)
		r.boiler[i] = r.an.english() && isBoilerplate(joinTokens(s))
		if r.length[i] < shortPrior {
			r.score[i] *= float64(r.length[i]) / shortPrior
		}
		if r.boiler[i] {
			r.score[i] *= 0.1
		}
	}
	r.order = byScore(r.score)
	return r
}

// joinTokens writes tokens back as the source spaced them.
func joinTokens(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// candidates are the sentence indexes worth choosing, best first: no
// boilerplate and no fragments, unless the text has nothing else.
func (r *ranked) candidates() []int {
	var good, fair []int
	for _, i := range r.order {
		if r.boiler[i] {
			continue
		}
		fair = append(fair, i)
		if r.length[i] >= minWords {
			good = append(good, i)
		}
	}
	switch {
	case len(good) > 0:
		return good
	case len(fair) > 0:
		return fair
	}
	return r.order
}

// similar reports near-duplicates: sentences whose TF-IDF cosine is high,
// or whose content words mostly repeat one another's, or whose text is
// the same.
func (r *ranked) similar(i, j int) bool {
	if cosine(r.vecs[i], r.vecs[j]) >= 0.6 {
		return true
	}
	a, b := r.keys[i], r.keys[j]
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) >= 3 {
		shared := 0
		for _, k := range a {
			if _, ok := slices.BinarySearch(b, k); ok {
				shared++
			}
		}
		if float64(shared) >= 0.8*float64(len(a)) {
			return true
		}
	}
	return strings.EqualFold(joinTokens(r.toks[i]), joinTokens(r.toks[j]))
}

// pick walks cands in order and keeps up to n sentences that are not near
// duplicates of each other or of taken, within budget words (0: no limit;
// when nothing is taken yet the first one always fits). keep, when set,
// must accept a sentence too, given those picked so far.
func (r *ranked) pick(cands []int, taken []int, n, budget int, keep func(i int, out []int) bool) []int {
	var out []int
	words := 0
	for _, i := range cands {
		if len(out) == n {
			break
		}
		if slices.Contains(taken, i) || slices.Contains(out, i) {
			continue
		}
		if keep != nil && !keep(i, out) {
			continue
		}
		if budget > 0 && (len(out) > 0 || len(taken) > 0) && words+r.length[i] > budget {
			continue
		}
		if slices.ContainsFunc(taken, func(j int) bool { return r.similar(i, j) }) ||
			slices.ContainsFunc(out, func(j int) bool { return r.similar(i, j) }) {
			continue
		}
		out = append(out, i)
		words += r.length[i]
	}
	return out
}
