package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/recap-dev/recap/llm/llmtest"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

func TestScratchBatch(t *testing.T) {
	f := newFakes(t, llmtest.WithLatency(10*time.Millisecond))
	f.env["RECAP_WORKERS"] = "2"
	items := f.videos("ok", 4, 3*time.Minute)
	f.yt.AddVideo(youtubetest.Video{ID: "privateVid1", Private: true})
	items = append(items, youtubetest.Item{ID: "privateVid1", Title: "Secret"}, youtubetest.Item{ID: "goneVideo01", Deleted: true})
	f.yt.AddPlaylist(youtubetest.Playlist{ID: "PLmixedFate1", Title: "Mixed", Items: items})
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := f.runWith(t, context.Background(), "", "batch", "--out-dir", out, "https://www.youtube.com/playlist?list=PLmixedFate1")
	t.Logf("exit %d\nSTDOUT\n%s\nSTDERR\n%s", code, stdout, stderr)
	_, index := outFiles(t, out)
	t.Logf("INDEX\n%s", index)
	stdout, stderr, code = f.runWith(t, context.Background(), "", "batch", "--dry-run", "https://www.youtube.com/playlist?list=PLmixedFate1")
	t.Logf("exit %d\nSTDOUT\n%s\nSTDERR\n%s", code, stdout, stderr)
}
