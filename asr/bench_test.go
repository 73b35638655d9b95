package asr_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap/asr"
	"github.com/recap-dev/recap/asr/asrtest"
)

// The 3-hour benchmark synthesizes a podcast-like MP3 (MPEG-1 Layer III,
// 128 kbit/s CBR, 44.1 kHz: 173 MB), serves it from the fake with a fixed
// latency per chunk, and transcribes it in a child process, which reports
// its own peak RSS (VmHWM), so that the fake's copy of the file does not
// count.
const (
	benchHours    = 3
	benchLatency  = 3 * time.Second
	benchLineGap  = 10 * time.Second // one script line every 10 s
	benchChildEnv = "RECAP_ASR_BENCH_CHILD"
)

// writeBenchMP3 writes hours of 128 kbit/s frames with random payloads
// (each frame unique, so the fake can place every chunk) and returns the
// file's bytes for the fake.
func writeBenchMP3(b testing.TB, path string, hours int) []byte {
	b.Helper()
	frames := hours * 3600 * 44100 / 1152
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 0, frames*418)
	rem := 0
	for range frames {
		// 144 × 128000 / 44100 = 417.96 bytes: pad as encoders do.
		size, pad := 417, byte(0)
		if rem += 144 * 128000 % 44100; rem >= 44100 {
			rem -= 44100
			size, pad = 418, 2
		}
		frame := make([]byte, size)
		frame[0], frame[1], frame[2], frame[3] = 0xFF, 0xFB, 0x90|pad, 0x44
		for i := 4; i < size; i += 8 {
			v := rng.Uint64()
			for j := 0; j < 8 && i+j < size; j++ {
				frame[i+j] = byte(v >> (8 * j))
			}
		}
		data = append(data, frame...)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return data
}

func benchScript(d time.Duration) []asrtest.Line {
	var lines []asrtest.Line
	for at, n := time.Duration(0), 1; at+benchLineGap <= d; at, n = at+benchLineGap, n+1 {
		lines = append(lines, asrtest.Line{Start: at, End: at + benchLineGap - time.Second,
			Text: fmt.Sprintf("Line %d says nine plain words about the topic.", n)})
	}
	return lines
}

// childReport is what the child process prints.
type childReport struct {
	Wall, Duration, Uploaded time.Duration
	Chunks, Segments         int
	TextOK                   bool
	PeakRSSKB                int64
	Error                    string
}

func BenchmarkTranscribe3Hours(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "episode.mp3")
	data := writeBenchMP3(b, path, benchHours)
	size := len(data)
	episode := time.Duration(benchHours*3600*44100/1152) * 1152 * time.Second / 44100
	srv := asrtest.NewServer(b, asrtest.WithLatency(benchLatency))
	srv.AddAudio(b, data, benchScript(episode))
	data = nil

	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.v")
		cmd.Env = append(os.Environ(), benchChildEnv+"="+path+"|"+srv.BaseURL())
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		var rep childReport
		for sc := bufio.NewScanner(strings.NewReader(string(out))); sc.Scan(); {
			if line, ok := strings.CutPrefix(sc.Text(), "REPORT "); ok {
				if err := json.Unmarshal([]byte(line), &rep); err != nil {
					b.Fatal(err)
				}
			}
		}
		if rep.Error != "" || !rep.TextOK {
			b.Fatalf("child: %+v\n%s", rep, out)
		}
		slowest := srv.Slowest()
		b.ReportMetric(float64(rep.Wall)/float64(slowest), "wall/slowest_chunk")
		b.ReportMetric(float64(rep.PeakRSSKB)/1024, "peak_RSS_MiB")
		b.ReportMetric(rep.Uploaded.Seconds()/episode.Seconds(), "uploaded/episode")
		b.ReportMetric(float64(rep.Chunks), "chunks")
		b.Logf("episode %s (%.0f MB), %d chunks, wall %s, slowest chunk %s, peak RSS %.1f MiB, uploaded %s, %d segments",
			rep.Duration, float64(size)/1e6, rep.Chunks, rep.Wall.Round(time.Millisecond), slowest.Round(time.Millisecond),
			float64(rep.PeakRSSKB)/1024, rep.Uploaded, rep.Segments)
	}
}

// TestBenchChild is the benchmark's child process; it runs only when the
// benchmark starts it.
func TestBenchChild(t *testing.T) {
	arg := os.Getenv(benchChildEnv)
	if arg == "" {
		t.Skip("run by BenchmarkTranscribe3Hours")
	}
	path, baseURL, _ := strings.Cut(arg, "|")
	rep := childReport{}
	tr, err := asr.New(asr.Config{BaseURL: baseURL, Concurrency: 16, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := tr.Transcribe(t.Context(), path)
	rep.Wall = time.Since(start)
	if err != nil {
		rep.Error = err.Error()
	} else {
		rep.Duration, rep.Uploaded, rep.Chunks, rep.Segments = res.Duration, res.Uploaded, res.Chunks, len(res.Transcript.Segments)
		var want []string
		for _, l := range benchScript(res.Duration) {
			want = append(want, l.Text)
		}
		rep.TextOK = res.Transcript.Text() == strings.Join(want, " ")
	}
	rep.PeakRSSKB = peakRSS()
	b, _ := json.Marshal(rep)
	fmt.Printf("REPORT %s\n", b)
}

// peakRSS reads VmHWM, the process's peak resident set, in KiB.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}
