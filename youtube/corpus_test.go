package youtube_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/youtube"
)

// replay serves recorded YouTube answers: one player answer for every
// client, the recorded home page, the watch page built around the player
// answer, a json3 stand-in for caption tracks that says which track was
// asked for (empty for tracks marked exp=xpe, as YouTube answers them),
// and get_transcript refusing as YouTube does for videos without one.
type replay struct {
	home         []byte
	player       []byte
	playerStatus int

	mu     sync.Mutex
	tracks []string // timedtext queries asked, in order
}

func (rp *replay) asked() []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]string(nil), rp.tracks...)
}

func (rp *replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/":
		w.Write(rp.home)
	case r.URL.Path == "/youtubei/v1/player":
		if rp.playerStatus != 0 {
			w.WriteHeader(rp.playerStatus)
		}
		w.Write(rp.player)
	case r.URL.Path == "/watch":
		var compact bytes.Buffer
		if err := json.Compact(&compact, rp.player); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "<html><script>var ytInitialPlayerResponse = %s;var x = 1;</script></html>", compact.Bytes())
	case r.URL.Path == "/api/timedtext":
		q := r.URL.Query()
		rp.mu.Lock()
		rp.tracks = append(rp.tracks, r.URL.RawQuery)
		rp.mu.Unlock()
		if q.Get("exp") == "xpe" {
			return
		}
		text := fmt.Sprintf("replayed lang=%s kind=%s tlang=%s fmt=%s", q.Get("lang"), q.Get("kind"), q.Get("tlang"), q.Get("fmt"))
		json.NewEncoder(w).Encode(map[string]any{"events": []any{
			map[string]any{"tStartMs": 0, "dDurationMs": 2500, "segs": []any{map[string]any{"utf8": text}}},
		}})
	case r.URL.Path == "/youtubei/v1/get_transcript":
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":400,"message":"Precondition check failed.","status":"FAILED_PRECONDITION"}}`)
	default:
		http.NotFound(w, r)
	}
}

// TestCorpusRecordings replays the recorded 2025 innertube answers in
// $RECAP_CORPUS/youtube-responses through the real kkdai client.
func TestCorpusRecordings(t *testing.T) {
	root := os.Getenv("RECAP_CORPUS")
	if root == "" {
		t.Skip("RECAP_CORPUS not set (e.g. RECAP_CORPUS=/work/shared/corpus)")
	}
	dir := filepath.Join(root, "youtube-responses")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	home := read("youtube.html.static")

	tests := []struct {
		name   string
		player string
		home   string // "" = the recorded home page
		status int
		id     string
		lang   string
		code   string   // "" = success
		want   []string // in the error, or in "title|channel|duration|lang|source|text" on success
	}{
		{name: "normal video, en", player: "youtube.innertube.json.static", id: "GJLlxj_dtq8", lang: "en",
			want: []string{"Surface Go Review - It’s Awesome|Dave2D|5m16s|en|youtube|replayed lang=en kind= tlang= fmt=json3"}},
		{name: "normal video, de", player: "youtube.innertube.json.static", id: "GJLlxj_dtq8", lang: "de",
			want: []string{"|de|youtube|replayed lang=de kind= tlang= fmt=json3"}},
		{name: "normal video, fr translated from the English original", player: "youtube.innertube.json.static", id: "GJLlxj_dtq8", lang: "fr",
			want: []string{"|fr|youtube|replayed lang=en kind= tlang=fr fmt=json3"}},
		{name: "altered user agent", player: "youtube_altered_user_agent.innertube.json.static", id: "GJLlxj_dtq8", lang: "en",
			want: []string{"|en|youtube|replayed lang=en kind= tlang="}},
		{name: "consent page instead of home page", player: "youtube.innertube.json.static", home: "youtube_consent_page.html.static", id: "GJLlxj_dtq8", lang: "en",
			want: []string{"Surface Go Review"}},
		{name: "ww1 nl/en", player: "youtube_ww1_nl_en.innertube.json.static", id: "F1xioXWb8CY", lang: "en",
			want: []string{"The Tide Is Turning - Russian Civil War Fall 1919 I THE GREAT WAR 1919|The Great War|25m9s|en|youtube|replayed lang=en kind= tlang="}},
		{name: "PO token required: manual track empty, asr used", player: "youtube_po_token_required.innertube.json.static", id: "GJLlxj_dtq8", lang: "en",
			want: []string{"|en|asr|replayed lang=en kind=asr tlang="}},
		{name: "age-restricted", player: "youtube_age_restricted.innertube.json.static", id: "Njp5uhTorCo", lang: "en",
			code: recap.EAGERESTRICTED, want: []string{"Njp5uhTorCo", "This video may be inappropriate for some users."}},
		{name: "unplayable", player: "youtube_unplayable.innertube.json.static", id: "abcdefghijk", lang: "en",
			code: recap.EUNAVAILABLE, want: []string{"Custom Reason", "Sub Reason 1"}},
		{name: "unavailable", player: "youtube_video_unavailable.innertube.json.static", id: "abcdefghijk", lang: "en",
			code: recap.EUNAVAILABLE, want: []string{"This video is unavailable"}},
		{name: "request blocked", player: "youtube_request_blocked.innertube.json.static", id: "abcdefghijk", lang: "en",
			code: recap.EBLOCKED, want: []string{"not a bot"}},
		{name: "too many requests", player: "youtube_too_many_requests.html.static", status: http.StatusTooManyRequests, id: "abcdefghijk", lang: "en",
			code: recap.EBLOCKED, want: []string{"429"}},
		{name: "transcripts disabled", player: "youtube_transcripts_disabled.innertube.json.static", id: "dsMFmonKDD4", lang: "en",
			code: recap.ENOCAPTIONS, want: []string{"dsMFmonKDD4", "no captions in any language"}},
		{name: "transcripts disabled, live stream", player: "youtube_transcripts_disabled2.innertube.json.static", id: "Fjg5lYqvzUs", lang: "en",
			code: recap.ENOCAPTIONS, want: []string{"Fjg5lYqvzUs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp := &replay{home: home, player: read(tt.player), playerStatus: tt.status}
			if tt.home != "" {
				rp.home = read(tt.home)
			}
			srv := httptest.NewServer(rp)
			defer srv.Close()
			c, err := youtube.New(youtube.Config{Endpoint: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			src, err := c.Fetch(context.Background(), tt.id, tt.lang)
			if tt.code != "" {
				if recap.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v (code %s), want %s", err, recap.ErrorCode(err), tt.code)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("message %q lacks %q", err, w)
					}
				}
				t.Logf("%s → %s: %v", tt.player, tt.code, err)
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			got := fmt.Sprintf("%s|%s|%s|%s|%s|%s", src.Video.Title, src.Video.Channel, src.Video.Duration,
				src.Transcript.Language, src.Transcript.Source, src.Transcript.Text())
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if src.Video.ThumbnailURL == "" || src.Video.Description == "" || src.Video.Duration < time.Minute {
				t.Errorf("incomplete metadata: %+v", src.Video)
			}
			t.Logf("%s → %s; thumbnail %s; published %q; tracks asked: %v", tt.player, got, src.Video.ThumbnailURL, src.Video.PublishedAt, rp.asked())
		})
	}
}
