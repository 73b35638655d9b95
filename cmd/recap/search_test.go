package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/api"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
)

// searchFakes is a database holding two videos' transcripts.
func searchFakes(t *testing.T) *fakes {
	t.Helper()
	path := filepath.Join(t.TempDir(), "recap.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, v := range []struct {
		id, title string
		line      string
	}{
		{"aaaaaaaaaaa", "Bees\x1b[31m and honey", "the queen bee lays eggs"},
		{"bbbbbbbbbbb", "Wasps", "a wasp is not a bee"},
		{episodeID, "Hornets", "a hornet is a big wasp, not a bee"},
	} {
		if err := s.PutVideo(context.Background(), recap.Video{ID: v.id, Title: v.title, Channel: "Insects"}); err != nil {
			t.Fatal(err)
		}
		tr := recap.Transcript{Language: "en"}
		for i := range 40 {
			text := "some words about insects"
			if i == 31 {
				text = v.line
			}
			at := time.Duration(i) * 4 * time.Second
			tr.Segments = append(tr.Segments, recap.Segment{Start: at, End: at + 4*time.Second, Text: text})
		}
		if err := s.PutTranscript(context.Background(), v.id, tr); err != nil {
			t.Fatal(err)
		}
	}
	return &fakes{env: map[string]string{"RECAP_DATABASE_URL": "sqlite:" + path}}
}

func TestSearchCommand(t *testing.T) {
	f := searchFakes(t)
	out, errOut, code := f.run(t, "search", "queen", "-drone", "bee", "--limit=5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The cue at 2:04 lies in the passage from 1:36 (32 s windows).
	for _, want := range []string{
		"1:36  Bees[31m and honey · Insects\n",
		"  https://www.youtube.com/watch?v=aaaaaaaaaaa&t=96s\n",
		"the **queen bee** lays eggs",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "Wasps") {
		t.Errorf("output has an escape sequence or the other video:\n%q", out)
	}

	out, _, code = f.run(t, "search", "--format", "json", "--video", "https://youtu.be/bbbbbbbbbbb", "bee")
	var page api.SearchPageView
	if err := json.Unmarshal([]byte(out), &page); code != 0 || err != nil {
		t.Fatalf("json: exit %d, %v: %s", code, err, out)
	}
	if len(page.Results) != 1 || page.Results[0].VideoID != "bbbbbbbbbbb" || page.Results[0].StartSeconds != 96 {
		t.Errorf("json results = %+v", page.Results)
	}

	// A podcast episode is filtered by its id as a video is.
	out, errOut, code = f.run(t, "search", "--format", "json", "--video", episodeID, "bee")
	page = api.SearchPageView{}
	if err := json.Unmarshal([]byte(out), &page); code != 0 || err != nil {
		t.Fatalf("--video %s: exit %d, %v: %s %s", episodeID, code, err, out, errOut)
	}
	if len(page.Results) != 1 || page.Results[0].VideoID != episodeID {
		t.Errorf("--video %s: results = %+v", episodeID, page.Results)
	}

	// Pages: the cursor printed gives the next.
	out, _, _ = f.run(t, "search", "--limit", "1", "insects")
	cursor := out[strings.LastIndex(out, "--cursor ")+len("--cursor "):]
	cursor = strings.TrimSpace(cursor)
	if cursor == "" {
		t.Fatalf("no cursor in:\n%s", out)
	}
	next, errOut, code := f.run(t, "search", "--limit", "1", "--cursor", cursor, "insects")
	if code != 0 || next == out {
		t.Errorf("next page: exit %d %s\n%s", code, errOut, next)
	}

	_, errOut, code = f.run(t, "search", "bumblebee")
	if code != 0 || !strings.Contains(errOut, "nothing found for bumblebee") {
		t.Errorf("search bumblebee: exit %d, %q", code, errOut)
	}
}

func TestSearchCommandBadInput(t *testing.T) {
	f := searchFakes(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"search"}, "needs the words"},
		{[]string{"search", `"queen`}, "unbalanced quote"},
		{[]string{"search", "--", "-bee"}, "only excludes"},
		{[]string{"search", "-bee -wasp"}, "only excludes"},
		{[]string{"search", "--limit", "500", "bee"}, "limit 500 out of range"},
		{[]string{"search", "--format", "xml", "bee"}, "unknown format"},
		{[]string{"search", "--video", "not a video", "bee"}, "not a YouTube video"},
		{[]string{"search", "--video", "epABCDEFGHIJKL", "bee"}, "nor a podcast episode id"},
		{[]string{"search", "--cursor", "zzz", "bee"}, "invalid cursor"},
	} {
		_, errOut, code := f.run(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestWriteSearchPageBold(t *testing.T) {
	page := storage.SearchPage{Results: []storage.SearchResult{{
		Kind: storage.KindBullet, VideoID: "aaaaaaaaaaa", ChapterTitle: "Hives", Start: 3725 * time.Second,
		Snippet: storage.Snippet{Text: "a queen\x07 bee", Highlights: []storage.Span{{Start: 2, End: 8}}},
	}}, NextCursor: "abc"}
	var b strings.Builder
	writeSearchPage(&b, page, true)
	want := "1:02:05  Hives · (bullet)\n  https://www.youtube.com/watch?v=aaaaaaaaaaa&t=3725s\n  a \x1b[1mqueen\x1b[0m bee\n\nMore: --cursor abc\n"
	if b.String() != want {
		t.Errorf("writeSearchPage =\n%q\nwant\n%q", b.String(), want)
	}
}
