package source

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/recap-dev/recap"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		in, kind string
		backlog  bool
	}{
		{"dQw4w9WgXcQ", SourceVideo, false},
		{"https://youtu.be/dQw4w9WgXcQ", SourceVideo, false},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf", SourcePlaylist, true},
		{" youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf ", SourcePlaylist, true},
		{"https://www.youtube.com/@veritasium/videos", SourceChannel, true},
		{"UCrAXtmErZgOeiKm4sgNOkn1", SourceChannel, true},
		{"https://feeds.example.com/show.xml", SourceFeed, true},
		{"HTTP://feeds.example.com/show", SourceFeed, true},
		{"-", SourceList, true},
		{"feeds.example.com/show.xml", "", false}, // a path, as far as text goes
		{"downloads/talks", "", false},
		{"not a source", "", false},
	} {
		kind, err := Classify(tc.in)
		if err != nil || kind != tc.kind || Backlog(kind) != tc.backlog {
			t.Errorf("Classify(%q) = %q, %v (backlog %v); want %q (backlog %v)", tc.in, kind, err, Backlog(kind), tc.kind, tc.backlog)
		}
	}
	// A YouTube URL that names nothing to list is the parser's error, not
	// a feed.
	if kind, err := Classify("https://www.youtube.com/feed/trending"); err == nil || recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("a YouTube page that lists nothing = %q, %v; want an EINVALID error", kind, err)
	}
}

// Expand goes by Classify once no file of that name exists: a file named
// like a video id is what is on disk.
func TestExpandClassifiesAfterFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dQw4w9WgXcQ"), []byte("aaaaaaaaaa1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Dir: dir}
	exp, err := r.Expand(context.Background(), "dQw4w9WgXcQ", Options{})
	if err != nil || exp.Kind != SourceList || len(exp.Items) != 1 || exp.Items[0].ID != "aaaaaaaaaa1" {
		t.Fatalf("a list file named like an id = %+v, %v", exp, err)
	}
	exp, err = (&Resolver{Files: FilesNone}).Expand(context.Background(), "dQw4w9WgXcQ", Options{})
	if err != nil || exp.Kind != SourceVideo || exp.Items[0].ID != "dQw4w9WgXcQ" {
		t.Fatalf("an id = %+v, %v", exp, err)
	}
}
