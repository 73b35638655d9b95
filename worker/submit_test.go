package worker

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/bundle"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/storage"
)

// recordingQueue stands in for Redis.
type recordingQueue struct{ jobs []*storage.Job }

func (q *recordingQueue) Enqueue(_ context.Context, j *storage.Job) error {
	q.jobs = append(q.jobs, j)
	return nil
}

func TestSubmit(t *testing.T) {
	b := setup(t)
	q := &recordingQueue{}
	b.submitter.Queue = q
	ctx := context.Background()

	j, created, err := b.submitter.Submit(ctx, Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Display: " https://youtu.be/dQw4w9WgXcQ ", Priority: "low"})
	if err != nil || !created {
		t.Fatalf("Submit = %v, created %v", err, created)
	}
	gen := b.sum.Generator()
	want := Options{Language: "en", Generator: gen}.Key()
	if j.SourceKind != recap.SourceYouTube || j.SourceRef != "dQw4w9WgXcQ" || j.Input != "https://youtu.be/dQw4w9WgXcQ" ||
		j.Priority != storage.PriorityLow || j.Language != "en" || j.Summarizer != gen.Summarizer || j.Model != gen.Model || j.OptionsKey != want {
		t.Fatalf("job = %+v; want a low-priority YouTube job of dQw4w9WgXcQ keyed %q", j, want)
	}
	if len(q.jobs) != 1 || q.jobs[0].ID != j.ID {
		t.Fatalf("queued %v; want the new job", q.jobs)
	}
	// The same work again is the same job, and is not queued twice; so is
	// the same language spelled otherwise.
	for _, lang := range []string{"en", "EN", " en "} {
		again, created, err := b.submitter.Submit(ctx, Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Language: lang})
		if err != nil || created || again.ID != j.ID || len(q.jobs) != 1 {
			t.Fatalf("Submit again in %q = %v, %v, created %v, %d queued; want the first job", lang, again, err, created, len(q.jobs))
		}
	}
	us, _, err := b.submitter.Submit(ctx, Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Language: "en-us"})
	if err != nil {
		t.Fatal(err)
	}
	if again, created, err := b.submitter.Submit(ctx, Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Language: "EN-US"}); err != nil || created || again.ID != us.ID || us.Language != "en-US" {
		t.Fatalf("en-us then EN-US: %+v then %+v (created %v, %v); want one en-US job", us, again, created, err)
	}

	for _, bad := range []struct {
		sub  Submission
		want string
	}{
		{Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Priority: "urgent"}, `priority "urgent"`},
		{Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Language: "english please"}, "not a language tag"},
		{Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Language: strings.Repeat("en-", 1000) + "x"}, "a language tag has at most 35"},
		{Submission{Input: pipeline.YouTubeInput("not-an-id")}, "not a YouTube video id"},
		{Submission{Input: pipeline.FileInput("/x.info.json")}, "file sources are not supported here"},
		{Submission{}, "nothing to summarize"},
	} {
		if _, _, err := b.submitter.Submit(ctx, bad.sub); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Submit(%+v): %v; want EINVALID saying %q", bad.sub, err, bad.want)
		}
	}
}

// A folder named like the video id in the working directory does not turn
// a YouTube job into a read of local files: the job says what to fetch.
func TestYouTubeJobIgnoresTheFileSystem(t *testing.T) {
	b := setup(t)
	b.pipeline.Loaders[recap.SourceFile] = bundle.Loader{}
	dir := t.TempDir()
	folder := filepath.Join(dir, "dQw4w9WgXcQ")
	os.Mkdir(folder, 0o755)
	info, _ := json.Marshal(map[string]any{"id": "dQw4w9WgXcQ", "title": "a local file"})
	os.WriteFile(filepath.Join(folder, "x.info.json"), info, 0o644)
	os.WriteFile(filepath.Join(folder, "x.en.vtt"), []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nlocal words\n"), 0o644)
	t.Chdir(dir)

	j := b.submit(t, "dQw4w9WgXcQ")
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	doc, err := b.store.GetDocument(context.Background(), j.ID)
	if err != nil || b.fetcher.calls != 1 || doc.Video.Title != "Video dQw4w9WgXcQ" {
		t.Fatalf("document %+v (%v) after %d YouTube fetches; want the YouTube video", doc, err, b.fetcher.calls)
	}
}

// A file job names its bundle by absolute path, so any worker process, in
// any working directory, reads the same files.
func TestFileJob(t *testing.T) {
	b := setup(t)
	b.pipeline.Loaders[recap.SourceFile] = bundle.Loader{}
	dir := t.TempDir()
	info, _ := json.Marshal(map[string]any{"id": "bundleVid01", "title": "A local talk", "duration": 60.0})
	os.WriteFile(filepath.Join(dir, "talk.info.json"), info, 0o644)
	os.WriteFile(filepath.Join(dir, "talk.en.vtt"), []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nlocal words about tea\n"), 0o644)
	t.Chdir(dir)

	j, _, err := b.submitter.Submit(context.Background(), Submission{Input: pipeline.FileInput(".")})
	if err != nil {
		t.Fatal(err)
	}
	if j.VideoID != "bundleVid01" || j.SourceKind != recap.SourceFile || j.SourceRef != filepath.Join(dir, "talk.info.json") || j.Input != "." {
		t.Fatalf("file job = %+v", j)
	}
	t.Chdir(t.TempDir())
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	if doc, err := b.store.GetDocument(context.Background(), j.ID); err != nil || doc.Video.Title != "A local talk" || b.fetcher.calls != 0 {
		t.Fatalf("document %+v, %v; %d YouTube fetches", doc, err, b.fetcher.calls)
	}
}

// otherModel is a summarizer like fakeSummarizer with another model.
type otherModel struct {
	fakeSummarizer
	model string
}

func (s *otherModel) Generator() recap.Generator {
	return recap.Generator{Summarizer: "llm", Model: s.model, PromptVersion: "v1"}
}

// An API process and a worker configured with different models agree on
// what a job is: the job carries the generator it was submitted with, and
// the worker makes its document with that one.
func TestJobCarriesItsGenerator(t *testing.T) {
	b := setup(t)
	api := &otherModel{model: "api-model"}
	apiSide := &Submitter{Store: b.store, Pipeline: &pipeline.Pipeline{Loaders: b.pipeline.Loaders, Summarizer: api, Language: "en"}}
	j, _, err := apiSide.Submit(context.Background(), Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ")})
	if err != nil {
		t.Fatal(err)
	}
	if j.Model != "api-model" || !strings.Contains(j.OptionsKey, "api-model") {
		t.Fatalf("job %+v does not carry the submitter's model", j)
	}

	// A worker that cannot make it says so, for good.
	err = b.handler.ProcessTask(context.Background(), b.task(t, j))
	if got := b.job(t, j.ID); got.Status != storage.StatusFailed || !strings.Contains(got.Error, `model "api-model"`) {
		t.Fatalf("job run by a worker without the model: %+v (%v)", got, err)
	}

	// A worker that can, uses it.
	j, _, err = apiSide.Submit(context.Background(), Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ"), Force: true})
	if err != nil {
		t.Fatal(err)
	}
	var asked []recap.Generator
	b.runner.PipelineFor = func(g recap.Generator) (*pipeline.Pipeline, error) {
		asked = append(asked, g)
		p := *b.pipeline
		p.Summarizer = &otherModel{model: g.Model}
		return &p, nil
	}
	if err := b.handler.ProcessTask(context.Background(), b.task(t, j)); err != nil {
		t.Fatal(err)
	}
	doc, err := b.store.GetDocument(context.Background(), j.ID)
	if err != nil || doc.Generator.Model != "api-model" || len(asked) != 1 || b.sum.total() != 0 {
		t.Fatalf("document %+v (%v), summarizers asked %v, worker's own model called %d times; want the job's model", doc, err, asked, b.sum.total())
	}
	// And the next submission finds it done.
	again, created, err := apiSide.Submit(context.Background(), Submission{Input: pipeline.YouTubeInput("dQw4w9WgXcQ")})
	if err != nil || created || again.ID != j.ID {
		t.Fatalf("Submit after done = %+v, created %v, %v; want the done job", again, created, err)
	}
}

// nopTranscriber is a speech-to-text service that is never reached.
type nopTranscriber struct{}

func (nopTranscriber) Model() string { return "whisper-nop" }

func (nopTranscriber) TranscribeFile(context.Context, string, string) (*pipeline.Transcription, error) {
	return nil, recap.Errorf(recap.EASR, "not reached")
}

// Asking for speech-to-text is other work than the captions, and needs a
// configured service: without one the submission is refused, naming the
// settings.
func TestSubmitTranscribe(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	in := pipeline.YouTubeInput("dQw4w9WgXcQ")
	if _, _, err := b.submitter.Submit(ctx, Submission{Input: in, Transcribe: true}); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "RECAP_ASR_BASE_URL") {
		t.Fatalf("transcribe without speech-to-text: %v; want EINVALID naming RECAP_ASR_BASE_URL", err)
	}
	b.pipeline.Transcriber = nopTranscriber{}
	plain, _, err := b.submitter.Submit(ctx, Submission{Input: in})
	if err != nil {
		t.Fatal(err)
	}
	asr, created, err := b.submitter.Submit(ctx, Submission{Input: in, Transcribe: true})
	if err != nil || !created || asr.ID == plain.ID || !asr.Transcribe || plain.Transcribe {
		t.Fatalf("transcribe job %+v (created %v, %v) beside %+v; want a new job that asks for speech-to-text", asr, created, err, plain)
	}
	if want := (Options{Language: "en", Generator: b.sum.Generator(), Transcribe: true, ASRModel: "whisper-nop"}).Key(); asr.OptionsKey != want || !strings.HasSuffix(want, "|transcribe=whisper-nop") {
		t.Errorf("options key %q, want %q", asr.OptionsKey, want)
	}
	if again, created, _ := b.submitter.Submit(ctx, Submission{Input: in, Transcribe: true}); created || again.ID != asr.ID {
		t.Errorf("the same transcribe submission made job %s, want %s", again.ID, asr.ID)
	}
	if got, _ := b.store.GetJob(ctx, asr.ID); !got.Transcribe {
		t.Error("the stored job does not ask for speech-to-text")
	}
	// Another speech-to-text model is other work; without transcribe, the
	// model does not matter.
	b.pipeline.Transcriber = otherASRModel{}
	other, created, err := b.submitter.Submit(ctx, Submission{Input: in, Transcribe: true})
	if err != nil || !created || other.ID == asr.ID {
		t.Errorf("transcribe with another model: job %v (created %v, %v); want a new job beside %s", other, created, err, asr.ID)
	}
	if again, created, _ := b.submitter.Submit(ctx, Submission{Input: in}); created || again.ID != plain.ID {
		t.Errorf("a submission without transcribe under another speech-to-text model made job %s, want %s", again.ID, plain.ID)
	}
}

// otherASRModel is a speech-to-text service of another model.
type otherASRModel struct{ nopTranscriber }

func (otherASRModel) Model() string { return "whisper-other" }
