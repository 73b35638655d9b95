package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

// audibleLoader is an AudioLoader of one source: with or without its
// transcript, and audio in a temporary file it makes for each Audio call.
type audibleLoader struct {
	src        *recap.Source // with its transcript, when it has one
	captions   bool          // the source has a transcript
	audioErr   error         // what getting the audio fails with
	dir        string
	mu         sync.Mutex
	loads      []bool   // transcript asked for, per LoadAudible
	made, kept []string // audio files made; those still there
}

func (l *audibleLoader) Resolve(_ context.Context, ref string) (string, string, error) {
	return l.src.Video.ID, ref, nil
}

func (l *audibleLoader) Load(context.Context, string, string) (*recap.Source, error) {
	if !l.captions {
		return nil, recap.Errorf(recap.ENOCAPTIONS, "video %s has no captions", l.src.Video.ID)
	}
	src := *l.src
	return &src, nil
}

func (l *audibleLoader) LoadAudible(ctx context.Context, ref, lang string, transcript bool) (*pipeline.Audible, error) {
	l.mu.Lock()
	l.loads = append(l.loads, transcript)
	l.mu.Unlock()
	var missing error
	if transcript {
		src, err := l.Load(ctx, ref, lang)
		if err == nil {
			return &pipeline.Audible{Source: src}, nil
		}
		missing = err
	}
	src := *l.src
	src.Transcript = recap.Transcript{}
	get := func(context.Context) (string, func(), error) {
		if l.audioErr != nil {
			return "", nil, l.audioErr
		}
		path := filepath.Join(l.dir, "audio.mp3")
		if err := os.WriteFile(path, []byte("audio"), 0o600); err != nil {
			return "", nil, err
		}
		l.made = append(l.made, path)
		return path, func() { os.Remove(path) }, nil
	}
	return &pipeline.Audible{Source: &src, Audio: pipeline.AudioFunc(get), Missing: missing}, nil
}

// fakeTranscriber hears the same words whatever the file, at a price.
type fakeTranscriber struct {
	files []string
	langs []string // the language asked for each file
	cost  *float64
	err   error
	lang  string // the language it names; "" names none
}

func (f *fakeTranscriber) Model() string { return "whisper-test" }

func (f *fakeTranscriber) TranscribeFile(_ context.Context, path, lang string) (*pipeline.Transcription, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	f.files = append(f.files, path)
	f.langs = append(f.langs, lang)
	if f.err != nil {
		return nil, f.err
	}
	tr := recap.Transcript{Language: f.lang, Source: recap.TranscriptASR}
	for i := range 60 {
		tr.Segments = append(tr.Segments, recap.Segment{Start: time.Duration(i) * 30 * time.Second,
			End: time.Duration(i+1) * 30 * time.Second, Text: "heard by speech to text about robots and hands"})
	}
	return &pipeline.Transcription{Transcript: tr, Model: "whisper-test", Audio: 30 * time.Minute, CostUSD: f.cost}, nil
}

func usd(v float64) *float64 { return &v }

func transcribing(t *testing.T, captions bool, tr pipeline.Transcriber) (*pipeline.Pipeline, *audibleLoader) {
	l := &audibleLoader{src: interview(), captions: captions, dir: t.TempDir()}
	return &pipeline.Pipeline{Loaders: pipeline.Loaders{recap.SourceYouTube: l}, Summarizer: &recorder{}, Transcriber: tr}, l
}

// stages records the progress stages a run reports.
func stages(req *pipeline.Request) *[]string {
	var got []string
	req.Progress = func(p pipeline.Progress) { got = append(got, p.Stage) }
	return &got
}

func TestTranscribeWhenThereIsNoTranscript(t *testing.T) {
	tr := &fakeTranscriber{cost: usd(0.18), lang: "en"}
	p, l := transcribing(t, false, tr)
	req := pipeline.Request{}
	got := stages(&req)
	doc, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), req)
	if err != nil {
		t.Fatal(err)
	}
	if doc.TranscriptSource != recap.TranscriptASR || doc.Generator.ASRModel != "whisper-test" || doc.Generator.Model != "rec" {
		t.Errorf("document says transcript %q, generator %+v", doc.TranscriptSource, doc.Generator)
	}
	if doc.Usage.ASRSeconds != 1800 || doc.Usage.CostUSD == nil || *doc.Usage.CostUSD != 0.18 {
		t.Errorf("usage %+v (cost %v); want 1800 audio seconds costing $0.18 (the LLM's calls are free here)", doc.Usage, doc.Usage.CostUSD)
	}
	if len(l.loads) != 1 || !l.loads[0] || len(tr.files) != 1 {
		t.Errorf("loads %v, files transcribed %v; want one load that looked for a transcript, one file", l.loads, tr.files)
	}
	if _, err := os.Stat(l.made[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the audio file %s is still there after the run (%v)", l.made[0], err)
	}
	if strings.Join(*got, " ") != "fetch transcribe chapters summarize summarize summarize overview" {
		t.Errorf("stages %v", *got)
	}
}

// A service that names no language (gpt-4o-transcribe) gives the
// transcript the job's language: the transcript kept (a store needs
// one) and the document say it.
func TestTranscriptWithoutALanguageTakesTheJobs(t *testing.T) {
	for _, tc := range []struct{ asked, named, want string }{
		{"", "", "en"}, {"de", "", "de"}, {"de", "fr", "fr"},
	} {
		p, _ := transcribing(t, false, &fakeTranscriber{lang: tc.named})
		var kept string
		doc, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{Language: tc.asked,
			Loaded: func(_ context.Context, src *recap.Source) error { kept = src.Transcript.Language; return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Language != tc.want || kept != tc.want {
			t.Errorf("asked %q, service named %q: transcript kept in %q, document in %q; want %q", tc.asked, tc.named, kept, doc.Language, tc.want)
		}
	}
}

// A source with a transcript is not transcribed, unless asked.
func TestTranscribeOnRequest(t *testing.T) {
	tr := &fakeTranscriber{cost: usd(0)}
	p, l := transcribing(t, true, tr)
	doc, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{})
	if err != nil || doc.TranscriptSource != recap.TranscriptYouTube || doc.Generator.ASRModel != "" || doc.Usage.ASRSeconds != 0 || len(tr.files) != 0 {
		t.Fatalf("captions: %v, transcript %q, generator %+v, %d files transcribed", err, doc.TranscriptSource, doc.Generator, len(tr.files))
	}
	doc, err = p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{Transcribe: true})
	if err != nil || doc.TranscriptSource != recap.TranscriptASR || len(tr.files) != 1 {
		t.Fatalf("--transcribe: %v, transcript %v, %d files", err, doc, len(tr.files))
	}
	if last := l.loads[len(l.loads)-1]; last {
		t.Error("--transcribe looked for the captions it does not use")
	}
	if !strings.Contains(doc.Chapters[0].Summary, "S.") || doc.Usage.CostUSD == nil || *doc.Usage.CostUSD != 0 {
		t.Errorf("document %+v", doc.Usage)
	}
}

func TestTranscribeFailures(t *testing.T) {
	// No service: the reason and the setting to give, with the code kept.
	p, _ := transcribing(t, false, nil)
	_, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{})
	if recap.ErrorCode(err) != recap.ENOCAPTIONS || !strings.Contains(err.Error(), "has no captions") || !strings.Contains(err.Error(), "RECAP_ASR_BASE_URL") {
		t.Errorf("without a transcriber: %v; want no_captions naming RECAP_ASR_BASE_URL", err)
	}
	_, err = p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{Transcribe: true})
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "RECAP_ASR_API_KEY") {
		t.Errorf("--transcribe without a transcriber: %v; want invalid naming the settings", err)
	}
	if err := p.CheckTranscribe(recap.SourceYouTube); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("CheckTranscribe without a transcriber = %v", err)
	}
	loaded := &pipeline.Pipeline{Loaders: pipeline.Loaders{recap.SourceYouTube: pipeline.Loaded{Source: interview()}}, Transcriber: &fakeTranscriber{}}
	if err := loaded.CheckTranscribe(recap.SourceYouTube); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "no audio") {
		t.Errorf("CheckTranscribe of a loader without audio = %v", err)
	}

	// The audio cannot be had: both reasons, and the audio's code.
	p, l := transcribing(t, false, &fakeTranscriber{})
	l.audioErr = recap.Errorf(recap.EUNAVAILABLE, "YouTube refused the audio stream; download it with yt-dlp -x --write-info-json")
	_, err = p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{})
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "has no captions") || !strings.Contains(err.Error(), "yt-dlp -x") {
		t.Errorf("refused audio: %v", err)
	}

	// The service fails: its code, and the audio is removed all the same.
	p, l = transcribing(t, false, &fakeTranscriber{err: recap.Errorf(recap.EASR, "speech-to-text server rejected chunk-000.mp3")})
	_, err = p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{})
	if recap.ErrorCode(err) != recap.EASR {
		t.Errorf("service failure: %v", err)
	}
	if _, serr := os.Stat(l.made[0]); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("a failed transcription left its audio file %s", l.made[0])
	}

	// An unknown speech-to-text price makes the cost unknown.
	p, _ = transcribing(t, false, &fakeTranscriber{cost: nil})
	doc, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{})
	if err != nil || doc.Usage.CostUSD != nil {
		t.Errorf("unknown price: %v, cost %v; want null", err, doc.Usage.CostUSD)
	}
}

// The language asked of the speech-to-text service is the request's when
// it is not the pipeline's default; else none, and the service's own
// configured language (RECAP_LANG) or its detection applies.
func TestTranscribeLanguageHint(t *testing.T) {
	for _, c := range []struct {
		name          string
		pipeline, req string
		want          string
	}{
		{"--lang", "", "de", "de"},
		{"--lang over the default", "fr", "de", "de"},
		{"the default", "fr", "", ""},
		{"the default, given", "fr", "fr", ""},
		{"en, the fallback default", "", "en", ""},
		{"nothing set", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := &fakeTranscriber{cost: usd(0)}
			p, _ := transcribing(t, false, tr)
			p.Language = c.pipeline
			if _, err := p.Run(t.Context(), pipeline.YouTubeInput("interview01"), pipeline.Request{Language: c.req}); err != nil {
				t.Fatal(err)
			}
			if len(tr.langs) != 1 || tr.langs[0] != c.want {
				t.Errorf("languages asked %q; want [%q]", tr.langs, c.want)
			}
		})
	}
}
