package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
)

// Transcriber turns audio into a timed transcript by speech-to-text
// (asr.Transcriber). The pipeline uses it for a source that has no
// transcript, or when a request asks for it (Request.Transcribe).
type Transcriber interface {
	// TranscribeFile transcribes the audio file at path, asking the
	// service for language lang (a language tag; "" lets it detect the
	// language, or take its configured one). Errors carry recap codes
	// (EINVALID for a file that cannot be read or cut, EASR for a service
	// that refuses it for good, ENOCAPTIONS when it heard no words);
	// transient ones are plain errors, worth retrying.
	TranscribeFile(ctx context.Context, path, lang string) (*Transcription, error)
	// Model is the speech-to-text model it transcribes with: part of
	// what makes two requests for speech-to-text the same work.
	Model() string
}

// Transcription is a transcript made by speech-to-text, and what it cost.
type Transcription struct {
	// Transcript has Source recap.TranscriptASR.
	Transcript recap.Transcript
	// Model is the speech-to-text model (generator.asr_model).
	Model string
	// Audio is the length of the audio transcribed (usage.asr_seconds).
	Audio time.Duration
	// CostUSD is what this run paid for it: audio found transcribed
	// already (a retry) costs nothing. nil when the price is unknown.
	CostUSD *float64
}

// AudioSource gets a loaded source's audio as a local file.
type AudioSource interface {
	// Audio returns the path of an audio file and a function that removes
	// whatever Audio made for it (a download); release is never nil when
	// err is nil, and is called once the audio is transcribed.
	Audio(ctx context.Context) (path string, release func(), err error)
}

// AudioFunc is a function that is an AudioSource.
type AudioFunc func(ctx context.Context) (path string, release func(), err error)

// Audio calls f.
func (f AudioFunc) Audio(ctx context.Context) (string, func(), error) { return f(ctx) }

// Downloaded is the AudioSource of audio that download fetches to a
// temporary file, removed once transcribed.
func Downloaded(download func(ctx context.Context) (*audio.Downloaded, error)) AudioSource {
	return AudioFunc(func(ctx context.Context) (string, func(), error) {
		d, err := download(ctx)
		if err != nil {
			return "", nil, err
		}
		return d.Path, func() { d.Close() }, nil
	})
}

// Audible is a loaded source whose transcript may come from its audio.
type Audible struct {
	// Source has its transcript, or none (then Audio is set).
	Source *recap.Source
	// Audio gets the source's audio; nil when Source has a transcript.
	Audio AudioSource
	// Missing is why Source has no transcript (an ENOCAPTIONS or
	// ENOTRANSCRIPT error); nil when none was looked for.
	Missing error
}

// AudioLoader is a Loader whose sources have audio that speech-to-text
// can transcribe: YouTube videos, yt-dlp downloads, podcast episodes.
type AudioLoader interface {
	Loader
	// LoadAudible loads ref as Load does, except that a source without a
	// transcript comes back with its audio (and why it has no transcript)
	// instead of failing. With transcript false no transcript is looked
	// for: the request asked for speech-to-text.
	LoadAudible(ctx context.Context, ref, lang string, transcript bool) (*Audible, error)
}

// asrHint is what to do when a source without a transcript meets a
// pipeline without speech-to-text.
const asrHint = "set RECAP_ASR_BASE_URL (and RECAP_ASR_API_KEY) to a speech-to-text service to transcribe its audio"

// NoASR is the error of a request for speech-to-text where none is
// configured: bad input, naming the settings to give.
func NoASR() error {
	return recap.Errorf(recap.EINVALID, "speech-to-text is not configured: %s", asrHint)
}

// noTranscript reports whether err says that a source has no transcript.
func noTranscript(err error) bool {
	c := recap.ErrorCode(err)
	return c == recap.ENOCAPTIONS || c == recap.ENOTRANSCRIPT
}

// withHint adds asrHint to a no-transcript error, keeping its code.
func withHint(err error) error {
	return &recap.Error{Code: recap.ErrorCode(err), Message: recap.ErrorMessage(err) + "; " + asrHint}
}

// CheckTranscribe says whether sources of kind can be transcribed on
// request: an EINVALID error naming what is missing, else nil.
func (p *Pipeline) CheckTranscribe(kind string) error {
	l, err := p.loader(kind)
	if err != nil {
		return err
	}
	if _, ok := l.(AudioLoader); !ok {
		return recap.Errorf(recap.EINVALID, "%s sources have no audio recap can transcribe", kind)
	}
	if p.Transcriber == nil {
		return NoASR()
	}
	return nil
}

// load loads the input's source. Its transcript comes from speech-to-text
// when the request asks for it, or when the source has none and the
// pipeline has a Transcriber; tr is that transcription, nil otherwise.
// Without a Transcriber, a source without a transcript fails with the
// reason and asrHint. Every audio file fetched is removed before load
// returns.
func (p *Pipeline) load(ctx context.Context, l Loader, in Input, req Request) (src *recap.Source, tr *Transcription, err error) {
	lang := p.language(req)
	al, audible := l.(AudioLoader)
	if req.Transcribe {
		if err := p.CheckTranscribe(in.Kind); err != nil {
			return nil, nil, err
		}
		a, err := al.LoadAudible(ctx, in.Ref, lang, false)
		if err != nil {
			return nil, nil, err
		}
		return p.transcribe(ctx, a, req)
	}
	if p.Transcriber == nil || !audible {
		src, err := l.Load(ctx, in.Ref, lang)
		if audible && noTranscript(err) {
			err = withHint(err)
		}
		return src, nil, err
	}
	a, err := al.LoadAudible(ctx, in.Ref, lang, true)
	switch {
	case err != nil:
		return nil, nil, err
	case a.Audio != nil:
		return p.transcribe(ctx, a, req)
	case a.Missing != nil:
		return nil, nil, a.Missing
	}
	return a.Source, nil, nil
}

// transcribe gets the audio of a and transcribes it.
func (p *Pipeline) transcribe(ctx context.Context, a *Audible, req Request) (*recap.Source, *Transcription, error) {
	src := a.Source
	log := p.logger().With(slog.String("video_id", src.Video.ID))
	if a.Missing != nil {
		log.Info("no transcript: transcribing the audio", slog.String("reason", recap.ErrorMessage(a.Missing)))
	} else {
		log.Info("transcribing the audio, as asked")
	}
	report(req, Progress{Stage: StageTranscribe})
	path, release, err := a.Audio.Audio(ctx)
	if err != nil {
		if a.Missing == nil {
			return nil, nil, err
		}
		// Both reasons: why speech-to-text, and why it could not be.
		return nil, nil, &recap.Error{Code: recap.ErrorCode(err), Err: err,
			Message: fmt.Sprintf("%s, and its audio could not be had for speech-to-text", recap.ErrorMessage(a.Missing))}
	}
	defer release()
	tr, err := p.Transcriber.TranscribeFile(ctx, path, p.asrLanguage(req))
	if err != nil {
		return nil, nil, fmt.Errorf("speech-to-text of %s: %w", src.Video.ID, err)
	}
	src.Transcript = tr.Transcript
	if src.Transcript.Language == "" {
		// A service that names no language (gpt-4o-transcribe answers
		// text alone) when none was asked: the job's language.
		src.Transcript.Language = p.language(req)
	}
	return src, tr, nil
}

// asrLanguage is the language asked of the speech-to-text service: the
// request's (--lang, "language") when it is not the pipeline's default;
// else "", and the Transcriber asks for its own configured language
// (RECAP_LANG when set) or lets the service detect it. A request without a
// language and one for the default are the same job, and when RECAP_LANG
// is unset the default ("en") is a guess the service does better than.
func (p *Pipeline) asrLanguage(req Request) string {
	if req.Language == "" || req.Language == p.language(Request{}) {
		return ""
	}
	return req.Language
}

// addCost is a + b, nil when either is unknown.
func addCost(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	c := *a + *b
	return &c
}
