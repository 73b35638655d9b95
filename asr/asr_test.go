package asr_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/asr"
	"github.com/recap-dev/recap/asr/asrtest"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/storage/sqlite"
)

func near(a, b time.Duration) bool { return math.Abs(float64(a-b)) <= float64(time.Millisecond) }

func TestSeamsNeitherLoseNorDouble(t *testing.T) {
	data := readSpeech(t)
	for _, tc := range []struct {
		maxBytes int64
		overlap  time.Duration
	}{
		{1 << 20, 3 * time.Second}, // one upload
		{40 << 10, 3 * time.Second},
		{20 << 10, 2 * time.Second},
		{16 << 10, time.Second},
		{24 << 10, 4 * time.Second},
		{10 << 10, 200 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("cap=%d,overlap=%s", tc.maxBytes, tc.overlap), func(t *testing.T) {
			srv := asrtest.NewServer(t)
			srv.AddAudio(t, data, script())
			tr := newTranscriber(t, srv, asr.Config{MaxUploadBytes: tc.maxBytes, Overlap: tc.overlap, Concurrency: 3})
			res, err := tr.Transcribe(t.Context(), speechMP3)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Transcript.Text(); got != scriptText() {
				t.Errorf("transcript text:\n got %s\nwant %s", got, scriptText())
			}
			lines := script()
			if len(res.Transcript.Segments) != len(lines) {
				t.Fatalf("%d segments, want the script's %d: %+v", len(res.Transcript.Segments), len(lines), res.Transcript.Segments)
			}
			for i, s := range res.Transcript.Segments {
				if !near(s.Start, lines[i].Start) || !near(s.End, lines[i].End) {
					t.Errorf("segment %d at %s–%s, the script says %s–%s", i, s.Start, s.End, lines[i].Start, lines[i].End)
				}
			}
			tt := res.Transcript
			if tt.Source != recap.TranscriptASR || tt.Language != "en" || res.Model != asr.DefaultModel || res.Duration != speechDuration {
				t.Errorf("source %q language %q model %q duration %s", tt.Source, tt.Language, res.Model, res.Duration)
			}

			// What was sent: one upload a chunk, named with its index and
			// extension, at its offset, asking for segments.
			chunks, _, err := audio.SplitMP3(strings.NewReader(string(data)), tc.maxBytes, tc.overlap)
			if err != nil {
				t.Fatal(err)
			}
			if len(chunks) == 1 { // under the cap: the whole file, tags and all
				chunks[0].Offset, chunks[0].Size = 0, int64(len(data))
			}
			ups := srv.Requests()
			if len(ups) != len(chunks) || res.Chunks != len(chunks) {
				t.Fatalf("%d uploads, result says %d chunks; the split has %d", len(ups), res.Chunks, len(chunks))
			}
			seen := map[string]bool{}
			var sent time.Duration
			for _, u := range ups {
				seen[u.FileName] = true
				var c audio.Chunk
				fmt.Sscanf(u.FileName, "chunk-%03d.mp3", &c.Index)
				c = chunks[c.Index]
				if !u.Known || u.Offset != c.Start || u.Duration != c.Duration() || int64(u.Size) != c.Size {
					t.Errorf("upload %s: known %v at %s for %s, %d bytes; want %v", u.FileName, u.Known, u.Offset, u.Duration, u.Size, c)
				}
				if u.Model != asr.DefaultModel || u.ResponseFormat != "verbose_json" || len(u.Granularities) != 1 || u.Granularities[0] != "segment" || u.Language != "" {
					t.Errorf("upload %s: model %q format %q granularities %v language %q", u.FileName, u.Model, u.ResponseFormat, u.Granularities, u.Language)
				}
				sent += u.Duration
			}
			for i := range chunks {
				if name := fmt.Sprintf("chunk-%03d.mp3", i); !seen[name] {
					t.Errorf("no upload named %s", name)
				}
			}
			if res.Uploaded != sent || srv.UploadedAudio() != sent {
				t.Errorf("result says %s uploaded, the server heard %s, uploads sum to %s", res.Uploaded, srv.UploadedAudio(), sent)
			}
		})
	}
}

func TestUnderTheCapTheFileGoesAsItIs(t *testing.T) {
	data := readSpeech(t)
	srv := asrtest.NewServer(t, asrtest.WithAPIKey("sk-test-key-123456"))
	srv.AddAudio(t, data, script())
	tr := newTranscriber(t, srv, asr.Config{APIKey: "sk-test-key-123456", PricePerMinute: 0.006})
	res, err := tr.Transcribe(t.Context(), speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Requests()
	if len(ups) != 1 || ups[0].Size != len(data) || ups[0].FileName != "chunk-000.mp3" || ups[0].AuthHeader != "Bearer sk-test-key-123456" {
		t.Fatalf("uploads %+v; want the whole %d-byte file once, as chunk-000.mp3, with the key", ups, len(data))
	}
	if want := speechDuration.Minutes() * 0.006; res.CostUSD == nil || math.Abs(*res.CostUSD-want) > 1e-12 || res.Uploaded != speechDuration {
		t.Errorf("cost %v for %s uploaded, want %g", res.CostUSD, res.Uploaded, want)
	}
	if res.Transcript.Text() != scriptText() {
		t.Errorf("text %q", res.Transcript.Text())
	}
}

// An unknown price makes the cost unknown, as the pipeline's pricing rules
// say; the pipeline adapter carries it with the model and the length.
func TestUnknownPrice(t *testing.T) {
	srv := asrtest.NewServer(t)
	srv.AddAudio(t, readSpeech(t), script())
	tr := newTranscriber(t, srv, asr.Config{Model: "local-whisper", PricePerMinute: -1})
	res, err := tr.TranscribeFile(t.Context(), speechMP3, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.CostUSD != nil || res.Model != "local-whisper" || res.Audio != speechDuration || res.Transcript.Source != "asr" {
		t.Errorf("transcription = model %q, audio %s, cost %v, source %q; want local-whisper, %s, unknown, asr",
			res.Model, res.Audio, res.CostUSD, res.Transcript.Source, speechDuration)
	}
}

func TestCrashAfterThreeOfEightChunksResumes(t *testing.T) {
	data := readSpeech(t)
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "recap.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// 150 frames a chunk, 28 shared (1 s): 8 chunks.
	cfg := asr.Config{MaxUploadBytes: 150 * 144, Overlap: time.Second, Concurrency: 1, Store: store}

	ctx, crash := context.WithCancel(t.Context())
	defer crash()
	srv := asrtest.NewServer(t, asrtest.WithScript(func(u asrtest.Upload) *asrtest.Reply {
		if u.N == 4 {
			crash() // the process dies while the fourth chunk uploads
			return &asrtest.Reply{Delay: time.Minute}
		}
		return nil
	}))
	srv.AddAudio(t, data, script())
	if _, err := newTranscriber(t, srv, cfg).Transcribe(ctx, speechMP3); err == nil {
		t.Fatal("the crashed run succeeded")
	}
	first := srv.Requests()
	if len(first) != 4 {
		t.Fatalf("%d uploads before the crash, want 3 answered and the 4th cut off", len(first))
	}

	again := asrtest.NewServer(t)
	again.AddAudio(t, data, script())
	res, err := newTranscriber(t, again, cfg).Transcribe(t.Context(), speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Chunks != 8 || res.Reused != 3 {
		t.Fatalf("%d chunks, %d from the store; want 8 and 3", res.Chunks, res.Reused)
	}
	ups := again.Requests()
	if len(ups) != 5 {
		t.Fatalf("%d uploads after the restart, want the 5 missing chunks", len(ups))
	}
	for _, u := range ups {
		for _, done := range first[:3] {
			if u.Offset == done.Offset {
				t.Errorf("%s at %s was uploaded again; %s had it", u.FileName, u.Offset, done.FileName)
			}
		}
	}
	if res.Transcript.Text() != scriptText() {
		t.Errorf("resumed transcript:\n got %s\nwant %s", res.Transcript.Text(), scriptText())
	}
	var reusedAudio time.Duration
	for _, u := range first[:3] {
		reusedAudio += u.Duration
	}
	if res.Uploaded != again.UploadedAudio() || res.Uploaded+reusedAudio != srv.UploadedAudio()-first[3].Duration+again.UploadedAudio() {
		t.Errorf("uploaded %s; the second server heard %s", res.Uploaded, again.UploadedAudio())
	}

	// A third run pays for nothing.
	third := asrtest.NewServer(t)
	if _, err := newTranscriber(t, third, cfg).Transcribe(t.Context(), speechMP3); err != nil || third.Uploads() != 0 {
		t.Errorf("third run: %v, %d uploads; want none", err, third.Uploads())
	}
}

func TestM4AOverTheCapWithoutFFmpeg(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	srv := asrtest.NewServer(t)
	tr := newTranscriber(t, srv, asr.Config{MaxUploadBytes: 32 << 10})
	_, err := tr.Transcribe(t.Context(), "../audio/testdata/speech.m4a")
	if recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "ffmpeg") {
		t.Fatalf("err = %v, want EINVALID naming ffmpeg", err)
	}
	if srv.Uploads() != 0 {
		t.Errorf("%d uploads before failing; want none", srv.Uploads())
	}
	// Under the cap it needs no ffmpeg: sent as it is, as .m4a.
	tr = newTranscriber(t, srv, asr.Config{})
	if _, err := tr.Transcribe(t.Context(), "../audio/testdata/speech.m4a"); recap.ErrorCode(err) != recap.ENOCAPTIONS {
		// The fake cannot hear M4A: it answers no words.
		t.Fatalf("M4A under the cap: %v", err)
	}
	if ups := srv.Requests(); len(ups) != 1 || ups[0].FileName != "chunk-000.m4a" {
		t.Errorf("uploads %+v; want one chunk-000.m4a", ups)
	}
}

func TestM4AOverTheCapWithFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	srv := asrtest.NewServer(t)
	tr := newTranscriber(t, srv, asr.Config{MaxUploadBytes: 48 << 10, Overlap: 2 * time.Second})
	res, err := tr.Transcribe(t.Context(), "../audio/testdata/speech.m4a")
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Requests()
	if len(ups) < 2 || res.Chunks != len(ups) {
		t.Fatalf("%d uploads for %d chunks", len(ups), res.Chunks)
	}
	for _, u := range ups {
		if !strings.HasSuffix(u.FileName, ".mp3") || u.Size > 48<<10 {
			t.Errorf("upload %s of %d bytes; want MP3 chunks under the cap", u.FileName, u.Size)
		}
	}
	if d := res.Duration - speechDuration; d < -200*time.Millisecond || d > 200*time.Millisecond {
		t.Errorf("duration %s, want about %s", res.Duration, speechDuration)
	}
}

func TestRetriesHonourRetryAfterThenSucceed(t *testing.T) {
	data := readSpeech(t)
	srv := asrtest.NewServer(t, asrtest.WithScript(func(u asrtest.Upload) *asrtest.Reply {
		switch u.N {
		case 1:
			return asrtest.TooManyRequests("7")
		case 2:
			return asrtest.Unavailable()
		case 3:
			return &asrtest.Reply{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"}
		}
		return nil
	}))
	srv.AddAudio(t, data, script())
	sl := &sleeps{}
	res, err := newTranscriber(t, srv, asr.Config{Sleep: sl.sleep}).Transcribe(t.Context(), speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	waits := sl.all()
	// The 429's Retry-After, plus up to a quarter so that the calls told
	// to wait do not all come back at once.
	if srv.Uploads() != 4 || len(waits) != 3 || waits[0] < 7*time.Second || waits[0] > 7*time.Second+7*time.Second/4 {
		t.Fatalf("%d uploads, waits %v; want 4 uploads, waiting the 7 s Retry-After first", srv.Uploads(), waits)
	}
	// The 429 was not an attempt: the 503 is the first, then the 502.
	if waits[1] < time.Second/2 || waits[1] > time.Second || waits[2] < time.Second || waits[2] > 2*time.Second {
		t.Errorf("backoff waits %v, want about 1 s then 2 s (jittered)", waits[1:])
	}
	if res.Transcript.Text() != scriptText() {
		t.Errorf("text %q", res.Transcript.Text())
	}
}

func TestPermanentErrorsFailFast(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply *asrtest.Reply
		hint  string
	}{
		{"401", asrtest.Error(http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided: sk-secret-abcdefgh"), "RECAP_ASR_API_KEY"},
		{"403", asrtest.Error(http.StatusForbidden, "forbidden", "Project does not have access"), "RECAP_ASR_API_KEY"},
		{"400", asrtest.Error(http.StatusBadRequest, "invalid_value", "Audio file might be corrupted or unsupported"), "corrupted"},
		{"413", asrtest.Error(http.StatusRequestEntityTooLarge, "too_large", "Maximum content size limit exceeded"), "RECAP_ASR_MAX_UPLOAD_MB"},
		{"quota", &asrtest.Reply{Status: 429, Body: `{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`}, "quota"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := asrtest.NewServer(t, asrtest.WithScript(func(asrtest.Upload) *asrtest.Reply { return tc.reply }))
			sl := &sleeps{}
			_, err := newTranscriber(t, srv, asr.Config{APIKey: "sk-secret-abcdefgh", Sleep: sl.sleep}).Transcribe(t.Context(), speechMP3)
			if recap.ErrorCode(err) != recap.EASR || !recap.Permanent(err) {
				t.Fatalf("err = %v (code %q), want a permanent EASR", err, recap.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), tc.hint) || !strings.Contains(err.Error(), "chunk-000.mp3") {
				t.Errorf("error %q does not name the chunk and %q", err, tc.hint)
			}
			if strings.Contains(err.Error(), "sk-secret-abcdefgh") {
				t.Errorf("error %q holds the API key", err)
			}
			if srv.Uploads() != 1 || len(sl.all()) != 0 {
				t.Errorf("%d uploads, %d waits; want one try", srv.Uploads(), len(sl.all()))
			}
		})
	}
}

// pauses records the limiter's pauses; it never holds anything.
type pauses struct {
	mu sync.Mutex
	d  []time.Duration
}

func (p *pauses) Wait(ctx context.Context, seconds int) error { return ctx.Err() }
func (p *pauses) Pause(ctx context.Context, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.d = append(p.d, d)
	return nil
}

func TestRateLimitsPauseEveryoneThenGiveUp(t *testing.T) {
	srv := asrtest.NewServer(t, asrtest.WithScript(func(asrtest.Upload) *asrtest.Reply { return asrtest.TooManyRequests("10") }))
	lim := &pauses{}
	sl := &sleeps{}
	_, err := newTranscriber(t, srv, asr.Config{Limiter: lim, Sleep: sl.sleep, RateLimitPatience: 35 * time.Second, MaxRetries: 2}).Transcribe(t.Context(), speechMP3)
	if recap.ErrorCode(err) != recap.ERATELIMITED || recap.Permanent(err) {
		t.Fatalf("err = %v, want a transient rate_limited", err)
	}
	// 429s are not attempts (MaxRetries is 2): they are waited out, 10 s
	// and a little more each, until the patience of 35 s is spent.
	if n := srv.Uploads(); n != 3 && n != 4 {
		t.Errorf("%d uploads, want 3 or 4 within 35 s of 10–12.5 s waits", n)
	}
	if len(lim.d) != srv.Uploads()-1 || lim.d[0] != 10*time.Second {
		t.Errorf("limiter paused %v for %d uploads; want 10 s after each 429 but the last", lim.d, srv.Uploads())
	}
}

func TestTransientErrorsGiveUpAfterMaxRetries(t *testing.T) {
	srv := asrtest.NewServer(t, asrtest.WithScript(func(asrtest.Upload) *asrtest.Reply { return asrtest.Unavailable() }))
	_, err := newTranscriber(t, srv, asr.Config{MaxRetries: 3}).Transcribe(t.Context(), speechMP3)
	if err == nil || recap.Permanent(err) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err = %v, want a transient failure after 3 attempts", err)
	}
	if srv.Uploads() != 3 {
		t.Errorf("%d uploads, want 3", srv.Uploads())
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	data := readSpeech(t)
	srv := asrtest.NewServer(t, asrtest.WithScript(func(u asrtest.Upload) *asrtest.Reply {
		if u.N == 1 {
			return &asrtest.Reply{Delay: time.Minute}
		}
		return nil
	}))
	srv.AddAudio(t, data, script())
	res, err := newTranscriber(t, srv, asr.Config{Timeout: 300 * time.Millisecond}).Transcribe(t.Context(), speechMP3)
	if err != nil || srv.Uploads() != 2 || res.Transcript.Text() != scriptText() {
		t.Fatalf("err %v after %d uploads; want success on the second", err, srv.Uploads())
	}
}

func TestLanguage(t *testing.T) {
	data := readSpeech(t)
	for _, tc := range []struct {
		cfg, asked, detected, wantSent, want string
	}{
		{"", "", "english", "", "en"},
		{"", "", "German", "", "de"},
		{"", "", "pt", "", "pt"},
		{"de-AT", "", "english", "de", "de"},
		// A job's language (--lang) wins over the configured one.
		{"de-AT", "fr", "english", "fr", "fr"},
		{"", "pt-BR", "english", "pt", "pt"},
	} {
		srv := asrtest.NewServer(t, asrtest.WithLanguage(tc.detected))
		srv.AddAudio(t, data, script())
		res, err := newTranscriber(t, srv, asr.Config{Language: tc.cfg}).TranscribeIn(t.Context(), speechMP3, tc.asked)
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.Requests()[0].Language; got != tc.wantSent || res.Transcript.Language != tc.want {
			t.Errorf("config %q, asked %q, service says %q: sent %q, transcript %q; want %q, %q", tc.cfg, tc.asked, tc.detected, got, res.Transcript.Language, tc.wantSent, tc.want)
		}
	}
	srv := asrtest.NewServer(t)
	if _, err := newTranscriber(t, srv, asr.Config{}).TranscribeIn(t.Context(), speechMP3, "not a language!"); recap.ErrorCode(err) != recap.EINVALID || srv.Uploads() != 0 {
		t.Errorf("a bad language: %v after %d uploads; want EINVALID before any", err, srv.Uploads())
	}
}

func TestHallucinationsOverSilenceAreDropped(t *testing.T) {
	data := readSpeech(t)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	lines := []asrtest.Line{
		{Start: ms(0), End: ms(3000), Text: "Thank you.", AvgLogprob: -0.2, NoSpeechProb: 0.01}, // said, with confidence
		{Start: ms(3000), End: ms(6000), Text: "We roast on Tuesdays.", AvgLogprob: -0.3, NoSpeechProb: 0.02},
		{Start: ms(6000), End: ms(9000), Text: "We roast on Tuesdays.", AvgLogprob: -0.9, NoSpeechProb: 0.1, CompressionRatio: 2.6}, // a loop
		{Start: ms(9000), End: ms(12000), Text: "Anything at all", AvgLogprob: -1.3, NoSpeechProb: 0.8},                             // silence
		{Start: ms(12000), End: ms(15000), Text: "And we grind on Wednesdays.", AvgLogprob: -0.25, NoSpeechProb: 0.05},
		{Start: ms(15000), End: ms(18000), Text: "Subtitles by the Amara.org community", AvgLogprob: -0.8, NoSpeechProb: 0.2},
		{Start: ms(30000), End: ms(34000), Text: "Thank you for watching!", AvgLogprob: -0.5, NoSpeechProb: 0.45},
	}
	srv := asrtest.NewServer(t)
	srv.AddAudio(t, data, lines)
	res, err := newTranscriber(t, srv, asr.Config{MaxUploadBytes: 20 << 10}).Transcribe(t.Context(), speechMP3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Transcript.Text(), "Thank you. We roast on Tuesdays. And we grind on Wednesdays."; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if res.Dropped < 4 {
		t.Errorf("dropped %d segments, want at least the 4 made up", res.Dropped)
	}
}

func TestOnlySilenceIsNoCaptions(t *testing.T) {
	data := readSpeech(t)
	srv := asrtest.NewServer(t)
	srv.AddAudio(t, data, []asrtest.Line{{Start: 0, End: 30 * time.Second, Text: "Thanks for watching.", NoSpeechProb: 0.9, AvgLogprob: -1.2}})
	_, err := newTranscriber(t, srv, asr.Config{}).Transcribe(t.Context(), speechMP3)
	if recap.ErrorCode(err) != recap.ENOCAPTIONS {
		t.Errorf("err = %v, want ENOCAPTIONS", err)
	}
}

func TestParallelUploadsAreBounded(t *testing.T) {
	data := readSpeech(t)
	srv := asrtest.NewServer(t, asrtest.WithLatency(50*time.Millisecond))
	srv.AddAudio(t, data, script())
	if _, err := newTranscriber(t, srv, asr.Config{MaxUploadBytes: 10 << 10, Overlap: 200 * time.Millisecond, Concurrency: 3}).Transcribe(t.Context(), speechMP3); err != nil {
		t.Fatal(err)
	}
	if m := srv.MaxInFlight(); m != 3 {
		t.Errorf("%d uploads in flight at most, want the bound of 3 reached and kept", m)
	}
}
