package youtube

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
)

func TestTidy(t *testing.T) {
	s := time.Second
	in := []recap.Segment{
		{Start: 5 * s, End: 9 * s, Text: "third  cue"},
		{Start: 0, End: 4 * s, Text: " first\ncue "},
		{Start: 2 * s, End: 6 * s, Text: "second overlaps the third"},
		{Start: 7 * s, End: 8 * s, Text: " \n "},
		{Start: 10 * s, End: 9 * s, Text: "end before start"},
	}
	want := []recap.Segment{
		{Start: 0, End: 2 * s, Text: "first cue"},
		{Start: 2 * s, End: 5 * s, Text: "second overlaps the third"},
		{Start: 5 * s, End: 9 * s, Text: "third cue"},
		{Start: 10 * s, End: 10 * s, Text: "end before start"},
	}
	if got := tidy(in); !reflect.DeepEqual(got, want) {
		t.Errorf("tidy =\n %+v\nwant\n %+v", got, want)
	}
}

func TestPublishDate(t *testing.T) {
	for in, want := range map[string]string{
		"2023-06-08":                "2023-06-08",
		"2023-06-08T05:00:14-07:00": "2023-06-08",
		"2023-6-8":                  "",
		"June 8, 2023":              "",
		"2023-06-08X":               "",
		"":                          "",
	} {
		var p playerAnswer
		p.Microformat.PlayerMicroformatRenderer.PublishDate = in
		if got := p.publishDate(); got != want {
			t.Errorf("publishDate(%q) = %q, want %q", in, got, want)
		}
	}
	var p playerAnswer
	p.Microformat.PlayerMicroformatRenderer.UploadDate = "2020-01-02T00:00:00-08:00"
	if got := p.publishDate(); got != "2020-01-02" {
		t.Errorf("publishDate falls back to uploadDate: got %q", got)
	}
}

func TestLargestThumbnail(t *testing.T) {
	ts := kkdai.Thumbnails{
		{URL: "//i.ytimg.com/a.jpg", Width: 120, Height: 90},
		{URL: "//i.ytimg.com/b.jpg", Width: 1280, Height: 720},
		{URL: "//i.ytimg.com/c.jpg", Width: 640, Height: 480},
	}
	if got := largestThumbnail(ts); got != "https://i.ytimg.com/b.jpg" {
		t.Errorf("largestThumbnail = %q", got)
	}
	if got := largestThumbnail(nil); got != "" {
		t.Errorf("largestThumbnail(nil) = %q", got)
	}
}

func TestFetchTrackOnForeignHostIsSkipped(t *testing.T) {
	c, err := New(Config{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://evil.example/api/timedtext?v=x", "//evil.example/api/timedtext?v=x"} {
		ch := choice{track: kkdai.CaptionTrack{BaseURL: u, LanguageCode: "en"}}
		_, err = c.fetchTrack(context.Background(), c.http, "abcdefghijk", ch)
		if !errors.Is(err, errNoText) || !errors.Is(err, ErrForeignHost) {
			t.Errorf("%s: err = %v, want errNoText and ErrForeignHost (skip the track, do not retry)", u, err)
		}
	}
}
