package youtube_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/youtube"
)

// TestListingCorpusPages answers browse with YouTube's recorded HTML pages
// (status 200, as YouTube sometimes sends them): the "unusual traffic"
// captcha page is a block that lifts (EBLOCKED); the home page is a plain
// fault, not a block, although it mentions a reCAPTCHA key. Opt-in:
// RECAP_CORPUS=/work/shared/corpus.
func TestListingCorpusPages(t *testing.T) {
	root := os.Getenv("RECAP_CORPUS")
	if root == "" {
		t.Skip("RECAP_CORPUS not set (e.g. RECAP_CORPUS=/work/shared/corpus)")
	}
	for _, tt := range []struct {
		file    string
		blocked bool
	}{
		{"youtube_too_many_requests.html.static", true},
		{"youtube.html.static", false},
		{"youtube_consent_page.html.static", false},
	} {
		page, err := os.ReadFile(filepath.Join(root, "youtube-responses", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		}))
		c, err := youtube.New(youtube.Config{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Playlist(context.Background(), "PLcorpus00000", 0)
		srv.Close()
		if err == nil || recap.Permanent(err) || (recap.ErrorCode(err) == recap.EBLOCKED) != tt.blocked {
			t.Errorf("%s: %s %v; want blocked %v", tt.file, recap.ErrorCode(err), err, tt.blocked)
		}
	}
}
