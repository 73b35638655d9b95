package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// SearchPageView is a page of search results as GET /v1/search and
// `recap search --format json` show it.
type SearchPageView struct {
	Results    []SearchResultView `json:"results"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// SearchResultView is one moment. Snippet is plain text; Highlights are
// the matched words in it, as [start, end) offsets in Unicode code points,
// for the client to mark after escaping the text.
type SearchResultView struct {
	Kind         string   `json:"kind"` // passage, chapter, paragraph or bullet
	VideoID      string   `json:"video_id"`
	Title        string   `json:"title"`
	Channel      string   `json:"channel"`
	Language     string   `json:"language"`
	ChapterTitle string   `json:"chapter_title"`
	StartSeconds int64    `json:"start_seconds"`
	EndSeconds   int64    `json:"end_seconds"`
	Text         string   `json:"text"`
	Snippet      string   `json:"snippet"`
	Highlights   [][2]int `json:"highlights"`
	URL          string   `json:"url"`
}

// NewSearchPageView makes the view of a page.
func NewSearchPageView(p storage.SearchPage) SearchPageView {
	v := SearchPageView{Results: make([]SearchResultView, 0, len(p.Results)), NextCursor: p.NextCursor}
	for _, r := range p.Results {
		hs := make([][2]int, 0, len(r.Snippet.Highlights))
		for _, h := range r.Snippet.Highlights {
			start := utf8.RuneCountInString(r.Snippet.Text[:h.Start])
			hs = append(hs, [2]int{start, start + utf8.RuneCountInString(r.Snippet.Text[h.Start:h.End])})
		}
		v.Results = append(v.Results, SearchResultView{
			Kind: r.Kind, VideoID: r.VideoID, Title: r.Title, Channel: r.Channel, Language: r.Language,
			ChapterTitle: r.ChapterTitle,
			StartSeconds: int64(r.Start / time.Second), EndSeconds: int64((r.End + time.Second - 1) / time.Second),
			Text: r.Text, Snippet: r.Snippet.Text, Highlights: hs,
			URL: recap.TimeURL(r.VideoID, r.Start),
		})
	}
	return v
}

// search is GET /v1/search?q=&video_id=&channel=&language=&limit=&cursor=.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := storage.SearchFilter{
		Q: q.Get("q"), VideoID: q.Get("video_id"), Channel: q.Get("channel"),
		Language: q.Get("language"), Cursor: q.Get("cursor"),
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.Store.Search(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.json(w, http.StatusOK, NewSearchPageView(page))
}
