package youtube

import (
	"cmp"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// parsed is what the items of one page hold.
type parsed struct {
	entries   []ListEntry
	playlists []string // playlists (podcasts) a channel tab lists
	token     string   // the next page's continuation token
	unknown   []string // item renderers not understood
}

// ignoredItems are item renderers that hold no video of the list: ads,
// shelves of other content, notices.
var ignoredItems = map[string]bool{
	"adSlotRenderer":              true,
	"richSectionRenderer":         true,
	"messageRenderer":             true,
	"shelfRenderer":               true,
	"reelShelfRenderer":           true,
	"backgroundPromoRenderer":     true,
	"feedFilterChipBarRenderer":   true,
	"horizontalCardListRenderer":  true,
	"channelRenderer":             true,
	"gridChannelRenderer":         true,
	"postRenderer":                true,
	"backstagePostThreadRenderer": true,
}

// parseItems reads the entries, nested playlists and continuation token
// of a page's items, in every shape the public recordings show.
func parseItems(items []item) parsed {
	var ps parsed
	for _, it := range items {
		for key, raw := range it {
			ps.item(key, raw)
		}
	}
	return ps
}

func (ps *parsed) item(key string, raw json.RawMessage) {
	switch key {
	case "playlistVideoRenderer", "videoRenderer", "gridVideoRenderer", "reelItemRenderer":
		var v videoRenderer
		if json.Unmarshal(raw, &v) == nil && recap.ValidVideoID(v.VideoID) {
			ps.entries = append(ps.entries, v.entry(key == "playlistVideoRenderer", key == "reelItemRenderer"))
			return
		}
	case "lockupViewModel":
		var l lockup
		if json.Unmarshal(raw, &l) == nil {
			switch l.ContentType {
			case "LOCKUP_CONTENT_TYPE_VIDEO":
				if e, ok := l.entry(); ok {
					ps.entries = append(ps.entries, e)
					return
				}
			case "LOCKUP_CONTENT_TYPE_PLAYLIST", "LOCKUP_CONTENT_TYPE_PODCAST":
				if l.ContentID != "" {
					ps.playlists = append(ps.playlists, l.ContentID)
					return
				}
			}
		}
	case "shortsLockupViewModel":
		var s shortsLockup
		if json.Unmarshal(raw, &s) == nil {
			if id := s.OnTap.InnertubeCommand.ReelWatchEndpoint.VideoID; recap.ValidVideoID(id) {
				ps.entries = append(ps.entries, ListEntry{VideoID: id, Title: s.OverlayMetadata.PrimaryText.Content, Short: true})
				return
			}
		}
	case "playlistRenderer", "gridPlaylistRenderer":
		var p struct {
			PlaylistID string `json:"playlistId"`
		}
		if json.Unmarshal(raw, &p) == nil && p.PlaylistID != "" {
			ps.playlists = append(ps.playlists, p.PlaylistID)
			return
		}
	case "richItemRenderer":
		var r struct {
			Content item `json:"content"`
		}
		if json.Unmarshal(raw, &r) == nil && len(r.Content) > 0 {
			for k, v := range r.Content {
				ps.item(k, v)
			}
			return
		}
	case "continuationItemRenderer", "continuationItemViewModel":
		var c continuation
		if json.Unmarshal(raw, &c) == nil {
			if t := c.token(); t != "" {
				ps.token = t
				return
			}
		}
	default:
		if ignoredItems[key] {
			return
		}
	}
	ps.unknown = append(ps.unknown, key)
}

// continuation is a continuationItemRenderer (a token in its endpoint,
// or, in first playlist pages since 2025, in one of a command executor's
// commands) or a continuationItemViewModel.
type continuation struct {
	ContinuationEndpoint struct {
		ContinuationCommand    *token `json:"continuationCommand"`
		CommandExecutorCommand *struct {
			Commands []struct {
				ContinuationCommand *token `json:"continuationCommand"`
			} `json:"commands"`
		} `json:"commandExecutorCommand"`
	} `json:"continuationEndpoint"`
	ContinuationCommand *struct {
		InnertubeCommand struct {
			ContinuationCommand *token `json:"continuationCommand"`
		} `json:"innertubeCommand"`
	} `json:"continuationCommand"`
}

type token struct {
	Token string `json:"token"`
}

func (c continuation) token() string {
	ep := c.ContinuationEndpoint
	if ep.ContinuationCommand != nil {
		return ep.ContinuationCommand.Token
	}
	if ep.CommandExecutorCommand != nil {
		for _, cmd := range ep.CommandExecutorCommand.Commands {
			if cmd.ContinuationCommand != nil && cmd.ContinuationCommand.Token != "" {
				return cmd.ContinuationCommand.Token
			}
		}
	}
	if c.ContinuationCommand != nil && c.ContinuationCommand.InnertubeCommand.ContinuationCommand != nil {
		return c.ContinuationCommand.InnertubeCommand.ContinuationCommand.Token
	}
	return ""
}

// videoRenderer is the shared shape of playlistVideoRenderer (playlists),
// videoRenderer (channel grids until 2025), gridVideoRenderer and
// reelItemRenderer (Shorts).
type videoRenderer struct {
	VideoID           string `json:"videoId"`
	Title             text   `json:"title"`
	Headline          text   `json:"headline"`
	LengthSeconds     string `json:"lengthSeconds"`
	LengthText        text   `json:"lengthText"`
	IsPlayable        *bool  `json:"isPlayable"`
	PublishedTimeText text   `json:"publishedTimeText"`
	VideoInfo         text   `json:"videoInfo"` // "266M views • 11 months ago"
	UpcomingEventData *struct {
		StartTime string `json:"startTime"` // Unix seconds
	} `json:"upcomingEventData"`
	Badges []struct {
		MetadataBadgeRenderer struct {
			Style string `json:"style"`
		} `json:"metadataBadgeRenderer"`
	} `json:"badges"`
	ThumbnailOverlays []struct {
		ThumbnailOverlayTimeStatusRenderer *struct {
			Style string `json:"style"`
			Text  text   `json:"text"`
		} `json:"thumbnailOverlayTimeStatusRenderer"`
	} `json:"thumbnailOverlays"`
	NavigationEndpoint struct {
		ReelWatchEndpoint *struct{} `json:"reelWatchEndpoint"`
		CommandMetadata   struct {
			WebCommandMetadata struct {
				URL string `json:"url"`
			} `json:"webCommandMetadata"`
		} `json:"commandMetadata"`
	} `json:"navigationEndpoint"`
}

// entry reads the renderer. A playlist item is playable only when it says
// so (deleted and private ones carry no isPlayable).
func (v *videoRenderer) entry(inPlaylist, short bool) ListEntry {
	e := ListEntry{
		VideoID:       v.VideoID,
		Title:         cmp.Or(v.Title.String(), v.Headline.String()),
		PublishedText: cmp.Or(v.PublishedTimeText.String(), timePart(v.VideoInfo.String())),
		Short:         short || v.NavigationEndpoint.ReelWatchEndpoint != nil || strings.Contains(v.NavigationEndpoint.CommandMetadata.WebCommandMetadata.URL, "/shorts/"),
	}
	if n, err := strconv.Atoi(v.LengthSeconds); err == nil && n > 0 {
		e.Duration = time.Duration(n) * time.Second
	} else {
		e.Duration, _ = parseClock(v.LengthText.String())
	}
	for _, o := range v.ThumbnailOverlays {
		ts := o.ThumbnailOverlayTimeStatusRenderer
		if ts == nil {
			continue
		}
		switch ts.Style {
		case "LIVE":
			e.Live = true
		case "UPCOMING":
			e.Upcoming = true
		case "SHORTS":
			e.Short = true
		default:
			if e.Duration == 0 {
				e.Duration, _ = parseClock(ts.Text.String())
			}
		}
	}
	membersOnly := false
	for _, b := range v.Badges {
		switch b.MetadataBadgeRenderer.Style {
		case "BADGE_STYLE_TYPE_LIVE_NOW":
			e.Live = true
		case "BADGE_STYLE_TYPE_MEMBERS_ONLY":
			membersOnly = true
		}
	}
	if u := v.UpcomingEventData; u != nil {
		e.Upcoming = true
		if sec, err := strconv.ParseInt(u.StartTime, 10, 64); err == nil && sec > 0 {
			e.PublishedAt = time.Unix(sec, 0).UTC()
		}
	}
	if e.PublishedAt.IsZero() {
		e.PublishedAt = absoluteDate(e.PublishedText)
	}
	playable := !inPlaylist || v.IsPlayable != nil && *v.IsPlayable
	e.Skip = skipReason(e, playable, membersOnly)
	return e
}

// lockup is a lockupViewModel: channel grids and playlists since 2025.
type lockup struct {
	ContentID    string `json:"contentId"`
	ContentType  string `json:"contentType"`
	ContentImage struct {
		ThumbnailViewModel struct {
			Overlays []struct {
				ThumbnailBottomOverlayViewModel *struct {
					Badges []thumbnailBadge `json:"badges"`
				} `json:"thumbnailBottomOverlayViewModel"`
				ThumbnailOverlayBadgeViewModel *struct {
					ThumbnailBadges []thumbnailBadge `json:"thumbnailBadges"`
				} `json:"thumbnailOverlayBadgeViewModel"`
			} `json:"overlays"`
		} `json:"thumbnailViewModel"`
	} `json:"contentImage"`
	Metadata struct {
		LockupMetadataViewModel struct {
			Title struct {
				Content string `json:"content"`
			} `json:"title"`
			Metadata struct {
				ContentMetadataViewModel struct {
					MetadataRows []struct {
						MetadataParts []struct {
							Text struct {
								Content string `json:"content"`
							} `json:"text"`
						} `json:"metadataParts"`
						Badges []struct {
							BadgeViewModel struct {
								BadgeStyle string `json:"badgeStyle"`
							} `json:"badgeViewModel"`
						} `json:"badges"`
					} `json:"metadataRows"`
				} `json:"contentMetadataViewModel"`
			} `json:"metadata"`
		} `json:"lockupMetadataViewModel"`
	} `json:"metadata"`
	RendererContext struct {
		CommandContext struct {
			OnTap struct {
				InnertubeCommand struct {
					WatchEndpoint *struct {
						VideoID string `json:"videoId"`
					} `json:"watchEndpoint"`
					ReelWatchEndpoint *struct {
						VideoID string `json:"videoId"`
					} `json:"reelWatchEndpoint"`
				} `json:"innertubeCommand"`
			} `json:"onTap"`
		} `json:"commandContext"`
	} `json:"rendererContext"`
}

type thumbnailBadge struct {
	ThumbnailBadgeViewModel struct {
		Text       string `json:"text"`
		BadgeStyle string `json:"badgeStyle"`
		Icon       struct {
			Sources []struct {
				ClientResource struct {
					ImageName string `json:"imageName"`
				} `json:"clientResource"`
			} `json:"sources"`
		} `json:"icon"`
	} `json:"thumbnailBadgeViewModel"`
}

// entry reads a video lockup; ok is false when it names no video.
func (l *lockup) entry() (ListEntry, bool) {
	tap := l.RendererContext.CommandContext.OnTap.InnertubeCommand
	id := l.ContentID
	if !recap.ValidVideoID(id) && tap.WatchEndpoint != nil {
		id = tap.WatchEndpoint.VideoID
	}
	if !recap.ValidVideoID(id) {
		return ListEntry{}, false
	}
	md := l.Metadata.LockupMetadataViewModel
	e := ListEntry{VideoID: id, Title: md.Title.Content, Short: tap.ReelWatchEndpoint != nil}
	for _, o := range l.ContentImage.ThumbnailViewModel.Overlays {
		var badges []thumbnailBadge
		if o.ThumbnailBottomOverlayViewModel != nil {
			badges = append(badges, o.ThumbnailBottomOverlayViewModel.Badges...)
		}
		if o.ThumbnailOverlayBadgeViewModel != nil {
			badges = append(badges, o.ThumbnailOverlayBadgeViewModel.ThumbnailBadges...)
		}
		for _, b := range badges {
			vm := b.ThumbnailBadgeViewModel
			live := vm.BadgeStyle == "THUMBNAIL_OVERLAY_BADGE_STYLE_LIVE"
			for _, s := range vm.Icon.Sources {
				live = live || s.ClientResource.ImageName == "LIVE"
			}
			switch {
			case live:
				e.Live = true
			case strings.EqualFold(vm.Text, "upcoming"):
				e.Upcoming = true
			case strings.EqualFold(vm.Text, "shorts"):
				e.Short = true
			case e.Duration == 0:
				e.Duration, _ = parseClock(vm.Text)
			}
		}
	}
	membersOnly := false
	for _, row := range md.Metadata.ContentMetadataViewModel.MetadataRows {
		for _, b := range row.Badges {
			membersOnly = membersOnly || b.BadgeViewModel.BadgeStyle == "BADGE_MEMBERS_ONLY"
		}
		for _, p := range row.MetadataParts {
			t := strings.TrimSpace(p.Text.Content)
			if !isTimeText(t) {
				continue
			}
			e.PublishedText = t
			lower := strings.ToLower(t)
			if strings.HasPrefix(lower, "premieres ") || strings.HasPrefix(lower, "scheduled for ") {
				e.Upcoming = true
			}
		}
	}
	e.PublishedAt = absoluteDate(e.PublishedText)
	// A lockup YouTube greys out has nothing to tap.
	playable := tap.WatchEndpoint != nil || tap.ReelWatchEndpoint != nil
	e.Skip = skipReason(e, playable, membersOnly)
	return e, true
}

type shortsLockup struct {
	OnTap struct {
		InnertubeCommand struct {
			ReelWatchEndpoint struct {
				VideoID string `json:"videoId"`
			} `json:"reelWatchEndpoint"`
		} `json:"innertubeCommand"`
	} `json:"onTap"`
	OverlayMetadata struct {
		PrimaryText struct {
			Content string `json:"content"`
		} `json:"primaryText"`
	} `json:"overlayMetadata"`
}

// skipReason says why an entry cannot be summarized, or "".
func skipReason(e ListEntry, playable, membersOnly bool) string {
	switch t := strings.TrimSpace(e.Title); {
	case t == "[Deleted video]":
		return SkipDeleted
	case t == "[Private video]":
		return SkipPrivate
	case strings.HasPrefix(t, "[") && strings.HasSuffix(t, " video]"):
		return SkipUnavailable // "[Unavailable video]" and the like
	case membersOnly:
		return SkipMembersOnly
	case e.Upcoming:
		return SkipUpcoming
	case e.Live:
		return SkipLive
	case !playable:
		return SkipUnavailable
	}
	return ""
}

// parseClock reads a duration as YouTube shows it: "4:05", "1:02:03".
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var total int
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" {
			return 0, false
		}
		total = total*60 + n
	}
	return time.Duration(total) * time.Second, true
}

// timePart is the part of "266M views • 11 months ago" that says when.
func timePart(s string) string {
	parts := strings.Split(s, "•")
	for i := len(parts) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(parts[i]); isTimeText(t) {
			return t
		}
	}
	return ""
}

// isTimeText reports whether s is YouTube's words for when a video came
// out (or will): "3 years ago", "Streamed 2 days ago", "Premieres …",
// "Scheduled for …", or a date.
func isTimeText(s string) bool {
	l := strings.ToLower(s)
	return strings.HasSuffix(l, " ago") || strings.HasPrefix(l, "streamed ") || strings.HasPrefix(l, "premiere") ||
		strings.HasPrefix(l, "scheduled for ") || !absoluteDate(s).IsZero()
}

// Absolute dates in YouTube's words for hl=en, gl=US.
var (
	isoDate   = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})\b`)
	monthDate = regexp.MustCompile(`\b((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4})\b`)
	usDate    = regexp.MustCompile(`\b(\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))\b`)
)

// absoluteDate finds a calendar date in s (UTC midnight), or the zero
// time: relative words ("3 years ago") name no date.
func absoluteDate(s string) time.Time {
	try := func(re *regexp.Regexp, layouts ...string) time.Time {
		m := re.FindStringSubmatch(s)
		if m == nil {
			return time.Time{}
		}
		v := strings.Replace(m[1], ".", "", 1)
		for _, layout := range layouts {
			if t, err := time.Parse(layout, v); err == nil {
				return t
			}
		}
		return time.Time{}
	}
	for _, t := range []time.Time{
		try(isoDate, "2006-01-02"),
		try(monthDate, "Jan 2, 2006", "January 2, 2006"),
		try(usDate, "1/2/2006", "1/2/06"),
	} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
