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

// Input names what to summarize: a source kind (recap.SourceYouTube,
// recap.SourceFile) and a reference whose meaning the kind gives (a video
// id, a path). A stored job carries one, so that running the job needs
// nothing else.
type Input struct {
	Kind string
	Ref  string
}

// YouTubeInput is the input of a YouTube video id.
func YouTubeInput(videoID string) Input { return Input{Kind: recap.SourceYouTube, Ref: videoID} }

// FileInput is the input of a local yt-dlp download (an .info.json file or
// a folder holding one).
func FileInput(path string) Input { return Input{Kind: recap.SourceFile, Ref: path} }

// Loader reads the sources of one kind. Pipeline.Loaders holds one per
// kind; adding a kind is adding a loader.
type Loader interface {
	// Resolve checks ref before any work is queued and returns the id of
	// the video it names and the reference to keep in the job (canonical:
	// an absolute path, say), or an EINVALID error that says what is wrong.
	Resolve(ctx context.Context, ref string) (videoID, canonical string, err error)
	// Load gets the video and its timed transcript, in lang if it can
	// choose (the preferred caption language).
	Load(ctx context.Context, ref, lang string) (*recap.Source, error)
}

// Loaders are the loaders by source kind.
type Loaders map[string]Loader

// Fetcher gets a YouTube video's metadata and timed transcript. lang is the
// preferred caption language.
type Fetcher interface {
	Fetch(ctx context.Context, videoID, lang string) (*recap.Source, error)
}

// YouTube is the Loader of recap.SourceYouTube: the reference is a video
// id, fetched with Fetcher. It never reads the file system.
type YouTube struct{ Fetcher Fetcher }

// Resolve checks that ref is a video id.
func (y YouTube) Resolve(_ context.Context, ref string) (string, string, error) {
	if !recap.ValidVideoID(ref) {
		return "", "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video id: an id is 11 characters of letters, digits, '-' and '_'", ref)
	}
	return ref, ref, nil
}

// Load fetches the video.
func (y YouTube) Load(ctx context.Context, ref, lang string) (*recap.Source, error) {
	return y.Fetcher.Fetch(ctx, ref, lang)
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
