package extractive

import (
	"math"
	"testing"
)

func undirected(n int, edges [][3]float64) [][]edge {
	adj := make([][]edge, n)
	for _, e := range edges {
		a, b := int(e[0]), int(e[1])
		adj[a] = append(adj[a], edge{b, e[2]})
		adj[b] = append(adj[b], edge{a, e[2]})
	}
	return adj
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func TestPagerank(t *testing.T) {
	t.Run("star", func(t *testing.T) {
		// Node 0 links to all others: it must lead, the leaves tie.
		score := pagerank(undirected(5, [][3]float64{{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {0, 4, 1}}))
		for i := 1; i < 5; i++ {
			if score[0] <= score[i] {
				t.Errorf("center %.4f <= leaf %d %.4f", score[0], i, score[i])
			}
			if math.Abs(score[i]-score[1]) > 1e-9 {
				t.Errorf("leaves differ: %v", score)
			}
		}
		// Closed form for a star with n-1 leaves: c = (1-d)/n + d*(n-1)*l,
		// l = (1-d)/n + d*c/(n-1).
		n, d := 5.0, damping
		c := ((1-d)/n + d*(n-1)*(1-d)/n) / (1 - d*d)
		if math.Abs(score[0]-c) > 1e-5 {
			t.Errorf("center = %.6f, want %.6f", score[0], c)
		}
	})
	t.Run("weights", func(t *testing.T) {
		// 0-1 strongly linked, 1-2 weakly: 1 leads, 0 beats 2.
		score := pagerank(undirected(3, [][3]float64{{0, 1, 0.9}, {1, 2, 0.1}}))
		if !(score[1] > score[0] && score[0] > score[2]) {
			t.Errorf("scores %v, want 1 > 0 > 2", score)
		}
	})
	t.Run("isolated nodes", func(t *testing.T) {
		score := pagerank(undirected(4, [][3]float64{{0, 1, 1}}))
		if math.Abs(sum(score)-1) > 1e-6 {
			t.Errorf("scores sum to %v, want 1", sum(score))
		}
		if score[2] != score[3] || score[2] >= score[0] {
			t.Errorf("scores %v: isolated nodes must tie below linked ones", score)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if got := pagerank(nil); got != nil {
			t.Errorf("pagerank(nil) = %v", got)
		}
	})
}

func TestByScoreBreaksTiesByPosition(t *testing.T) {
	got := byScore([]float64{0.2, 0.5, 0.2, 0.5, 0.1})
	want := []int{1, 3, 0, 2, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("byScore = %v, want %v", got, want)
		}
	}
}

func TestTfidfCosine(t *testing.T) {
	ws := func(keys ...string) []word {
		var out []word
		for _, k := range keys {
			out = append(out, word{key: k, surface: k})
		}
		return out
	}
	vecs := tfidf([][]word{
		ws("neuron", "axon", "signal"),
		ws("neuron", "axon", "signal"),
		ws("coffee", "grind"),
		ws("neuron", "coffee", ""),
	})
	if c := cosine(vecs[0], vecs[1]); math.Abs(c-1) > 1e-9 {
		t.Errorf("identical sentences: cosine %v, want 1", c)
	}
	if c := cosine(vecs[0], vecs[2]); c != 0 {
		t.Errorf("disjoint sentences: cosine %v, want 0", c)
	}
	if c := cosine(vecs[0], vecs[3]); c <= 0 || c >= 1 {
		t.Errorf("overlapping sentences: cosine %v, want in (0, 1)", c)
	}
	// The graph agrees with cosine and has no self loops.
	adj := similarityGraph(vecs)
	for i, es := range adj {
		for _, e := range es {
			if e.to == i {
				t.Errorf("self loop on %d", i)
			}
			if math.Abs(e.w-cosine(vecs[i], vecs[e.to])) > 1e-12 {
				t.Errorf("edge %d-%d weight %v, cosine %v", i, e.to, e.w, cosine(vecs[i], vecs[e.to]))
			}
		}
	}
	if len(adj[2]) != 1 || adj[2][0].to != 3 {
		t.Errorf("sentence 2 links %v, want only 3", adj[2])
	}
}

// Past denseLimit each sentence keeps its strongest neighbours only, and
// the graph stays symmetric.
func TestSparseGraphIsSymmetric(t *testing.T) {
	n := denseLimit + 200
	sents := make([][]word, n)
	for i := range sents {
		sents[i] = []word{{key: "common"}, {key: string(rune('a' + i%7))}, {key: string(rune('A' + i%11))}}
	}
	adj := similarityGraph(tfidf(sents))
	has := func(a, b int) bool {
		for _, e := range adj[a] {
			if e.to == b {
				return true
			}
		}
		return false
	}
	for i, es := range adj {
		if len(es) < maxNeighbors {
			t.Fatalf("node %d has %d edges, want at least %d", i, len(es), maxNeighbors)
		}
		for _, e := range es {
			if !has(e.to, i) {
				t.Fatalf("edge %d-%d has no way back", i, e.to)
			}
		}
	}
}
