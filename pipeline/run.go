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
	"sync/atomic"
	"time"

	"github.com/google/uuid"

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
	// Pricer prices the run's LLM usage for the document's cost_usd; nil
	// means the price is unknown (cost_usd is null, unless the run spent
	// nothing).
	Pricer Pricer
	// Chapters tunes chapter normalization. A zero Budget takes the
	// summarizer's.
	Chapters ChapterOptions
	// Labeler names automatic chapters (their source_title); nil leaves
	// them unnamed.
	Labeler ChapterLabeler
	// Transcriber, when set, transcribes the audio of sources without a
	// transcript, and of any source a request asks it for
	// (Request.Transcribe); nil means no speech-to-text: such sources fail
	// with the reason and the setting to give.
	Transcriber Transcriber
	// Language is the preferred caption language ("en" when empty).
	Language string
	Logger   *slog.Logger
	Now      func() time.Time
}

// Stages reported through Progress.
const (
	StageFetch      = "fetch"
	StageTranscribe = "transcribe" // speech-to-text of the audio
	StageChapters   = "chapters"
	StageSummarize  = "summarize"
	StageOverview   = "overview"
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
	Language string
	// SummaryLanguage is the language the summary is written in, whatever
	// the transcript's (BCP 47); "" means the transcript's language, which
	// is Language whenever YouTube has or can translate captions into it.
	SummaryLanguage string
	// Progress, when set, is called (never concurrently) at each step.
	Progress func(Progress)
	// Transcribe asks for the transcript from speech-to-text, whatever
	// transcript the source has (auto-captions can be poor).
	Transcribe bool
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
	src, tr, err := p.load(ctx, l, in, req)
	if err != nil {
		return nil, err
	}
	// Nothing stored, prompted or shown from a source holds a control
	// character or an over-long title (recap.Source.Clean).
	if err := p.clean(src); err != nil {
		return nil, err
	}
	if req.Loaded != nil {
		if err := req.Loaded(ctx, src); err != nil {
			return nil, err
		}
	}
	return p.summarize(ctx, src, req, tr)
}

// clean applies recap.Source.Clean and logs what it had to cut.
func (p *Pipeline) clean(src *recap.Source) error {
	notes, err := src.Clean()
	if err != nil {
		return err
	}
	for _, n := range notes {
		p.logger().Warn("source over a size limit", slog.String("video_id", src.Video.ID), slog.String("note", n))
	}
	return nil
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

// summarize turns a loaded source into a document; tr is the
// transcription its transcript came from, nil when none. It fails, and
// returns no document, when the transcript is empty or any chapter cannot
// be summarized; chapters finished before the failure stay in the cache.
func (p *Pipeline) summarize(ctx context.Context, src *recap.Source, req Request, tr *Transcription) (*recap.Document, error) {
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
	summaryLang, err := recap.ParseLanguage("summary language", req.SummaryLanguage)
	if err != nil {
		return nil, err
	}
	if summaryLang == "" {
		summaryLang = lang
	}
	if lc, ok := p.Summarizer.(LanguageChecker); ok {
		if err := lc.CheckLanguage(lang, summaryLang); err != nil {
			return nil, err
		}
	}
	people := FindPeople(src)
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

	// A failed chapter stops new calls but cancels none in flight: what is
	// being bought is kept for the retry. A store fault (a dropped
	// connection) fails the run after every chapter in flight is saved.
	var (
		wg       sync.WaitGroup
		stop     atomic.Bool
		errMu    sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if firstErr == nil {
			firstErr = err
		}
		stop.Store(true)
	}
	for i := range chapters {
		wg.Go(func() {
			ch := &chapters[i]
			in := ChapterInput{
				VideoTitle:         src.Video.Title,
				Index:              i,
				Total:              total,
				SourceTitle:        ch.SourceTitle,
				Text:               ch.Text(),
				Language:           summaryLang,
				TranscriptLanguage: lang,
				People:             people,
			}
			key := ChapterKey(gen, in)
			if p.Cache != nil {
				s, ok, err := p.cached(ctx, key)
				if err != nil {
					fail(fmt.Errorf("chapter cache: %w", err))
					return
				}
				if ok {
					results[i] = s
					finished(true)
					return
				}
			}
			if stop.Load() {
				return
			}
			s, u, err := p.Summarizer.SummarizeChapter(ctx, in)
			usages[i] = u
			if err != nil {
				fail(fmt.Errorf("chapter %d/%d (%s): %w", i+1, total, chapterLabel(ch), err))
				return
			}
			if p.Cache != nil {
				// Keep what was paid for, through a dropped connection and
				// whatever happens to the run: the retry must not pay again.
				err := Durable(context.WithoutCancel(ctx), func(ctx context.Context) error { return p.Cache.PutChapter(ctx, key, s) })
				if err != nil {
					fail(fmt.Errorf("chapter cache: %w", err))
					return
				}
			}
			results[i] = s
			finished(false)
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}

	report(req, Progress{Stage: StageOverview, Done: total, Total: total, Cached: cached})
	overview, ou, err := p.overview(ctx, gen, OverviewInput{
		VideoTitle:         src.Video.Title,
		Language:           summaryLang,
		TranscriptLanguage: lang,
		People:             people,
		Chapters:           results,
	})
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}

	doc := &recap.Document{
		ID:               req.ID,
		Video:            documentVideo(src.Video, chapters),
		Language:         lang,
		SummaryLanguage:  summaryLang,
		TranscriptSource: src.Transcript.Source,
		ChaptersSource:   chaptersSource,
		People:           MergePeople(src, people, overview.People),
		Overview:         overview.Text,
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
	doc.Usage.CostUSD = p.cost(doc.Usage)
	if tr != nil {
		doc.Generator.ASRModel = tr.Model
		doc.Usage.ASRSeconds = tr.Audio.Seconds()
		doc.Usage.CostUSD = addCost(doc.Usage.CostUSD, tr.CostUSD)
	}
	for i, ch := range chapters {
		sourceTitle := ch.SourceTitle
		if chaptersSource == recap.ChaptersAuto && p.Labeler != nil {
			sourceTitle = p.Labeler.Label(ch.Text(), lang)
		}
		doc.Chapters = append(doc.Chapters, recap.ChapterResult{
			StartSeconds: seconds(ch.Start),
			EndSeconds:   seconds(ch.End),
			SourceTitle:  sourceTitle,
			Title:        results[i].Title,
			Summary:      results[i].Summary,
			Bullets:      results[i].Bullets,
			URL:          src.Video.TimeURL(ch.Start),
		})
	}
	return doc, nil
}

// cost is what usage cost: 0 when nothing was spent (the extractive
// summarizer, or every chapter from the cache), nil when the price is
// unknown.
func (p *Pipeline) cost(u recap.Usage) *float64 {
	var c float64
	switch {
	case u.LLMCalls == 0 && u.PromptTokens == 0 && u.CompletionTokens == 0:
	case p.Pricer == nil:
		return nil
	default:
		c = p.Pricer.Cost(u)
	}
	return &c
}

// overview writes the overview, or takes it from the cache: the same
// chapter summaries give the same overview, paid once.
func (p *Pipeline) overview(ctx context.Context, gen recap.Generator, in OverviewInput) (Overview, recap.Usage, error) {
	key := OverviewKey(gen, in)
	if p.Cache != nil {
		s, ok, err := p.cached(ctx, key)
		if err != nil {
			return Overview{}, recap.Usage{}, fmt.Errorf("cache: %w", err)
		}
		if ok {
			return Overview{Text: s.Summary, People: s.People}, recap.Usage{}, nil
		}
	}
	o, u, err := p.Summarizer.Overview(ctx, in)
	if err != nil {
		return Overview{}, u, err
	}
	if p.Cache != nil {
		save := func(ctx context.Context) error {
			return p.Cache.PutChapter(ctx, key, recap.ChapterSummary{Summary: o.Text, People: o.People})
		}
		if err := Durable(context.WithoutCancel(ctx), save); err != nil {
			return Overview{}, u, fmt.Errorf("cache: %w", err)
		}
	}
	return o, u, nil
}

// cached reads the cache through a dropped connection (Durable).
func (p *Pipeline) cached(ctx context.Context, key string) (s recap.ChapterSummary, ok bool, err error) {
	err = Durable(ctx, func(ctx context.Context) (err error) {
		s, ok, err = p.Cache.GetChapter(ctx, key)
		return err
	})
	return s, ok, err
}

func report(req Request, pr Progress) {
	if req.Progress != nil {
		req.Progress(pr)
	}
}

func chapterLabel(ch *recap.Chapter) string {
	if ch.SourceTitle != "" {
		return fmt.Sprintf("%q at %s", ch.SourceTitle, recap.Timestamp(ch.Start))
	}
	return "at " + recap.Timestamp(ch.Start)
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
	media := ""
	if source == recap.SourcePodcast {
		media = v.MediaURL
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
		MediaURL:        media,
	}
}

// seconds rounds down: a chapter starting at 61.9 s links to &t=61s, which
// YouTube plays from just before the first word.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// ChapterKey is the cache key of one chapter summary: everything the
// summarizer is given (prompt version, model, summary and transcript
// languages, people, the chapter's place, titles and text), hashed. A
// prompt or model change gives new keys.
func ChapterKey(gen recap.Generator, in ChapterInput) string {
	h := sha256.New()
	for _, s := range []string{gen.Summarizer, gen.Model, gen.PromptVersion, in.Language, in.TranscriptLanguage, in.VideoTitle, in.SourceTitle} {
		writeField(h, s)
	}
	writePeople(h, in.People)
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(in.Index))
	binary.BigEndian.PutUint64(n[8:], uint64(in.Total))
	h.Write(n[:])
	writeField(h, in.Text)
	return "chapter:" + hex.EncodeToString(h.Sum(nil))
}

// OverviewKey is the cache key of an overview: the generator, languages,
// video title, people and every chapter summary, hashed.
func OverviewKey(gen recap.Generator, in OverviewInput) string {
	h := sha256.New()
	for _, s := range []string{gen.Summarizer, gen.Model, gen.PromptVersion, in.Language, in.TranscriptLanguage, in.VideoTitle} {
		writeField(h, s)
	}
	writePeople(h, in.People)
	for _, c := range in.Chapters {
		writeField(h, c.Title)
		writeField(h, c.Summary)
		for _, b := range c.Bullets {
			writeField(h, b)
		}
	}
	return "overview:" + hex.EncodeToString(h.Sum(nil))
}

// writePeople writes a count and each person's name and role.
func writePeople(h interface{ Write([]byte) (int, error) }, people []recap.Person) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(people)))
	h.Write(n[:])
	for _, p := range people {
		writeField(h, p.Name)
		writeField(h, p.Role)
	}
}

// writeField writes s length-prefixed, so that ("ab","c") and ("a","bc")
// hash differently.
func writeField(h interface{ Write([]byte) (int, error) }, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(strings.ToValidUTF8(s, "\uFFFD")))
}
