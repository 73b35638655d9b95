package worker

import (
	"context"
	"log/slog"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Options are what make two jobs of one video the same work: a video is
// summarized once per Options unless forced.
//
// The generator is decided once, by the process that takes the submission
// (its pipeline's summarizer, from RECAP_SUMMARIZER and RECAP_LLM_MODEL),
// and the job carries it: whichever process runs the job makes the
// document with that summarizer and model (Runner), so the key always says
// what the document is, even when an API process and a worker are
// configured differently.
type Options struct {
	// Language is the caption language, a canonical BCP 47 tag.
	Language string
	// SummaryLanguage is the language of the summary; "" means the
	// transcript's.
	SummaryLanguage string
	Generator       recap.Generator
	// Transcribe asks for the transcript from speech-to-text whatever
	// captions the video has: another document than the captions give.
	Transcribe bool
	// ASRModel is the speech-to-text model of a Transcribe job (the
	// submitting process's RECAP_ASR_MODEL): a transcript from another
	// model is other work. Jobs that are transcribed only because the
	// video has no captions leave it out: their transcript is the only
	// one there is.
	ASRModel string
}

// Key is the options as a job's OptionsKey.
func (o Options) Key() string {
	key := strings.Join([]string{o.Language, o.Generator.Summarizer, o.Generator.Model, o.Generator.PromptVersion}, "|")
	if o.SummaryLanguage != "" {
		// Appended only when set, so that the keys of jobs stored before
		// summary languages existed still match.
		key += "|summary=" + o.SummaryLanguage
	}
	if o.Transcribe {
		key += "|transcribe" // likewise
		if o.ASRModel != "" {
			key += "=" + o.ASRModel
		}
	}
	return key
}

// Submission is one request for a summary, from the API, a batch or the
// CLI.
type Submission struct {
	// Input is what to summarize, as parsed at the edge (a URL becomes a
	// YouTube input, a path a file input).
	Input pipeline.Input
	// Display is what the user gave (a URL, a path), kept for display; ""
	// means Input.Ref.
	Display string
	// Language is the caption language asked for; "" means the pipeline's.
	Language string
	// SummaryLanguage is the language the summary is to be written in; ""
	// means the transcript's.
	SummaryLanguage string
	// Priority is storage.PriorityHigh (the default) or PriorityLow.
	Priority string
	// Force makes a new job even when the same work is done.
	Force bool
	// Transcribe asks for the transcript from speech-to-text, whatever
	// captions the video has (they may be poor). The submitting process
	// must have speech-to-text configured.
	Transcribe bool
}

// Queue puts a stored job on the queue (Enqueuer).
type Queue interface {
	Enqueue(ctx context.Context, job *storage.Job) error
}

// Expediter is a Queue that can also run a job's waiting task at once
// (Enqueuer.Expedite): the Submitter asks it for a job a local download
// has just taken over (storage.TakesOver), which must not wait out the
// backoff of its YouTube failures.
type Expediter interface {
	Expedite(ctx context.Context, job *storage.Job) error
}

// Submitter stores jobs and queues them: the one way work is submitted.
type Submitter struct {
	Store storage.Store
	// Pipeline resolves inputs; its Summarizer decides the generator of new
	// jobs, and its Language is the default caption language.
	Pipeline *pipeline.Pipeline
	// Queue, when set, gets every new job. Without one the caller runs the
	// job itself (Runner), as `recap summarize` does.
	Queue  Queue
	Logger *slog.Logger
}

// Submit checks the submission, stores its job (or finds the same work
// already stored: queued or running, or done unless forced) and queues a
// new job. The job row is written before the queue is touched: when Redis
// is down the job is still accepted, and the re-enqueuer picks it up.
// created says whether the job is new.
func (s *Submitter) Submit(ctx context.Context, sub Submission) (job *storage.Job, created bool, err error) {
	// Tags that mean the same ("en-us", "EN-US") are one tag, so they share
	// the options key.
	lang, err := recap.ParseLanguage("language", sub.Language)
	if err != nil {
		return nil, false, err
	}
	if lang == "" {
		if lang, err = recap.ParseLanguage("language", s.Pipeline.Language); err != nil {
			return nil, false, err
		}
	}
	if lang == "" {
		lang = "en"
	}
	summaryLang, err := recap.ParseLanguage("summary language", sub.SummaryLanguage)
	if err != nil {
		return nil, false, err
	}
	prio := sub.Priority
	switch prio {
	case "":
		prio = storage.PriorityHigh
	case storage.PriorityHigh, storage.PriorityLow:
	default:
		return nil, false, recap.Errorf(recap.EINVALID, "priority %q: expected %s or %s", prio, storage.PriorityHigh, storage.PriorityLow)
	}
	videoID, in, err := s.Pipeline.Resolve(ctx, sub.Input)
	if err != nil {
		return nil, false, err
	}
	asrModel := ""
	if sub.Transcribe {
		if err := s.Pipeline.CheckTranscribe(in.Kind); err != nil {
			return nil, false, err
		}
		asrModel = s.Pipeline.Transcriber.Model()
	}
	display := textclean.Line(sub.Display)
	if display == "" {
		display = textclean.Line(sub.Input.Ref)
	}
	gen := s.Pipeline.Summarizer.Generator()
	job, created, err = s.Store.SubmitJob(ctx, &storage.Job{
		VideoID:         videoID,
		SourceKind:      in.Kind,
		SourceRef:       in.Ref,
		Input:           display,
		Language:        lang,
		SummaryLanguage: summaryLang,
		Priority:        prio,
		Summarizer:      gen.Summarizer,
		Model:           gen.Model,
		Transcribe:      sub.Transcribe,
		OptionsKey:      Options{Language: lang, SummaryLanguage: summaryLang, Generator: gen, Transcribe: sub.Transcribe, ASRModel: asrModel}.Key(),
	}, sub.Force)
	if err != nil {
		return nil, false, err
	}
	if s.Queue == nil {
		return job, created, nil
	}
	var qerr error
	switch x, ok := s.Queue.(Expediter); {
	case created:
		qerr = s.Queue.Enqueue(ctx, job)
	case ok && job.Status == storage.StatusQueued && in.Kind != recap.SourceYouTube && job.SourceKind == in.Kind && job.SourceRef == in.Ref:
		// Taken over (or submitted from this download before): run it now.
		qerr = x.Expedite(ctx, job)
	}
	if qerr != nil {
		// Stored is accepted: the re-enqueuer will try again.
		s.logger().Warn("enqueue failed; the job stays queued in the store", slog.String("job_id", job.ID), slog.Any("error", qerr))
	}
	return job, created, nil
}

func (s *Submitter) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}
