package asr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/asr"
	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/storage/sqlite"
)

// wordTimes are the times the fake places each word of lines at (the
// middle of its share of its line), in order.
func wordTimes(lines []asrtest.Line) []time.Duration {
	var out []time.Duration
	for _, l := range lines {
		n := len(strings.Fields(l.Text))
		for j := range n {
			out = append(out, l.Start+(l.End-l.Start)*time.Duration(2*j+1)/time.Duration(2*n))
		}
	}
	return out
}

// checkTextTranscript checks a transcript made from text without
// timestamps: every word once, in order; segments in order inside the
// audio; each segment's start within one chunk of the time its first word
// is spoken.
func checkTextTranscript(t *testing.T, tr recap.Transcript, lines []asrtest.Line, dur, chunk time.Duration) {
	t.Helper()
	var want []string
	for _, l := range lines {
		want = append(want, l.Text)
	}
	if got, want := strings.Fields(tr.Text()), strings.Fields(strings.Join(want, " ")); !slices.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("transcript of %d words, want %d; from word %d: got %q…, want %q…",
			len(got), len(want), i, strings.Join(got[i:min(len(got), i+8)], " "), strings.Join(want[i:min(len(want), i+8)], " "))
	}
	times := wordTimes(lines)
	at := 0 // index of the segment's first word
	var prev time.Duration
	for i, s := range tr.Segments {
		if s.Start < prev || s.End <= s.Start || s.End > dur {
			t.Errorf("segment %d at %s–%s: not after %s, or outside 0–%s", i, s.Start, s.End, prev, dur)
		}
		prev = s.Start
		if d := s.Start - times[at]; d > chunk || d < -chunk {
			t.Errorf("segment %d %q starts at %s, its first word is spoken at %s", i, s.Text, s.Start, times[at])
		}
		at += len(strings.Fields(s.Text))
	}
	if len(tr.Segments) < 2 {
		t.Errorf("%d segments: the text was not cut into sentences", len(tr.Segments))
	}
}

// checkTextUploads checks that every upload asked for json without
// timestamps, each chunk once.
func checkTextUploads(t *testing.T, ups []asrtest.Upload, model string) {
	t.Helper()
	seen := map[time.Duration]string{}
	for _, u := range ups {
		if u.ResponseFormat != "json" || len(u.Granularities) != 0 || u.Model != model || !u.Known {
			t.Errorf("%s: format %q, granularities %v, model %q, known %v; want json alone for %s",
				u.FileName, u.ResponseFormat, u.Granularities, u.Model, u.Known, model)
		}
		if other, ok := seen[u.Offset]; ok {
			t.Errorf("%s at %s uploaded again (as %s before)", u.FileName, u.Offset, other)
		}
		seen[u.Offset] = u.FileName
	}
}

func TestGPT4oTranscribe(t *testing.T) {
	srv := asrtest.NewServer(t, asrtest.WithTextOnly("gpt-4o-transcribe"))
	srv.AddAudio(t, readSpeech(t), script())
	tr := newTranscriber(t, srv, asr.Config{Model: "gpt-4o-transcribe", TextChunk: 10 * time.Second, Concurrency: 3})
	res, err := tr.Transcribe(t.Context(), speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	// 34.1 s in chunks of at most 10 s sharing 1 s: 10, 9, 9 and 6.1 s new.
	if res.Chunks != 4 || srv.Uploads() != 4 || res.Duration != speechDuration || res.Model != "gpt-4o-transcribe" {
		t.Fatalf("%d chunks, %d uploads, %s, model %q; want 4, 4, %s", res.Chunks, srv.Uploads(), res.Duration, res.Model, speechDuration)
	}
	checkTextUploads(t, srv.Requests(), "gpt-4o-transcribe")
	checkTextTranscript(t, res.Transcript, script(), speechDuration, 10*time.Second)
	if res.Uploaded != srv.UploadedAudio() || res.Uploaded > speechDuration+3*(time.Second+36*time.Millisecond) {
		t.Errorf("uploaded %s (the server heard %s) for %s of audio with 3 seams of 1 s", res.Uploaded, srv.UploadedAudio(), speechDuration)
	}
	if res.Transcript.Source != recap.TranscriptASR {
		t.Errorf("source %q", res.Transcript.Source)
	}
}

// A model recap does not know by name refuses verbose_json with OpenAI's
// 400: recap asks again for text in short chunks, and asks every later
// file that way from the start.
func TestAModelThatRefusesSegmentsIsAskedForText(t *testing.T) {
	srv := asrtest.NewServer(t, asrtest.WithTextOnly("acme-transcriber"))
	srv.AddAudio(t, readSpeech(t), script())
	// Under a cap of 40 KiB the file is 5 chunks asking for segments, 2 at
	// a time: the first refusal stops the rest.
	tr := newTranscriber(t, srv, asr.Config{Model: "acme-transcriber", TextChunk: 10 * time.Second, MaxUploadBytes: 40 << 10, Concurrency: 2})
	for run := range 2 {
		before := srv.Uploads()
		res, err := tr.Transcribe(t.Context(), speechMP3)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		ups := srv.Requests()[before:]
		// A refused upload cut off by the first refusal may reach the
		// server after the first text uploads.
		var text []asrtest.Upload
		for _, u := range ups {
			if u.ResponseFormat != "verbose_json" {
				text = append(text, u)
			}
		}
		refused := len(ups) - len(text)
		if run == 0 && (refused < 1 || refused > 2) || run == 1 && refused != 0 {
			t.Errorf("run %d: %d uploads asked for verbose_json", run, refused)
		}
		if len(ups) != refused+4 || res.Chunks != 4 {
			t.Fatalf("run %d: %d uploads for %d chunks; want %d refused and 4", run, len(ups), res.Chunks, refused)
		}
		checkTextUploads(t, text, "acme-transcriber")
		checkTextTranscript(t, res.Transcript, script(), speechDuration, 10*time.Second)
	}
}

// An hour-long episode in the default chunks of a minute: text placed
// within a chunk of where it is spoken, audio uploaded within 2 % of the
// episode, and a crash after 3 chunks resumes without paying them again.
func TestGPT4oTranscribeLongEpisodeResumes(t *testing.T) {
	const dur = 20 * time.Minute
	data := asrtest.SyntheticMP3(dur, 9)
	path := filepath.Join(t.TempDir(), "episode.mp3")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []asrtest.Line
	for i, at := 0, time.Duration(0); at+5*time.Second < dur; i, at = i+1, at+5*time.Second+time.Duration(i%4)*300*time.Millisecond {
		// Sentences of 7 to 13 words, a pause after some.
		ws := []string{fmt.Sprintf("Sentence %d", i)}
		for j := range 4 + i%7 {
			ws = append(ws, fmt.Sprintf("w%d.%d", i, j))
		}
		lines = append(lines, asrtest.Line{Start: at, End: at + 4*time.Second, Text: strings.Join(ws, " ") + " ends."})
	}
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := asr.Config{Model: "gpt-4o-mini-transcribe", Concurrency: 1, Store: store}

	ctx, crash := context.WithCancel(t.Context())
	defer crash()
	srv := asrtest.NewServer(t, asrtest.WithTextOnly("gpt-4o-mini-transcribe"), asrtest.WithScript(func(u asrtest.Upload) *asrtest.Reply {
		if u.N == 4 {
			crash()
			return &asrtest.Reply{Delay: time.Minute}
		}
		return nil
	}))
	srv.AddAudio(t, data, lines)
	if _, err := newTranscriber(t, srv, cfg).Transcribe(ctx, path); err == nil {
		t.Fatal("the crashed run succeeded")
	}
	first := srv.Requests()
	if len(first) != 4 {
		t.Fatalf("%d uploads before the crash, want 3 answered and the 4th cut off", len(first))
	}

	again := asrtest.NewServer(t, asrtest.WithTextOnly("gpt-4o-mini-transcribe"))
	again.AddAudio(t, data, lines)
	res, err := newTranscriber(t, again, cfg).Transcribe(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	// 20 minutes in chunks of at most 60 s, each new 59 s: 21 chunks.
	if res.Chunks != 21 || res.Reused != 3 || again.Uploads() != 18 {
		t.Fatalf("%d chunks, %d from the store, %d uploads; want 21, 3, 18", res.Chunks, res.Reused, again.Uploads())
	}
	ups := again.Requests()
	checkTextUploads(t, append(first[:3:3], ups...), "gpt-4o-mini-transcribe")
	checkTextTranscript(t, res.Transcript, lines, res.Duration, asr.DefaultTextChunk)

	var paid time.Duration
	for _, u := range append(first[:3:3], ups...) {
		paid += u.Duration
	}
	ratio := paid.Seconds() / res.Duration.Seconds()
	t.Logf("%d chunks, audio uploaded %s for %s: %.4f×", res.Chunks, paid, res.Duration, ratio)
	if ratio > 1.02 || ratio < 1 {
		t.Errorf("audio uploaded %s for an episode of %s: %.4f×, want at most 1.02×", paid, res.Duration, ratio)
	}
}
