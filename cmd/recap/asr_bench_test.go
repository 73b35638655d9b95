package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/llm/llmtest"
)

// BenchmarkSummarizeAudio3Hours summarizes a 3-hour audio-only yt-dlp
// download (a synthetic MP3, 128 kbit/s, 44.1 kHz: 173 MB, 20 chapters in
// its .info.json) end to end with `recap summarize`, run as a child
// process, against the fake transcription server holding each chunk a
// fixed 3 s and the fake LLM taking 200 ms a call. Each run has a fresh
// database, so every chunk is uploaded. It reports:
//
//   - wall/(slowest_chunk+llm_path): the child's run time ÷ (the slowest
//     upload, from its first byte to the end of its answer, + the LLM's
//     critical path: the slowest chapter call + the overview call)
//     (target ≤ 1.3);
//   - peak_RSS_MiB: the child's peak resident set, VmHWM, as it reports
//     it at exit (target ≤ 100 MB);
//   - uploaded/episode: audio seconds uploaded ÷ the episode's (target
//     ≤ 1.02).
//
// go test -run '^$' -bench SummarizeAudio3Hours -benchtime 1x -count 3 ./cmd/recap/
func BenchmarkSummarizeAudio3Hours(b *testing.B) {
	const (
		hours      = 3
		chapters   = 20
		asrLatency = 3 * time.Second
		llmLatency = 200 * time.Millisecond
		lineGap    = 10 * time.Second
	)
	dir := b.TempDir()
	data := asrtest.SyntheticMP3(hours*time.Hour, 3)
	episode := mp3Duration(b, data)
	var script []asrtest.Line
	for at, n := time.Duration(0), 1; at+lineGap <= episode; at, n = at+lineGap, n+1 {
		script = append(script, asrtest.Line{Start: at, End: at + lineGap - time.Second,
			Text: fmt.Sprintf("Line %d says nine plain words about topic %d.", n, n*chapters/int(episode/lineGap)+1)})
	}
	var chs []map[string]any
	for i := range chapters {
		start, end := episode*time.Duration(i)/chapters, episode*time.Duration(i+1)/chapters
		chs = append(chs, map[string]any{"start_time": start.Seconds(), "end_time": end.Seconds(), "title": fmt.Sprintf("Topic %d", i+1)})
	}
	info, _ := json.Marshal(map[string]any{"id": "benchAudio1", "title": "Three hours of talk", "duration": episode.Seconds(), "chapters": chs})
	if err := os.WriteFile(filepath.Join(dir, "episode.info.json"), info, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "episode.mp3"), data, 0o644); err != nil {
		b.Fatal(err)
	}

	for i := 0; b.Loop(); i++ {
		asr := asrtest.NewServer(b, asrtest.WithLatency(asrLatency))
		asr.AddAudio(b, data, script)
		fake := llmtest.NewServer(b, llmtest.WithLatency(llmLatency))
		tmp := b.TempDir()
		rssFile := filepath.Join(tmp, "status")
		cmd := exec.Command(os.Args[0], "summarize", "--format", "json", "--quiet", dir)
		cmd.Env = append(os.Environ(), "RECAP_TEST_AS_MAIN=1", "RECAP_TEST_PEAK_RSS_FILE="+rssFile, "TMPDIR="+tmp,
			"RECAP_DATABASE_URL=sqlite:"+filepath.Join(tmp, "recap.db"),
			"RECAP_LLM_BASE_URL="+fake.BaseURL(), "RECAP_LLM_API_KEY=k", "RECAP_LLM_MODEL=bench",
			"RECAP_ASR_BASE_URL="+asr.BaseURL(), "RECAP_ASR_CONCURRENCY=8")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			b.Fatalf("recap summarize: %v\n%s", err, stderr.String())
		}
		var doc recap.Document
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Chapters) != chapters || doc.TranscriptSource != recap.TranscriptASR {
			b.Fatalf("document: %v, %d chapters, transcript %q", err, len(doc.Chapters), doc.TranscriptSource)
		}
		var slowestChapter, overview time.Duration
		for _, r := range fake.Requests() {
			switch r.Kind {
			case llmtest.KindChapter:
				slowestChapter = max(slowestChapter, r.Took)
			case llmtest.KindOverview:
				overview = max(overview, r.Took)
			}
		}
		peak := peakRSSIn(b, rssFile)
		ideal := asr.Slowest() + slowestChapter + overview
		b.ReportMetric(float64(wall)/float64(ideal), "wall/(slowest_chunk+llm_path)")
		b.ReportMetric(peak, "peak_RSS_MiB")
		b.ReportMetric(asr.UploadedAudio().Seconds()/episode.Seconds(), "uploaded/episode")
		b.ReportMetric(float64(asr.Uploads()), "uploads")
		b.Logf("episode %s (%.0f MB): %d uploads, wall %s, slowest chunk %s, LLM path %s + %s, peak RSS %.1f MiB, %d LLM calls",
			episode, float64(len(data))/1e6, asr.Uploads(), wall.Round(time.Millisecond), asr.Slowest().Round(time.Millisecond),
			slowestChapter.Round(time.Millisecond), overview.Round(time.Millisecond), peak, doc.Usage.LLMCalls)
	}
}
