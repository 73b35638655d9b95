package audio

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// fixture is one line of testdata/frames.txt: ffprobe's count of audio
// frames and the sample rate, written by gen.sh.
type fixture struct {
	name   string
	frames int
	rate   int
}

func fixtures(t *testing.T) []fixture {
	t.Helper()
	f, err := os.Open("testdata/frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []fixture
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var fx fixture
		fields := strings.Fields(sc.Text())
		fx.name = fields[0]
		fx.frames, _ = strconv.Atoi(fields[1])
		fx.rate, _ = strconv.Atoi(fields[2])
		out = append(out, fx)
	}
	return out
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// samplesPerFrame is 1152 for MPEG-1 (32 kHz and up), 576 below.
func samplesPerFrame(rate int) int {
	if rate >= 32000 {
		return 1152
	}
	return 576
}

func TestScannerMatchesFFprobe(t *testing.T) {
	infoFrame := map[string]bool{"speech.mp3": false, "vbr.mp3": true, "crc.mp3": true, "low.mp3": false}
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			data := readFile(t, fx.name)
			sc := NewScanner(bytes.NewReader(data))
			n := 0
			var last Frame
			for {
				f, err := sc.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("frame %d: %v", n, err)
				}
				if hdr, err := parseHeader([4]byte(data[f.Offset : f.Offset+4])); err != nil || hdr.sampleRate != fx.rate {
					t.Fatalf("frame %d at byte %d: header %+v, %v; want a %d Hz frame", n, f.Offset, hdr, err, fx.rate)
				}
				if n > 0 && f.Offset != last.End() {
					t.Errorf("frame %d starts at %d, previous ended at %d", n, f.Offset, last.End())
				}
				last = f
				n++
			}
			if n != fx.frames {
				t.Errorf("%d frames; ffprobe counts %d", n, fx.frames)
			}
			want := time.Duration(int64(fx.frames*samplesPerFrame(fx.rate)) * int64(time.Second) / int64(fx.rate))
			if got := sc.Duration(); got != want {
				t.Errorf("Duration = %s, want %d frames × %d samples / %d Hz = %s", got, fx.frames, samplesPerFrame(fx.rate), fx.rate, want)
			}
			if sc.InfoFrame != infoFrame[fx.name] {
				t.Errorf("InfoFrame = %v, want %v", sc.InfoFrame, infoFrame[fx.name])
			}
			if sc.Skipped != 0 {
				t.Errorf("skipped %d bytes of a clean file", sc.Skipped)
			}
		})
	}
}

func TestScannerSkipsJunkBetweenFrames(t *testing.T) {
	data := readFile(t, "low.mp3")
	sc := NewScanner(bytes.NewReader(data))
	first, _ := sc.Next()
	second, _ := sc.Next()
	junk := []byte("\xff\xfb junk \xff\x00 between frames")
	broken := append(append(append([]byte{}, data[:second.Offset]...), junk...), data[second.Offset:]...)
	sc = NewScanner(bytes.NewReader(broken))
	n := 0
	for {
		_, err := sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 34 || sc.Skipped != int64(len(junk)) {
		t.Errorf("%d frames, %d bytes skipped; want 34 frames and the %d junk bytes skipped (first frame %d bytes)", n, sc.Skipped, len(junk), first.Size)
	}
}

func TestScannerRefuses(t *testing.T) {
	for name, data := range map[string][]byte{
		"free format": readFile(t, "free.mp3"),
		"not audio":   []byte(strings.Repeat("<html>not an mp3</html>", 100)),
		"empty":       nil,
		"ID3 only":    append([]byte("ID3\x04\x00\x00\x00\x00\x00\x05"), "12345"...),
	} {
		_, _, err := SplitMP3(bytes.NewReader(data), 1<<20, time.Second)
		if recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
		if name == "free format" && !strings.Contains(fmtErr(err), "free-format") {
			t.Errorf("free format: error %q does not say free-format", fmtErr(err))
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// checkChunks asserts the chunk arithmetic of a split of data.
func checkChunks(t *testing.T, data []byte, chunks []Chunk, total time.Duration, maxBytes int64, overlap time.Duration) {
	t.Helper()
	if len(chunks) == 0 {
		t.Fatal("no chunks")
	}
	var sum, overlaps time.Duration
	for i, c := range chunks {
		if c.Index != i {
			t.Errorf("chunk %d has Index %d", i, c.Index)
		}
		if c.Size > maxBytes {
			t.Errorf("%v: over the cap of %d bytes", c, maxBytes)
		}
		// The chunk's bytes are whole frames of the file, and their own
		// frame count and duration are the chunk's.
		sc := NewScanner(c.Section(bytes.NewReader(data)))
		frames := 0
		for {
			f, err := sc.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%v: bytes do not parse: %v", c, err)
			}
			if frames == 0 && f.Offset != 0 {
				t.Errorf("%v: first frame at byte %d of the chunk, want 0", c, f.Offset)
			}
			frames++
		}
		// Durations are differences of instants rounded to the
		// nanosecond: a chunk's own sum of frames may differ by 1 ns.
		if d := sc.Duration() - c.Duration(); frames != c.Frames || d < -1 || d > 1 || sc.Skipped != 0 {
			t.Errorf("%v: holds %d frames lasting %s (skipped %d); want %d frames, %s", c, frames, sc.Duration(), sc.Skipped, c.Frames, c.Duration())
		}
		sum += c.Duration()
		overlaps += c.Overlap
		if i == 0 {
			if c.Start != 0 || c.Overlap != 0 {
				t.Errorf("first %v: want start 0 and no overlap", c)
			}
			continue
		}
		p := chunks[i-1]
		if c.Overlap != p.End-c.Start {
			t.Errorf("%v: overlap is not the previous end %s minus start", c, p.End)
		}
		// At least the overlap asked for, and less than one frame more.
		if c.Overlap < overlap || c.Overlap >= overlap+time.Second*1152/8000 {
			t.Errorf("%v: overlap %s, want %s to one frame more", c, c.Overlap, overlap)
		}
		if c.Offset <= p.Offset || c.Offset >= p.Offset+p.Size {
			t.Errorf("%v: does not start inside the previous %v", c, p)
		}
	}
	last := chunks[len(chunks)-1]
	if last.End != total {
		t.Errorf("last chunk ends at %s, the audio at %s", last.End, total)
	}
	if sum-overlaps != total {
		t.Errorf("durations %s minus overlaps %s = %s, want the file's %s", sum, overlaps, sum-overlaps, total)
	}
}

func TestSplitMP3Arithmetic(t *testing.T) {
	data := readFile(t, "speech.mp3")
	_, whole, err := SplitMP3(bytes.NewReader(data), int64(len(data)), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// 947 frames of 576 samples at 16 kHz, as ffprobe counts them.
	if want := 947 * 576 * time.Second / 16000; whole != want {
		t.Fatalf("duration %s, want %s", whole, want)
	}
	for _, tc := range []struct {
		maxBytes int64
		overlap  time.Duration
		chunks   int
	}{
		{int64(len(data)), 3 * time.Second, 1},
		// 144-byte frames of 36 ms: 284 frames a chunk, 84 shared.
		{40 << 10, 3 * time.Second, 5},
		{20 << 10, 2 * time.Second, 11},
		{16 << 10, time.Second, 11},
		{10 << 10, 0, 14},
	} {
		chunks, total, err := SplitMP3(bytes.NewReader(data), tc.maxBytes, tc.overlap)
		if err != nil {
			t.Fatalf("cap %d: %v", tc.maxBytes, err)
		}
		if total != whole {
			t.Errorf("cap %d: duration %s, want %s", tc.maxBytes, total, whole)
		}
		if len(chunks) != tc.chunks {
			t.Errorf("cap %d, overlap %s: %d chunks, want %d", tc.maxBytes, tc.overlap, len(chunks), tc.chunks)
		}
		checkChunks(t, data, chunks, total, tc.maxBytes, tc.overlap)
	}
}

// A cap on duration cuts a file well under the byte cap, no chunk longer
// than it, with the same exact arithmetic; a file under both caps is one
// chunk, and a file that is not MP3 needs ffmpeg to be cut by time.
func TestSplitMP3Within(t *testing.T) {
	data := readFile(t, "speech.mp3")
	for _, tc := range []struct {
		maxDuration, overlap time.Duration
	}{
		{10 * time.Second, time.Second},
		{5 * time.Second, 500 * time.Millisecond},
		{7 * time.Second, 0},
	} {
		chunks, total, err := SplitMP3Within(bytes.NewReader(data), 1<<20, tc.maxDuration, tc.overlap)
		if err != nil {
			t.Fatal(err)
		}
		// The fewest chunks that fit: each but the last is within one
		// 36 ms frame of the cap.
		for _, c := range chunks {
			if c.Duration() > tc.maxDuration {
				t.Errorf("max %s: %v is longer", tc.maxDuration, c)
			}
			if c.Index < len(chunks)-1 && c.Duration() <= tc.maxDuration-36*time.Millisecond {
				t.Errorf("max %s: %v is cut a frame early", tc.maxDuration, c)
			}
		}
		checkChunks(t, data, chunks, total, 1<<20, tc.overlap)
	}
	if _, _, err := SplitMP3Within(bytes.NewReader(data), 1<<20, time.Second, time.Second); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("chunks no longer than the overlap: err = %v, want EINVALID", err)
	}

	p, err := Prepare(t.Context(), "testdata/speech.mp3", Options{MaxBytes: 1 << 20, MaxDuration: 40 * time.Second})
	if err != nil || len(p.Chunks) != 1 || p.Chunks[0].Size != int64(len(data)) {
		t.Errorf("under both caps: %+v, %v; want the whole file", p, err)
	}
	p, err = Prepare(t.Context(), "testdata/speech.mp3", Options{MaxBytes: 1 << 20, MaxDuration: 10 * time.Second, Overlap: time.Second})
	if err != nil || len(p.Chunks) != 4 {
		t.Errorf("34 s in chunks of 10 s sharing 1 s: %+v, %v; want 4 chunks", p, err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = Prepare(t.Context(), "testdata/speech.m4a", Options{MaxBytes: 1 << 20, MaxDuration: 10 * time.Second})
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "no timestamps") {
		t.Errorf("M4A under the byte cap, cut by time without ffmpeg: err = %v", err)
	}
}

func TestSplitMP3AcrossSampleRates(t *testing.T) {
	// Two files glued together, as ad insertion does, at 8 and 44.1 kHz.
	// The second's Xing frame is audio there (decoders play it as
	// silence), so it counts: 91 frames.
	a, b := readFile(t, "low.mp3"), readFile(t, "vbr.mp3")
	data := append(append([]byte{}, a...), b...)
	chunks, total, err := SplitMP3(bytes.NewReader(data), 8<<10, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	want := 34*576*time.Second/8000 + 91*1152*time.Second/44100
	if d := total - want; d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("duration %s, want %s", total, want)
	}
	checkChunks(t, data, chunks, total, 8<<10, 200*time.Millisecond)
}

func TestSplitMP3CapTooSmall(t *testing.T) {
	data := readFile(t, "speech.mp3")
	for _, cap := range []int64{50, 400} {
		if _, _, err := SplitMP3(bytes.NewReader(data), cap, 3*time.Second); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("cap %d: err = %v, want EINVALID", cap, err)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		head string
		want Format
	}{
		{"ID3\x04\x00\x00\x00\x00\x00\x00", MP3},
		{"\xff\xfb\x90\x64\x00", MP3},
		{"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00", M4A},
		{"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00", Ogg},
		{"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", WebM},
		{"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", MKV},
		{"RIFF\x24\x08\x00\x00WAVEfmt ", WAV},
		{"fLaC\x00\x00\x00\x22", FLAC},
		{"\xff\xf1\x50\x80\x02\x1f\xfc", AAC},
	} {
		got, err := Detect([]byte(tc.head))
		if err != nil || got != tc.want {
			t.Errorf("Detect(% x) = %q, %v; want %q", tc.head[:6], got, err, tc.want)
		}
	}
	if _, err := Detect([]byte("<!DOCTYPE html>")); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("Detect(html) err = %v, want EINVALID", err)
	}
	if got, _ := DetectFile("testdata/speech.m4a"); got != M4A {
		t.Errorf("speech.m4a detected as %q", got)
	}
}

func TestPrepareUnderCapSendsFileAsIs(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no ffmpeg
	for _, name := range []string{"speech.mp3", "speech.m4a"} {
		p, err := Prepare(t.Context(), filepath.Join("testdata", name), Options{MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		size := int64(len(readFile(t, name)))
		if len(p.Chunks) != 1 || p.Chunks[0].Offset != 0 || p.Chunks[0].Size != size || p.Path != filepath.Join("testdata", name) {
			t.Errorf("%s: %+v; want one chunk of the whole %d-byte file", name, p, size)
		}
		if name == "speech.mp3" && p.Duration != 947*576*time.Second/16000 {
			t.Errorf("speech.mp3: duration %s", p.Duration)
		}
		p.Close()
	}
}

func TestPrepareWithoutFFmpeg(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Prepare(t.Context(), "testdata/speech.m4a", Options{MaxBytes: 32 << 10})
	if recap.ErrorCode(err) != recap.EINVALID || !errors.Is(err, ErrNoFFmpeg) {
		t.Fatalf("err = %v, want EINVALID wrapping ErrNoFFmpeg", err)
	}
	for _, want := range []string{"speech.m4a", "M4A", "upload cap", "needs ffmpeg", "not on PATH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// An MP3 needs no ffmpeg at any size.
	p, err := Prepare(t.Context(), "testdata/speech.mp3", Options{MaxBytes: 32 << 10})
	if err != nil || len(p.Chunks) < 4 {
		t.Fatalf("speech.mp3 without ffmpeg: %v, %v", p, err)
	}
}

func TestPrepareConvertsWithFFmpeg(t *testing.T) {
	if _, err := lookFFmpeg(""); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	dir := t.TempDir()
	p, err := Prepare(t.Context(), "testdata/speech.m4a", Options{MaxBytes: 48 << 10, Overlap: 2 * time.Second, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != MP3 || p.Source != M4A || p.Path == "testdata/speech.m4a" || len(p.Chunks) < 2 {
		t.Fatalf("prepared %+v; want a converted MP3 in chunks", p)
	}
	// The conversion keeps the speech's length (encoder padding aside).
	if d := p.Duration - 947*576*time.Second/16000; d < -200*time.Millisecond || d > 200*time.Millisecond {
		t.Errorf("converted duration %s, want about 34 s", p.Duration)
	}
	data, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	checkChunks(t, data, p.Chunks, p.Duration, 48<<10, 2*time.Second)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("temp files left after Close: %v", left)
	}
}
