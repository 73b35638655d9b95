package batch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/feed"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/source"
	"github.com/recap-dev/recap/storage"
)

// fakeASR is a speech-to-text service that dispatching never reaches.
type fakeASR struct{}

func (fakeASR) Model() string { return "whisper-fake" }

func (fakeASR) TranscribeFile(context.Context, string, string) (*pipeline.Transcription, error) {
	return nil, recap.Errorf(recap.EASR, "not reached")
}

// A batch that asks for speech-to-text is refused without a service; with
// one, it keeps the option, every item's job asks for it (with the
// service's model in its options key), and its estimates count the audio.
func TestBatchTranscribe(t *testing.T) {
	h := newHarness(t, 4)
	h.yt.set("PLtranscribe", videos("aaaaaaaaaa1", "bbbbbbbbbb2")...)
	url := "https://www.youtube.com/playlist?list=PLtranscribe"
	req := Request{Sources: []string{url}, Transcribe: true}
	if _, _, err := h.svc.Create(h.ctx, req); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "RECAP_ASR_BASE_URL") {
		t.Fatalf("transcribe without speech-to-text: %v; want EINVALID naming RECAP_ASR_BASE_URL", err)
	}
	if _, _, err := h.svc.Subscribe(h.ctx, url, time.Hour, 0, true); recap.ErrorCode(err) != recap.EINVALID {
		t.Fatalf("a transcribing subscription without speech-to-text: %v; want EINVALID", err)
	}
	if n := h.inFlight(); n != 0 || len(h.tasks.tasks) != 0 {
		t.Fatalf("a refused batch left %d items and %d tasks", n, len(h.tasks.tasks))
	}

	price := fixedPrice{in: 1, out: 2}
	h.svc.Pricer = price
	h.svc.ASR = &ASR{PricePerMinute: 0.01}
	h.disp.Submitter.Pipeline.Transcriber = fakeASR{}
	b := h.create(req)
	if !b.Options.Transcribe {
		t.Fatal("the batch does not keep transcribe")
	}
	plain, _, err := h.svc.Create(h.ctx, Request{Sources: []string{url}})
	if err != nil || plain.ID == b.ID {
		t.Fatalf("the same sources without transcribe: batch %v (%v); want another batch than %s", plain, err, b.ID)
	}
	llmOnly := *EstimateItem(8*time.Minute, price).CostUSD
	for _, it := range h.items(b.ID) {
		if want := llmOnly + 8*0.01; it.EstimateUSD == nil || !near(*it.EstimateUSD, want) {
			t.Errorf("item %s estimate %v; want %.4f (the LLM's and 8 minutes of speech-to-text)", it.ItemID, it.EstimateUSD, want)
		}
	}
	h.dispatch()
	for _, it := range h.items(b.ID) {
		j, err := h.store.GetJob(h.ctx, it.JobID)
		if err != nil {
			t.Fatalf("item %s: %v", it.ItemID, err)
		}
		if !j.Transcribe || !strings.HasSuffix(j.OptionsKey, "|transcribe=whisper-fake") || j.Priority != storage.PriorityLow {
			t.Errorf("item %s: job transcribe %v, key %q, priority %s", it.ItemID, j.Transcribe, j.OptionsKey, j.Priority)
		}
	}

	// A subscription's items go to a batch that asks for it too.
	sub, _, err := h.svc.Subscribe(h.ctx, "https://www.youtube.com/playlist?list=PLsub", time.Hour, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if !h.get(sub.BatchID).Options.Transcribe {
		t.Error("the subscription's batch does not ask for speech-to-text")
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// Speech-to-text is estimated for the items it would transcribe: all of
// them when asked, else episodes without a transcript, and none without a
// service.
func TestEstimateSource(t *testing.T) {
	price := fixedPrice{in: 1, out: 2}
	video := source.Item{ID: "aaaaaaaaaaa", Kind: source.KindYouTube, DurationSeconds: 1800}
	bare := source.Item{ID: "ep-1", Kind: source.KindPodcast, DurationSeconds: 1800, Episode: &feed.Episode{ID: "ep-1"}}
	withText := bare
	withText.Episode = &feed.Episode{ID: "ep-2", Transcripts: []feed.Transcript{{URL: "https://x.example/t.srt"}}}
	asr := &ASR{PricePerMinute: 0.006}
	llm := *EstimateItem(30*time.Minute, price).CostUSD
	for _, c := range []struct {
		name       string
		it         source.Item
		asr        *ASR
		transcribe bool
		wantASR    time.Duration
	}{
		{"a video", video, asr, false, 0},
		{"a video, transcribe", video, asr, true, 30 * time.Minute},
		{"an episode without a transcript", bare, asr, false, 30 * time.Minute},
		{"an episode with one", withText, asr, false, 0},
		{"an episode with one, transcribe", withText, asr, true, 30 * time.Minute},
		{"no service", bare, nil, false, 0},
	} {
		e := EstimateSource(c.it, price, c.asr, c.transcribe)
		want := llm + c.wantASR.Minutes()*0.006
		if e.ASR != c.wantASR || e.CostUSD == nil || !near(*e.CostUSD, want) {
			t.Errorf("%s: audio %s, cost %v; want %s, %.4f", c.name, e.ASR, e.CostUSD, c.wantASR, want)
		}
	}
	if e := EstimateSource(bare, price, &ASR{PricePerMinute: -1}, false); e.CostUSD != nil || e.ASR != 30*time.Minute {
		t.Errorf("unknown speech-to-text price: %+v; want the audio and no cost", e)
	}
}
