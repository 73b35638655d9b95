package bundle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

const vttBody = "WEBVTT\nKind: captions\nLanguage: en\n\n00:00:01.000 --> 00:00:05.000\nThat dream about the dinosaur\n\n00:00:05.000 --> 00:00:09.500\nin the leotard.\n"

// baseInfo is an .info.json shaped like yt-dlp's, with the bulky parts
// (formats, caption URL lists) that the loader must skip.
func baseInfo() map[string]any {
	return map[string]any{
		"id":          "vo4pMVb0R6M",
		"title":       "Intro to Psychology: Crash Course Psychology #1",
		"fulltitle":   "Intro to Psychology: Crash Course Psychology #1",
		"channel":     "CrashCourse",
		"uploader":    "CrashCourse Uploads",
		"upload_date": "20140204",
		"timestamp":   1391472506,
		"duration":    654.5,
		"thumbnail":   "https://i.ytimg.com/vi/vo4pMVb0R6M/maxresdefault.jpg",
		"thumbnails": []any{
			map[string]any{"url": "https://i.ytimg.com/vi/vo4pMVb0R6M/3.jpg", "preference": -37},
			map[string]any{"url": "https://i.ytimg.com/vi/vo4pMVb0R6M/maxresdefault.jpg", "width": 1920, "height": 1080, "preference": -1},
		},
		"description":   "What does Psychology mean?\n\nChapters:\nIntroduction 00:00\nFreud 2:21",
		"webpage_url":   "https://www.youtube.com/watch?v=vo4pMVb0R6M",
		"language":      "en",
		"extractor":     "youtube",
		"extractor_key": "Youtube",
		"chapters": []any{
			map[string]any{"start_time": 0.0, "end_time": 46.0, "title": "Introduction: What is Psychology?"},
			map[string]any{"start_time": 46.0, "end_time": 91.5, "title": " Early Thinkers "},
			map[string]any{"start_time": 91.5, "end_time": 654, "title": "Big Questions"},
		},
		"formats": []any{map[string]any{"format_id": "18", "url": "https://rr.googlevideo.com/x", "fragments": []any{1, 2, 3}}},
		"subtitles": map[string]any{
			"en": []any{map[string]any{"ext": "json3", "url": "https://www.youtube.com/api/timedtext?lang=en&fmt=json3"}},
			"de": []any{map[string]any{"ext": "vtt", "url": "https://www.youtube.com/api/timedtext?lang=de&fmt=vtt"}},
		},
		"automatic_captions": map[string]any{
			"en-orig": []any{map[string]any{"ext": "vtt", "url": "x"}},
			"en":      []any{map[string]any{"ext": "vtt", "url": "x"}},
			"fr":      []any{map[string]any{"ext": "vtt", "url": "x"}},
			"es":      []any{},
		},
		"requested_subtitles": nil,
		"_has_drm":            false,
	}
}

const baseName = "Intro to Psychology_ Crash Course Psychology #1 [vo4pMVb0R6M]"

// writeBundle writes an .info.json (from info, or raw when info is a
// string) and the named files into dir, and returns the .info.json path.
func writeBundle(t *testing.T, dir, base string, info any, files map[string]string) string {
	t.Helper()
	var data []byte
	if s, ok := info.(string); ok {
		data = []byte(s)
	} else {
		var err error
		if data, err = json.MarshalIndent(info, "", "  "); err != nil {
			t.Fatal(err)
		}
	}
	infoPath := filepath.Join(dir, base+".info.json")
	if err := os.WriteFile(infoPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return infoPath
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	infoPath := writeBundle(t, dir, baseName, baseInfo(), map[string]string{baseName + ".en.vtt": vttBody})

	for _, path := range []string{dir, infoPath} {
		src, err := Loader{}.Load(t.Context(), path, "en")
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		want := recap.Video{
			ID:           "vo4pMVb0R6M",
			Source:       recap.SourceFile,
			URL:          "https://www.youtube.com/watch?v=vo4pMVb0R6M",
			Title:        "Intro to Psychology: Crash Course Psychology #1",
			Channel:      "CrashCourse",
			PublishedAt:  "2014-02-04",
			Duration:     654500 * time.Millisecond,
			ThumbnailURL: "https://i.ytimg.com/vi/vo4pMVb0R6M/maxresdefault.jpg",
			Description:  "What does Psychology mean?\n\nChapters:\nIntroduction 00:00\nFreud 2:21",
		}
		if src.Video != want {
			t.Errorf("Video =\n%+v\nwant\n%+v", src.Video, want)
		}
		wantMarks := []recap.ChapterMark{
			{Start: 0, Title: "Introduction: What is Psychology?"},
			{Start: 46 * time.Second, Title: "Early Thinkers"},
			{Start: 91500 * time.Millisecond, Title: "Big Questions"},
		}
		if len(src.Marks) != len(wantMarks) {
			t.Fatalf("Marks = %+v, want %+v", src.Marks, wantMarks)
		}
		for i := range wantMarks {
			if src.Marks[i] != wantMarks[i] {
				t.Errorf("Marks[%d] = %+v, want %+v", i, src.Marks[i], wantMarks[i])
			}
		}
		tr := src.Transcript
		if tr.Language != "en" || tr.Source != recap.TranscriptBundle {
			t.Errorf("Transcript language %q source %q, want en, bundle", tr.Language, tr.Source)
		}
		if got := tr.Text(); got != "That dream about the dinosaur in the leotard." {
			t.Errorf("Transcript text = %q", got)
		}
		if len(tr.Segments) != 2 || tr.Segments[1].Start != 5*time.Second || tr.Segments[1].End != 9500*time.Millisecond {
			t.Errorf("Segments = %+v", tr.Segments)
		}
	}
}

func TestLoadMetadataFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		check func(t *testing.T, v recap.Video, marks []recap.ChapterMark)
	}{
		{"uploader when no channel", func(m map[string]any) { delete(m, "channel") }, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.Channel != "CrashCourse Uploads" {
				t.Errorf("Channel = %q", v.Channel)
			}
		}},
		{"release_date", func(m map[string]any) { m["upload_date"] = nil; m["release_date"] = "20200131" }, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.PublishedAt != "2020-01-31" {
				t.Errorf("PublishedAt = %q", v.PublishedAt)
			}
		}},
		{"timestamp in UTC", func(m map[string]any) { delete(m, "upload_date"); m["timestamp"] = 1391472506 + 20*3600 }, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			// 2014-02-04T20:08:26Z: the UTC day, whatever the machine's zone.
			if v.PublishedAt != "2014-02-04" {
				t.Errorf("PublishedAt = %q", v.PublishedAt)
			}
		}},
		{"bad date and no timestamp", func(m map[string]any) { m["upload_date"] = "2014-02-04"; delete(m, "timestamp") }, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.PublishedAt != "" {
				t.Errorf("PublishedAt = %q, want empty", v.PublishedAt)
			}
		}},
		{"largest thumbnail", func(m map[string]any) {
			delete(m, "thumbnail")
			m["thumbnails"] = []any{
				map[string]any{"url": "a", "width": 120, "height": 90, "preference": 0},
				map[string]any{"url": "b", "width": 1280, "height": 720, "preference": -10},
				map[string]any{"url": "c", "width": 640, "height": 480, "preference": 5},
				map[string]any{"url": "d"},
			}
		}, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.ThumbnailURL != "b" {
				t.Errorf("ThumbnailURL = %q, want b", v.ThumbnailURL)
			}
		}},
		{"thumbnails without sizes: the last, best by yt-dlp's order", func(m map[string]any) {
			delete(m, "thumbnail")
			m["thumbnails"] = []any{map[string]any{"url": "a", "preference": -2}, map[string]any{"url": "b", "preference": -1}}
		}, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.ThumbnailURL != "b" {
				t.Errorf("ThumbnailURL = %q, want b", v.ThumbnailURL)
			}
		}},
		{"not youtube", func(m map[string]any) {
			m["extractor"], m["extractor_key"], m["webpage_url"] = "vimeo", "Vimeo", "https://vimeo.com/123"
		}, func(t *testing.T, v recap.Video, _ []recap.ChapterMark) {
			if v.URL != "https://vimeo.com/123" {
				t.Errorf("URL = %q", v.URL)
			}
		}},
		{"no chapters, null duration", func(m map[string]any) { m["chapters"] = nil; m["duration"] = nil }, func(t *testing.T, v recap.Video, marks []recap.ChapterMark) {
			if marks != nil || v.Duration != 0 {
				t.Errorf("Marks = %v, Duration = %v; want none", marks, v.Duration)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseInfo()
			tt.edit(m)
			dir := t.TempDir()
			writeBundle(t, dir, baseName, m, map[string]string{baseName + ".en.vtt": vttBody})
			src, err := Loader{}.Load(t.Context(), dir, "en")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, src.Video, src.Marks)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to load
		code  string
		words []string
	}{
		{"missing path", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope.info.json") },
			recap.EINVALID, []string{"nope.info.json", "no such file"}},
		{"folder without info.json", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "x.en.vtt"), []byte(vttBody), 0o644)
			return dir
		}, recap.EINVALID, []string{"no *.info.json", "--write-info-json"}},
		{"not an info.json", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "x.en.vtt")
			os.WriteFile(p, []byte(vttBody), 0o644)
			return p
		}, recap.EINVALID, []string{"x.en.vtt", ".info.json"}},
		{"invalid JSON", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", `{"id": "abc", "title": `, map[string]string{"v.en.vtt": vttBody})
		}, recap.EINVALID, []string{"v.info.json", "not valid"}},
		{"wrong type", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", `{"id": "abc", "duration": "long"}`, map[string]string{"v.en.vtt": vttBody})
		}, recap.EINVALID, []string{"v.info.json"}},
		{"playlist", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "list", map[string]any{"_type": "playlist", "id": "PL123", "entries": []any{}}, nil)
		}, recap.EINVALID, []string{"list.info.json", "playlist", "not a video"}},
		{"no id", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", map[string]any{"title": "x"}, map[string]string{"v.en.vtt": vttBody})
		}, recap.EINVALID, []string{"v.info.json", `"id"`}},
		{"two videos in a folder", func(t *testing.T, dir string) string {
			writeBundle(t, dir, "a", baseInfo(), nil)
			writeBundle(t, dir, "b", baseInfo(), nil)
			return dir
		}, recap.EINVALID, []string{"a.info.json, b.info.json"}},
		{"no subtitles", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, baseName, baseInfo(), map[string]string{
				baseName + ".live_chat.json":       `{"replayChatItemAction": {}}`,
				baseName + ".en.sbv":               "0:00:01.000,0:00:02.000\nhi\n",
				baseName + ".mp4":                  "",
				"Other video [abcdefghijk].en.vtt": vttBody,
			})
		}, recap.ENOCAPTIONS, []string{"no subtitles beside", baseName + ".info.json", "expected " + baseName + ".<lang>.json3|srv3|vtt|srt|ttml|srv1"}},
		{"empty subtitles", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", baseInfo(), map[string]string{"v.en.vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n \n"})
		}, recap.ENOCAPTIONS, []string{"v.en.vtt", "no captions"}},
		{"zero-byte subtitles", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", baseInfo(), map[string]string{"v.en.srt": ""})
		}, recap.ENOCAPTIONS, []string{"v.en.srt"}},
		{"broken subtitles", func(t *testing.T, dir string) string {
			return writeBundle(t, dir, "v", baseInfo(), map[string]string{"v.en.vtt": "WEBVTT\n\n00:01.000 --> soon\nhi\n"})
		}, recap.EINVALID, []string{"v.en.vtt", "line 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			src, err := Loader{}.Load(t.Context(), path, "en")
			if err == nil {
				t.Fatalf("Load = %+v, want an error", src)
			}
			if code := recap.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q (%v)", code, tt.code, err)
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// yt-dlp writes the playlist's own .info.json beside its videos' when
// downloading a playlist into one folder; the folder still names one video.
func TestLoadFolderWithPlaylistInfo(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, dir, "Crash Course Psychology [PL8dPuuaLjXtOPRKzVLY0jJY-uHOH9KVU6]", map[string]any{"_type": "playlist", "id": "PL8dPuuaLjXtOPRKzVLY0jJY-uHOH9KVU6"}, nil)
	writeBundle(t, dir, baseName, baseInfo(), map[string]string{baseName + ".en.vtt": vttBody})
	src, err := Loader{}.Load(t.Context(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if src.Video.ID != "vo4pMVb0R6M" {
		t.Fatalf("loaded %q", src.Video.ID)
	}
}

// TestResolve: the bundle a path names, found once for submitting and
// loading alike, in any letter case, as an absolute path.
func TestResolve(t *testing.T) {
	dir := t.TempDir()
	withList := filepath.Join(dir, "with-list")
	os.Mkdir(withList, 0o755)
	writeBundle(t, withList, "Crash Course Psychology [PL8dPuuaLjXtOPRKzVLY0jJY-uHOH9KVU6]", map[string]any{"_type": "playlist", "id": "PL8dPuuaLjXtOPRKzVLY0jJY-uHOH9KVU6"}, nil)
	info := writeBundle(t, withList, baseName, baseInfo(), map[string]string{baseName + ".en.vtt": vttBody})

	upper := filepath.Join(dir, "upper")
	os.Mkdir(upper, 0o755)
	upperInfo := filepath.Join(upper, "TALK.INFO.JSON")
	data, _ := json.Marshal(baseInfo())
	os.WriteFile(upperInfo, data, 0o644)
	os.WriteFile(filepath.Join(upper, "TALK.en.VTT"), []byte(vttBody), 0o644)

	for _, tc := range []struct{ path, want string }{
		{withList, info},
		{withList + string(os.PathSeparator), info},
		{info, info},
		{upper, upperInfo},
		{upperInfo, upperInfo},
	} {
		id, got, err := Loader{}.Resolve(t.Context(), tc.path)
		if err != nil || id != "vo4pMVb0R6M" || got != tc.want {
			t.Errorf("Resolve(%s) = %q, %q, %v; want vo4pMVb0R6M, %s", tc.path, id, got, err, tc.want)
		}
	}
	// What Resolve finds, Load reads: upper-case names included.
	src, err := Loader{}.Load(t.Context(), upper, "en")
	if err != nil || src.Video.ID != "vo4pMVb0R6M" || len(src.Transcript.Segments) != 2 {
		t.Fatalf("Load(%s) = %+v, %v", upper, src, err)
	}

	// A relative path resolves to the absolute one.
	t.Chdir(withList)
	if _, got, err := (Loader{}).Resolve(t.Context(), "."); err != nil || got != info {
		t.Errorf("Resolve(.) in the folder = %q, %v; want %s", got, err, info)
	}
	for _, bad := range []struct{ path, want string }{
		{filepath.Join(dir, "missing"), "no such file or folder"},
		{filepath.Join(withList, baseName+".en.vtt"), "is not a yt-dlp bundle"},
		{t.TempDir(), "no *.info.json"},
	} {
		if _, _, err := (Loader{}).Resolve(t.Context(), bad.path); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Resolve(%s): %v; want EINVALID saying %q", bad.path, err, bad.want)
		}
	}
}
