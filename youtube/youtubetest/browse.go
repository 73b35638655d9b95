package youtubetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// showUnavailable is the browse params with which YouTube lists a
// playlist's unavailable videos; without it they are hidden behind an
// INFO alert.
const showUnavailable = "wgYCCAA="

// AddPlaylist adds p, replacing any playlist with the same ID.
func (s *Server) AddPlaylist(p Playlist) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.playlists[p.ID] = p
}

// AddChannel adds c, replacing any channel with the same ID, and serves
// its uploads playlist (UploadsID: Videos, then Streams, then Shorts)
// unless a playlist with that id exists.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
	if _, ok := s.playlists[UploadsID(c.ID)]; !ok {
		var all []Item
		all = append(append(append(all, c.Videos...), c.Streams...), c.Shorts...)
		s.playlists[UploadsID(c.ID)] = Playlist{ID: UploadsID(c.ID), Title: "Uploads from " + c.Title, Channel: c.Title, ChannelID: c.ID, Items: all}
	}
}

func (s *Server) playlist(id string) (Playlist, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.playlists[id]
	return p, ok
}

func (s *Server) channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	return c, ok
}

// browseRequest is the part of a browse or resolve_url request the fake
// reads.
type browseRequest struct {
	BrowseID     string `json:"browseId"`
	Params       string `json:"params"`
	Continuation string `json:"continuation"`
	URL          string `json:"url"`
	Context      struct {
		Client struct {
			ClientName string `json:"clientName"`
		} `json:"client"`
	} `json:"context"`
}

// pageToken is what the fake's continuation tokens carry.
type pageToken struct {
	Kind   string `json:"k"` // "playlist", "channel" or "decoy"
	ID     string `json:"id"`
	Tab    string `json:"tab,omitempty"`
	Offset int    `json:"o"`
	All    bool   `json:"all,omitempty"` // unavailable videos shown
}

// encodeToken makes an opaque token, shaped like YouTube's (base64 of a
// protobuf, starting "4qmFsgK").
func encodeToken(t pageToken) string {
	b, _ := json.Marshal(t)
	return "4qmFsgK" + base64.URLEncoding.EncodeToString(b)
}

func decodeToken(s string) (pageToken, bool) {
	var t pageToken
	b, err := base64.URLEncoding.DecodeString(strings.TrimPrefix(s, "4qmFsgK"))
	if err != nil || !strings.HasPrefix(s, "4qmFsgK") || json.Unmarshal(b, &t) != nil {
		return t, false
	}
	return t, true
}

// webOnly refuses innertube requests from any client but WEB: the fake's
// browse answers are the web site's.
func webOnly(w http.ResponseWriter, r *http.Request) (browseRequest, bool) {
	var req browseRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
		return req, false
	}
	if req.Context.Client.ClientName != "WEB" {
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "fake youtube: browse answers only the WEB client, not "+req.Context.Client.ClientName)
		return req, false
	}
	return req, true
}

func (s *Server) browse(w http.ResponseWriter, r *http.Request) {
	req, ok := webOnly(w, r)
	if !ok {
		return
	}
	switch {
	case req.Continuation != "":
		t, ok := decodeToken(req.Continuation)
		if !ok {
			innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
			return
		}
		s.continuation(w, t)
	case strings.HasPrefix(req.BrowseID, "VL"):
		p, ok := s.playlist(strings.TrimPrefix(req.BrowseID, "VL"))
		if !ok {
			writeJSON(w, alertAnswer("The playlist does not exist."))
			return
		}
		writeJSON(w, playlistFirstPage(p, req.Params == showUnavailable))
	case strings.HasPrefix(req.BrowseID, "UC"):
		c, ok := s.channel(req.BrowseID)
		if !ok {
			writeJSON(w, alertAnswer("This channel does not exist."))
			return
		}
		writeJSON(w, channelPage(c, tabFromParams(req.Params)))
	default:
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
	}
}

func (s *Server) continuation(w http.ResponseWriter, t pageToken) {
	switch t.Kind {
	case "playlist":
		if p, ok := s.playlist(t.ID); ok {
			writeJSON(w, playlistNextPage(p, t))
			return
		}
	case "channel":
		if c, ok := s.channel(t.ID); ok {
			items, _ := c.tabItems(t.Tab)
			writeJSON(w, map[string]any{
				"responseContext":           responseContext(),
				"onResponseReceivedActions": []any{appendAction(c.gridPage(t.Tab, items, t.Offset), "browse-feed"+c.ID+t.Tab)},
			})
			return
		}
	case "decoy":
		// A section's recommendations: never part of the list.
		writeJSON(w, map[string]any{"responseContext": responseContext(), "onResponseReceivedActions": []any{appendAction([]any{
			map[string]any{"playlistRenderer": map[string]any{"playlistId": "PLdecoyRecommendation00000000000", "title": simple("Recommended playlist")}},
		}, "recommendations")}})
		return
	}
	innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
}

// tabFromParams reads the tab name out of a channel's browse params: a
// base64 protobuf whose field 2 (tag 0x12) is the tab's name ("videos").
func tabFromParams(params string) string {
	if p, err := url.QueryUnescape(params); err == nil {
		params = p
	}
	params = strings.TrimRight(params, "=")
	raw, err := base64.RawURLEncoding.DecodeString(params)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(params)
	}
	if err != nil || len(raw) < 2 || raw[0] != 0x12 || int(raw[1])+2 > len(raw) {
		return ""
	}
	return string(raw[2 : 2+int(raw[1])])
}

// resolveURL answers navigation/resolve_url for a channel's handle, c/
// or user/ name or /channel/ URL; anything else is 404, as YouTube
// answers an unknown handle.
func (s *Server) resolveURL(w http.ResponseWriter, r *http.Request) {
	req, ok := webOnly(w, r)
	if !ok {
		return
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		innertubeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Request contains an invalid argument.")
		return
	}
	p := strings.TrimRight(u.Path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.HandleRedirect != "" && c.Handle != "" && strings.EqualFold(p, "/"+c.Handle) {
			target := "https://www.youtube.com/" + c.HandleRedirect
			writeJSON(w, map[string]any{"responseContext": responseContext(), "endpoint": map[string]any{
				"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{"url": target, "webPageType": "WEB_PAGE_TYPE_UNKNOWN", "rootVe": 83769}},
				"urlEndpoint":     map[string]any{"url": target},
			}})
			return
		}
		for _, cp := range append(c.paths(), "/"+c.HandleRedirect) {
			if cp != "/" && strings.EqualFold(p, cp) {
				writeJSON(w, map[string]any{"responseContext": responseContext(), "endpoint": map[string]any{
					"commandMetadata": map[string]any{
						"webCommandMetadata":        map[string]any{"url": "/youtubei/v1/navigation/resolve_url", "webPageType": "WEB_PAGE_TYPE_CHANNEL", "rootVe": 3611, "apiUrl": "/youtubei/v1/browse"},
						"resolveUrlCommandMetadata": map[string]any{"isVanityUrl": true},
					},
					"browseEndpoint": map[string]any{"browseId": c.ID, "params": "EgC4AQCSAwDyBgQKAjIA"},
				}})
				return
			}
		}
	}
	innertubeError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
}

// alertAnswer is YouTube's answer for a list it will not show.
func alertAnswer(msg string) map[string]any {
	return map[string]any{
		"responseContext": responseContext(),
		"alerts":          []any{map[string]any{"alertRenderer": map[string]any{"type": "ERROR", "text": simple(msg)}}},
		"microformat":     map[string]any{"microformatDataRenderer": map[string]any{"noindex": true}},
	}
}

func responseContext() map[string]any {
	return map[string]any{
		"visitorData":               visitorData,
		"mainAppWebResponseContext": map[string]any{"loggedOut": true},
		"serviceTrackingParams":     []any{map[string]any{"service": "CSI", "params": []any{map[string]any{"key": "c", "value": "WEB"}}}},
	}
}

func simple(s string) map[string]any { return map[string]any{"simpleText": s} }

func appendAction(items []any, target string) map[string]any {
	return map[string]any{"clickTrackingParams": "CAAQhGciEwfake", "appendContinuationItemsAction": map[string]any{"continuationItems": items, "targetId": target}}
}

// continuationItem is a continuationItemRenderer with token in its
// endpoint, as YouTube's later pages end.
func continuationItem(token string) map[string]any {
	return map[string]any{"continuationItemRenderer": map[string]any{
		"trigger": "CONTINUATION_TRIGGER_ON_ITEM_SHOWN",
		"continuationEndpoint": map[string]any{
			"commandMetadata":     map[string]any{"webCommandMetadata": map[string]any{"sendPost": true, "apiUrl": "/youtubei/v1/browse"}},
			"continuationCommand": map[string]any{"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"},
		},
	}}
}

// executorContinuation wraps the token in a commandExecutorCommand beside
// a voting popup command, as 2025's first playlist pages do.
func executorContinuation(token string) map[string]any {
	return map[string]any{"continuationItemRenderer": map[string]any{
		"trigger": "CONTINUATION_TRIGGER_ON_ITEM_SHOWN",
		"continuationEndpoint": map[string]any{"commandExecutorCommand": map[string]any{"commands": []any{
			map[string]any{"playlistVotingRefreshPopupCommand": map[string]any{"command": map[string]any{}}},
			map[string]any{"continuationCommand": map[string]any{"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"}},
		}}},
	}}
}

// viewModelContinuation is a continuationItemViewModel.
func viewModelContinuation(token string) map[string]any {
	return map[string]any{"continuationItemViewModel": map[string]any{
		"continuationCommand": map[string]any{"innertubeCommand": map[string]any{
			"continuationCommand": map[string]any{"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"},
		}},
	}}
}

// visible is the playlist's items a client sees: without
// showUnavailable, YouTube hides the unavailable ones.
func (p Playlist) visible(all bool) (items []Item, hidden int) {
	for _, it := range p.Items {
		if !all && it.unavailable() {
			hidden++
			continue
		}
		items = append(items, it)
	}
	return items, hidden
}

func (p Playlist) pageSize() int {
	if p.PageSize > 0 {
		return p.PageSize
	}
	return 100
}

// pageItems renders the page of p's visible items starting at offset,
// ending in the shape's continuation when more follow.
func (p Playlist) pageItems(all bool, offset int, first bool) []any {
	items, _ := p.visible(all)
	end := min(offset+p.pageSize(), len(items))
	var out []any
	for i := offset; i < end; i++ {
		out = append(out, p.renderItem(items[i], i))
	}
	if end < len(items) {
		tok := encodeToken(pageToken{Kind: "playlist", ID: p.ID, Offset: end, All: all})
		switch {
		case p.Shape == ShapeLockup:
			out = append(out, viewModelContinuation(tok))
		case p.Shape == ShapeReload && first:
			out = append(out, executorContinuation(tok))
		default:
			out = append(out, continuationItem(tok))
		}
	}
	return out
}

func (p Playlist) renderItem(it Item, i int) any {
	switch p.Shape {
	case ShapeLockup:
		return map[string]any{"lockupViewModel": lockupVideo(it, p.Channel, p.ChannelID, p.ID)}
	case ShapeUnknown:
		return map[string]any{"playlistVideoItemViewModel": map[string]any{"videoId": it.ID, "title": map[string]any{"content": it.Title}}}
	}
	return map[string]any{"playlistVideoRenderer": playlistVideoRenderer(it, p, i)}
}

func playlistFirstPage(p Playlist, all bool) map[string]any {
	resp := map[string]any{
		"responseContext": responseContext(),
		"metadata":        map[string]any{"playlistMetadataRenderer": map[string]any{"title": p.Title, "description": ""}},
		"microformat":     map[string]any{"microformatDataRenderer": map[string]any{"title": p.Title, "noindex": false, "unlisted": false}},
	}
	if _, hidden := p.visible(all); hidden > 0 {
		resp["alerts"] = []any{map[string]any{"alertWithButtonRenderer": map[string]any{"type": "INFO", "text": simple(fmt.Sprintf("%d unavailable videos are hidden", hidden))}}}
	}
	items := p.pageItems(all, 0, true)
	owner := ownerRuns(p.Channel, p.ChannelID)
	switch p.Shape {
	case ShapeClassic:
		resp["header"] = map[string]any{"playlistHeaderRenderer": map[string]any{"playlistId": p.ID, "title": simple(p.Title), "ownerText": owner}}
		resp["sidebar"] = map[string]any{"playlistSidebarRenderer": map[string]any{"items": []any{
			map[string]any{"playlistSidebarPrimaryInfoRenderer": map[string]any{"title": map[string]any{"runs": []any{map[string]any{"text": p.Title}}}}},
			map[string]any{"playlistSidebarSecondaryInfoRenderer": map[string]any{"videoOwner": map[string]any{"videoOwnerRenderer": map[string]any{"title": owner}}}},
		}}}
		resp["contents"] = map[string]any{"twoColumnBrowseResultsRenderer": map[string]any{"tabs": []any{map[string]any{"tabRenderer": map[string]any{
			"selected": true,
			"content": map[string]any{"sectionListRenderer": map[string]any{"contents": []any{
				map[string]any{"itemSectionRenderer": map[string]any{"contents": []any{map[string]any{"playlistVideoListRenderer": map[string]any{
					"contents": items, "playlistId": p.ID, "isEditable": false, "canReorder": false, "targetId": p.ID,
				}}}}},
				continuationItem(encodeToken(pageToken{Kind: "decoy", ID: p.ID})),
			}, "targetId": "pl-section-list"}},
		}}}}}
	default:
		resp["header"] = pageHeader(p)
		resp["contents"] = map[string]any{"twoColumnBrowseResultsRenderer": map[string]any{"tabs": []any{map[string]any{"tabRenderer": map[string]any{"selected": true}}}}}
		if p.Shape == ShapeReload {
			resp["onResponseReceivedActions"] = []any{map[string]any{"reloadContinuationItemsCommand": map[string]any{
				"continuationItems": items, "targetId": p.ID, "slot": "RELOAD_CONTINUATION_SLOT_BODY",
			}}}
		} else {
			resp["onResponseReceivedActions"] = []any{appendAction(items, p.ID)}
		}
	}
	return resp
}

func playlistNextPage(p Playlist, t pageToken) map[string]any {
	return map[string]any{
		"responseContext":           responseContext(),
		"onResponseReceivedActions": []any{appendAction(p.pageItems(t.All, t.Offset, false), p.ID)},
	}
}

// pageHeader is 2025's playlist header: the owner is an avatar stack's
// "by <name>" text linking to the channel.
func pageHeader(p Playlist) map[string]any {
	return map[string]any{"pageHeaderRenderer": map[string]any{
		"pageTitle": p.Title,
		"content": map[string]any{"pageHeaderViewModel": map[string]any{
			"title": map[string]any{"dynamicTextViewModel": map[string]any{"text": map[string]any{"content": p.Title}}},
			"metadata": map[string]any{"contentMetadataViewModel": map[string]any{"metadataRows": []any{
				map[string]any{"metadataParts": []any{map[string]any{"avatarStack": map[string]any{"avatarStackViewModel": map[string]any{
					"text": map[string]any{
						"content": "by " + p.Channel,
						"commandRuns": []any{map[string]any{"startIndex": 0, "length": 3 + len(p.Channel), "onTap": map[string]any{
							"innertubeCommand": map[string]any{"browseEndpoint": map[string]any{"browseId": p.ChannelID}},
						}}},
					},
				}}}}},
				map[string]any{"metadataParts": []any{
					map[string]any{"text": map[string]any{"content": "Playlist"}},
					map[string]any{"text": map[string]any{"content": fmt.Sprintf("%d videos", len(p.Items))}},
				}},
			}, "delimiter": "•"}},
		}},
	}}
}

func ownerRuns(name, id string) map[string]any {
	return map[string]any{"runs": []any{map[string]any{
		"text": name,
		"navigationEndpoint": map[string]any{
			"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{"url": "/channel/" + id, "webPageType": "WEB_PAGE_TYPE_CHANNEL"}},
			"browseEndpoint":  map[string]any{"browseId": id, "canonicalBaseUrl": "/channel/" + id},
		},
	}}}
}
