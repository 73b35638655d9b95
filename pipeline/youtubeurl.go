package pipeline

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// LinkKind says what a YouTube URL names.
type LinkKind string

// The kinds of YouTube links.
const (
	LinkVideo    LinkKind = "video"
	LinkPlaylist LinkKind = "playlist"
	LinkChannel  LinkKind = "channel"
)

// Channel tabs a link can name, spelled as youtube.ChannelOptions.Tab
// takes them. Every other tab holds no videos to list.
const (
	TabVideos   = "videos" // long-form uploads; also the tab of a bare channel URL
	TabStreams  = "streams"
	TabPodcasts = "podcasts"
	TabShorts   = "shorts"
)

// YouTubeLink is what a YouTube URL names: a video, a playlist or a channel.
type YouTubeLink struct {
	Kind LinkKind
	// VideoID is the video of a video link, and also the video of a
	// watch?v=…&list=… (or youtu.be/…?list=…) link, whose Kind is
	// LinkPlaylist because `recap batch` takes it as the playlist.
	VideoID string
	// PlaylistID is the playlist of a playlist link.
	PlaylistID string
	// Channel is a channel link's reference in the form
	// youtube.Client.Channel takes: "UC…" (a channel id), "@handle",
	// "c/name" or "user/name".
	Channel string
	// Tab is a channel link's tab: TabVideos, TabStreams, TabPodcasts or
	// TabShorts.
	Tab string
}

const expectLink = "expected a YouTube video, playlist or channel URL, or a video id"

// channelTabs maps the tabs of a channel URL to the tab recap lists; ""
// means the channel's default (its Videos tab).
var channelTabs = map[string]string{
	"":         TabVideos,
	"featured": TabVideos,
	"home":     TabVideos,
	"about":    TabVideos,
	"videos":   TabVideos,
	"streams":  TabStreams,
	"live":     TabStreams,
	"podcasts": TabPodcasts,
	"shorts":   TabShorts,
}

// personalLists are playlists YouTube shows only to their signed-in owner.
var personalLists = map[string]string{"WL": "Watch later", "LL": "Liked videos", "LM": "Liked music"}

// ParseYouTubeURL says what a YouTube URL names. Videos are every form
// ParseVideoID takes (and bare video ids). Playlists are
// youtube.com/playlist?list=…, watch?v=…&list=… and youtu.be/…?list=…
// (playlists holding that video), embed/videoseries?list=…, and bare
// playlist ids (PL…, UU…, OL…, FL…). Channels are /@handle, /channel/UC…,
// /c/name and /user/name, with or without a tab (/videos, /streams,
// /podcasts, /shorts, /featured…), and bare "UC…" ids and "@handles".
// Hosts are www., m. and music.youtube.com, with or without scheme.
// Anything else is an EINVALID error that says what was wrong.
//
// A watch URL whose list is a Mix (RD…), a personal list (WL, LL) or no
// valid id names just the video: YouTube lists none of them to a
// signed-out client.
func ParseYouTubeURL(s string) (YouTubeLink, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "no YouTube URL given: %s", expectLink)
	case recap.ValidVideoID(s):
		return YouTubeLink{Kind: LinkVideo, VideoID: s}, nil
	case validChannelID(s):
		return YouTubeLink{Kind: LinkChannel, Channel: s, Tab: TabVideos}, nil
	case strings.HasPrefix(s, "@") && !strings.ContainsAny(s, "/?#"):
		return channelLink(s, "@", s[1:], "")
	case !strings.ContainsAny(s, "./:?="):
		if bareList(s) {
			return playlistLink(s, "", s)
		}
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is not a YouTube video id, playlist id or channel: a video id is 11 characters of letters, digits, '-' and '_', a channel id is UC and 22 more, a handle starts with @", s)
	}
	u, err := parseLooseURL(s)
	if err != nil {
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is not a YouTube URL (%v): %s", s, err, expectLink)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is not a YouTube URL: scheme %q is not http or https", s, u.Scheme)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	parts := pathParts(u.Path)
	switch {
	case ytHosts[host]:
		if len(parts) == 0 {
			return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q names no video, playlist or channel: %s", s, expectLink)
		}
		return youtubePathLink(s, u, parts)
	case shortHosts[host]:
		if list := u.Query().Get("list"); list != "" {
			id, _ := ParseVideoID(s)
			return playlistLink(s, id, list)
		}
	case nocookieHosts[host]:
		if len(parts) >= 2 && parts[0] == "embed" && parts[1] == "videoseries" {
			return playlistLink(s, "", u.Query().Get("list"))
		}
	default:
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is not a YouTube URL: %s", s, expectLink)
	}
	return videoLink(s)
}

// youtubePathLink classifies a youtube.com URL by its path.
func youtubePathLink(s string, u *url.URL, parts []string) (YouTubeLink, error) {
	first := strings.ToLower(parts[0])
	q := u.Query()
	switch {
	case first == "playlist":
		if !q.Has("list") {
			return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q names no playlist: a playlist URL needs a list=<playlist id> parameter", s)
		}
		return playlistLink(s, "", q.Get("list"))
	case (first == "watch" || first == "embed" && len(parts) >= 2 && parts[1] == "videoseries") && q.Get("list") != "":
		id, _ := ParseVideoID(s)
		return playlistLink(s, id, q.Get("list"))
	case strings.HasPrefix(parts[0], "@"):
		return channelLink(s, "@", parts[0][1:], tabOf(parts, 1))
	case first == "channel":
		if len(parts) < 2 {
			return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q names no channel: expected /channel/<channel id>", s)
		}
		if !validChannelID(parts[1]) {
			return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q has no valid channel id: %q is not UC followed by 22 letters, digits, '-' and '_'", s, parts[1])
		}
		return channelTab(s, YouTubeLink{Kind: LinkChannel, Channel: parts[1]}, tabOf(parts, 2))
	case first == "c" || first == "user":
		if len(parts) < 2 {
			return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q names no channel: expected /%s/<name>", s, first)
		}
		return channelLink(s, first+"/", parts[1], tabOf(parts, 2))
	case first == "watch" || idPaths[first]:
		return videoLink(s)
	}
	return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is not a YouTube video, playlist or channel URL: path /%s names none of them; %s", s, strings.Join(parts, "/"), expectLink)
}

// tabOf returns the path part after a channel's name, or "" when there is
// none; more than one part is an error channelTab reports.
func tabOf(parts []string, i int) string {
	switch {
	case len(parts) <= i:
		return ""
	case len(parts) > i+1:
		return "/" + strings.Join(parts[i:], "/")
	}
	return parts[i]
}

func videoLink(s string) (YouTubeLink, error) {
	id, err := ParseVideoID(s)
	if err != nil {
		return YouTubeLink{}, err
	}
	return YouTubeLink{Kind: LinkVideo, VideoID: id}, nil
}

// playlistLink checks a playlist id. videoID is the video the URL also
// names ("" when none): a list YouTube does not show (a Mix, a personal
// list) leaves just that video.
func playlistLink(s, videoID, list string) (YouTubeLink, error) {
	if !validPlaylistID(list) {
		if videoID != "" {
			return YouTubeLink{Kind: LinkVideo, VideoID: videoID}, nil
		}
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q has no valid playlist id: %q is not 2 to 100 letters, digits, '-' and '_'", s, list)
	}
	mix, personal := strings.HasPrefix(list, "RD"), personalLists[list]
	switch {
	case (mix || personal != "") && videoID != "":
		return YouTubeLink{Kind: LinkVideo, VideoID: videoID}, nil
	case mix:
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is a YouTube Mix, which has no fixed list of videos: give a playlist or channel URL, or one video's URL", s)
	case personal != "":
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q is a %s list, which YouTube shows only to its signed-in owner: make a public or unlisted playlist of it", s, personal)
	}
	return YouTubeLink{Kind: LinkPlaylist, VideoID: videoID, PlaylistID: list}, nil
}

// channelLink checks a handle or a /c/ or /user/ name; prefix is "@",
// "c/" or "user/".
func channelLink(s, prefix, name, tab string) (YouTubeLink, error) {
	if !validChannelName(name) {
		what := map[string]string{"@": "handle", "c/": "channel name", "user/": "user name"}[prefix]
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q has no valid %s: %q must be 1 to 100 characters without spaces, '/', '?', '#', '@' or '%%'", s, what, name)
	}
	return channelTab(s, YouTubeLink{Kind: LinkChannel, Channel: prefix + name}, tab)
}

func channelTab(s string, l YouTubeLink, tab string) (YouTubeLink, error) {
	t, ok := channelTabs[strings.ToLower(tab)]
	if !ok {
		return YouTubeLink{}, recap.Errorf(recap.EINVALID, "%q names the channel's %s tab, which holds no videos recap lists: use the channel URL or its /videos, /streams, /podcasts or /shorts tab", s, strings.TrimPrefix(tab, "/"))
	}
	l.Tab = t
	return l, nil
}

// validChannelID reports whether s is "UC" and 22 characters of the id
// alphabet.
func validChannelID(s string) bool {
	return len(s) == 24 && strings.HasPrefix(s, "UC") && recap.YouTubeIDChars(s[2:])
}

// validPlaylistID reports whether s could be a playlist id: YouTube's are
// 2 (WL) to 72 (OLAK5uy_…, RDCLAK…) characters of the id alphabet.
func validPlaylistID(s string) bool {
	return len(s) >= 2 && len(s) <= 100 && recap.YouTubeIDChars(s)
}

// bareList reports whether a string without URL characters is a playlist
// id: only the common prefixes count, so that a mistyped video id is not
// taken for a playlist.
func bareList(s string) bool {
	if len(s) < 13 || !validPlaylistID(s) {
		return false
	}
	for _, p := range []string{"PL", "UU", "OL", "FL"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// validChannelName accepts handles and legacy names as YouTube allows
// them (letters of any script, digits, '.', '_', '-' and more), refusing
// what cannot be part of one URL path segment.
func validChannelName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > 100 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/?#@%\\", r) {
			return false
		}
	}
	return true
}
