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
	// e.g. "en", "de", "pt-BR"); TranscriptLanguage is the language Text
	// is in. They differ when a summary language was asked for.
	Language           string
	TranscriptLanguage string
	// People are the people the video features, as far as its title,
	// channel and description name them, so that a summary can say who
	// holds which view.
	People []recap.Person
}

// OverviewInput is what a summarizer is given to write the overview: the
// chapter summaries, never the transcript.
type OverviewInput struct {
	VideoTitle         string
	Language           string // of the overview
	TranscriptLanguage string
	People             []recap.Person // known before the overview
	Chapters           []recap.ChapterSummary
}

// Overview is what a summarizer writes about the whole video.
type Overview struct {
	Text string
	// People are the people the summarizer found the video features. The
	// pipeline keeps only names that the video's title, channel,
	// description or transcript really hold.
	People []recap.Person
}

// Summarizer writes chapter summaries and the overview.
type Summarizer interface {
	SummarizeChapter(ctx context.Context, in ChapterInput) (recap.ChapterSummary, recap.Usage, error)
	Overview(ctx context.Context, in OverviewInput) (Overview, recap.Usage, error)
	// Generator names the summarizer, model and prompt version.
	Generator() recap.Generator
	// Budget is the most transcript tokens (recap.EstimateTokens) one call
	// may carry; 0 means no limit.
	Budget() int
}

// LanguageChecker is implemented by summarizers that cannot write a
// summary in every language whatever the transcript's (the extractive one
// quotes the transcript, so it cannot translate). The pipeline asks before
// any work; CheckLanguage returns recap.EINVALID naming the setting.
type LanguageChecker interface {
	CheckLanguage(transcript, summary string) error
}

// ChapterLabeler names an automatic chapter from its own text (e.g. by its
// keyphrases); the label is the chapter's source_title in the document.
type ChapterLabeler interface {
	Label(text, language string) string
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
