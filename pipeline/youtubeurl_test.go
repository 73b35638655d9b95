package pipeline

import (
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestParseYouTubeURL(t *testing.T) {
	const (
		vid  = "dQw4w9WgXcQ"
		list = "PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG"
		ucid = "UCX6b17PVsYBQ0ip5gyeme-Q"
	)
	video := YouTubeLink{Kind: LinkVideo, VideoID: vid}
	playlist := YouTubeLink{Kind: LinkPlaylist, PlaylistID: list}
	inList := YouTubeLink{Kind: LinkPlaylist, VideoID: vid, PlaylistID: list}
	channel := func(ref, tab string) YouTubeLink { return YouTubeLink{Kind: LinkChannel, Channel: ref, Tab: tab} }
	tests := []struct {
		in   string
		want YouTubeLink
	}{
		// Videos: every ParseVideoID form.
		{vid, video},
		{"https://www.youtube.com/watch?v=" + vid + "&t=1m2s", video},
		{"youtu.be/" + vid, video},
		{"https://m.youtube.com/shorts/" + vid, video},
		{"https://www.youtube-nocookie.com/embed/" + vid, video},
		{"https://music.youtube.com/watch?v=" + vid, video},

		// Playlists.
		{"https://www.youtube.com/playlist?list=" + list, playlist},
		{"youtube.com/playlist?list=" + list + "&si=abc", playlist},
		{"//www.youtube.com/playlist?list=" + list, playlist},
		{"https://m.youtube.com/playlist?list=" + list, playlist},
		{"https://music.youtube.com/playlist?list=OLAK5uy_kPqwrLMb7sB2Lz_8UOi5XbDyjb5oJpR8E", YouTubeLink{Kind: LinkPlaylist, PlaylistID: "OLAK5uy_kPqwrLMb7sB2Lz_8UOi5XbDyjb5oJpR8E"}},
		{"HTTPS://WWW.YOUTUBE.COM/playlist?list=" + list, playlist},
		{"https://www.youtube.com/watch?v=" + vid + "&list=" + list + "&index=3", inList},
		{"https://www.youtube.com/watch?list=" + list + "&v=" + vid, inList},
		{"https://youtu.be/" + vid + "?list=" + list, inList},
		{"https://www.youtube.com/watch?list=" + list, playlist},
		{"https://www.youtube.com/embed/videoseries?list=" + list, playlist},
		{"https://www.youtube-nocookie.com/embed/videoseries?list=" + list, playlist},
		{list, playlist},
		{"UUX6b17PVsYBQ0ip5gyeme-Q", YouTubeLink{Kind: LinkPlaylist, PlaylistID: "UUX6b17PVsYBQ0ip5gyeme-Q"}},
		// A Mix or a personal list in a watch URL leaves the video.
		{"https://www.youtube.com/watch?v=" + vid + "&list=RD" + vid + "&start_radio=1", video},
		{"https://www.youtube.com/watch?v=" + vid + "&list=WL", video},

		// Channels.
		{"https://www.youtube.com/@crashcourse", channel("@crashcourse", TabVideos)},
		{"youtube.com/@crashcourse", channel("@crashcourse", TabVideos)},
		{"https://m.youtube.com/@crashcourse/videos", channel("@crashcourse", TabVideos)},
		{"https://www.youtube.com/@crashcourse/featured", channel("@crashcourse", TabVideos)},
		{"https://www.youtube.com/@crashcourse/streams", channel("@crashcourse", TabStreams)},
		{"https://www.youtube.com/@crashcourse/live", channel("@crashcourse", TabStreams)},
		{"https://www.youtube.com/@crashcourse/podcasts", channel("@crashcourse", TabPodcasts)},
		{"https://www.youtube.com/@crashcourse/shorts/", channel("@crashcourse", TabShorts)},
		{"https://www.youtube.com/@crashcourse/Videos?view=0&sort=dd", channel("@crashcourse", TabVideos)},
		{"https://www.youtube.com/@Kurzgesagt.In-a_Nutshell", channel("@Kurzgesagt.In-a_Nutshell", TabVideos)},
		{"https://www.youtube.com/@%E6%97%A5%E6%9C%AC", channel("@日本", TabVideos)},
		{"@crashcourse", channel("@crashcourse", TabVideos)},
		{"https://www.youtube.com/channel/" + ucid, channel(ucid, TabVideos)},
		{"https://www.youtube.com/channel/" + ucid + "/streams", channel(ucid, TabStreams)},
		{"https://music.youtube.com/channel/" + ucid, channel(ucid, TabVideos)},
		{ucid, channel(ucid, TabVideos)},
		{"https://www.youtube.com/c/crashcourse", channel("c/crashcourse", TabVideos)},
		{"https://www.youtube.com/c/crashcourse/podcasts", channel("c/crashcourse", TabPodcasts)},
		{"https://www.youtube.com/user/crashcourse/videos", channel("user/crashcourse", TabVideos)},
		{"www.youtube.com/user/crashcourse", channel("user/crashcourse", TabVideos)},
	}
	for _, tt := range tests {
		got, err := ParseYouTubeURL(tt.in)
		if err != nil {
			t.Errorf("ParseYouTubeURL(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseYouTubeURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseYouTubeURLRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the message
	}{
		{"", "no YouTube URL given"},
		{"https://vimeo.com/123", `"https://vimeo.com/123" is not a YouTube URL: expected a YouTube video, playlist or channel URL, or a video id`},
		{"https://www.youtube.com.evil.example/@x", "is not a YouTube URL"},
		{"ftp://youtube.com/@x", `scheme "ftp" is not http or https`},
		{"https://youtube.com:notaport/@x", "is not a YouTube URL"},
		{"https://www.youtube.com/", "names no video, playlist or channel"},
		{"https://www.youtube.com/feed/subscriptions", "path /feed/subscriptions names none of them"},
		{"https://www.youtube.com/results?search_query=cats", "path /results names none of them"},
		{"https://www.youtube.com/playlist", "a playlist URL needs a list=<playlist id> parameter"},
		{"https://www.youtube.com/playlist?list=", "has no valid playlist id"},
		{"https://www.youtube.com/playlist?list=PL%21bad", `"PL!bad" is not 2 to 100 letters`},
		{"https://www.youtube.com/playlist?list=RDdQw4w9WgXcQ", "is a YouTube Mix"},
		{"https://www.youtube.com/playlist?list=WL", "is a Watch later list"},
		{"https://www.youtube.com/playlist?list=LL", "is a Liked videos list"},
		{"https://www.youtube.com/watch?v=short&list=WL", "is a Watch later list"},
		{"https://www.youtube.com/channel/", "expected /channel/<channel id>"},
		{"https://www.youtube.com/channel/UCshort", `"UCshort" is not UC followed by 22`},
		{"https://www.youtube.com/channel/XXX6b17PVsYBQ0ip5gyeme-Q", "is not UC followed by 22"},
		{"https://www.youtube.com/c/", "expected /c/<name>"},
		{"https://www.youtube.com/user", "expected /user/<name>"},
		{"https://www.youtube.com/@", "has no valid handle"},
		{"https://www.youtube.com/@a%20b", `has no valid handle: "a b" must be 1 to 100 characters`},
		{"https://www.youtube.com/@crashcourse/playlists", "names the channel's playlists tab, which holds no videos recap lists"},
		{"https://www.youtube.com/@crashcourse/community", "channel's community tab"},
		{"https://www.youtube.com/@crashcourse/videos/extra", "channel's videos/extra tab"},
		{"https://www.youtube.com/watch?v=", "needs a v=<video id> parameter"},
		{"https://youtu.be/abc", `"abc" is not 11 characters`},
		{"hello world", "is not a YouTube video id, playlist id or channel"},
		{"PLshort", "is not a YouTube video id, playlist id or channel"},
		{"@a b", "has no valid handle"},
		{"dQw4w9WgXc", "is not a YouTube video id, playlist id or channel"},
	}
	for _, tt := range tests {
		got, err := ParseYouTubeURL(tt.in)
		if err == nil {
			t.Errorf("ParseYouTubeURL(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if code := recap.ErrorCode(err); code != recap.EINVALID {
			t.Errorf("ParseYouTubeURL(%q): code %q, want %q", tt.in, code, recap.EINVALID)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseYouTubeURL(%q):\n error %q\n want it to contain %q", tt.in, err, tt.want)
		}
		if got != (YouTubeLink{}) {
			t.Errorf("ParseYouTubeURL(%q) = %+v with an error, want the zero link", tt.in, got)
		}
	}
}

// checkYouTubeLink holds for every input: an error is EINVALID with the
// zero link; a link has exactly its kind's fields, each valid; and a
// video ParseVideoID finds is the link's video too.
func checkYouTubeLink(t *testing.T, s string) {
	l, err := ParseYouTubeURL(s)
	if err != nil {
		if recap.ErrorCode(err) != recap.EINVALID || l != (YouTubeLink{}) {
			t.Fatalf("ParseYouTubeURL(%q) = %+v, %v (code %q); want the zero link and %q", s, l, err, recap.ErrorCode(err), recap.EINVALID)
		}
	}
	switch l.Kind {
	case "":
	case LinkVideo:
		if !recap.ValidVideoID(l.VideoID) || l.PlaylistID != "" || l.Channel != "" || l.Tab != "" {
			t.Fatalf("ParseYouTubeURL(%q) = %+v: not a valid video link", s, l)
		}
	case LinkPlaylist:
		if !validPlaylistID(l.PlaylistID) || l.VideoID != "" && !recap.ValidVideoID(l.VideoID) || l.Channel != "" || l.Tab != "" {
			t.Fatalf("ParseYouTubeURL(%q) = %+v: not a valid playlist link", s, l)
		}
	case LinkChannel:
		ref := l.Channel
		ok := validChannelID(ref)
		for _, p := range []string{"@", "c/", "user/"} {
			if strings.HasPrefix(ref, p) {
				ok = ok || validChannelName(ref[len(p):])
			}
		}
		if !ok || l.VideoID != "" || l.PlaylistID != "" {
			t.Fatalf("ParseYouTubeURL(%q) = %+v: not a valid channel link", s, l)
		}
		switch l.Tab {
		case TabVideos, TabStreams, TabPodcasts, TabShorts:
		default:
			t.Fatalf("ParseYouTubeURL(%q) = %+v: unknown tab", s, l)
		}
	default:
		t.Fatalf("ParseYouTubeURL(%q) = %+v: unknown kind", s, l)
	}
	if id, verr := ParseVideoID(s); verr == nil && (err != nil || l.VideoID != id) {
		t.Fatalf("ParseVideoID(%q) = %q but ParseYouTubeURL = %+v, %v", s, id, l, err)
	}
}
