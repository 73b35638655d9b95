package youtubetest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/recap-dev/recap"
)

// premiereText is how YouTube (hl=en, gl=US) announces a premiere.
func premiereText(t time.Time) string { return "Premieres " + t.UTC().Format("1/2/06, 3:04 PM") }

// title is what YouTube shows as the item's title.
func (it Item) title() string {
	switch {
	case it.Deleted:
		return "[Deleted video]"
	case it.Private:
		return "[Private video]"
	}
	return it.Title
}

// timeStatus is the item's thumbnailOverlayTimeStatusRenderer.
func (it Item) timeStatus() map[string]any {
	switch {
	case it.Live:
		return map[string]any{"thumbnailOverlayTimeStatusRenderer": map[string]any{"text": runs("LIVE"), "style": "LIVE", "icon": map[string]any{"iconType": "LIVE"}}}
	case !it.Premiere.IsZero():
		return map[string]any{"thumbnailOverlayTimeStatusRenderer": map[string]any{"text": simple("UPCOMING"), "style": "UPCOMING"}}
	case it.Short:
		return map[string]any{"thumbnailOverlayTimeStatusRenderer": map[string]any{"text": simple("SHORTS"), "style": "SHORTS"}}
	}
	return map[string]any{"thumbnailOverlayTimeStatusRenderer": map[string]any{"text": simple(recap.Timestamp(it.Duration)), "style": "DEFAULT"}}
}

func membersBadge() []any {
	return []any{map[string]any{"metadataBadgeRenderer": map[string]any{"style": "BADGE_STYLE_TYPE_MEMBERS_ONLY", "label": "Members only"}}}
}

// playlistVideoRenderer is one entry of a playlist (index i), in the
// shape of the 2021–2025 recordings: deleted and private entries have no
// channel, length or isPlayable; an unavailable one says isPlayable false.
func playlistVideoRenderer(it Item, p Playlist, i int) map[string]any {
	r := map[string]any{
		"videoId":   it.ID,
		"thumbnail": map[string]any{"thumbnails": thumbnails(it.ID)[:1]},
		"title":     runs(it.title()),
		"index":     simple(strconv.Itoa(i + 1)),
		"navigationEndpoint": map[string]any{
			"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{
				"url": fmt.Sprintf("/watch?v=%s&list=%s&index=%d", it.ID, p.ID, i+1), "webPageType": "WEB_PAGE_TYPE_WATCH",
			}},
			"watchEndpoint": map[string]any{"videoId": it.ID, "playlistId": p.ID, "index": i},
		},
		"menu": map[string]any{"menuRenderer": map[string]any{"items": []any{}}},
	}
	if it.Deleted || it.Private {
		return r
	}
	r["shortBylineText"] = ownerRuns(p.Channel, p.ChannelID)
	r["isPlayable"] = !it.Unavailable
	r["thumbnailOverlays"] = []any{it.timeStatus()}
	if it.Premiere.IsZero() && !it.Live {
		r["lengthSeconds"] = strconv.FormatInt(int64(it.Duration/time.Second), 10)
		r["lengthText"] = simple(recap.Timestamp(it.Duration))
	}
	info := []any{map[string]any{"text": "1.2K views"}}
	if it.Published != "" {
		info = append(info, map[string]any{"text": " • "}, map[string]any{"text": it.Published})
	}
	r["videoInfo"] = map[string]any{"runs": info}
	if !it.Premiere.IsZero() {
		r["upcomingEventData"] = upcoming(it.Premiere)
	}
	if it.MembersOnly {
		r["badges"] = membersBadge()
	}
	return r
}

func upcoming(t time.Time) map[string]any {
	return map[string]any{
		"startTime":         strconv.FormatInt(t.Unix(), 10),
		"isReminderSet":     false,
		"upcomingEventText": map[string]any{"runs": []any{map[string]any{"text": "Premieres "}, map[string]any{"text": "DATE_PLACEHOLDER"}}},
	}
}

// videoRenderer is one video of a channel grid until 2025; a Short is a
// videoRenderer whose link is a reelWatchEndpoint.
func videoRenderer(it Item, channel Channel) map[string]any {
	nav := map[string]any{
		"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{"url": "/watch?v=" + it.ID, "webPageType": "WEB_PAGE_TYPE_WATCH"}},
		"watchEndpoint":   map[string]any{"videoId": it.ID},
	}
	if it.Short {
		nav = map[string]any{
			"commandMetadata":   map[string]any{"webCommandMetadata": map[string]any{"url": "/shorts/" + it.ID, "webPageType": "WEB_PAGE_TYPE_SHORTS"}},
			"reelWatchEndpoint": map[string]any{"videoId": it.ID},
		}
	}
	r := map[string]any{
		"videoId":            it.ID,
		"thumbnail":          map[string]any{"thumbnails": thumbnails(it.ID)[:1]},
		"title":              runs(it.title()),
		"descriptionSnippet": runs("A video of " + channel.Title + "."),
		"navigationEndpoint": nav,
		"ownerBadges":        []any{map[string]any{"metadataBadgeRenderer": map[string]any{"style": "BADGE_STYLE_TYPE_VERIFIED", "tooltip": "Verified"}}},
		"thumbnailOverlays":  []any{it.timeStatus()},
		"showActionMenu":     false,
	}
	switch {
	case it.Live:
		r["viewCountText"] = map[string]any{"runs": []any{map[string]any{"text": "1,234"}, map[string]any{"text": " watching"}}}
		r["badges"] = []any{map[string]any{"metadataBadgeRenderer": map[string]any{"style": "BADGE_STYLE_TYPE_LIVE_NOW", "label": "LIVE"}}}
	case !it.Premiere.IsZero():
		r["upcomingEventData"] = upcoming(it.Premiere)
		r["viewCountText"] = map[string]any{"runs": []any{map[string]any{"text": "56"}, map[string]any{"text": " waiting"}}}
	default:
		r["lengthText"] = simple(recap.Timestamp(it.Duration))
		r["viewCountText"] = simple("1,545,374 views")
		if it.Published != "" {
			r["publishedTimeText"] = simple(it.Published)
		}
	}
	if it.MembersOnly {
		r["badges"] = membersBadge()
	}
	return r
}

// reelItemRenderer is a Short on a Shorts tab until 2025.
func reelItemRenderer(it Item) map[string]any {
	return map[string]any{
		"videoId":            it.ID,
		"headline":           simple(it.Title),
		"viewCountText":      simple("895K views"),
		"navigationEndpoint": map[string]any{"reelWatchEndpoint": map[string]any{"videoId": it.ID}},
		"style":              "REEL_ITEM_STYLE_AVATAR_CIRCLE",
	}
}

// shortsLockupViewModel is a Short on a Shorts tab since 2025.
func shortsLockupViewModel(it Item) map[string]any {
	return map[string]any{
		"entityId": "shorts-shelf-item-" + it.ID,
		"onTap": map[string]any{"innertubeCommand": map[string]any{
			"reelWatchEndpoint": map[string]any{"videoId": it.ID, "overlay": map[string]any{"reelPlayerOverlayRenderer": map[string]any{"style": "REEL_PLAYER_OVERLAY_STYLE_SHORTS"}}},
		}},
		"overlayMetadata": map[string]any{"primaryText": map[string]any{"content": it.Title}, "secondaryText": map[string]any{"content": "895K views"}},
	}
}

// lockupVideo is a video lockupViewModel. In a playlist (playlistID set)
// its first metadata row is the channel. An unavailable video has
// nothing to tap.
func lockupVideo(it Item, channel, channelID, playlistID string) map[string]any {
	var badges []any
	badge := func(text, style string) {
		badges = append(badges, map[string]any{"thumbnailBadgeViewModel": map[string]any{"text": text, "badgeStyle": style, "animationActivationTargetId": it.ID}})
	}
	overlayKey := "thumbnailBottomOverlayViewModel"
	var rows []any
	parts := func(texts ...string) {
		var ps []any
		for _, t := range texts {
			ps = append(ps, map[string]any{"text": map[string]any{"content": t}})
		}
		rows = append(rows, map[string]any{"metadataParts": ps})
	}
	if playlistID != "" && !it.Deleted && !it.Private {
		rows = append(rows, map[string]any{"metadataParts": []any{map[string]any{"text": map[string]any{
			"content":     channel,
			"commandRuns": []any{map[string]any{"onTap": map[string]any{"innertubeCommand": map[string]any{"browseEndpoint": map[string]any{"browseId": channelID}}}}},
		}}}})
	}
	switch {
	case it.Deleted || it.Private:
	case it.Live:
		badge("LIVE", "THUMBNAIL_OVERLAY_BADGE_STYLE_LIVE")
		parts("1.2K watching")
	case !it.Premiere.IsZero():
		overlayKey = "thumbnailOverlayBadgeViewModel"
		badge("Upcoming", "THUMBNAIL_OVERLAY_BADGE_STYLE_DEFAULT")
		parts("56 waiting", premiereText(it.Premiere))
	default:
		badge(recap.Timestamp(it.Duration), "THUMBNAIL_OVERLAY_BADGE_STYLE_DEFAULT")
		if it.Published != "" {
			parts("28K views", it.Published)
		} else {
			parts("28K views")
		}
	}
	if it.MembersOnly {
		rows = append(rows, map[string]any{"badges": []any{map[string]any{"badgeViewModel": map[string]any{"badgeText": "Members only", "badgeStyle": "BADGE_MEMBERS_ONLY"}}}})
	}
	var overlays []any
	if len(badges) > 0 {
		if overlayKey == "thumbnailOverlayBadgeViewModel" {
			overlays = append(overlays, map[string]any{overlayKey: map[string]any{"thumbnailBadges": badges, "position": "THUMBNAIL_OVERLAY_BADGE_POSITION_BOTTOM_END"}})
		} else {
			overlays = append(overlays, map[string]any{overlayKey: map[string]any{"badges": badges}})
		}
	}
	overlays = append(overlays, map[string]any{"thumbnailHoverOverlayToggleActionsViewModel": map[string]any{"buttons": []any{}}})
	tap := map[string]any{"watchEndpoint": map[string]any{"videoId": it.ID}}
	if playlistID != "" {
		tap = map[string]any{"watchEndpoint": map[string]any{"videoId": it.ID, "playlistId": playlistID}}
	}
	if it.Short {
		tap = map[string]any{"reelWatchEndpoint": map[string]any{"videoId": it.ID}}
	}
	rendererContext := map[string]any{"commandContext": map[string]any{"onTap": map[string]any{"innertubeCommand": tap}}}
	if it.Unavailable {
		// Greyed out: nothing to tap.
		rendererContext = map[string]any{"loggingContext": map[string]any{}}
	}
	return map[string]any{
		"contentImage": map[string]any{"thumbnailViewModel": map[string]any{
			"image":    map[string]any{"sources": []any{map[string]any{"url": "https://i.ytimg.com/vi/" + it.ID + "/hqdefault.jpg", "width": 168, "height": 94}}},
			"overlays": overlays,
		}},
		"metadata": map[string]any{"lockupMetadataViewModel": map[string]any{
			"title":    map[string]any{"content": it.title()},
			"metadata": map[string]any{"contentMetadataViewModel": map[string]any{"metadataRows": rows, "delimiter": " • "}},
		}},
		"contentId":       it.ID,
		"contentType":     "LOCKUP_CONTENT_TYPE_VIDEO",
		"rendererContext": rendererContext,
	}
}

// lockupPodcast is a podcast (a playlist) on a Podcasts tab.
func lockupPodcast(id string) map[string]any {
	return map[string]any{
		"contentId":   id,
		"contentType": "LOCKUP_CONTENT_TYPE_PODCAST",
		"metadata":    map[string]any{"lockupMetadataViewModel": map[string]any{"title": map[string]any{"content": "Podcast " + id}}},
		"rendererContext": map[string]any{"commandContext": map[string]any{"onTap": map[string]any{"innertubeCommand": map[string]any{
			"browseEndpoint": map[string]any{"browseId": "VL" + id},
		}}}},
	}
}

// channelTabs are the tabs a channel page shows, in YouTube's order.
var channelTabs = []struct{ name, title, params string }{
	{"featured", "Home", "EghmZWF0dXJlZPIGBAoCMgA="},
	{"videos", "Videos", "EgZ2aWRlb3PyBgQKAjoA"},
	{"shorts", "Shorts", "EgZzaG9ydHPyBgUKA5oBAA=="},
	{"streams", "Live", "EgdzdHJlYW1z8gYECgJ6AA=="},
	{"podcasts", "Podcasts", "Eghwb2RjYXN0c_IGBQoDugEA"},
	{"playlists", "Playlists", "EglwbGF5bGlzdHPyBgQKAkIA"},
}

// tabItems returns the items of one of the channel's tabs; ok is false
// when it has no such tab.
func (c Channel) tabItems(tab string) (items []Item, ok bool) {
	switch tab {
	case "videos":
		return c.Videos, c.Videos != nil
	case "streams":
		return c.Streams, c.Streams != nil
	case "shorts":
		return c.Shorts, c.Shorts != nil
	case "podcasts":
		out := make([]Item, len(c.Podcasts))
		for i, id := range c.Podcasts {
			out[i] = Item{ID: id}
		}
		return out, c.Podcasts != nil
	case "featured", "playlists":
		return nil, true
	}
	return nil, false
}

func (c Channel) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return 30
}

// gridPage renders the tab's items from offset on, ending in a
// continuation when more follow.
func (c Channel) gridPage(tab string, items []Item, offset int) []any {
	end := min(offset+c.pageSize(), len(items))
	var out []any
	for _, it := range items[min(offset, end):end] {
		var content map[string]any
		switch {
		case tab == "podcasts" && c.Grid == GridLockup:
			content = map[string]any{"lockupViewModel": lockupPodcast(it.ID)}
		case tab == "podcasts":
			content = map[string]any{"playlistRenderer": map[string]any{"playlistId": it.ID, "title": simple("Podcast " + it.ID)}}
		case tab == "shorts" && c.Grid == GridLockup:
			content = map[string]any{"shortsLockupViewModel": shortsLockupViewModel(it)}
		case tab == "shorts":
			content = map[string]any{"reelItemRenderer": reelItemRenderer(it)}
		case c.Grid == GridLockup:
			content = map[string]any{"lockupViewModel": lockupVideo(it, c.Title, c.ID, "")}
		default:
			content = map[string]any{"videoRenderer": videoRenderer(it, c)}
		}
		out = append(out, map[string]any{"richItemRenderer": map[string]any{"content": content}})
	}
	if end < len(items) {
		out = append(out, continuationItem(encodeToken(pageToken{Kind: "channel", ID: c.ID, Tab: tab, Offset: end})))
	}
	return out
}

// channelPage is the channel's browse answer showing tab; a tab the
// channel does not have shows its Home tab instead, as YouTube does.
func channelPage(c Channel, tab string) map[string]any {
	if _, ok := c.tabItems(tab); !ok || tab == "playlists" {
		tab = "featured"
	}
	var tabs []any
	for _, t := range channelTabs {
		items, ok := c.tabItems(t.name)
		if !ok {
			continue
		}
		base := c.Handle
		if base == "" {
			base = "channel/" + c.ID
		}
		tr := map[string]any{
			"title": t.title,
			"endpoint": map[string]any{
				"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{"url": "/" + base + "/" + t.name, "webPageType": "WEB_PAGE_TYPE_CHANNEL", "apiUrl": "/youtubei/v1/browse"}},
				"browseEndpoint":  map[string]any{"browseId": c.ID, "params": t.params, "canonicalBaseUrl": "/" + base},
			},
		}
		if t.name == tab {
			tr["selected"] = true
			if tab == "featured" {
				tr["content"] = map[string]any{"sectionListRenderer": map[string]any{"contents": []any{
					map[string]any{"itemSectionRenderer": map[string]any{"contents": []any{
						map[string]any{"shelfRenderer": map[string]any{"title": runs("For you"), "content": map[string]any{"horizontalListRenderer": map[string]any{"items": []any{}}}}},
					}}},
				}}}
			} else {
				tr["content"] = map[string]any{"richGridRenderer": map[string]any{
					"contents": c.gridPage(tab, items, 0),
					"header": map[string]any{"chipBarViewModel": map[string]any{"chips": []any{
						map[string]any{"chipViewModel": map[string]any{"text": "Latest", "selected": true}},
						map[string]any{"chipViewModel": map[string]any{"text": "Popular", "selected": false}},
					}}},
					"targetId": "browse-feed" + c.ID + tab,
				}}
			}
		}
		tabs = append(tabs, map[string]any{"tabRenderer": tr})
	}
	tabs = append(tabs, map[string]any{"expandableTabRenderer": map[string]any{"title": "Search", "selected": false}})
	return map[string]any{
		"responseContext": responseContext(),
		"contents":        map[string]any{"twoColumnBrowseResultsRenderer": map[string]any{"tabs": tabs}},
		"header": map[string]any{"pageHeaderRenderer": map[string]any{
			"pageTitle": c.Title,
			"content":   map[string]any{"pageHeaderViewModel": map[string]any{"title": map[string]any{"dynamicTextViewModel": map[string]any{"text": map[string]any{"content": c.Title}}}}},
		}},
		"metadata": map[string]any{"channelMetadataRenderer": map[string]any{
			"title": c.Title, "externalId": c.ID, "channelUrl": "https://www.youtube.com/channel/" + c.ID,
			"vanityChannelUrl": "http://www.youtube.com/" + c.Handle,
		}},
		"microformat": map[string]any{"microformatDataRenderer": map[string]any{"title": c.Title, "urlCanonical": "https://www.youtube.com/channel/" + c.ID}},
	}
}
