package source

import (
	"strings"

	"github.com/recap-dev/recap/pipeline"
)

// Classify says what src names from its text alone, reading and fetching
// nothing: SourceVideo, SourcePlaylist or SourceChannel for a YouTube
// link or id (a watch?v=…&list=… URL is the playlist), SourceFeed for any
// other http(s) URL (a podcast feed, once fetched), SourceList for "-"
// (stdin), and "" for anything else: a local path, or nothing recap
// knows. A YouTube URL that names nothing recap can list gives the
// parser's error. Expand decides with it too, once no local file or
// folder of that name exists.
func Classify(src string) (string, error) {
	kind, _, err := classify(strings.TrimSpace(src))
	return kind, err
}

// classify is Classify with the YouTube link it read.
func classify(s string) (string, pipeline.YouTubeLink, error) {
	if s == "-" {
		return SourceList, pipeline.YouTubeLink{}, nil
	}
	link, isYT, err := classifyYouTube(s)
	switch {
	case isYT && err != nil:
		return "", link, err
	case isYT:
		return string(link.Kind), link, nil // SourceVideo, SourcePlaylist or SourceChannel
	case isHTTPURL(s):
		return SourceFeed, link, nil
	}
	return "", link, nil
}

// Backlog reports whether a source kind names many items to expand: a
// playlist, a channel, a feed, a list, a folder or a flat playlist.
func Backlog(kind string) bool {
	return kind != "" && kind != SourceVideo && kind != SourceDownload
}
