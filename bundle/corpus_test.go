package bundle

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// TestCorpusBundles loads the real yt-dlp downloads in
// $RECAP_CORPUS/bundles (skipped when RECAP_CORPUS is unset).
func TestCorpusBundles(t *testing.T) {
	root := os.Getenv("RECAP_CORPUS")
	if root == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	dirs, err := filepath.Glob(filepath.Join(root, "bundles", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no bundles under %s/bundles", root)
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	for _, dir := range dirs {
		id := filepath.Base(dir)
		t.Run(id, func(t *testing.T) {
			start := time.Now()
			src, err := Loader{}.Load(t.Context(), dir, "en")
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			v := src.Video
			if v.ID != id || v.URL != recap.WatchURL(id) || v.Title == "" || v.Channel == "" ||
				!date.MatchString(v.PublishedAt) || v.Duration < time.Minute || v.ThumbnailURL == "" || v.Description == "" {
				t.Errorf("Video = %+v", v)
			}
			if len(src.Marks) < 3 || src.Marks[0].Start != 0 {
				t.Errorf("Marks = %+v, want the creator's chapters from 0:00", src.Marks)
			}
			for i := 1; i < len(src.Marks); i++ {
				if src.Marks[i].Start <= src.Marks[i-1].Start || src.Marks[i].Start >= v.Duration || src.Marks[i].Title == "" {
					t.Errorf("mark %d = %+v after %+v (duration %v)", i, src.Marks[i], src.Marks[i-1], v.Duration)
				}
			}
			tr := src.Transcript
			if tr.Language != "en" || tr.Source != recap.TranscriptBundle || len(tr.Segments) == 0 {
				t.Fatalf("Transcript language %q source %q, %d segments", tr.Language, tr.Source, len(tr.Segments))
			}
			last := tr.Segments[len(tr.Segments)-1]
			if d := v.Duration - last.End; d < -5*time.Second || d > 30*time.Second {
				t.Errorf("last segment ends at %v, video is %v", last.End, v.Duration)
			}
			words := len(strings.Fields(tr.Text()))
			t.Logf("%q: %d chapters, %d segments, %d words, duration %v, published %s, loaded in %v",
				v.Title, len(src.Marks), len(tr.Segments), words, v.Duration, v.PublishedAt, took)
		})
	}
}
