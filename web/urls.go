package web

import (
	"net/url"
	"regexp"
	"strings"
)

// thumbnailHost matches YouTube's image hosts: i.ytimg.com, i1…i9.ytimg.com
// and img.youtube.com.
var thumbnailHost = regexp.MustCompile(`^(i[0-9]?\.ytimg\.com|img\.youtube\.com)$`)

// ThumbnailURL returns s when it is an https URL on one of YouTube's image
// hosts, else "": a page shows no image from anywhere else.
func ThumbnailURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || !thumbnailHost.MatchString(u.Hostname()) {
		return ""
	}
	return u.String()
}

// thumbnailSources is ThumbnailURL's hosts as CSP sources.
const thumbnailSources = "https://i.ytimg.com https://*.ytimg.com https://img.youtube.com"

// PlayerOrigin is where the embedded player comes from: YouTube's
// privacy-enhanced host, which sets no cookies until the video plays.
const PlayerOrigin = "https://www.youtube-nocookie.com"

// videoID matches a YouTube video id.
var videoID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// EmbedURL is the player URL of a YouTube video id starting at second
// start, or "" when id is not a video id. enablejsapi lets the page seek
// the player with postMessage.
func EmbedURL(id string, start int64) string {
	if !videoID.MatchString(id) {
		return ""
	}
	q := url.Values{"enablejsapi": {"1"}, "rel": {"0"}, "autoplay": {"1"}}
	if start > 0 {
		q.Set("start", itoa(start))
	}
	return PlayerOrigin + "/embed/" + id + "?" + q.Encode()
}
