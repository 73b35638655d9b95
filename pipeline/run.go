package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/recap-dev/recap"
)

// Pipeline summarizes one video: load → chapters → summarize each chapter
// (in parallel) → overview → document. The zero value is not usable; set
// Summarizer and a loader for each source kind it must handle.
type Pipeline struct {
	Loaders    Loaders
	Summarizer Summarizer
	// Cache keeps finished chapters; nil means none.
	Cache ChapterCache
	// Chapters tunes chapter normalization. A zero Budget takes the
	// summarizer's.
	Chapters ChapterOptions
	// Language is the preferred caption language ("en" when empty).
	Language string
	Logger   *slog.Logger
	Now      func() time.Time
}

// Stages reported through Progress.
const (
	StageFetch     = "fetch"
	StageChapters  = "chapters"
	StageSummarize = "summarize"
	StageOverview  = "overview"
)

// Progress is one step of a run, for progress bars and job rows.
type Progress struct {
	Stage string
	Done  int // chapters finished (StageSummarize)
	Total int // chapters in all, once known
	// Cached counts the finished chapters that came from the cache.
	Cached int
}

// Request is one summary to make.
type Request struct {
	// ID is the document id; empty means a new UUIDv7.
	ID string
	// Language is the caption language asked for ("" = the pipeline's).
	// Summaries are written in the transcript's language, which is this
	// one whenever YouTube has or can translate captions into it.
	Language string
	// Progress, when set, is called (never concurrently) at each step.
	Progress func(Progress)
	// Loaded, when set, is called with the source once it is loaded and
	// before anything is summarized (the worker stores the video and its
	// transcript there); an error ends the run.
	Loaded func(ctx context.Context, src *recap.Source) error
}

func (p *Pipeline) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

func (p *Pipeline) language(req Request) string {
	if req.Language != "" {
		return req.Language
	}
	if p.Language != "" {
		return p.Language
	}
	return "en"
}

// Run loads the input and summarizes it: the one path of every summary,
// in `recap summarize` and in the worker.
func (p *Pipeline) Run(ctx context.Context, in Input, req Request) (*recap.Document, error) {
	report(req, Progress{Stage: StageFetch})
	l, err := p.loader(in.Kind)
	if err != nil {
		return nil, err
	}
	src, err := l.Load(ctx, in.Ref, p.language(req))
	if err != nil {
		return nil, err
	}
	if req.Loaded != nil {
		if err := req.Loaded(ctx, src); err != nil {
			return nil, err
		}
	}
	return p.summarize(ctx, src, req)
}

// Resolve checks an input before it is queued and returns the video id it
// names and the input to keep (its reference made canonical).
func (p *Pipeline) Resolve(ctx context.Context, in Input) (videoID string, canonical Input, err error) {
	l, err := p.loader(in.Kind)
	if err != nil {
		return "", Input{}, err
	}
	videoID, ref, err := l.Resolve(ctx, in.Ref)
	if err != nil {
		return "", Input{}, err
	}
	return videoID, Input{Kind: in.Kind, Ref: ref}, nil
}

func (p *Pipeline) loader(kind string) (Loader, error) {
	if l, ok := p.Loaders[kind]; ok {
		return l, nil
	}
	if kind == "" {
		return nil, recap.Errorf(recap.EINVALID, "nothing to summarize: expected a YouTube video URL, a video id or a yt-dlp bundle")
	}
	return nil, recap.Errorf(recap.EINVALID, "%s sources are not supported here", kind)
}

// summarize turns a loaded source into a document. It fails, and returns no
// document, when the transcript is empty or any chapter cannot be
// summarized; chapters finished before the failure stay in the cache.
func (p *Pipeline) summarize(ctx context.Context, src *recap.Source, req Request) (*recap.Document, error) {
	if src.Transcript.Empty() {
		return nil, recap.Errorf(recap.ENOCAPTIONS, "video %s has an empty transcript: nothing to summarize", src.Video.ID)
	}
	opt := p.Chapters
	if opt.Budget == 0 {
		opt.Budget = p.Summarizer.Budget()
	}
	chapters, chaptersSource, err := BuildChapters(src, opt)
	if err != nil {
		return nil, err
	}
	lang := src.Transcript.Language
	if lang == "" {
		lang = p.language(req)
	}
	gen := p.Summarizer.Generator()
	total := len(chapters)
	report(req, Progress{Stage: StageChapters, Total: total})
	p.logger().Info("summarizing", slog.String("video_id", src.Video.ID),
		slog.Int("chapters", total), slog.String("chapters_source", chaptersSource),
		slog.String("summarizer", gen.Summarizer), slog.String("model", gen.Model))

	results := make([]recap.ChapterSummary, total)
	usages := make([]recap.Usage, total)
	var (
		mu           sync.Mutex
		done, cached int
	)
	finished := func(fromCache bool) {
		mu.Lock()
		defer mu.Unlock()
		done++
		if fromCache {
			cached++
		}
		report(req, Progress{Stage: StageSummarize, Done: done, Total: total, Cached: cached})
	}

	g, gctx := errgroup.WithContext(ctx)
	for i := range chapters {
		g.Go(func() error {
			ch := &chapters[i]
			in := ChapterInput{
				VideoTitle:  src.Video.Title,
				Index:       i,
				Total:       total,
				SourceTitle: ch.SourceTitle,
				Text:        ch.Text(),
				Language:    lang,
			}
			key := ChapterKey(gen, in)
			if p.Cache != nil {
				s, ok, err := p.Cache.GetChapter(gctx, key)
				if err != nil {
					return fmt.Errorf("chapter cache: %w", err)
				}
				if ok {
					results[i] = s
					finished(true)
					return nil
				}
			}
			s, u, err := p.Summarizer.SummarizeChapter(gctx, in)
			usages[i] = u
			if err != nil {
				return fmt.Errorf("chapter %d/%d (%s): %w", i+1, total, chapterLabel(ch), err)
			}
			if p.Cache != nil {
				// Keep what was paid for even when another chapter's
				// failure has cancelled gctx: the retry must not pay again.
				if err := p.Cache.PutChapter(context.WithoutCancel(gctx), key, s); err != nil {
					return fmt.Errorf("chapter cache: %w", err)
				}
			}
			results[i] = s
			finished(false)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	report(req, Progress{Stage: StageOverview, Done: total, Total: total, Cached: cached})
	overview, ou, err := p.overview(ctx, gen, OverviewInput{
		VideoTitle: src.Video.Title,
		Language:   lang,
		Chapters:   results,
	})
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}

	doc := &recap.Document{
		ID:               req.ID,
		Video:            documentVideo(src.Video, chapters),
		Language:         lang,
		TranscriptSource: src.Transcript.Source,
		ChaptersSource:   chaptersSource,
		Overview:         overview,
		Generator:        gen,
		CreatedAt:        p.now(),
	}
	if doc.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("document id: %w", err)
		}
		doc.ID = id.String()
	}
	for _, u := range usages {
		doc.Usage.Add(u)
	}
	doc.Usage.Add(ou)
	for i, ch := range chapters {
		doc.Chapters = append(doc.Chapters, recap.ChapterResult{
			StartSeconds: seconds(ch.Start),
			EndSeconds:   seconds(ch.End),
			SourceTitle:  ch.SourceTitle,
			Title:        results[i].Title,
			Summary:      results[i].Summary,
			Bullets:      results[i].Bullets,
			URL:          src.Video.TimeURL(ch.Start),
		})
	}
	return doc, nil
}

// overview writes the overview, or takes it from the cache: the same
// chapter summaries give the same overview, paid once.
func (p *Pipeline) overview(ctx context.Context, gen recap.Generator, in OverviewInput) (string, recap.Usage, error) {
	key := OverviewKey(gen, in)
	if p.Cache != nil {
		s, ok, err := p.Cache.GetChapter(ctx, key)
		if err != nil {
			return "", recap.Usage{}, fmt.Errorf("cache: %w", err)
		}
		if ok {
			return s.Summary, recap.Usage{}, nil
		}
	}
	text, u, err := p.Summarizer.Overview(ctx, in)
	if err != nil {
		return "", u, err
	}
	if p.Cache != nil {
		if err := p.Cache.PutChapter(ctx, key, recap.ChapterSummary{Summary: text}); err != nil {
			return "", u, fmt.Errorf("cache: %w", err)
		}
	}
	return text, u, nil
}

func report(req Request, pr Progress) {
	if req.Progress != nil {
		req.Progress(pr)
	}
}

func chapterLabel(ch *recap.Chapter) string {
	if ch.SourceTitle != "" {
		return fmt.Sprintf("%q at %s", ch.SourceTitle, FormatTimestamp(ch.Start))
	}
	return "at " + FormatTimestamp(ch.Start)
}

func documentVideo(v recap.Video, chapters []recap.Chapter) recap.DocumentVideo {
	dur := v.Duration
	if n := len(chapters); n > 0 && chapters[n-1].End > dur {
		dur = chapters[n-1].End
	}
	url := v.URL
	if url == "" && v.Source != recap.SourcePodcast {
		url = recap.WatchURL(v.ID)
	}
	if url == "" {
		url = v.MediaURL
	}
	source := v.Source
	if source == "" {
		source = recap.SourceYouTube
	}
	return recap.DocumentVideo{
		ID:              v.ID,
		Source:          source,
		Feed:            v.Feed,
		URL:             url,
		Title:           v.Title,
		Channel:         v.Channel,
		PublishedAt:     v.PublishedAt,
		DurationSeconds: seconds(dur),
		ThumbnailURL:    v.ThumbnailURL,
	}
}

// seconds rounds down: a chapter starting at 61.9 s links to &t=61s, which
// YouTube plays from just before the first word.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// FormatTimestamp writes d as m:ss or h:mm:ss, the way YouTube does.
func FormatTimestamp(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ChapterKey is the cache key of one chapter summary: everything the
// summarizer is given (prompt version, model, language, the chapter's
// place, titles and text), hashed. A prompt or model change gives new keys.
func ChapterKey(gen recap.Generator, in ChapterInput) string {
	h := sha256.New()
	for _, s := range []string{gen.Summarizer, gen.Model, gen.PromptVersion, in.Language, in.VideoTitle, in.SourceTitle} {
		writeField(h, s)
	}
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(in.Index))
	binary.BigEndian.PutUint64(n[8:], uint64(in.Total))
	h.Write(n[:])
	writeField(h, in.Text)
	return "chapter:" + hex.EncodeToString(h.Sum(nil))
}

// OverviewKey is the cache key of an overview: the generator, language,
// video title and every chapter summary, hashed.
func OverviewKey(gen recap.Generator, in OverviewInput) string {
	h := sha256.New()
	for _, s := range []string{gen.Summarizer, gen.Model, gen.PromptVersion, in.Language, in.VideoTitle} {
		writeField(h, s)
	}
	for _, c := range in.Chapters {
		writeField(h, c.Title)
		writeField(h, c.Summary)
		for _, b := range c.Bullets {
			writeField(h, b)
		}
	}
	return "overview:" + hex.EncodeToString(h.Sum(nil))
}

// writeField writes s length-prefixed, so that ("ab","c") and ("a","bc")
// hash differently.
func writeField(h interface{ Write([]byte) (int, error) }, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(strings.ToValidUTF8(s, "\uFFFD")))
}
