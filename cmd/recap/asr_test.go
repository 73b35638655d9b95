package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/worker"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// mp3Duration is the length of the frames of data.
func mp3Duration(t testing.TB, data []byte) time.Duration {
	t.Helper()
	chunks, d, err := audio.SplitMP3(bytes.NewReader(data), int64(len(data)), -1)
	if err != nil || len(chunks) != 1 {
		t.Fatalf("synthetic MP3: %v, %d chunks", err, len(chunks))
	}
	return d
}

// lines turns cues into the fake's script.
func lines(segs []recap.Segment) []asrtest.Line {
	out := make([]asrtest.Line, len(segs))
	for i, s := range segs {
		out[i] = asrtest.Line{Start: s.Start, End: s.End, Text: s.Text}
	}
	return out
}

// audioVideo is a synthetic video of dur with chapters in its description
// and no captions, whose audio stream is an MP3 that says the synthetic
// cues; the fake transcription server knows the recording.
func (f *fakes) audioVideo(t *testing.T, id string, dur time.Duration, chapters int, seed int64) (youtubetest.Video, []recap.Segment, time.Duration) {
	t.Helper()
	v := youtubetest.SyntheticVideo(id, dur, chapters, seed)
	said := v.Tracks[0].Segments
	data := asrtest.SyntheticMP3(dur, uint64(seed))
	f.asr.AddAudio(t, data, lines(said))
	v.Tracks, v.Transcript = nil, nil
	v.Audio = []youtubetest.AudioFormat{{Itag: 140, MimeType: `audio/mp4; codecs="mp4a.40.2"`, Bitrate: 128000, Data: data}}
	return v, said, mp3Duration(t, data)
}

// withASR points f at a fake transcription server, and keeps temporary
// files in a folder of the test's, to see that none is left.
func (f *fakes) withASR(t *testing.T, opts ...asrtest.Option) string {
	t.Helper()
	f.asr = asrtest.NewServer(t, opts...)
	f.env["RECAP_ASR_BASE_URL"] = f.asr.BaseURL()
	f.env["RECAP_ASR_API_KEY"] = "sk-asr-secret-4b3a2c"
	f.env["RECAP_ASR_PRICE_PER_MINUTE"] = "0.006"
	f.env["RECAP_LLM_PRICE_INPUT"] = "1"
	f.env["RECAP_LLM_PRICE_OUTPUT"] = "2"
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return tmp
}

// noTempFiles fails when recap left a file in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("temporary files left behind: %v", names)
	}
}

// checkASRDoc checks a document made from speech-to-text of said: its
// transcript source and model, chapters as the description gives them,
// the audio seconds and a cost of the LLM's tokens plus paid minutes.
func checkASRDoc(t *testing.T, doc *recap.Document, dur time.Duration, chapters []youtubetest.SyntheticChapter, paid time.Duration) {
	t.Helper()
	if doc.TranscriptSource != recap.TranscriptASR || doc.Generator.ASRModel != "whisper-1" || doc.Generator.Model != "fake-model" || doc.Language != "en" {
		t.Errorf("document header: transcript %q, language %q, generator %+v", doc.TranscriptSource, doc.Language, doc.Generator)
	}
	if len(doc.Chapters) != len(chapters) {
		t.Fatalf("%d chapters, want %d", len(doc.Chapters), len(chapters))
	}
	for i, c := range doc.Chapters {
		if c.StartSeconds != int64(chapters[i].Start/time.Second) || c.Summary == "" {
			t.Errorf("chapter %d starts at %d (%q), want %s", i, c.StartSeconds, c.Summary, chapters[i].Start)
		}
	}
	if doc.Usage.ASRSeconds != dur.Seconds() {
		t.Errorf("asr_seconds %.2f, want %.2f", doc.Usage.ASRSeconds, dur.Seconds())
	}
	llmCost := float64(doc.Usage.PromptTokens)/1e6*1 + float64(doc.Usage.CompletionTokens)/1e6*2
	want := llmCost + paid.Minutes()*0.006
	if doc.Usage.CostUSD == nil || math.Abs(*doc.Usage.CostUSD-want) > 1e-9 {
		t.Errorf("cost_usd %s, want %.6f (LLM %.6f + %s of audio at $0.006)", render.USD(doc.Usage.CostUSD), want, llmCost, paid)
	}
}

// sentOnce checks that the chapters the fake LLM was sent carry every
// word said, once: each a run of the words said, all of them together as
// many words.
func sentOnce(t *testing.T, f *fakes, said []recap.Segment) {
	t.Helper()
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	all := words(recap.JoinSegments(said))
	n := 0
	for _, r := range f.llm.Requests() {
		if r.Kind != llmtest.KindChapter {
			continue
		}
		ch := words(r.Transcript())
		n += len(strings.Fields(ch))
		if !strings.Contains(all, ch) {
			t.Errorf("a chapter's transcript is not what was said: %.200q", ch)
		}
	}
	if want := len(strings.Fields(all)); n != want {
		t.Errorf("the chapters carried %d words, the audio said %d", n, want)
	}
}

func TestTranscribeCaptionlessVideo(t *testing.T) {
	const dur = 6 * time.Minute
	chapters := youtubetest.SyntheticChapters(dur, 3, 71)

	t.Run("summarize", func(t *testing.T) {
		f := newFakes(t)
		tmp := f.withASR(t)
		v, said, length := f.audioVideo(t, "noCaptions1", dur, 3, 71)
		f.yt.AddVideo(v)
		out, errOut, code := f.run(t, "summarize", "--format", "json", "https://youtu.be/noCaptions1")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		doc := decodeDoc(t, out)
		checkASRDoc(t, doc, length, chapters, length)
		if ups := f.asr.Requests(); len(ups) != 1 || ups[0].FileName != "chunk-000.mp3" || ups[0].Model != "whisper-1" ||
			ups[0].AuthHeader != "Bearer sk-asr-secret-4b3a2c" || !ups[0].Known || ups[0].ResponseFormat != "verbose_json" {
			t.Errorf("uploads %+v; want the whole file once", ups)
		}
		sentOnce(t, f, said)
		if !strings.Contains(errOut, "transcribing the audio") {
			t.Errorf("no progress line for speech-to-text: %q", errOut)
		}
		if strings.Contains(out+errOut, "sk-asr-secret") {
			t.Error("the speech-to-text key leaked")
		}
		noTempFiles(t, tmp)

		// Again: the chunk comes from the store, nothing is uploaded or paid.
		out, errOut, code = f.run(t, "summarize", "--format", "json", "noCaptions1")
		if code != 0 {
			t.Fatalf("second run: exit %d: %s", code, errOut)
		}
		if n := f.asr.Uploads(); n != 1 {
			t.Errorf("the second run uploaded again: %d uploads", n)
		}
		doc = decodeDoc(t, out)
		if doc.Usage.ASRSeconds != length.Seconds() || doc.Usage.CostUSD == nil || *doc.Usage.CostUSD != 0 {
			t.Errorf("second run usage %+v (cost %v); want the audio counted, nothing paid", doc.Usage, doc.Usage.CostUSD)
		}
		md, _, _ := f.run(t, "get", "--format", "md", doc.ID)
		if !strings.Contains(md, recap.Timestamp(length)+" of audio transcribed") || !strings.Contains(md, "transcript: asr (whisper-1)") {
			t.Errorf("markdown credits lack speech-to-text:\n%s", md)
		}
	})

	t.Run("serve", func(t *testing.T) {
		f := newFakes(t)
		tmp := f.withASR(t)
		f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
		f.env["RECAP_WORKERS"] = "1"
		v, said, length := f.audioVideo(t, "noCaptions2", dur, 3, 71)
		f.yt.AddVideo(v)
		s := f.serveInProcess(t)
		code, j := s.post(t, `{"url": "noCaptions2"}`)
		if code != http.StatusAccepted {
			t.Fatalf("POST = %d %+v", code, j)
		}
		done := s.wait(t, j.ID, "done", finished)
		if done.Status != "done" {
			t.Fatalf("job = %+v", done)
		}
		checkASRDoc(t, done.Summary, length, chapters, length)
		// The transcript is stored, and search finds what was said.
		phrase := strings.Join(strings.Fields(said[len(said)/2].Text)[:3], " ")
		code, body := s.get(t, "/v1/search?q="+urlQuery(`"`+phrase+`"`))
		if code != 200 || !strings.Contains(body, `"video_id":"noCaptions2"`) {
			t.Errorf("search %q = %d %s", phrase, code, body)
		}
		s.stop()
		noTempFiles(t, tmp)
	})
}

func urlQuery(s string) string { return strings.NewReplacer(" ", "+", `"`, "%22").Replace(s) }

// An audio-only yt-dlp download (`yt-dlp -x --write-info-json`) whose
// info.json names a stale path: the audio is found beside it.
func audioBundle(t *testing.T, f *fakes, id string, dur time.Duration, chapters []youtubetest.SyntheticChapter, said []recap.Segment) string {
	t.Helper()
	dir := t.TempDir()
	data := asrtest.SyntheticMP3(dur, 99)
	f.asr.AddAudio(t, data, lines(said))
	var chs []map[string]any
	for i, c := range chapters {
		end := dur
		if i+1 < len(chapters) {
			end = chapters[i+1].Start
		}
		chs = append(chs, map[string]any{"start_time": c.Start.Seconds(), "end_time": end.Seconds(), "title": c.Title})
	}
	info, _ := json.Marshal(map[string]any{
		"id": id, "title": "A talk without subtitles", "channel": "Audio only", "duration": dur.Seconds(),
		"webpage_url": recap.WatchURL(id), "chapters": chs,
		"filepath": "/home/someone/Downloads/A talk [" + id + "].webm", // before -x made it an mp3
	})
	os.WriteFile(filepath.Join(dir, "A talk ["+id+"].info.json"), info, 0o644)
	os.WriteFile(filepath.Join(dir, "A talk ["+id+"].mp3"), data, 0o644)
	return dir
}

func TestTranscribeAudioOnlyDownload(t *testing.T) {
	const dur = 5 * time.Minute
	chapters := youtubetest.SyntheticChapters(dur, 3, 72)
	said := youtubetest.SyntheticVideo("x", dur, 3, 72).Tracks[0].Segments

	t.Run("summarize", func(t *testing.T) {
		f := newFakes(t)
		tmp := f.withASR(t)
		dir := audioBundle(t, f, "audioOnly01", dur, chapters, said)
		out, errOut, code := f.run(t, "summarize", "--format", "json", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		doc := decodeDoc(t, out)
		checkASRDoc(t, doc, mp3Duration(t, asrtest.SyntheticMP3(dur, 99)), chapters, mp3Duration(t, asrtest.SyntheticMP3(dur, 99)))
		if doc.Video.Source != recap.SourceFile || doc.ChaptersSource != recap.ChaptersBundle || f.asr.Uploads() != 1 {
			t.Errorf("video %+v, chapters %q, %d uploads", doc.Video, doc.ChaptersSource, f.asr.Uploads())
		}
		if _, err := os.Stat(filepath.Join(dir, "A talk [audioOnly01].mp3")); err != nil {
			t.Errorf("the user's audio file is gone: %v", err)
		}
		noTempFiles(t, tmp)
	})

	// recap serve runs a file job (as a batch will submit it): the job is
	// stored, and serve queues and runs what its store holds.
	t.Run("serve", func(t *testing.T) {
		f := newFakes(t)
		f.withASR(t)
		f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
		f.env["RECAP_WORKERS"] = "1"
		dir := audioBundle(t, f, "audioOnly02", dur, chapters, said)
		cfg, err := ConfigFromEnv(func(k string) string { return f.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		m := &Main{Stdout: io.Discard, Stderr: io.Discard}
		d, err := m.openDeps(context.Background(), cfg, slog.New(slog.DiscardHandler), depsOptions{store: true})
		if err != nil {
			t.Fatal(err)
		}
		sub := &worker.Submitter{Store: d.store, Pipeline: d.pipeline()}
		job, _, err := sub.Submit(context.Background(), worker.Submission{Input: pipeline.FileInput(dir), Priority: "low"})
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		s := f.serveInProcess(t)
		done := s.wait(t, job.ID, "done", finished)
		if done.Status != "done" {
			t.Fatalf("job = %+v", done)
		}
		checkASRDoc(t, done.Summary, mp3Duration(t, asrtest.SyntheticMP3(dur, 99)), chapters, mp3Duration(t, asrtest.SyntheticMP3(dur, 99)))
		s.stop()
	})
}

// gpt-4o-transcribe gives text without timestamps: the download is sent
// in chunks of a minute, asking for json, and the chapters still carry
// every word once, with the audio paid within 2 % of its length.
func TestTranscribeWithAModelWithoutTimestamps(t *testing.T) {
	const dur = 5 * time.Minute
	chapters := youtubetest.SyntheticChapters(dur, 3, 72)
	said := youtubetest.SyntheticVideo("x", dur, 3, 72).Tracks[0].Segments
	f := newFakes(t)
	f.withASR(t, asrtest.WithTextOnly("gpt-4o-transcribe"))
	f.env["RECAP_ASR_MODEL"] = "gpt-4o-transcribe"
	dir := audioBundle(t, f, "textOnly001", dur, chapters, said)
	out, errOut, code := f.run(t, "summarize", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := decodeDoc(t, out)
	if doc.TranscriptSource != recap.TranscriptASR || doc.Generator.ASRModel != "gpt-4o-transcribe" || len(doc.Chapters) != len(chapters) {
		t.Fatalf("transcript %q, generator %+v, %d chapters", doc.TranscriptSource, doc.Generator, len(doc.Chapters))
	}
	sentOnce(t, f, said)
	audioLen := mp3Duration(t, asrtest.SyntheticMP3(dur, 99))
	ups := f.asr.Requests()
	if len(ups) != 6 { // 60 s, then 59 s new each
		t.Errorf("%d uploads, want 6 chunks of at most a minute", len(ups))
	}
	for _, u := range ups {
		if u.ResponseFormat != "json" || u.Duration > time.Minute {
			t.Errorf("%s: %s asking for %q", u.FileName, u.Duration, u.ResponseFormat)
		}
	}
	if r := f.asr.UploadedAudio().Seconds() / audioLen.Seconds(); r > 1.02 || doc.Usage.ASRSeconds != audioLen.Seconds() {
		t.Errorf("uploaded %.4f× the audio; asr_seconds %.2f, want %.2f", r, doc.Usage.ASRSeconds, audioLen.Seconds())
	}
}

// --transcribe, and "transcribe": true, replace captions a video has.
func TestTranscribeOnRequest(t *testing.T) {
	const dur = 6 * time.Minute
	f := newFakes(t)
	f.withASR(t)
	v, _, length := f.audioVideo(t, "hasCaption1", dur, 3, 73)
	v.Tracks = youtubetest.SyntheticVideo("hasCaption1", dur, 3, 73).Tracks
	for i := range v.Tracks[0].Segments {
		v.Tracks[0].Segments[i].Text = "poor automatic words " + v.Tracks[0].Segments[i].Text
	}
	f.yt.AddVideo(v)

	out, errOut, code := f.run(t, "summarize", "--format", "json", "hasCaption1")
	if code != 0 || decodeDoc(t, out).TranscriptSource != recap.TranscriptYouTube || f.asr.Uploads() != 0 {
		t.Fatalf("without --transcribe: exit %d %s; %d uploads", code, errOut, f.asr.Uploads())
	}
	llmBefore := len(f.llm.Requests())
	out, errOut, code = f.run(t, "summarize", "--transcribe", "--format", "json", "hasCaption1")
	if code != 0 {
		t.Fatalf("--transcribe: exit %d %s", code, errOut)
	}
	checkASRDoc(t, decodeDoc(t, out), length, youtubetest.SyntheticChapters(dur, 3, 73), length)
	for _, r := range f.llm.Requests()[llmBefore:] {
		if strings.Contains(r.Transcript(), "poor automatic words") {
			t.Fatal("--transcribe summarized the captions")
		}
	}

	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	s := f.serveInProcess(t)
	_, plain := s.post(t, `{"url": "hasCaption1"}`)
	// Both were made by the summaries above (the same work): each its own.
	code, asrJob := s.post(t, `{"url": "hasCaption1", "transcribe": true}`)
	if code != http.StatusOK || asrJob.ID == plain.ID {
		t.Fatalf(`"transcribe": true = %d %+v beside %+v; want a job of its own`, code, asrJob, plain)
	}
	if j := s.wait(t, asrJob.ID, "done", finished); j.Status != "done" || j.Summary.TranscriptSource != recap.TranscriptASR {
		t.Fatalf("transcribe job = %+v", j)
	}
	if j := s.wait(t, plain.ID, "done", finished); j.Status != "done" || j.Summary.TranscriptSource != recap.TranscriptYouTube {
		t.Fatalf("plain job = %+v", j)
	}
	s.stop()
}

// Without a speech-to-text service, a video without captions fails at once
// with the reason and the settings to give; asking for speech-to-text is
// bad input. Nothing is downloaded.
func TestTranscribeNotConfigured(t *testing.T) {
	f := newFakes(t)
	f.withASR(t) // for the fake's recording only
	v, _, _ := f.audioVideo(t, "noCaptions3", 6*time.Minute, 3, 74)
	f.yt.AddVideo(v)
	g := f.without("RECAP_ASR_BASE_URL", "RECAP_ASR_API_KEY")

	_, errOut, code := g.run(t, "summarize", "noCaptions3")
	if code != 1 || !strings.Contains(errOut, "no captions") || !strings.Contains(errOut, "RECAP_ASR_BASE_URL") || !strings.Contains(errOut, "RECAP_ASR_API_KEY") {
		t.Errorf("captionless without speech-to-text: exit %d %q; want 1 with the reason and the settings", code, errOut)
	}
	_, errOut, code = g.run(t, "summarize", "--transcribe", "noCaptions3")
	if code != 2 || !strings.Contains(errOut, "speech-to-text is not configured") || !strings.Contains(errOut, "RECAP_ASR_BASE_URL") {
		t.Errorf("--transcribe without speech-to-text: exit %d %q; want 2 naming the setting", code, errOut)
	}
	g.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	s := g.serveInProcess(t)
	resp, err := http.Post(s.base+"/v1/summaries", "application/json", strings.NewReader(`{"url": "noCaptions3", "transcribe": true}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"code":"invalid"`) || !strings.Contains(string(body), "RECAP_ASR_BASE_URL") {
		t.Errorf(`"transcribe": true without speech-to-text = %d %s`, resp.StatusCode, body)
	}
	_, j := s.post(t, `{"url": "noCaptions3"}`)
	if j := s.wait(t, j.ID, "failed", finished); j.Status != "failed" || j.Error.Code != recap.ENOCAPTIONS || j.Attempts != 1 ||
		!strings.Contains(j.Error.Message, "RECAP_ASR_BASE_URL") {
		t.Errorf("captionless job without speech-to-text = %+v", j)
	}
	s.stop()
	if f.asr.Uploads() != 0 || f.yt.Requests(youtubetest.PathVideoPlayback) != 0 {
		t.Errorf("%d uploads, %d stream requests; want none", f.asr.Uploads(), f.yt.Requests(youtubetest.PathVideoPlayback))
	}
}

// YouTube refusing the stream fails with its reason and the yt-dlp hint.
func TestTranscribeRefusedStream(t *testing.T) {
	f := newFakes(t)
	tmp := f.withASR(t)
	v, _, _ := f.audioVideo(t, "poTokenVid1", 6*time.Minute, 3, 75)
	v.Audio[0].Status = http.StatusForbidden
	f.yt.AddVideo(v)
	_, errOut, code := f.run(t, "summarize", "poTokenVid1")
	last := lastLine(errOut)
	if code != 1 || !strings.Contains(last, "no captions") || !strings.Contains(last, "refused the audio stream") ||
		!strings.Contains(last, "yt-dlp -x --write-info-json https://www.youtube.com/watch?v=poTokenVid1") {
		t.Errorf("refused stream: exit %d, last line %q", code, last)
	}
	if f.asr.Uploads() != 0 {
		t.Errorf("%d uploads", f.asr.Uploads())
	}
	noTempFiles(t, tmp)
}

// An M4A over the upload cap needs ffmpeg to be cut: without it on PATH,
// recap fails before any upload, naming ffmpeg.
func TestTranscribeM4AWithoutFFmpeg(t *testing.T) {
	f := newFakes(t)
	f.withASR(t)
	f.env["RECAP_ASR_MAX_UPLOAD_MB"] = "1"
	t.Setenv("PATH", t.TempDir())
	m4a, err := os.ReadFile("../../audio/testdata/speech.m4a")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	info, _ := json.Marshal(map[string]any{"id": "m4aAudio001", "title": "An M4A talk", "duration": 600.0})
	os.WriteFile(filepath.Join(dir, "talk.info.json"), info, 0o644)
	// Over 1 MiB: the recording, padded.
	os.WriteFile(filepath.Join(dir, "talk.m4a"), append(m4a, make([]byte, 1<<20)...), 0o644)
	_, errOut, code := f.run(t, "summarize", dir)
	if code == 0 || !strings.Contains(lastLine(errOut), "ffmpeg") || !strings.Contains(lastLine(errOut), "talk.m4a") {
		t.Errorf("M4A over the cap without ffmpeg: exit %d, %q", code, errOut)
	}
	if f.asr.Uploads() != 0 {
		t.Errorf("%d uploads before failing", f.asr.Uploads())
	}
}

// A `recap serve` transcribing 8 chunks one at a time is killed after 3;
// started again, it uploads only the 5 chunks it lacks, and the job
// finishes with the whole transcript.
func TestServeCrashResumesTranscription(t *testing.T) {
	const dur = 8 * time.Minute
	f := newFakes(t)
	tmp := f.withASR(t, asrtest.WithScript(func(u asrtest.Upload) *asrtest.Reply {
		if u.N == 4 { // the 4th upload of the first process hangs until the kill
			return &asrtest.Reply{Delay: time.Minute}
		}
		return nil
	}))
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_JOB_LEASE"] = "3s"
	f.env["RECAP_ASR_MAX_UPLOAD_MB"] = "1"
	f.env["RECAP_ASR_CONCURRENCY"] = "1"
	f.env["TMPDIR"] = tmp // the child processes' temporary files
	f.withRealServices(t, 10)
	v, said, length := f.audioVideo(t, "crashAudio1", dur, 4, 76)
	f.yt.AddVideo(v)
	chunks, _, err := audio.SplitMP3(bytes.NewReader(v.Audio[0].Data), 1<<20, 0)
	if err != nil || len(chunks) != 8 {
		t.Fatalf("the recording cuts into %d chunks (%v), want 8", len(chunks), err)
	}

	s := f.serveProcess(t)
	_, j := s.post(t, `{"url": "crashAudio1"}`)
	deadline := time.Now().Add(60 * time.Second)
	for f.asr.Uploads() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d uploads", f.asr.Uploads())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	first := f.asr.Requests()

	s = f.serveProcess(t)
	done := s.wait(t, j.ID, "done", finished)
	s.stop()
	if done.Status != "done" || done.Attempts != 2 {
		t.Fatalf("job after the restart = %+v", done)
	}
	again := f.asr.Requests()[len(first):]
	sent := map[time.Duration]int{}
	for _, u := range first[:3] {
		sent[u.Offset]++
	}
	for _, u := range again {
		sent[u.Offset]++
	}
	if len(again) != 5 || len(sent) != 8 {
		t.Fatalf("after the restart %d uploads covering %d chunks in all; want the 5 missing, 8 in all", len(again), len(sent))
	}
	for off, n := range sent {
		if n != 1 {
			t.Errorf("the chunk at %s was paid %d times", off, n)
		}
	}
	sentOnce(t, f, said)
	// The paid seconds: the 5 chunks of the second process.
	var paid time.Duration
	for _, u := range again {
		paid += u.Duration
	}
	checkASRDoc(t, done.Summary, length, youtubetest.SyntheticChapters(dur, 4, 76), paid)
}

// A podcast episode without a <podcast:transcript>, in a feed summarized
// as a batch by `recap serve`: its enclosure is downloaded (from a feed
// host on 127.0.0.1) and transcribed.
func TestTranscribePodcastEpisode(t *testing.T) {
	const dur = 5 * time.Minute
	f := newFakes(t)
	tmp := f.withASR(t)
	f.env["RECAP_HTTP_ADDR"] = "127.0.0.1:0"
	f.env["RECAP_WORKERS"] = "1"
	f.env["RECAP_ALLOW_PRIVATE_URLS"] = "true" // the feed is on 127.0.0.1
	said := youtubetest.SyntheticVideo("x", dur, 3, 77).Tracks[0].Segments
	data := asrtest.SyntheticMP3(dur, 77)
	f.asr.AddAudio(t, data, lines(said))
	length := mp3Duration(t, data)
	var enclosureGets int
	pod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprintf(w, `<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Quiet Show</title><link>https://quiet.example</link><language>en</language>
<item><title>No transcript here</title><guid>quiet-1</guid><pubDate>Tue, 02 Apr 2024 10:00:00 GMT</pubDate><itunes:duration>5:00</itunes:duration>
<description>0:00 Start 1:40 Middle 3:20 End</description>
<enclosure url="http://%s/episode.mp3" type="audio/mpeg" length="%d"/></item>
</channel></rss>`, r.Host, len(data))
		case "/episode.mp3":
			enclosureGets++
			http.ServeContent(w, r, "episode.mp3", time.Time{}, bytes.NewReader(data))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(pod.Close)

	s := f.serveInProcess(t)
	b := s.postBatch(t, `{"url": "`+pod.URL+`/feed.xml"}`)
	if got := s.waitBatch(t, b.ID); got.Status != "done" || got.Counts["done"] != 1 {
		t.Fatalf("batch = %+v", got)
	}
	items := s.items(t, b.ID)
	if len(items) != 1 || items[0].JobID == "" {
		t.Fatalf("items %+v", items)
	}
	j := s.job(t, items[0].JobID)
	doc := j.Summary
	if doc == nil || doc.Video.Source != recap.SourcePodcast || doc.TranscriptSource != recap.TranscriptASR || doc.Generator.ASRModel != "whisper-1" {
		t.Fatalf("job %+v, document %+v", j, doc)
	}
	if doc.Usage.ASRSeconds != length.Seconds() || f.asr.Uploads() != 1 || enclosureGets == 0 {
		t.Errorf("asr_seconds %.2f (want %.2f), %d uploads, %d enclosure requests", doc.Usage.ASRSeconds, length.Seconds(), f.asr.Uploads(), enclosureGets)
	}
	sentOnce(t, f, said)
	s.stop()
	noTempFiles(t, tmp)
}
