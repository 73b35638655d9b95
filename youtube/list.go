package youtube

import "time"

// List is the videos of a playlist or a channel, in YouTube's order: a
// playlist's own, a channel's newest first.
type List struct {
	ID        string // the playlist id, or the channel id (UC…)
	Title     string // the playlist's title, or the channel's name
	Channel   string // who made the playlist; the channel itself
	ChannelID string
	Entries   []ListEntry
}

// ListEntry is one video of a List. Entries recap cannot summarize are
// listed too, with Skip saying why.
type ListEntry struct {
	VideoID  string
	Title    string
	Duration time.Duration // 0 when YouTube shows none (live, upcoming)
	// PublishedText is YouTube's words ("3 years ago", "Streamed 2 days
	// ago", "Premieres 8/14/26, 1:00 PM"). PublishedAt is set only when
	// they (or a premiere's start time) give an absolute date: "3 years
	// ago" leaves it zero.
	PublishedText string
	PublishedAt   time.Time
	// Skip is why the video cannot be summarized (one of the Skip
	// constants), or "" when it can.
	Skip     string
	Live     bool // streaming now
	Upcoming bool // a premiere or a stream that has not started
	Short    bool // a YouTube Short
}

// Reasons an entry is skipped.
const (
	SkipDeleted     = "deleted"      // "[Deleted video]"
	SkipPrivate     = "private"      // "[Private video]"
	SkipUnavailable = "unavailable"  // not playable for another reason
	SkipMembersOnly = "members_only" // for the channel's paying members
	SkipUpcoming    = "upcoming"     // a premiere or stream that has not started
	SkipLive        = "live"         // streaming now: no full transcript yet
)

// Channel tabs ChannelOptions.Tab takes.
const (
	TabVideos   = "videos" // long-form uploads (also "")
	TabStreams  = "streams"
	TabPodcasts = "podcasts" // each podcast (a playlist) of the channel, expanded
	TabShorts   = "shorts"
)

// ChannelOptions say what of a channel Channel lists.
type ChannelOptions struct {
	// Tab is TabVideos (or ""), TabStreams, TabPodcasts or TabShorts.
	Tab string
	// Shorts adds the channel's Shorts to its Videos tab: Channel then
	// lists the channel's uploads playlist (UU…), which holds every
	// upload newest first, Shorts and past streams included.
	Shorts bool
}

// lister collects entries up to a limit.
type lister struct {
	list  *List
	limit int // entries; 0 = all
}

// add appends e unless the limit is reached, and reports whether more
// entries are wanted. Skipped entries count toward the limit: "the first
// 10" of a playlist are its first 10 entries, a deleted one included (as
// source.Options.Limit has it).
func (l *lister) add(e ListEntry) bool {
	if l.full() {
		return false
	}
	l.list.Entries = append(l.list.Entries, e)
	return !l.full()
}

func (l *lister) full() bool { return l.limit > 0 && len(l.list.Entries) >= l.limit }
