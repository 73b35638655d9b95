// Package pipeline holds recap's pure stages: parsing inputs and chapters,
// splitting the transcript, planning, summarizing through the Summarizer
// interface and assembling the document. It runs in-process for
// `recap summarize` and inside the worker; it knows no Redis and no HTTP
// server.
package pipeline

import (
	"context"

	"github.com/recap-dev/recap"
)

// Fetcher gets a YouTube video's metadata and timed transcript. lang is the
// preferred caption language.
type Fetcher interface {
	Fetch(ctx context.Context, videoID, lang string) (*recap.Source, error)
}

// BundleLoader reads a local yt-dlp download: an *.info.json file, or a
// folder holding one, with its subtitles beside it.
type BundleLoader interface {
	Load(path, lang string) (*recap.Source, error)
}

// ChapterInput is what a summarizer is given for one chapter.
type ChapterInput struct {
	VideoTitle  string
	Index       int // 0-based
	Total       int
	SourceTitle string // the creator's title, "" for automatic chapters
	Text        string // the chapter's transcript
	// Language is the language the summary must be written in (BCP 47,
	// e.g. "en", "de", "pt-BR").
	Language string
}

// OverviewInput is what a summarizer is given to write the overview: the
// chapter summaries, never the transcript.
type OverviewInput struct {
	VideoTitle string
	Language   string
	Chapters   []recap.ChapterSummary
}

// Summarizer writes chapter summaries and the overview.
type Summarizer interface {
	SummarizeChapter(ctx context.Context, in ChapterInput) (recap.ChapterSummary, recap.Usage, error)
	Overview(ctx context.Context, in OverviewInput) (string, recap.Usage, error)
	// Generator names the summarizer, model and prompt version.
	Generator() recap.Generator
	// Budget is the most transcript tokens (recap.EstimateTokens) one call
	// may carry; 0 means no limit.
	Budget() int
}

// ChapterCache keeps finished chapter summaries so that a retried or
// restarted job never pays the LLM twice for the same chapter. Keys come
// from ChapterKey.
type ChapterCache interface {
	GetChapter(ctx context.Context, key string) (recap.ChapterSummary, bool, error)
	PutChapter(ctx context.Context, key string, s recap.ChapterSummary) error
}

// Pricer turns a run's token usage into US dollars (llm.Pricing).
type Pricer interface {
	Cost(u recap.Usage) float64
}
