package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// load runs Load, failing the test if it hangs (a FIFO opened for
// reading blocks until someone writes).
func load(t *testing.T, path string) (*recap.Source, error) {
	t.Helper()
	type result struct {
		src *recap.Source
		err error
	}
	done := make(chan result, 1)
	go func() {
		src, err := Loader{}.Load(t.Context(), path, "en")
		done <- result{src, err}
	}()
	select {
	case r := <-done:
		return r.src, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) hangs", path)
		return nil, nil
	}
}

const srtBody = "1\n00:00:01,000 --> 00:00:05,000\nWords from the SRT file.\n"

// Only regular files inside the download folder are read: a FIFO, or a
// symlink out of the folder (to a secret, to a device), is no subtitle.
func TestLoadReadsOnlyRegularFilesInTheFolder(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.vtt")
	os.WriteFile(outside, []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nthe secret\n"), 0o644)
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, dir string) // plants the bad en.vtt
	}{
		{"fifo", func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "v.en.vtt"), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}},
		{"symlink out of the folder", func(t *testing.T, dir string) {
			os.Symlink(outside, filepath.Join(dir, "v.en.vtt"))
		}},
		{"symlink to a device", func(t *testing.T, dir string) {
			os.Symlink("/dev/zero", filepath.Join(dir, "v.en.vtt"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBundle(t, dir, "v", baseInfo(), map[string]string{"v.en.srt": srtBody})
			tc.plant(t, dir)
			src, err := load(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := src.Transcript.Text(); got != "Words from the SRT file." {
				t.Fatalf("transcript %q; want the SRT file's, not the planted .vtt", got)
			}
			// Alone, the planted file is no subtitle at all.
			os.Remove(filepath.Join(dir, "v.en.srt"))
			if _, err := load(t, dir); recap.ErrorCode(err) != recap.ENOCAPTIONS {
				t.Fatalf("only the planted file: %v; want ENOCAPTIONS", err)
			}
		})
	}

	// A symlink inside the folder is read.
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "subs"), 0o755)
	os.WriteFile(filepath.Join(dir, "subs", "real.srt"), []byte(srtBody), 0o644)
	writeBundle(t, dir, "v", baseInfo(), nil)
	os.Symlink(filepath.Join("subs", "real.srt"), filepath.Join(dir, "v.en.srt"))
	if src, err := load(t, dir); err != nil || src.Transcript.Text() != "Words from the SRT file." {
		t.Fatalf("symlink inside the folder: %v", err)
	}
}

// An .info.json given by name must be a regular file in its folder too.
func TestLoadRefusesAnInfoThatIsNoFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.info.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	dev := filepath.Join(dir, "d.info.json")
	os.Symlink("/dev/zero", dev)
	for _, p := range []string{fifo, dev} {
		if _, err := load(t, p); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("Load(%s): %v; want EINVALID", p, err)
		}
	}
	// In a folder, they are no candidates.
	if _, err := load(t, dir); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), "no *.info.json") {
		t.Errorf("folder of a FIFO and a device link: %v; want no .info.json found", err)
	}
}

// A 1 GiB subtitle (sparse: it takes no disk) is refused for its size,
// naming the cap, without being read.
func TestLoadRefusesHugeFiles(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, dir, "v", baseInfo(), nil)
	huge, err := os.Create(filepath.Join(dir, "v.en.vtt"))
	if err != nil {
		t.Fatal(err)
	}
	huge.Truncate(1 << 30)
	huge.Close()
	start := time.Now()
	_, err = load(t, dir)
	if recap.ErrorCode(err) != recap.ETOOLARGE || !strings.Contains(err.Error(), "over 64 MiB") || !strings.Contains(err.Error(), "v.en.vtt") {
		t.Fatalf("1 GiB subtitle: %v; want ETOOLARGE naming the file and the 64 MiB cap", err)
	}
	if !recap.Permanent(err) {
		t.Error("a file over the cap is worth retrying?")
	}
	t.Logf("refused in %v: %v", time.Since(start), err)

	big := filepath.Join(t.TempDir(), "big.info.json")
	f, _ := os.Create(big)
	f.Truncate(MaxInfoBytes + 1)
	f.Close()
	if _, _, err := (Loader{}).Resolve(t.Context(), big); recap.ErrorCode(err) != recap.ETOOLARGE {
		t.Fatalf("an .info.json over the cap: %v; want ETOOLARGE", err)
	}
}
