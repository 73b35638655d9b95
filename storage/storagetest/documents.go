package storagetest

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// newDocument is a complete document, every field set, with text that
// trips careless encoders.
func newDocument(id, videoID string, created time.Time) *recap.Document {
	return &recap.Document{
		ID: id,
		Video: recap.DocumentVideo{
			ID:              videoID,
			URL:             recap.WatchURL(videoID),
			Title:           "Manolis Kellis: Evolution of Human Civilization – «Lex» #373 🧬",
			Channel:         "Lex Fridman",
			PublishedAt:     "2023-06-08",
			DurationSeconds: 9660,
			ThumbnailURL:    "https://i.ytimg.com/vi/" + videoID + "/maxresdefault.jpg",
		},
		Language:         "en",
		TranscriptSource: recap.TranscriptYouTube,
		ChaptersSource:   recap.ChaptersDescription,
		Overview:         "Two to four sentences.\nA \"quoted\" <b>tag</b> & a tab\there; 中文, Ελληνικά.",
		Chapters: []recap.ChapterResult{
			{
				StartSeconds: 0, EndSeconds: 1071, SourceTitle: "Introduction",
				Title: "How it started", Summary: "One paragraph.",
				Bullets: []string{"first", "second, with a comma"},
				URL:     recap.TimeURL(videoID, 0),
			},
			{
				StartSeconds: 1071, EndSeconds: 9660,
				Title: "The rest", Summary: "Automatic chapter without a creator title.",
				Bullets: []string{},
				URL:     recap.TimeURL(videoID, 1071*time.Second),
			},
		},
		Generator: recap.Generator{Summarizer: recap.SummarizerLLM, Model: "gpt-4o-mini", PromptVersion: "v3"},
		Usage:     recap.Usage{LLMCalls: 3, PromptTokens: 34567, CompletionTokens: 890},
		CreatedAt: created,
	}
}

func testDocuments(t *testing.T, e *env) {
	_, err := e.s.GetDocument(e.ctx, "no-such-doc")
	wantCode(t, err, recap.ENOTFOUND, "GetDocument of an unknown id")
	_, err = e.s.LatestDocument(e.ctx, "no-such-video")
	wantCode(t, err, recap.ENOTFOUND, "LatestDocument of an unknown video")
	_, err = e.s.FindDocument(e.ctx, storage.DocumentKey{VideoID: "no-such-video", Language: "en"})
	wantCode(t, err, recap.ENOTFOUND, "FindDocument of an unknown key")

	// store finishes a new job with a document made by edit; documents are
	// finished in another order than their CreatedAt.
	store := func(videoID string, created time.Duration, edit func(d *recap.Document)) *recap.Document {
		t.Helper()
		j := e.submit(t, videoID, optsKey, true)
		d := newDocument(j.ID, videoID, start.Add(created))
		if edit != nil {
			edit(d)
		}
		e.finish(t, j, d)
		return d
	}
	newest := store("vid", 2*time.Hour, nil)
	older := store("vid", time.Hour, nil)
	german := store("vid", 30*time.Minute, func(d *recap.Document) {
		d.Language = "de"
		d.Generator.Model = "llama3.1:8b"
	})
	extractive := store("vid", 10*time.Minute, func(d *recap.Document) {
		d.Generator = recap.Generator{Summarizer: recap.SummarizerExtractive}
		d.Usage = recap.Usage{}
		d.Chapters = nil
	})
	otherVideo := store("vid2", 3*time.Hour, nil)

	for _, d := range []*recap.Document{newest, older, german, extractive, otherVideo} {
		got, err := e.s.GetDocument(e.ctx, d.ID)
		must(t, err, "GetDocument")
		deepEqual(t, got, d, "GetDocument "+d.ID)
	}

	got, err := e.s.LatestDocument(e.ctx, "vid")
	must(t, err, "LatestDocument")
	deepEqual(t, got, newest, "LatestDocument: the newest by CreatedAt")
	got, err = e.s.LatestDocument(e.ctx, "vid2")
	must(t, err, "LatestDocument")
	deepEqual(t, got, otherVideo, "LatestDocument of vid2")

	key := func(d *recap.Document) storage.DocumentKey {
		return storage.DocumentKey{
			VideoID: d.Video.ID, Language: d.Language,
			Summarizer: d.Generator.Summarizer, Model: d.Generator.Model, PromptVersion: d.Generator.PromptVersion,
		}
	}
	for _, tc := range []struct {
		key  storage.DocumentKey
		want *recap.Document
	}{
		{key(newest), newest}, // older has the same key
		{key(german), german},
		{key(extractive), extractive},
		{key(otherVideo), otherVideo},
	} {
		got, err := e.s.FindDocument(e.ctx, tc.key)
		must(t, err, "FindDocument")
		deepEqual(t, got, tc.want, "FindDocument")
	}

	// Each part of the key counts.
	k := key(newest)
	for _, miss := range []storage.DocumentKey{
		{VideoID: "vid3", Language: k.Language, Summarizer: k.Summarizer, Model: k.Model, PromptVersion: k.PromptVersion},
		{VideoID: k.VideoID, Language: "fr", Summarizer: k.Summarizer, Model: k.Model, PromptVersion: k.PromptVersion},
		{VideoID: k.VideoID, Language: k.Language, Summarizer: "other", Model: k.Model, PromptVersion: k.PromptVersion},
		{VideoID: k.VideoID, Language: k.Language, Summarizer: k.Summarizer, Model: "gpt-5", PromptVersion: k.PromptVersion},
		{VideoID: k.VideoID, Language: k.Language, Summarizer: k.Summarizer, Model: k.Model, PromptVersion: "v4"},
	} {
		_, err := e.s.FindDocument(e.ctx, miss)
		wantCode(t, err, recap.ENOTFOUND, "FindDocument with one key part changed")
	}
}
