package extractive

import (
	"cmp"
	"math"
	"slices"
)

// PageRank settings of the TextRank paper (Mihalcea & Tarau, 2004).
const (
	damping   = 0.85
	tolerance = 1e-6 // L1 change of the score vector that counts as converged
	maxIter   = 200
)

// denseLimit is the most sentences whose full similarity graph is kept.
// Beyond it every sentence keeps only its maxNeighbors most similar
// neighbours, so that memory stays linear when a chapter is hours long.
const (
	denseLimit   = 1000
	maxNeighbors = 50
)

// edge is a weighted link to node to.
type edge struct {
	to int
	w  float64
}

// entry is one term weight of a sparse vector.
type entry struct {
	id int
	w  float64
}

// tfidf turns each sentence's keys into an L2-normalized TF-IDF vector,
// sorted by term id. Term frequency is sublinear (1 + ln tf) and IDF is
// smoothed (ln((N+1)/(df+1)) + 1), both over this chapter's sentences, so
// a term every sentence shares still counts a little.
func tfidf(sents [][]word) [][]entry {
	ids := make(map[string]int)
	tfs := make([]map[int]int, len(sents))
	var df []int
	for i, s := range sents {
		tf := make(map[int]int)
		for _, w := range s {
			if w.key == "" {
				continue
			}
			id, ok := ids[w.key]
			if !ok {
				id = len(ids)
				ids[w.key] = id
				df = append(df, 0)
			}
			if tf[id] == 0 {
				df[id]++
			}
			tf[id]++
		}
		tfs[i] = tf
	}
	n := float64(len(sents))
	vecs := make([][]entry, len(sents))
	for i, tf := range tfs {
		v := make([]entry, 0, len(tf))
		for id, c := range tf {
			idf := math.Log((n+1)/float64(df[id]+1)) + 1
			v = append(v, entry{id, (1 + math.Log(float64(c))) * idf})
		}
		// Sorting before summing keeps the float result independent of
		// map order.
		slices.SortFunc(v, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
		norm := 0.0
		for _, e := range v {
			norm += e.w * e.w
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j].w /= norm
		}
		vecs[i] = v
	}
	return vecs
}

// cosine is the dot product of two normalized sparse vectors.
func cosine(a, b []entry) float64 {
	s := 0.0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].id < b[j].id:
			i++
		case a[i].id > b[j].id:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}

// similarityGraph links sentences by the cosine of their vectors. It
// walks an inverted index, so pairs sharing no term cost nothing.
func similarityGraph(vecs [][]entry) [][]edge {
	n := len(vecs)
	terms := 0
	for _, v := range vecs {
		if len(v) > 0 {
			terms = max(terms, v[len(v)-1].id+1)
		}
	}
	postings := make([][]entry, terms) // term → (sentence, weight)
	for i, v := range vecs {
		for _, e := range v {
			postings[e.id] = append(postings[e.id], entry{i, e.w})
		}
	}
	adj := make([][]edge, n)
	acc := make([]float64, n)
	var touched []int
	for i, v := range vecs {
		touched = touched[:0]
		for _, e := range v {
			for _, p := range postings[e.id] {
				if p.id == i || (n <= denseLimit && p.id < i) {
					continue
				}
				if acc[p.id] == 0 {
					touched = append(touched, p.id)
				}
				acc[p.id] += e.w * p.w
			}
		}
		slices.Sort(touched)
		var nb []edge
		for _, j := range touched {
			if acc[j] > 0 {
				nb = append(nb, edge{j, acc[j]})
			}
			acc[j] = 0
		}
		if n <= denseLimit {
			for _, e := range nb {
				adj[i] = append(adj[i], e)
				adj[e.to] = append(adj[e.to], edge{i, e.w})
			}
			continue
		}
		if len(nb) > maxNeighbors {
			slices.SortStableFunc(nb, func(a, b edge) int { return cmp.Compare(b.w, a.w) })
			nb = nb[:maxNeighbors]
		}
		for _, e := range nb {
			adj[i] = append(adj[i], e)
			adj[e.to] = append(adj[e.to], edge{i, e.w})
		}
	}
	if n > denseLimit {
		// A pair kept by both ends was added twice.
		for i := range adj {
			slices.SortStableFunc(adj[i], func(a, b edge) int { return cmp.Compare(a.to, b.to) })
			adj[i] = slices.CompactFunc(adj[i], func(a, b edge) bool { return a.to == b.to })
		}
	}
	return adj
}

// pagerank scores the nodes of an undirected weighted graph by power
// iteration. A node without edges gives its score to all nodes alike, so
// the scores always sum to 1.
func pagerank(adj [][]edge) []float64 {
	n := len(adj)
	if n == 0 {
		return nil
	}
	out := make([]float64, n)
	for i, es := range adj {
		for _, e := range es {
			out[i] += e.w
		}
	}
	score := make([]float64, n)
	next := make([]float64, n)
	for i := range score {
		score[i] = 1 / float64(n)
	}
	for range maxIter {
		dangling := 0.0
		for j := range n {
			if out[j] == 0 {
				dangling += score[j]
			}
		}
		base := (1-damping)/float64(n) + damping*dangling/float64(n)
		delta := 0.0
		for i, es := range adj {
			s := 0.0
			for _, e := range es {
				s += e.w / out[e.to] * score[e.to]
			}
			next[i] = base + damping*s
			delta += math.Abs(next[i] - score[i])
		}
		score, next = next, score
		if delta < tolerance {
			break
		}
	}
	return score
}

// byScore returns node indexes from the highest score to the lowest, the
// earlier node first on a tie, so that equal scores never reorder.
func byScore(score []float64) []int {
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	return idx
}
