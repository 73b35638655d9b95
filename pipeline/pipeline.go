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

// Loaded is a Loader of a source loaded already (a stored transcript, a
// test's video): Resolve names its video, and Load gives a copy of it,
// whatever the reference.
type Loaded struct{ Source *recap.Source }

// Resolve returns the source's video id.
func (l Loaded) Resolve(_ context.Context, ref string) (string, string, error) {
	return l.Source.Video.ID, ref, nil
}

// Load returns a copy of the source, which the pipeline may then clean.
func (l Loaded) Load(context.Context, string, string) (*recap.Source, error) {
	src := *l.Source
	return &src, nil
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
