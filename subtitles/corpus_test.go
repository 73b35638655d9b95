package subtitles

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// TestCorpusVTT parses the real yt-dlp captions in $RECAP_CORPUS/bundles
// (skipped when RECAP_CORPUS is unset) and checks that the output is sane:
// ordered, no empty text, ending near the video's duration, and holding
// every word of the file (these are hand-made captions, which must not lose
// a word to de-duplication).
func TestCorpusVTT(t *testing.T) {
	root := os.Getenv("RECAP_CORPUS")
	if root == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	files, err := filepath.Glob(filepath.Join(root, "bundles", "*", "*.en.vtt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.en.vtt under %s/bundles", root)
	}
	for _, path := range files {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			segs, err := Parse(data, FormatFromExt(path))
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) == 0 {
				t.Fatal("no segments")
			}
			checkSane(t, segs)

			info := strings.TrimSuffix(path, ".en.vtt") + ".info.json"
			var meta struct {
				Duration float64 `json:"duration"`
			}
			b, err := os.ReadFile(info)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &meta); err != nil {
				t.Fatal(err)
			}
			dur := time.Duration(meta.Duration * float64(time.Second))
			last := segs[len(segs)-1]
			if gap := math.Abs(float64(dur - last.End)); gap > float64(30*time.Second) || last.End > dur+5*time.Second {
				t.Errorf("last segment ends at %v, video is %v long", last.End, dur)
			}

			text := recap.JoinSegments(segs)
			if got, want := len(strings.Fields(text)), rawWords(data); got != want {
				t.Errorf("transcript has %d words, the file %d", got, want)
			}
			t.Logf("%d segments, %d words, %d tokens (est.), last ends %v of %v, parsed in %v",
				len(segs), len(strings.Fields(text)), recap.EstimateTokens(text), last.End, dur, took)
		})
	}
}

// rawWords counts the words on a VTT file's text lines, the naive way.
func rawWords(data []byte) int {
	n := 0
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i, l := range lines {
		if i < 3 || strings.Contains(l, "-->") || strings.TrimSpace(l) == "" {
			continue
		}
		n += len(strings.Fields(tagRE.ReplaceAllString(l, "")))
	}
	return n
}
