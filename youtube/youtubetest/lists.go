package youtubetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// PageShape is how the fake serves a playlist's pages. YouTube has served
// each of them; the fake's answers follow the public recordings in
// NewPipeExtractor's test mocks and yt-dlp's extractor.
type PageShape int

const (
	// ShapeClassic: the first answer is the browse page itself, its
	// selected tab holding a playlistVideoListRenderer of
	// playlistVideoRenderer items that ends in a continuationItemRenderer
	// (beside a second continuation, for recommendations, that a client
	// must not follow). Later pages arrive as appendContinuationItemsAction
	// (2021–2024).
	ShapeClassic PageShape = iota
	// ShapeReload: the first answer's items arrive as a
	// reloadContinuationItemsCommand whose continuation token sits in a
	// commandExecutorCommand; later pages as appendContinuationItemsAction
	// (2025).
	ShapeReload
	// ShapeLockup: lockupViewModel items, every page an
	// appendContinuationItemsAction ending in a continuationItemViewModel.
	ShapeLockup
	// ShapeUnknown: items of a renderer no client knows
	// (playlistVideoItemViewModel), to check that a change on YouTube's
	// side is reported rather than read as an empty list.
	ShapeUnknown
)

func (s PageShape) String() string {
	switch s {
	case ShapeClassic:
		return "classic"
	case ShapeReload:
		return "reload"
	case ShapeLockup:
		return "lockup"
	case ShapeUnknown:
		return "unknown"
	}
	return fmt.Sprintf("PageShape(%d)", int(s))
}

// GridShape is how the fake serves a channel tab's grid.
type GridShape int

const (
	// GridVideoRenderer: richGridRenderer → richItemRenderer →
	// videoRenderer (until 2025); Shorts as reelItemRenderer.
	GridVideoRenderer GridShape = iota
	// GridLockup: richGridRenderer → richItemRenderer → lockupViewModel
	// (2025); Shorts as shortsLockupViewModel.
	GridLockup
)

func (g GridShape) String() string {
	if g == GridLockup {
		return "lockup"
	}
	return "videoRenderer"
}

// Item is one entry of a fake playlist or channel tab.
type Item struct {
	ID       string // 11 characters of A-Z a-z 0-9 _ -
	Title    string
	Duration time.Duration
	// Published is YouTube's words for when it came out ("3 years ago",
	// "Streamed 2 days ago"); "" leaves them out.
	Published string

	// Deleted and Private make the entry YouTube's "[Deleted video]" and
	// "[Private video]"; Unavailable a playable-looking entry marked not
	// playable (blocked in the viewer's country). YouTube lists them only
	// to clients that ask for unavailable videos.
	Deleted, Private, Unavailable bool
	MembersOnly                   bool
	Live                          bool      // streaming now
	Premiere                      time.Time // non-zero: an upcoming premiere at that time
	Short                         bool      // a Short
}

func (it Item) unavailable() bool { return it.Deleted || it.Private || it.Unavailable }

// Playlist is a fake playlist. Add it with Server.AddPlaylist.
type Playlist struct {
	ID        string
	Title     string
	Channel   string // the owner's name
	ChannelID string // the owner's id, UC…
	Items     []Item
	Shape     PageShape
	PageSize  int // items per page; 0 means 100, as YouTube sends
}

// Channel is a fake channel. Add it with Server.AddChannel.
type Channel struct {
	ID     string // UC and 22 more
	Title  string
	Handle string // "@name", resolved by navigation/resolve_url; optional
	Custom string // "c/name"; optional
	User   string // "user/name"; optional
	// HandleRedirect makes resolve_url answer the handle with a urlEndpoint
	// to this legacy path ("c/name" or a bare "name"), which resolves to
	// the channel in turn, as YouTube does for some channels.
	HandleRedirect string

	// Tabs: a tab the channel has is a non-nil slice. Items are newest
	// first. Shorts among Videos are served as Shorts (reelWatchEndpoint).
	Videos, Streams, Shorts []Item
	// Podcasts are ids of playlists (add them with AddPlaylist) listed on
	// the Podcasts tab when non-nil.
	Podcasts []string
	Grid     GridShape
	PageSize int // items per page; 0 means 30, as YouTube sends
}

// handlePath etc. are the URL paths of the channel's names.
func (c Channel) paths() []string {
	var out []string
	for _, p := range []string{c.Handle, c.Custom, c.User} {
		if p != "" {
			out = append(out, "/"+p)
		}
	}
	return append(out, "/channel/"+c.ID)
}

// UploadsID is the id of a channel's uploads playlist (UU…), which
// AddChannel serves too unless a playlist with that id exists.
func UploadsID(channelID string) string { return "UU" + strings.TrimPrefix(channelID, "UC") }

// SyntheticItems makes n playable items whose ids start with prefix (two
// characters of the id alphabet, so that lists do not share ids),
// titled "<title> N", 2 to 90 minutes long, published "N weeks ago" in
// order (newest first). The same arguments give the same items.
func SyntheticItems(prefix string, n int, seed int64) []Item {
	if len(prefix) != 2 {
		panic("youtubetest: SyntheticItems prefix must be 2 characters")
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x6a09e667f3bcc908))
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{
			ID:        fmt.Sprintf("%s%09d", prefix, i),
			Title:     fmt.Sprintf("Synthetic video %s %d", prefix, i+1),
			Duration:  time.Duration(120+r.IntN(88*60)) * time.Second,
			Published: fmt.Sprintf("%d weeks ago", i/3+1),
		}
	}
	return out
}

// SyntheticPlaylist is a playlist of n playable items (SyntheticItems) in
// the given shape, pages of 100: big lists for tests and benchmarks (a
// 5,000-video playlist is 50 pages).
func SyntheticPlaylist(id string, n int, shape PageShape, seed int64) Playlist {
	return Playlist{
		ID:        id,
		Title:     fmt.Sprintf("Synthetic playlist of %d videos", n),
		Channel:   "recap synthetic channel",
		ChannelID: "UCsynthetic0000000000000",
		Items:     SyntheticItems(id[len(id)-2:], n, seed),
		Shape:     shape,
	}
}
