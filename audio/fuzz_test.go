package audio

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"
)

// FuzzSplitMP3 feeds the scanner and splitter arbitrary bytes (enclosures
// come from anywhere): no panic, and whatever chunks come out are whole,
// in order, under the cap and inside the data.
func FuzzSplitMP3(f *testing.F) {
	for _, name := range []string{"low.mp3", "crc.mp3", "free.mp3"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 3000)])
	}
	f.Add([]byte("ID3\x03\x00\x00\x7f\x7f\x7f\x7f"))
	f.Add([]byte("\xff\xfb\x90\x64TAG"))
	f.Fuzz(func(t *testing.T, data []byte) {
		chunks, total, err := SplitMP3(bytes.NewReader(data), 2048, 100*time.Millisecond)
		if err != nil {
			return
		}
		var prev Chunk
		for i, c := range chunks {
			if c.Size <= 0 || c.Size > 2048 || c.Offset < 0 || c.Offset+c.Size > int64(len(data)) || c.End <= c.Start {
				t.Fatalf("bad %v of %d bytes", c, len(data))
			}
			if i > 0 && (c.Offset <= prev.Offset || c.Start <= prev.Start || c.End <= prev.End) {
				t.Fatalf("%v does not follow %v", c, prev)
			}
			prev = c
		}
		if len(chunks) > 0 && chunks[len(chunks)-1].End != total {
			t.Fatalf("last chunk ends at %s, audio at %s", chunks[len(chunks)-1].End, total)
		}
		sc := NewScanner(bytes.NewReader(data))
		for {
			if _, err := sc.Next(); err == io.EOF || err != nil {
				break
			}
		}
	})
}
