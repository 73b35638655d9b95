package storage

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// SearchFilter is one search: the query in web-search syntax (ParseQuery)
// and what to narrow it to.
type SearchFilter struct {
	Q        string
	VideoID  string // "" for every video
	Channel  string // exact channel name, "" for all
	Language string // transcript language, "" for all
	Limit    int    // 1..100; 0 means 20
	// Cursor is the NextCursor of the previous page, "" for the first.
	Cursor string
}

// SearchResult is one moment that matches: a passage of a transcript, or
// a chapter title, paragraph or bullet of a summary.
type SearchResult struct {
	Kind         string // KindPassage, KindChapter, KindParagraph or KindBullet
	VideoID      string
	Title        string // the video's, "" when its metadata is not stored
	Channel      string
	Language     string
	ChapterTitle string // "" for a passage of a transcript without a summary
	Start, End   time.Duration
	Text         string
	Snippet      Snippet
	// Rank places the result in the order of results; the page's last
	// rank makes the cursor.
	Rank SearchRank
}

// SearchRank orders results: by Tier, then Score (lower is better), then
// ID. Tier is the result's place among its video's results, in threes, so
// that one video fills at most three places of a tier: the best three of
// every video come before the next three of any.
type SearchRank struct {
	Tier  int
	Score float64
	ID    int64
}

// ResultsPerVideo is how many results of one video a tier holds.
const ResultsPerVideo = 3

// SearchCandidates bounds the matches a search ranks: a word said in more
// moments than this (a very common word in a large library) is ranked
// among the most recently indexed SearchCandidates of them. Ranking costs
// time for every match (on PostgreSQL, reading its row: about 10 µs in a
// library larger than the server's buffers), so this bounds the time of
// every search; 1,000 keeps PostgreSQL's p99 within 50 ms at 2,000 hours
// (README, "Search").
const SearchCandidates = 1000

// Candidate is a match as a driver's index gives it, before the order of
// results is made.
type Candidate struct {
	ID      int64
	VideoID string  // or any other key that names the video
	Score   float64 // lower is better
}

// PickPage orders the candidates of a search, at most SearchCandidates of
// them, as results are ordered (see SearchRank) and returns the ranks of
// the page's results: those after the plan's cursor, one more than its
// limit (for NewSearchPage to see that another page follows).
func (p *SearchPlan) PickPage(cands []Candidate) []SearchRank {
	byVideo := map[string][]Candidate{}
	for _, c := range cands {
		byVideo[c.VideoID] = append(byVideo[c.VideoID], c)
	}
	ranks := make([]SearchRank, 0, len(cands))
	for _, cs := range byVideo {
		slices.SortFunc(cs, func(a, b Candidate) int {
			return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(a.ID, b.ID))
		})
		for i, c := range cs {
			ranks = append(ranks, SearchRank{Tier: i / ResultsPerVideo, Score: c.Score, ID: c.ID})
		}
	}
	slices.SortFunc(ranks, compareRanks)
	if p.After != nil {
		at, _ := slices.BinarySearchFunc(ranks, *p.After, compareRanks)
		if at < len(ranks) && ranks[at] == *p.After {
			at++
		}
		ranks = ranks[at:]
	}
	return ranks[:min(len(ranks), p.Limit+1)]
}

func compareRanks(a, b SearchRank) int {
	return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.Score, b.Score), cmp.Compare(a.ID, b.ID))
}

// InRankOrder puts results, fetched by the IDs of ranks in any order, in
// the order of ranks with their ranks set; a rank without a result (gone
// since) is left out.
func InRankOrder(ranks []SearchRank, results []SearchResult) []SearchResult {
	byID := make(map[int64]SearchResult, len(results))
	for _, r := range results {
		byID[r.Rank.ID] = r
	}
	out := make([]SearchResult, 0, len(ranks))
	for _, rk := range ranks {
		if r, ok := byID[rk.ID]; ok {
			r.Rank = rk
			out = append(out, r)
		}
	}
	return out
}

// SearchPage is one page of results, best first.
type SearchPage struct {
	Results    []SearchResult
	NextCursor string // "" on the last page
}

// Snippet is the part of a result's text around the matched words, with
// the matches as byte ranges of Text. Renderers escape Text and mark the
// ranges; a snippet never carries markup.
type Snippet struct {
	Text       string
	Highlights []Span
}

// Span is the byte range [Start, End) of a snippet's text.
type Span struct{ Start, End int }

// SnippetPart is a run of a snippet's text, matched or not.
type SnippetPart struct {
	Text  string
	Match bool
}

// Parts cuts the snippet into runs, matched and not, for renderers.
func (s Snippet) Parts() []SnippetPart {
	var parts []SnippetPart
	at := 0
	for _, h := range s.Highlights {
		if h.Start > at {
			parts = append(parts, SnippetPart{Text: s.Text[at:h.Start]})
		}
		parts = append(parts, SnippetPart{Text: s.Text[h.Start:h.End], Match: true})
		at = h.End
	}
	if at < len(s.Text) {
		parts = append(parts, SnippetPart{Text: s.Text[at:]})
	}
	return parts
}

// Snippet markers: the stores' highlight functions put these around each
// match, and indexed text never holds them (cleanSearchText).
const (
	MarkOpen  = "\x02"
	MarkClose = "\x03"
)

// ParseMarked turns text with MarkOpen…MarkClose around matches into a
// Snippet. Matches separated only by spaces or punctuation merge into one.
func ParseMarked(marked string) Snippet {
	var (
		b   strings.Builder
		sn  Snippet
		pos = -1
	)
	for i := 0; i < len(marked); i++ {
		switch marked[i] {
		case MarkOpen[0]:
			pos = b.Len()
		case MarkClose[0]:
			if pos < 0 {
				continue
			}
			n := len(sn.Highlights)
			if n > 0 && strings.IndexFunc(b.String()[sn.Highlights[n-1].End:pos], isTokenRune) < 0 {
				sn.Highlights[n-1].End = b.Len()
			} else {
				sn.Highlights = append(sn.Highlights, Span{pos, b.Len()})
			}
			pos = -1
		default:
			b.WriteByte(marked[i])
		}
	}
	sn.Text = b.String()
	return sn
}

// SearchPlan is a checked SearchFilter, what drivers run.
type SearchPlan struct {
	Query *Query
	Limit int
	After *SearchRank // nil for the first page
	// fingerprint names the search, so that a cursor is refused by
	// another one.
	fingerprint string
}

// CheckSearch validates f, parses its query and decodes its cursor. Its
// errors are recap.EINVALID.
func CheckSearch(f SearchFilter) (*SearchPlan, error) {
	q, err := ParseQuery(f.Q)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	for _, v := range []struct{ name, val string }{{"video_id", f.VideoID}, {"channel", f.Channel}, {"language", f.Language}} {
		if len(v.val) > 200 || !utf8.ValidString(v.val) {
			return nil, recap.Errorf(recap.EINVALID, "search filter %s is not a valid value", v.name)
		}
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", q, f.VideoID, f.Channel, f.Language)
	p := &SearchPlan{Query: q, Limit: limit, fingerprint: strconv.FormatUint(uint64(h.Sum32()), 36)}
	if f.Cursor != "" {
		if p.After, err = p.decodeCursor(f.Cursor); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// NewSearchPage cuts results, fetched in order with one row more than the
// plan's limit, to a page.
func (p *SearchPlan) NewSearchPage(results []SearchResult) SearchPage {
	if results == nil {
		results = []SearchResult{}
	}
	if len(results) <= p.Limit {
		return SearchPage{Results: results}
	}
	results = results[:p.Limit]
	r := results[p.Limit-1].Rank
	raw := fmt.Sprintf("%s,%d,%x,%d", p.fingerprint, r.Tier, math.Float64bits(r.Score), r.ID)
	return SearchPage{Results: results, NextCursor: encodeOpaque(raw)}
}

func (p *SearchPlan) decodeCursor(s string) (*SearchRank, error) {
	bad := recap.Errorf(recap.EINVALID, "invalid cursor %q: want the next_cursor of a previous page of this search", s)
	raw, ok := decodeOpaque(s)
	f := strings.Split(raw, ",")
	if !ok || len(f) != 4 {
		return nil, bad
	}
	if f[0] != p.fingerprint {
		return nil, recap.Errorf(recap.EINVALID, "cursor %q belongs to another search; start again without a cursor", s)
	}
	tier, err1 := strconv.Atoi(f[1])
	bits, err2 := strconv.ParseUint(f[2], 16, 64)
	id, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || tier < 0 || math.IsNaN(math.Float64frombits(bits)) {
		return nil, bad
	}
	return &SearchRank{Tier: tier, Score: math.Float64frombits(bits), ID: id}, nil
}
