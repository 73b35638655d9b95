package web

import (
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

func TestThumbnailURL(t *testing.T) {
	for in, want := range map[string]bool{
		"https://i.ytimg.com/vi/abc/maxresdefault.jpg":   true,
		"https://i9.ytimg.com/vi/abc/hqdefault.jpg":      true,
		"https://img.youtube.com/vi/abc/0.jpg":           true,
		"http://i.ytimg.com/vi/abc/0.jpg":                false, // not https
		"https://i.ytimg.com.evil.example/a.jpg":         false,
		"https://evil.example/i.ytimg.com/a.jpg":         false,
		"https://i.ytimg.com:8443/a.jpg":                 false,
		"https://x@i.ytimg.com/a.jpg":                    false,
		"javascript:alert(1)//https://i.ytimg.com/a.jpg": false,
		"": false,
	} {
		if got := ThumbnailURL(in); (got != "") != want {
			t.Errorf("ThumbnailURL(%q) = %q; want accepted=%v", in, got, want)
		}
	}
}

func TestEmbedURL(t *testing.T) {
	if got := EmbedURL("dQw4w9WgXcQ", 61); got != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&enablejsapi=1&rel=0&start=61" {
		t.Errorf("EmbedURL = %q", got)
	}
	for _, bad := range []string{"", "short", `dQw4w9WgXc"`, "ep0123456789ab", "../../x/abcd"} {
		if got := EmbedURL(bad, 0); got != "" {
			t.Errorf("EmbedURL(%q) = %q; want none", bad, got)
		}
	}
}

func TestStage(t *testing.T) {
	for _, tc := range []struct {
		job  storage.Job
		want string
	}{
		{storage.Job{Status: storage.StatusQueued}, "Waiting in the queue"},
		{storage.Job{Status: storage.StatusQueued, Error: "LLM down"}, "Waiting to try again"},
		{storage.Job{Status: storage.StatusRunning}, "Reading the video and its transcript"},
		{storage.Job{Status: storage.StatusRunning, Done: 6, Total: 19}, "Summarizing chapters: 6 of 19 done"},
		{storage.Job{Status: storage.StatusRunning, Done: 19, Total: 19}, "Writing the overview"},
		{storage.Job{Status: storage.StatusDone, Done: 19, Total: 19}, "Done"},
		{storage.Job{Status: storage.StatusFailed, Error: "private"}, "Failed"},
	} {
		if got := Stage(&tc.job); got != tc.want {
			t.Errorf("Stage(%+v) = %q; want %q", tc.job, got, tc.want)
		}
	}
}

func TestIsBacklog(t *testing.T) {
	for in, want := range map[string]bool{
		"dQw4w9WgXcQ":                     false,
		"youtube.com/watch?v=dQw4w9WgXcQ": false,
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLabcdefgh1":             false, // names its video
		"https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf": true,
		"youtube.com/@veritasium":               true,
		"https://feeds.example.com/podcast.xml": true,
		"feeds.example.com/podcast.xml":         false, // a feed is an http(s) URL, as the resolver reads it
		"PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf":    true,  // a bare playlist id
		"UCrAXtmErZgOeiKm4sgNOkn1":              true,  // a bare channel id
		"not a url":                             false,
		"https://www.youtube.com/feed/trending": false, // YouTube, not a list: the video rule's error
	} {
		if got := IsBacklog(in); got != want {
			t.Errorf("IsBacklog(%q) = %v; want %v", in, got, want)
		}
	}
}

func doc() *recap.Document {
	return &recap.Document{
		ID: "job-1",
		Video: recap.DocumentVideo{ID: "dQw4w9WgXcQ", Source: recap.SourceYouTube, URL: recap.WatchURL("dQw4w9WgXcQ"),
			Title: "T", Channel: "C", PublishedAt: "2024-01-02", DurationSeconds: 3725,
			ThumbnailURL: "https://evil.example/t.jpg"},
		Language: "en", Overview: "O",
		Chapters: []recap.ChapterResult{
			{StartSeconds: 0, EndSeconds: 60, SourceTitle: "Intro", Title: "Intro", Summary: "S0", Bullets: []string{"b"},
				URL: recap.TimeURL("dQw4w9WgXcQ", 0)},
			{StartSeconds: 60, EndSeconds: 3725, SourceTitle: "Creator's", Title: "Model's", Summary: "S1",
				URL: recap.TimeURL("dQw4w9WgXcQ", time.Minute)},
		},
		Generator: recap.Generator{Summarizer: recap.SummarizerExtractive},
	}
}

// cues are one every 5 s for a span.
func cues(from, to time.Duration) []recap.Segment {
	var s []recap.Segment
	for at := from; at < to; at += 5 * time.Second {
		s = append(s, recap.Segment{Start: at, End: at + 5*time.Second, Text: "Words here."})
	}
	return s
}

func TestNewSummary(t *testing.T) {
	d := doc()
	s := NewSummary(d, &recap.Transcript{Language: "en", Segments: cues(0, 150*time.Second)})
	if s.Duration != "1:02:05" || s.Player.Kind != "youtube" || s.Player.Thumb != "" ||
		s.Player.Embed == "" || s.Permalink != "/s/job-1" || s.DownloadMD != "/s/job-1/summary.md" {
		t.Errorf("summary header = %+v", s)
	}
	if s.Chapters[0].SourceTitle != "" || s.Chapters[1].SourceTitle != "Creator's" || s.Chapters[1].Anchor != "ch60" {
		t.Errorf("chapters = %+v", s.Chapters)
	}
	// Passages are storage.Passages', cut at the chapter boundary, each
	// linked to its second.
	want := storage.Passages(cues(0, 150*time.Second), d.Chapters)
	got := append(append([]Passage{}, s.Chapters[0].Passages...), s.Chapters[1].Passages...)
	if len(got) != len(want) || len(s.Chapters[0].Passages) == 0 || len(s.Chapters[1].Passages) == 0 {
		t.Fatalf("%d passages (%d + %d); want %d", len(got), len(s.Chapters[0].Passages), len(s.Chapters[1].Passages), len(want))
	}
	seen := map[string]bool{}
	for i, p := range got {
		sec := int64(want[i].Start / time.Second)
		if p.Seconds != sec || p.Anchor != "t"+itoa(sec) || p.Link != recap.TimeURL("dQw4w9WgXcQ", want[i].Start) || seen[p.Anchor] {
			t.Errorf("passage %d = %+v; want second %d", i, p, sec)
		}
		seen[p.Anchor] = true
	}
	d.People = []recap.Person{{Name: "Guest One", Role: recap.RoleGuest}, {Name: "Voice", Role: "narrator"}, {Name: "Host One", Role: recap.RoleHost}}
	d.SummaryLanguage = "de"
	if s := NewSummary(d, nil); len(s.People) != 3 || s.People[0].Name != "Host One" || s.People[1].Name != "Guest One" || s.People[2].Name != "Voice" || s.Lang != "de" {
		t.Errorf("people %+v, lang %q; want the host first, then the guest, then the rest, in German", s.People, s.Lang)
	}
	if NewSummary(d, nil).Transcript {
		t.Error("a summary without a stored transcript has passages")
	}
}

func TestNewSummaryPodcast(t *testing.T) {
	d := doc()
	d.Video = recap.DocumentVideo{ID: "ep0123456789ab", Source: recap.SourcePodcast, URL: "javascript:alert(1)", Title: "Ep",
		Feed: &recap.FeedRef{Title: "Show", URL: "javascript:alert(2)"}}
	audio := "https://cdn.example.com/ep.mp3"
	for i := range d.Chapters {
		d.Chapters[i].URL = audio + "#t=" + itoa(d.Chapters[i].StartSeconds)
	}
	s := NewSummary(d, &recap.Transcript{Segments: cues(0, 90*time.Second)})
	if s.Player.Kind != "audio" || s.Player.AudioURL != audio || s.Player.Link != "" || s.Feed.Link != "" || s.Feed.Title != "Show" {
		t.Errorf("podcast player %+v, feed %+v; want the audio and no javascript: links", s.Player, s.Feed)
	}
	if p := s.Chapters[1].Passages[0]; p.Link != audio+"#t="+itoa(p.Seconds) {
		t.Errorf("podcast passage link %q", p.Link)
	}
	// The document's media_url comes first; one that is not http(s) is
	// no player.
	d.Video.MediaURL = "https://media.example.com/ep-full.mp3"
	if s := NewSummary(d, nil); s.Player.Kind != "audio" || s.Player.AudioURL != d.Video.MediaURL {
		t.Errorf("podcast player %+v; want the document's media_url", s.Player)
	}
	d.Video.MediaURL = "javascript:alert(4)"
	if s := NewSummary(d, nil); s.Player.Kind != "" {
		t.Errorf("player %+v for a javascript: media_url; want none", s.Player)
	}
	// An episode whose chapters carry no audio link gets no player.
	d.Video.MediaURL = ""
	for i := range d.Chapters {
		d.Chapters[i].URL = "javascript:alert(3)"
	}
	if s := NewSummary(d, nil); s.Player.Kind != "" || s.Chapters[0].Link != "" {
		t.Errorf("player %+v, chapter link %q; want none", s.Player, s.Chapters[0].Link)
	}
}

func TestNewSearchResults(t *testing.T) {
	f := storage.SearchFilter{Q: `"a b" -c`, VideoID: "dQw4w9WgXcQ", Channel: "Ch & co"}
	p := storage.SearchPage{NextCursor: "CUR", Results: []storage.SearchResult{
		{Kind: storage.KindPassage, VideoID: "dQw4w9WgXcQ", Start: 61500 * time.Millisecond,
			Snippet: storage.Snippet{Text: "x a b y", Highlights: []storage.Span{{Start: 2, End: 5}}}},
		{Kind: storage.KindBullet, VideoID: "ep0123456789ab", Title: "Ep", Start: 3600 * time.Second},
	}}
	v := NewSearchResults(f, p)
	r0, r1 := v.Results[0], v.Results[1]
	if r0.Summary != "/v/dQw4w9WgXcQ#t61" || r0.Watch != "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=61s" || r0.Time != "1:01" || r0.Title != "dQw4w9WgXcQ" {
		t.Errorf("passage result %+v", r0)
	}
	if len(r0.Parts) != 3 || !r0.Parts[1].Match || r0.Parts[1].Text != "a b" {
		t.Errorf("parts %+v", r0.Parts)
	}
	if r1.Summary != "/v/ep0123456789ab#ch3600" || r1.Watch != "" || r1.Time != "1:00:00" {
		t.Errorf("bullet result %+v; want the chapter anchor and no YouTube link", r1)
	}
	if !strings.HasPrefix(v.Next, "/search?") || !strings.Contains(v.Next, "cursor=CUR") || !strings.Contains(v.Next, "channel=Ch+%26+co") ||
		!strings.Contains(v.Next, "q=%22a+b%22+-c") || !strings.Contains(v.Next, "video_id=dQw4w9WgXcQ") {
		t.Errorf("next = %q", v.Next)
	}
}

func TestNewLibraryItems(t *testing.T) {
	items := NewLibraryItems([]storage.LibraryEntry{
		{DocumentID: "a/b", Video: recap.DocumentVideo{ID: "v1", DurationSeconds: 59, ThumbnailURL: "https://i.ytimg.com/vi/v1/0.jpg"}},
		{DocumentID: "c", Video: recap.DocumentVideo{ID: "v2", Title: "Two", Source: recap.SourcePodcast, ThumbnailURL: "https://x.example/t.jpg"}},
	})
	if items[0].Link != "/s/a%2Fb" || items[0].Title != "v1" || items[0].Duration != "0:59" || items[0].Thumb == "" {
		t.Errorf("item 0 = %+v", items[0])
	}
	if items[1].Thumb != "" || !items[1].Podcast || items[1].Duration != "" {
		t.Errorf("item 1 = %+v", items[1])
	}
}
