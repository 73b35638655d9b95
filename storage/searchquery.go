package storage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// Bounds of a search query. A longer one is almost certainly pasted text,
// and each term costs a lookup in the index.
const (
	maxQueryBytes = 500
	maxQueryTerms = 32
)

// Query is a parsed search, the one form both stores render from: every
// clause must match and no excluded term may.
type Query struct {
	Clauses []Clause
	Exclude []Term
}

// Clause matches when any of its terms does (terms joined by OR).
type Clause []Term

// Term is a word or a quoted phrase: its tokens in order, as typed. A word
// that punctuation splits ("covid-19", "don't") is a phrase of its parts,
// as both engines split it in the text.
type Term []string

// ParseQuery parses web-search syntax: words (all must match), "exact
// phrases", -word or -"phrase" (must not match), and OR between two words
// or phrases (either may match). User text never reaches an engine's query
// language: the result is rendered by FTS5 and TSQuery. Anything else is a
// recap.EINVALID error that says what to change.
func ParseQuery(s string) (*Query, error) {
	if len(s) > maxQueryBytes {
		return nil, recap.Errorf(recap.EINVALID, "search query is %d bytes long; the most is %d", len(s), maxQueryBytes)
	}
	if !utf8.ValidString(s) {
		return nil, recap.Errorf(recap.EINVALID, "search query is not valid UTF-8")
	}
	items, err := lexQuery(s)
	if err != nil {
		return nil, err
	}
	q := &Query{}
	terms := 0
	for i := 0; i < len(items); i++ {
		it := items[i]
		switch {
		case it.or:
			// Every OR is consumed below, after the term before it.
			return nil, recap.Errorf(recap.EINVALID, "OR needs a word or phrase on each side, as in: cats OR dogs")
		case it.negated:
			if i+1 < len(items) && items[i+1].or {
				return nil, recap.Errorf(recap.EINVALID, "OR cannot join an excluded term (-%s); use OR between words or phrases to include", it.text)
			}
			q.Exclude = append(q.Exclude, it.term)
			terms++
			continue
		}
		c := Clause{it.term}
		for i+1 < len(items) && items[i+1].or {
			if i+2 >= len(items) || items[i+2].or {
				return nil, recap.Errorf(recap.EINVALID, "OR needs a word or phrase on each side, as in: cats OR dogs")
			}
			next := items[i+2]
			if next.negated {
				return nil, recap.Errorf(recap.EINVALID, "OR cannot join an excluded term (-%s); use OR between words or phrases to include", next.text)
			}
			c = append(c, next.term)
			i += 2
		}
		q.Clauses = append(q.Clauses, c)
		terms += len(c)
	}
	switch {
	case terms == 0:
		return nil, recap.Errorf(recap.EINVALID, "empty search query: type the words to look for")
	case len(q.Clauses) == 0:
		return nil, recap.Errorf(recap.EINVALID, "search query only excludes words; add a word or phrase to look for")
	case terms > maxQueryTerms:
		return nil, recap.Errorf(recap.EINVALID, "search query has %d terms; the most is %d", terms, maxQueryTerms)
	}
	return q, nil
}

// queryItem is a term or an OR, as lexed.
type queryItem struct {
	term    Term
	text    string // as typed, for messages
	negated bool
	or      bool
}

// lexQuery splits s into terms and ORs. Words and phrases without a
// letter or digit ("&", "—", `""`) are dropped.
func lexQuery(s string) ([]queryItem, error) {
	var items []queryItem
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		negated := false
		if next, _ := utf8.DecodeRuneInString(s[i+size:]); r == '-' && i+size < len(s) && !unicode.IsSpace(next) {
			negated = true
			i++
		}
		var text string
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, recap.Errorf(recap.EINVALID, "unbalanced quote in search query: close the phrase %s with a \"", s[i:])
			}
			text = s[i+1 : i+1+end]
			i += end + 2
		} else {
			end := strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(s) - i
			}
			text = s[i : i+end]
			i += end
			if text == "OR" && !negated {
				items = append(items, queryItem{or: true})
				continue
			}
		}
		if t := Term(SearchTokens(text)); len(t) > 0 {
			items = append(items, queryItem{term: t, text: text, negated: negated})
		}
	}
	return items, nil
}

// SearchTokens splits s into the tokens both engines index: runs of
// letters, digits and combining marks.
func SearchTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isTokenRune(r) })
}

func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// FTS5 renders q as an SQLite FTS5 MATCH expression. Every term is a
// quoted string of tokens, so no user text is read as FTS5 syntax.
func (q *Query) FTS5() string {
	term := func(t Term) string { return `"` + strings.Join(t, " ") + `"` }
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteString(" AND ")
		}
		writeGroup(&b, len(c), " OR ", func(j int) string { return term(c[j]) })
	}
	if len(q.Exclude) > 0 {
		b.WriteString(" NOT ")
		writeGroup(&b, len(q.Exclude), " OR ", func(j int) string { return term(q.Exclude[j]) })
	}
	return b.String()
}

// TSQuery renders q as a PostgreSQL to_tsquery expression over the tokens
// folded by FoldSearchText, as the stored text is. (websearch_to_tsquery
// would do for the syntax, but its OR binds looser than AND.)
func (q *Query) TSQuery() string {
	term := func(t Term) string {
		parts := make([]string, len(t))
		for i, tok := range t {
			parts[i] = "'" + FoldSearchText(tok) + "'" // tokens hold no quote
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, " <-> ") + ")"
	}
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteString(" & ")
		}
		writeGroup(&b, len(c), " | ", func(j int) string { return term(c[j]) })
	}
	for _, t := range q.Exclude {
		b.WriteString(" & !" + term(t))
	}
	return b.String()
}

// writeGroup writes n items joined by op, in parentheses when n > 1.
func writeGroup(b *strings.Builder, n int, op string, item func(int) string) {
	if n > 1 {
		b.WriteByte('(')
	}
	for j := range n {
		if j > 0 {
			b.WriteString(op)
		}
		b.WriteString(item(j))
	}
	if n > 1 {
		b.WriteByte(')')
	}
}

// String renders q back in the syntax ParseQuery reads, normalized.
func (q *Query) String() string {
	term := func(t Term) string {
		if len(t) == 1 && t[0] != "OR" {
			return t[0]
		}
		return `"` + strings.Join(t, " ") + `"`
	}
	var parts []string
	for _, c := range q.Clauses {
		alts := make([]string, len(c))
		for i, t := range c {
			alts[i] = term(t)
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, t := range q.Exclude {
		parts = append(parts, "-"+term(t))
	}
	return strings.Join(parts, " ")
}
