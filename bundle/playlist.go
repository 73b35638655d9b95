package bundle

import (
	"encoding/json"
	"strings"

	"github.com/recap-dev/recap"
)

// Playlist is what `yt-dlp --flat-playlist -J` writes for a playlist or
// channel: its title and its entries, without downloading anything.
type Playlist struct {
	ID      string
	Title   string
	Entries []PlaylistEntry
}

// PlaylistEntry is one video of a flat playlist.
type PlaylistEntry struct {
	ID          string
	URL         string
	Title       string
	IEKey       string  // yt-dlp's extractor, "Youtube" for YouTube videos
	Duration    float64 // seconds, 0 when unknown
	PublishedAt string  // YYYY-MM-DD, "" when unknown
	// Unavailable says why the entry cannot be summarized ("private
	// video", "deleted video"), "" when it can.
	Unavailable string
}

type flatEntry struct {
	Type         string      `json:"_type"`
	ID           string      `json:"id"`
	URL          string      `json:"url"`
	Title        string      `json:"title"`
	IEKey        string      `json:"ie_key"`
	Duration     float64     `json:"duration"`
	UploadDate   string      `json:"upload_date"`
	Timestamp    *float64    `json:"timestamp"`
	Availability string      `json:"availability"`
	Entries      []flatEntry `json:"entries"`
}

// IsPlaylistJSON reports whether data is a yt-dlp playlist (its _type is
// "playlist" and it has entries), as opposed to one video's .info.json.
func IsPlaylistJSON(data []byte) bool {
	var v struct {
		Type    string            `json:"_type"`
		Entries []json.RawMessage `json:"entries"`
	}
	return json.Unmarshal(data, &v) == nil && v.Type == "playlist" && v.Entries != nil
}

// ParsePlaylist reads `yt-dlp --flat-playlist -J` output. A channel's
// tabs (nested playlists) are flattened in order.
func ParsePlaylist(data []byte) (*Playlist, error) {
	var root flatEntry
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "not yt-dlp playlist JSON: %v", err)
	}
	if root.Type != "playlist" {
		return nil, recap.Errorf(recap.EINVALID, `not a yt-dlp playlist: "_type" is %q, expected "playlist" (yt-dlp --flat-playlist -J)`, root.Type)
	}
	p := &Playlist{ID: root.ID, Title: strings.TrimSpace(root.Title)}
	var walk func(es []flatEntry)
	walk = func(es []flatEntry) {
		for _, e := range es {
			if e.Type == "playlist" {
				walk(e.Entries)
				continue
			}
			inf := info{UploadDate: e.UploadDate, Timestamp: e.Timestamp}
			p.Entries = append(p.Entries, PlaylistEntry{
				ID:          e.ID,
				URL:         e.URL,
				Title:       strings.TrimSpace(e.Title),
				IEKey:       e.IEKey,
				Duration:    max(e.Duration, 0),
				PublishedAt: inf.published(),
				Unavailable: unavailable(e),
			})
		}
	}
	walk(root.Entries)
	return p, nil
}

// unavailable says why a flat entry cannot be summarized: YouTube lists
// removed and private videos under placeholder titles, and yt-dlp names
// restricted ones in "availability".
func unavailable(e flatEntry) string {
	switch strings.ToLower(strings.TrimSpace(e.Title)) {
	case "[private video]":
		return "private video"
	case "[deleted video]":
		return "deleted video"
	case "[unavailable video]":
		return "unavailable video"
	}
	switch e.Availability {
	case "private":
		return "private video"
	case "premium_only":
		return "premium-only video"
	case "subscriber_only":
		return "members-only video"
	case "needs_auth":
		return "video needs sign-in"
	}
	return ""
}
