// Package source resolves what a user names as a SOURCE (a YouTube video,
// playlist or channel; a podcast feed, by URL or as a file; a list of any
// of these, or "-" for stdin; a folder of yt-dlp downloads; a yt-dlp
// --flat-playlist -J file) into the items to summarize. It is the one
// resolver behind `recap batch`, POST /v1/batches and subscriptions.
//
// Local files are recognised by their content, not their names. Every
// item has a stable id, so the same video reached through two sources is
// one item.
package source

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/feed"
)

// Item kinds: how an item is loaded. They are the kinds of a job's source
// (recap.SourceYouTube…), which the pipeline loads by kind.
const (
	KindYouTube = recap.SourceYouTube // fetched from YouTube by VideoID
	KindPodcast = recap.SourcePodcast // loaded with feed.LoadEpisode from Episode
	KindFile    = recap.SourceFile    // a local yt-dlp download at InfoPath
)

// Item is one thing to summarize.
type Item struct {
	// ID is the YouTube video id, the episode id (feed.EpisodeID) or, for
	// a download, the video id its .info.json gives.
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// What to load: VideoID for youtube, InfoPath (absolute) for file,
	// Episode for podcast.
	VideoID  string        `json:"video_id,omitempty"`
	InfoPath string        `json:"info_path,omitempty"`
	Episode  *feed.Episode `json:"episode,omitempty"`

	Title string `json:"title,omitempty"`
	// DurationSeconds is 0 when unknown.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	// Published is zero when unknown.
	Published time.Time `json:"published,omitzero"`
	// Skip says why the item cannot be summarized (a private or deleted
	// video); such items are reported, never failed.
	Skip string `json:"skip,omitempty"`
	// From is the source the item was found in, as given: for an item of
	// a list, the list's line that named it.
	From string `json:"from"`
}

// Duration is the item's length, 0 when unknown.
func (it *Item) Duration() time.Duration {
	return time.Duration(it.DurationSeconds * float64(time.Second))
}

// Source kinds, as Expansion.Kind says them.
const (
	SourceVideo        = "video"
	SourcePlaylist     = "playlist"
	SourceChannel      = "channel"
	SourceFeed         = "feed"
	SourceList         = "list"
	SourceFolder       = "folder"
	SourceFlatPlaylist = "flat-playlist"
	SourceDownload     = "download" // one .info.json
	SourceMany         = "many"     // several sources given together
)

// Expansion is a source resolved into items, in source order, each id once.
type Expansion struct {
	Source string `json:"source"`
	Kind   string `json:"kind"`
	// Title names the source: the playlist's, channel's or feed's title,
	// the list's or folder's name.
	Title string `json:"title,omitempty"`
	Items []Item `json:"items"`
}

// Options narrow what a source expands to.
type Options struct {
	// Limit keeps the first Limit items of each playlist, channel (newest
	// first), feed (in feed order), list, folder or flat playlist; 0 keeps
	// all. Skipped entries (a deleted video) are among the first N too.
	Limit int
	// Since keeps items published on or after it; items whose date is
	// unknown are kept. Zero keeps all.
	Since time.Time
	// Shorts includes a channel's Shorts.
	Shorts bool
}

// YouTubeLister lists YouTube playlists and channels. youtube.Client
// satisfies it through a small adapter.
type YouTubeLister interface {
	// Playlist lists a playlist's videos in playlist order; limit 0 = all.
	Playlist(ctx context.Context, playlistID string, limit int) (*Listing, error)
	// Channel lists a channel's long-form uploads (and its Shorts when
	// shorts is set), newest first; limit 0 = all. channel and tab are
	// those of pipeline.YouTubeLink: "UC…", "@handle", "c/name" or
	// "user/name", and "videos", "streams", "podcasts" or "shorts".
	Channel(ctx context.Context, channel, tab string, limit int, shorts bool) (*Listing, error)
}

// Listing is a playlist or channel as a YouTubeLister returns it.
type Listing struct {
	Title  string
	Videos []ListedVideo
}

// ListedVideo is one entry of a Listing.
type ListedVideo struct {
	ID        string
	Title     string
	Duration  time.Duration // 0 when unknown
	Published time.Time     // zero when unknown
	// Skip says why the entry cannot be summarized ("private video",
	// "deleted video"), "" when it can.
	Skip string
}

// Resolver expands sources. Set HTTP (a netguard client) to read feeds by
// URL and YouTube to list playlists and channels; without them those
// sources are refused with a clear error.
type Resolver struct {
	YouTube YouTubeLister
	HTTP    *http.Client
	// Stdin is read for the source "-".
	Stdin io.Reader
	// Dir is the folder relative paths are read from ("" = the current one).
	Dir string
	// Files says which local files and folders may be read: FilesAny (the
	// zero value: the CLI reads its user's files), FilesUnder Root (a
	// server reads only the folder its operator names), or FilesNone.
	Files FileAccess
	// Root is the folder FilesUnder confines local sources to, including
	// those a list names and the downloads found in a folder.
	Root string
}

// FileAccess is what a Resolver may read from the local file system.
type FileAccess int

const (
	FilesAny   FileAccess = iota // any path the process can read
	FilesUnder                   // only paths inside Resolver.Root (after symlinks)
	FilesNone                    // no local source at all
)
