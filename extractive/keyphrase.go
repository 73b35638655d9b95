package extractive

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	xlang "golang.org/x/text/language"
)

// Title limits: at most maxTitlePhrases phrases of at most maxPhraseWords
// words each, maxTitleWords words and maxTitleChars characters in all.
const (
	maxTitlePhrases = 3
	maxPhraseWords  = 3
	maxTitleWords   = 5
	maxTitleChars   = 60
	// Once a title has two words, a phrase scoring less than this share of
	// the best one is not added to it.
	minPhraseShare = 0.4
)

// phrase is a candidate keyphrase: a run of content words between stop
// words or punctuation (as in RAKE), up to maxPhraseWords long.
type phrase struct {
	keys     []string
	key      string // keys joined by spaces
	freq     int
	surfaces map[string]int
	first    string // the first surface seen, to break ties
	score    float64
	// nouny counts occurrences that look like a noun phrase in English:
	// after an article, a possessive or a preposition, or capitalized
	// inside a sentence.
	nouny int
}

// English words after which a noun phrase follows.
var nounCue = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the a an this that these those my your our
		their his her its of in on at for with from by about into onto like
		between through under over without within during some any each every
		no many few several more most such`) {
		nounCue[w] = true
	}
}

// keyphrases ranks the chapter's candidate phrases: word scores come from
// TextRank over a co-occurrence graph of content words (window of 3), a
// phrase scores the sum of its words times 1 + ln(frequency), so a phrase
// said often enough beats its own head word ("water temperature" over
// "water").
func keyphrases(sents [][]word) []*phrase {
	ids := make(map[string]int)
	var names []string
	pairs := make(map[[2]int]float64)
	for _, s := range sents {
		var seq []int
		for _, w := range s {
			if w.key == "" || w.cjk {
				continue
			}
			id, ok := ids[w.key]
			if !ok {
				id = len(names)
				ids[w.key] = id
				names = append(names, w.key)
			}
			seq = append(seq, id)
		}
		for i := range seq {
			for j := i + 1; j < len(seq) && j <= i+2; j++ {
				if a, b := seq[i], seq[j]; a != b {
					pairs[[2]int{min(a, b), max(a, b)}]++
				}
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	keys := make([][2]int, 0, len(pairs))
	for p := range pairs {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(x, y [2]int) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	adj := make([][]edge, len(names))
	for _, p := range keys {
		adj[p[0]] = append(adj[p[0]], edge{p[1], pairs[p]})
		adj[p[1]] = append(adj[p[1]], edge{p[0], pairs[p]})
	}
	wordScore := pagerank(adj)
	top := slices.Max(wordScore)

	cands := make(map[string]*phrase)
	var order []*phrase
	for _, s := range sents {
		for start := 0; start < len(s); {
			end := start
			for end < len(s) && s[end].key != "" && !s[end].cjk {
				end++
				if s[end-1].clause {
					break
				}
			}
			for i := start; i < end; i++ {
				nouny := i > 0 && !s[i-1].clause &&
					(nounCue[strings.ToLower(s[i-1].surface)] || startsCapital(s[i].surface))
				for n := 1; n <= maxPhraseWords && i+n <= end; n++ {
					p := addPhrase(cands, &order, s[i:i+n])
					if p == nil {
						break
					}
					if nouny {
						p.nouny++
					}
				}
			}
			start = max(end, start+1)
		}
	}
	for _, p := range order {
		sum := 0.0
		for _, k := range p.keys {
			sum += wordScore[ids[k]] / top
		}
		p.score = sum * (1 + math.Log(float64(p.freq)))
	}
	slices.SortStableFunc(order, func(a, b *phrase) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.key, b.key))
	})
	return order
}

// addPhrase counts one occurrence of ws as a phrase; it returns nil when
// ws repeats a word ("very very"), which no longer phrase can fix.
func addPhrase(cands map[string]*phrase, order *[]*phrase, ws []word) *phrase {
	keys := make([]string, len(ws))
	surf := make([]string, len(ws))
	for i, w := range ws {
		// "20th" title-cases as "20Th"; numbers make poor titles anyway.
		if slices.Contains(keys[:i], w.key) || strings.IndexFunc(w.surface, unicode.IsDigit) >= 0 {
			return nil
		}
		keys[i], surf[i] = w.key, w.surface
	}
	k := strings.Join(keys, " ")
	form := strings.Join(surf, " ")
	for _, poss := range []string{"'s", "’s"} {
		if t, ok := strings.CutSuffix(form, poss); ok && len(t) > 2 {
			form = t
		}
	}
	p, ok := cands[k]
	if !ok {
		p = &phrase{keys: keys, key: k, surfaces: make(map[string]int), first: form}
		cands[k] = p
		*order = append(*order, p)
	}
	p.freq++
	p.surfaces[form]++
	return p
}

// startsCapital reports a word written with a capital, as names are
// inside a sentence.
func startsCapital(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}

// surface is the phrase as the transcript writes it most often.
func (p *phrase) surface() string {
	best, n := p.first, p.surfaces[p.first]
	forms := make([]string, 0, len(p.surfaces))
	for s := range p.surfaces {
		forms = append(forms, s)
	}
	slices.Sort(forms)
	for _, s := range forms {
		if c := p.surfaces[s]; c > n {
			best, n = s, c
		}
	}
	return best
}

// contains reports whether q's words appear in p in a row.
func (p *phrase) contains(q *phrase) bool {
	for i := 0; i+len(q.keys) <= len(p.keys); i++ {
		if slices.Equal(p.keys[i:i+len(q.keys)], q.keys) {
			return true
		}
	}
	return false
}

// expand replaces a phrase by a longer one that holds it, is said at
// least twice and scores nearly as well: "water" becomes "water
// temperature" when that is how the speaker says it.
func expand(p *phrase, all []*phrase) *phrase {
	for {
		var best *phrase
		for _, q := range all {
			if len(q.keys) <= len(p.keys) || q.freq < 2 || q.score < 0.75*p.score || !q.contains(p) {
				continue
			}
			if best == nil || q.score > best.score {
				best = q
			}
		}
		if best == nil {
			return p
		}
		p = best
	}
}

// Suffixes of English adverbs and adjectives: without a part-of-speech
// tagger they are the best hint that a word names no topic on its own
// ("suddenly", "nervous"), though it can qualify one ("nervous system").
var modifierSuffixes = []string{"ly", "ous", "ive", "ful", "less", "ible", "able"}

// weakEnglish reports a phrase that ends on an adverb or adjective, or a
// single word never used as a noun ("determines", "named").
func weakEnglish(p *phrase) bool {
	if len(p.keys) == 1 && p.nouny == 0 {
		return true
	}
	last := strings.ToLower(p.surface())
	if i := strings.LastIndexByte(last, ' '); i >= 0 {
		last = last[i+1:]
	}
	return slices.ContainsFunc(modifierSuffixes, func(suf string) bool { return strings.HasSuffix(last, suf) })
}

// keyphraseTitle titles a chapter from its top keyphrases, title-cased for
// scripts with case: "Neurotransmitters, Nervous System". It returns ""
// when the chapter has no usable phrase.
func keyphraseTitle(sents [][]word, tag string, english bool) string {
	ranked := keyphrases(sents)
	// A phrase said once is no key phrase, unless nothing is said twice.
	var cands []*phrase
	for _, p := range ranked {
		if (p.freq >= 2 || len(p.keys) == 1) && !(english && weakEnglish(p)) {
			cands = append(cands, p)
		}
	}
	var chosen []*phrase
	words, chars := 0, 0
	covered := make(map[string]bool)
	for _, p := range cands {
		if len(chosen) == maxTitlePhrases {
			break
		}
		p = expand(p, cands)
		if words >= 2 && p.score < minPhraseShare*chosen[0].score {
			break // the rest are incidental words
		}
		if slices.ContainsFunc(chosen, func(c *phrase) bool { return c.contains(p) || p.contains(c) }) {
			continue
		}
		if !slices.ContainsFunc(p.keys, func(k string) bool { return !covered[k] }) {
			continue
		}
		s := p.surface()
		if words+len(p.keys) > maxTitleWords || chars+len(s)+2 > maxTitleChars {
			continue
		}
		chosen = append(chosen, p)
		words += len(p.keys)
		chars += len(s) + 2
		for _, k := range p.keys {
			covered[k] = true
		}
		if words >= 4 && len(chosen) >= 2 {
			break
		}
	}
	if len(chosen) == 0 {
		return ""
	}
	parts := make([]string, len(chosen))
	for i, p := range chosen {
		parts[i] = p.surface()
	}
	t, err := xlang.Parse(tag)
	if err != nil {
		t = xlang.Und
	}
	return cases.Title(t, cases.NoLower).String(strings.Join(parts, ", "))
}
