package audio

import (
	"bytes"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestNoiseBeforeTheFrames(t *testing.T) {
	mp3 := readFile(t, "low.mp3")
	// Some noise is skipped, byte by byte, until two headers agree.
	data := append(randomBytes(100<<10), mp3...)
	chunks, total, err := SplitMP3(bytes.NewReader(data), 1<<20, time.Second)
	if err != nil || len(chunks) != 1 || chunks[0].Frames != 34 || chunks[0].Offset != 100<<10 || total != 34*576*time.Second/8000 {
		t.Errorf("after 100 KiB of noise: %v, %s, %v; want low.mp3's 34 frames", chunks, total, err)
	}
	// Past a MiB of it, this is not an MP3.
	data = append(randomBytes(maxResync+10), mp3...)
	if _, _, err := SplitMP3(bytes.NewReader(data), 1<<20, time.Second); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("after 1 MiB of noise: err = %v, want EINVALID", err)
	}
}
