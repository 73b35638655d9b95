package storage

import "strings"

// SnippetTokens is how many tokens a snippet shows around the matches.
const SnippetTokens = 24

// textToken is a token of a text: its byte range and its key, the form in
// which it is matched (folded as FoldSearchText does, in lower case).
type textToken struct {
	start, end int
	key        string
}

func tokenKey(s string) string { return strings.ToLower(FoldSearchText(s)) }

// textTokens splits text into its tokens, as SearchTokens does.
func textTokens(text string) []textToken {
	var toks []textToken
	start := -1
	for i, r := range text {
		in := isTokenRune(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			toks = append(toks, textToken{start, i, tokenKey(text[start:i])})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, textToken{start, len(text), tokenKey(text[start:])})
	}
	return toks
}

// Snippet cuts from text, a result of q, the part of about SnippetTokens
// tokens that shows the most of q's words and phrases (not the excluded
// ones), with each occurrence of them highlighted, and "…" where it cuts
// the text. Words match as an engine without stemming matches them: case
// and diacritics aside. It reads only text, so a store need not ask its
// index to mark every result.
func (q *Query) Snippet(text string) Snippet {
	toks := textTokens(text)
	var terms [][]string
	for _, c := range q.Clauses {
		for _, t := range c {
			keys := make([]string, len(t))
			for i, tok := range t {
				keys[i] = tokenKey(tok)
			}
			terms = append(terms, keys)
		}
	}
	matched := make([]bool, len(toks))
	type hit struct{ term, at int }
	var hits []hit
	for i := range toks {
		for ti, keys := range terms {
			if i+len(keys) > len(toks) {
				continue
			}
			ok := true
			for j, k := range keys {
				if toks[i+j].key != k {
					ok = false
					break
				}
			}
			if ok {
				hits = append(hits, hit{ti, i})
				for j := range keys {
					matched[i+j] = true
				}
			}
		}
	}
	// The window that holds the most distinct terms, then the most
	// matched tokens; it starts a few tokens before its first match.
	first, best := 0, -1
	for _, h := range hits {
		s := max(0, min(h.at-SnippetTokens/6, len(toks)-SnippetTokens))
		seen := map[int]bool{}
		n := 0
		for _, o := range hits {
			if o.at >= s && o.at < s+SnippetTokens {
				seen[o.term] = true
			}
		}
		for i := s; i < min(len(toks), s+SnippetTokens); i++ {
			if matched[i] {
				n++
			}
		}
		if score := len(seen)*(SnippetTokens+1) + n; score > best {
			first, best = s, score
		}
	}
	last := min(len(toks), first+SnippetTokens) // one past the window's last token
	if len(toks) == 0 {
		return Snippet{Text: text}
	}
	var b strings.Builder
	from, to := toks[first].start, toks[last-1].end
	if first == 0 {
		from = 0
	} else {
		b.WriteString("…")
	}
	if last == len(toks) {
		to = len(text)
	}
	shift := b.Len() - from
	b.WriteString(text[from:to])
	if last < len(toks) {
		b.WriteString("…")
	}
	sn := Snippet{Text: b.String()}
	for i := first; i < last; i++ {
		if !matched[i] {
			continue
		}
		span := Span{toks[i].start + shift, toks[i].end + shift}
		if n := len(sn.Highlights); n > 0 && i > first && matched[i-1] {
			sn.Highlights[n-1].End = span.End // adjacent matches read as one
			continue
		}
		sn.Highlights = append(sn.Highlights, span)
	}
	return sn
}
