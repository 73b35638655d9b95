// Package pipeline holds recap's pure stages: parsing inputs and chapters,
// splitting the transcript, planning, summarizing through the Summarizer
// interface and assembling the document. It runs in-process for
// `recap summarize` and inside the worker; it knows no Redis and no HTTP
// server.
package pipeline

import (
	"context"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
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
// id, fetched with Fetcher. It never reads the file system. With Audio
// set it is an AudioLoader too: a video without captions can be
// transcribed from its audio stream.
type YouTube struct {
	Fetcher Fetcher
	Audio   VideoAudio
}

// VideoAudio gets what speech-to-text needs of a YouTube video
// (youtube.Client).
type VideoAudio interface {
	// FetchAudible gets the video's metadata and, with captions true, its
	// transcript; a video without captions comes back without one, and
	// missing says why (ENOCAPTIONS).
	FetchAudible(ctx context.Context, videoID, lang string, captions bool) (src *recap.Source, missing, err error)
	// DownloadAudio downloads the video's audio to a temporary file.
	DownloadAudio(ctx context.Context, videoID string, opt audio.DownloadOptions) (*audio.Downloaded, error)
}

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

// LoadAudible fetches the video, and its captions when transcript is
// true; without captions, its audio stream is the way to a transcript.
func (y YouTube) LoadAudible(ctx context.Context, ref, lang string, transcript bool) (*Audible, error) {
	if y.Audio == nil {
		if !transcript {
			return nil, recap.Errorf(recap.EINVALID, "this recap cannot fetch the audio of YouTube videos")
		}
		src, err := y.Load(ctx, ref, lang)
		if noTranscript(err) {
			return &Audible{Missing: err}, nil
		}
		return &Audible{Source: src}, err
	}
	src, missing, err := y.Audio.FetchAudible(ctx, ref, lang, transcript)
	if err != nil {
		return nil, err
	}
	if transcript && missing == nil {
		return &Audible{Source: src}, nil
	}
	download := func(ctx context.Context) (*audio.Downloaded, error) {
		return y.Audio.DownloadAudio(ctx, ref, audio.DownloadOptions{})
	}
	return &Audible{Source: src, Audio: Downloaded(download), Missing: missing}, nil
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
