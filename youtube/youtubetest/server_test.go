package youtubetest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServerFailNextAndRequests(t *testing.T) {
	s := NewServer(t)
	s.FailNext(PathHome, http.StatusTooManyRequests, 1)
	s.FailNext(PathHome, http.StatusServiceUnavailable, 1)
	var got []int
	for range 3 {
		code, body := do(t, http.MethodGet, s.URL()+"/", "")
		got = append(got, code)
		if code == http.StatusOK && !strings.Contains(body, "\nytcfg.set({") {
			t.Errorf("home page lacks the ytcfg.set kkdai reads: %q", body)
		}
	}
	if want := []int{429, 503, 200}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if n := s.Requests(PathHome); n != 3 {
		t.Errorf("Requests(/) = %d, want 3", n)
	}
	if n := s.Requests(PathPlayer); n != 0 {
		t.Errorf("Requests(player) = %d, want 0", n)
	}
}

func TestServerTimedText(t *testing.T) {
	s := NewServer(t)
	cue := []recap.Segment{{Start: time.Second, End: 3 * time.Second, Text: "Tom & Jerry"}}
	s.AddVideo(Video{ID: "abcdefghijk", Duration: time.Minute, Tracks: []Track{
		{Lang: "en", Segments: cue},
		{Lang: "de", ASR: true, Segments: cue},
	}})
	base := s.URL() + PathTimedText + "?v=abcdefghijk"
	tests := []struct {
		query  string
		status int
		has    string
	}{
		{"&lang=en", 200, `<text start="1" dur="2">Tom &amp; Jerry</text>`},
		{"&lang=en&fmt=json3", 200, `"utf8":"Tom \u0026 Jerry"`},
		{"&lang=en&fmt=json3&tlang=fr", 404, ""}, // not translatable
		{"&lang=de&kind=asr&fmt=json3", 200, `"utf8":" \u0026"`},
		{"&lang=de&fmt=json3", 404, ""}, // no creator track in de
		{"&lang=en&fmt=vtt", 400, ""},
	}
	for _, tt := range tests {
		code, body := do(t, http.MethodGet, base+tt.query, "")
		if code != tt.status || !strings.Contains(body, tt.has) {
			t.Errorf("%s: %d %q, want %d containing %q", tt.query, code, body, tt.status, tt.has)
		}
	}
}

func TestServerGetTranscriptParams(t *testing.T) {
	s := NewServer(t)
	s.AddVideo(Video{ID: "abcdefghijk", Transcript: []recap.Segment{{Start: 0, End: time.Second, Text: "hi"}}})
	s.AddVideo(Video{ID: "bbcdefghijk"})
	// kkdai's params: base64 of "\n\x0b<id>\x12\x12<lang field>\x18\x01".
	params := func(id string) string {
		return base64.RawStdEncoding.EncodeToString([]byte("\n\x0b" + id + "\x12\x12CgNhc3ISAmVuGgA%3D\x18\x01"))
	}
	body := func(id string) string {
		b, _ := json.Marshal(map[string]any{"context": map[string]any{}, "params": params(id)})
		return string(b)
	}
	if code, got := do(t, http.MethodPost, s.URL()+PathGetTranscript, body("abcdefghijk")); code != 200 || !strings.Contains(got, `"content":"hi"`) {
		t.Errorf("transcript: %d %s", code, got)
	}
	if code, got := do(t, http.MethodPost, s.URL()+PathGetTranscript, body("bbcdefghijk")); code != 400 || !strings.Contains(got, "FAILED_PRECONDITION") {
		t.Errorf("disabled transcript: %d %s", code, got)
	}
}
