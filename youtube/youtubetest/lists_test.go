package youtubetest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestTabFromParams(t *testing.T) {
	// The params of YouTube's own tab links, escaped and not.
	for params, want := range map[string]string{
		"EgZ2aWRlb3PyBgQKAjoA":         "videos",
		"EgZzaG9ydHPyBgUKA5oBAA%3D%3D": "shorts",
		"EgdzdHJlYW1z8gYECgJ6AA==":     "streams",
		"Eghwb2RjYXN0c_IGBQoDugEA":     "podcasts",
		"EglwbGF5bGlzdHPyBgQKAkIA":     "playlists",
		"EghmZWF0dXJlZPIGBAoCMgA%3D":   "featured",
		"":                             "",
		"not base64!":                  "",
		"EgC4AQCSAwDyBgQKAjIA":         "",
		"EhAA":                         "", // says 16 bytes, has 1
	} {
		if got := tabFromParams(params); got != want {
			t.Errorf("tabFromParams(%q) = %q, want %q", params, got, want)
		}
	}
}

func browseJSON(t *testing.T, s *Server, path, body string) (int, map[string]any) {
	t.Helper()
	code, out := do(t, http.MethodPost, s.URL()+path, body)
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%s answered %d with non-JSON %q", path, code, out)
	}
	return code, m
}

const web = `"context":{"client":{"clientName":"WEB","clientVersion":"2.20260115.01.00"}}`

// Without the params that ask for them, YouTube hides a playlist's
// unavailable videos behind an INFO alert; the fake does the same, so a
// client that forgets the params loses them visibly in tests.
func TestBrowseHidesUnavailableWithoutParams(t *testing.T) {
	s := NewServer(t)
	items := SyntheticItems("hd", 5, 1)
	items[1].Deleted, items[3].Private = true, true
	s.AddPlaylist(Playlist{ID: "PLhidden", Title: "t", Items: items, Shape: ShapeReload})
	count := func(m map[string]any) int {
		b, _ := json.Marshal(m)
		return strings.Count(string(b), `"playlistVideoRenderer"`)
	}
	_, m := browseJSON(t, s, PathBrowse, `{`+web+`,"browseId":"VLPLhidden"}`)
	if n := count(m); n != 3 {
		t.Errorf("without params: %d entries, want 3", n)
	}
	if b, _ := json.Marshal(m["alerts"]); !strings.Contains(string(b), "2 unavailable videos are hidden") {
		t.Errorf("without params: alerts %s", b)
	}
	_, m = browseJSON(t, s, PathBrowse, `{`+web+`,"browseId":"VLPLhidden","params":"`+showUnavailable+`"}`)
	if n := count(m); n != 5 {
		t.Errorf("with params: %d entries, want 5", n)
	}
}

func TestBrowseAnswersOnlyTheWebClient(t *testing.T) {
	s := NewServer(t)
	s.AddPlaylist(Playlist{ID: "PLweb", Items: SyntheticItems("wb", 1, 1)})
	code, m := browseJSON(t, s, PathBrowse, `{"context":{"client":{"clientName":"IOS"}},"browseId":"VLPLweb"}`)
	if code != http.StatusBadRequest || !strings.Contains(m["error"].(map[string]any)["message"].(string), "only the WEB client") {
		t.Errorf("IOS browse: %d %v", code, m)
	}
	code, _ = browseJSON(t, s, PathBrowse, `{`+web+`,"continuation":"not a token"}`)
	if code != http.StatusBadRequest {
		t.Errorf("bad continuation: %d, want 400", code)
	}
}

func TestResolveURL(t *testing.T) {
	s := NewServer(t)
	s.AddChannel(Channel{ID: "UCresolve000000000000001", Handle: "@Name", Custom: "c/legacy", User: "user/old", Videos: []Item{}})
	for _, u := range []string{
		"https://www.youtube.com/@Name", "https://www.youtube.com/@name/", "https://www.youtube.com/c/legacy",
		"https://www.youtube.com/user/old", "https://www.youtube.com/channel/UCresolve000000000000001",
	} {
		code, m := browseJSON(t, s, PathResolveURL, `{`+web+`,"url":"`+u+`"}`)
		b, _ := json.Marshal(m["endpoint"])
		if code != http.StatusOK || !strings.Contains(string(b), `"browseId":"UCresolve000000000000001"`) {
			t.Errorf("resolve %s: %d %s", u, code, b)
		}
	}
	code, m := browseJSON(t, s, PathResolveURL, `{`+web+`,"url":"https://www.youtube.com/@nobody"}`)
	if code != http.StatusNotFound || m["error"].(map[string]any)["status"] != "NOT_FOUND" {
		t.Errorf("unknown handle: %d %v", code, m)
	}
}

func TestSyntheticItems(t *testing.T) {
	a, b := SyntheticItems("ab", 1000, 5), SyntheticItems("ab", 1000, 5)
	seen := map[string]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("item %d differs between runs: %+v, %+v", i, a[i], b[i])
		}
		if len(a[i].ID) != 11 || seen[a[i].ID] {
			t.Fatalf("item %d: id %q is not a fresh 11-character id", i, a[i].ID)
		}
		seen[a[i].ID] = true
		if a[i].Duration <= 0 || a[i].Title == "" || a[i].unavailable() {
			t.Fatalf("item %d: %+v is not a playable video", i, a[i])
		}
	}
	p := SyntheticPlaylist("PLsynthetic5000", 5000, ShapeLockup, 1)
	if len(p.Items) != 5000 || p.Shape != ShapeLockup || p.pageSize() != 100 {
		t.Errorf("SyntheticPlaylist = %d items, shape %v, pages of %d", len(p.Items), p.Shape, p.pageSize())
	}
}
