package api

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func (b *testBundle) putTranscript(t *testing.T, v recap.Video, lines ...string) {
	t.Helper()
	if err := b.store.PutVideo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	tr := recap.Transcript{Language: "en"}
	for i, l := range lines {
		at := time.Duration(i) * 5 * time.Second
		tr.Segments = append(tr.Segments, recap.Segment{Start: at, End: at + 5*time.Second, Text: l})
	}
	if err := b.store.PutTranscript(context.Background(), v.ID, tr); err != nil {
		t.Fatal(err)
	}
}

func TestSearch(t *testing.T) {
	b := setup(t)
	filler := "nothing to see here"
	lines := []string{filler, filler, filler, filler, filler, filler, filler, filler,
		"the Crème brûlée <script>alert(1)</script> at forty seconds", filler}
	b.putTranscript(t, recap.Video{ID: "dQw4w9WgXcQ", Title: "Desserts", Channel: "Kitchen"}, lines...)

	w := b.do(t, "GET", "/v1/search?q="+url.QueryEscape(`"creme brulee"`), "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("search = %d %s", w.Code, w.Body)
	}
	page := decode[SearchPageView](t, w)
	if len(page.Results) != 1 || page.NextCursor != "" {
		t.Fatalf("search = %s; want one result", w.Body)
	}
	r := page.Results[0]
	if r.Kind != "passage" || r.VideoID != "dQw4w9WgXcQ" || r.Title != "Desserts" || r.Channel != "Kitchen" ||
		r.Language != "en" || r.StartSeconds != 30 || r.EndSeconds != 50 || r.URL != "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30s" {
		t.Errorf("result = %+v", r)
	}
	// The snippet is plain text; the highlight counts code points.
	runes := []rune(r.Snippet)
	if len(r.Highlights) != 1 || string(runes[r.Highlights[0][0]:r.Highlights[0][1]]) != "Crème brûlée" {
		t.Errorf("snippet %q, highlights %v; want Crème brûlée marked", r.Snippet, r.Highlights)
	}
	// The passage is the 30-50 s window, the cue at 40 s among others.
	if want := "nothing to see here nothing to see here the Crème brûlée <script>alert(1)</script> at forty seconds nothing to see here"; r.Text != want {
		t.Errorf("text = %q; want %q", r.Text, want)
	}

	// Paging through the filler, 2 at a time.
	var seen int
	cursor := ""
	for range 10 {
		w := b.do(t, "GET", "/v1/search?q=nothing&limit=2&video_id=dQw4w9WgXcQ&cursor="+url.QueryEscape(cursor), "")
		p := decode[SearchPageView](t, w)
		seen += len(p.Results)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if seen != 2 { // the windows 0-30 s and 30-50 s
		t.Errorf("paged through %d results of filler; want 2", seen)
	}
	if p := decode[SearchPageView](t, b.do(t, "GET", "/v1/search?q=nothing&channel=Other", "")); len(p.Results) != 0 || p.Results == nil {
		t.Errorf("search another channel = %+v; want an empty list", p)
	}
}

func TestSearchBadInput(t *testing.T) {
	b := setup(t)
	for _, q := range []string{
		"", "q=", "q=" + url.QueryEscape(`"open`), "q=-only", "q=a+OR", "q=cats&limit=x", "q=cats&limit=0x",
		"q=cats&limit=1000", "q=cats&cursor=bogus",
	} {
		w := b.do(t, "GET", "/v1/search?"+q, "")
		if e := decode[errorBody](t, w).Error; w.Code != 400 || e.Code != "invalid" || e.Message == "" {
			t.Errorf("search %q = %d %s; want 400 invalid with a message", q, w.Code, w.Body)
		}
	}
	// Engine syntax is searched as text.
	for _, q := range []string{`NEAR(a b)`, `col:x`, `a*`, `a & !b`, `'x'`} {
		if w := b.do(t, "GET", "/v1/search?q="+url.QueryEscape(q), ""); w.Code != 200 {
			t.Errorf("search %q = %d %s; want 200", q, w.Code, w.Body)
		}
	}
}

func TestSearchNeedsToken(t *testing.T) {
	b := setup(t, "s3cret")
	if w := b.do(t, "GET", "/v1/search?q=x", ""); w.Code != 401 {
		t.Errorf("search without a token = %d; want 401", w.Code)
	}
	if w := b.do(t, "GET", "/v1/search?q=x", "", "Authorization", "Bearer s3cret"); w.Code != 200 {
		t.Errorf("search with a token = %d %s; want 200", w.Code, w.Body)
	}
}
