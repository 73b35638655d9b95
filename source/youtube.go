package source

import (
	"context"
	"net/url"
	"strings"

	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/youtube"
)

// youtubeHosts are the hosts whose URLs are YouTube's: a URL on one of
// them that names nothing recap can list is an error, not a feed.
var youtubeHosts = map[string]bool{
	"youtube.com": true, "www.youtube.com": true, "m.youtube.com": true, "music.youtube.com": true,
	"youtu.be": true, "www.youtu.be": true, "youtube-nocookie.com": true, "www.youtube-nocookie.com": true,
}

// classifyYouTube says what a YouTube URL or id names, through the one
// classifier of YouTube links (pipeline.ParseYouTubeURL). ok is false for
// anything that is not YouTube's; a YouTube URL that names nothing recap
// can list gives the parser's error.
func classifyYouTube(s string) (link pipeline.YouTubeLink, ok bool, err error) {
	link, err = pipeline.ParseYouTubeURL(s)
	if err == nil {
		return link, true, nil
	}
	if u, isURL := looseURL(s); isURL && youtubeHosts[strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")] {
		return pipeline.YouTubeLink{}, true, err
	}
	return pipeline.YouTubeLink{}, false, nil
}

// looseURL parses s as a URL, adding https:// when it has no scheme but
// looks like host/path.
func looseURL(s string) (*url.URL, bool) {
	if !strings.Contains(s, "://") {
		if strings.HasPrefix(s, "//") {
			s = "https:" + s
		} else {
			s = "https://" + s
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// YouTube lists playlists and channels through a *youtube.Client.
type YouTube struct{ Client *youtube.Client }

var _ YouTubeLister = YouTube{}

// Playlist implements YouTubeLister.
func (y YouTube) Playlist(ctx context.Context, playlistID string, limit int) (*Listing, error) {
	l, err := y.Client.Playlist(ctx, playlistID, limit)
	if err != nil {
		return nil, err
	}
	return listing(l), nil
}

// Channel implements YouTubeLister.
func (y YouTube) Channel(ctx context.Context, channel, tab string, limit int, shorts bool) (*Listing, error) {
	l, err := y.Client.Channel(ctx, channel, limit, youtube.ChannelOptions{Tab: tab, Shorts: shorts})
	if err != nil {
		return nil, err
	}
	return listing(l), nil
}

func listing(l *youtube.List) *Listing {
	out := &Listing{Title: l.Title, Videos: make([]ListedVideo, 0, len(l.Entries))}
	for _, e := range l.Entries {
		out.Videos = append(out.Videos, ListedVideo{
			ID: e.VideoID, Title: e.Title, Duration: e.Duration, Published: e.PublishedAt, Skip: skipText(e.Skip),
		})
	}
	return out
}

// skipText words a listing's skip reason for people ("private video").
func skipText(skip string) string {
	switch skip {
	case "":
		return ""
	case youtube.SkipMembersOnly:
		return "members-only video"
	case youtube.SkipUpcoming:
		return "upcoming: not streamed yet"
	case youtube.SkipLive:
		return "live now: no full transcript yet"
	}
	return skip + " video"
}
