package youtube

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"path"
	"strings"

	"github.com/recap-dev/recap"
)

// tabParams are the browse params of a channel's tabs, as YouTube's own
// tab links carry them (protobuf: field 2 names the tab).
var tabParams = map[string]string{
	TabVideos:   "EgZ2aWRlb3PyBgQKAjoA",
	TabStreams:  "EgdzdHJlYW1z8gYECgJ6AA==",
	TabPodcasts: "Eghwb2RjYXN0c_IGBQoDugEA",
	TabShorts:   "EgZzaG9ydHPyBgUKA5oBAA==",
}

// tabTitles are the English titles of those tabs (hl=en), for pages whose
// tab links carry no URL.
var tabTitles = map[string]string{"Videos": TabVideos, "Live": TabStreams, "Podcasts": TabPodcasts, "Shorts": TabShorts}

// maxResolveHops bounds the redirects resolve_url may send a handle
// through (a handle can resolve to a legacy custom URL first).
const maxResolveHops = 3

// Channel lists a channel's videos newest first, the newest limit
// entries (limit <= 0: all). ref is a channel id ("UC…"), a handle
// ("@name"), "c/name" or "user/name", as pipeline.ParseYouTubeURL gives
// it; handles and names are resolved to the id through innertube's
// navigation/resolve_url. opts.Tab picks the Videos (default), Live
// (TabStreams), Podcasts or Shorts tab; Shorts are left out of the other
// tabs unless opts.Shorts. A podcast is a playlist: the Podcasts tab lists
// the episodes of each of the channel's podcasts in turn. A channel
// without the tab gives an empty list.
//
// Upcoming premieres and streams live now are listed with a Skip reason.
// Errors are those of Playlist, naming the channel.
func (c *Client) Channel(ctx context.Context, ref string, limit int, opts ChannelOptions) (_ *List, err error) {
	defer func() { err = c.blocked(ctx, "channel "+ref, unreachable(ctx, "channel "+ref, err)) }()
	tab := cmp.Or(opts.Tab, TabVideos)
	params, ok := tabParams[tab]
	if !ok {
		return nil, recap.Errorf(recap.EINVALID, "%q is not a channel tab recap lists; expected %s, %s, %s or %s", opts.Tab, TabVideos, TabStreams, TabPodcasts, TabShorts)
	}
	subject := "channel " + ref
	id, err := c.resolveChannel(ctx, ref, subject)
	if err != nil {
		return nil, err
	}
	if tab == TabVideos && opts.Shorts {
		return c.uploads(ctx, id, limit)
	}

	p, body, err := c.browsePage(ctx, subject, browseRequest{BrowseID: id, Params: params}, true)
	if err != nil {
		return nil, err
	}
	list := &List{ID: id, ChannelID: id}
	list.Title, list.ChannelID = p.channelInfo(id)
	list.Channel = list.Title
	if sel := p.selectedTab(); sel == nil || sel.name() != tab {
		// YouTube shows the channel's home page when it has no such tab,
		// or when the params it wants have changed: follow the tab's own
		// link if the page has one.
		t := p.tab(tab)
		if t == nil || t.Endpoint.BrowseEndpoint == nil || t.Endpoint.BrowseEndpoint.Params == params {
			c.log.Info("youtube: channel has no such tab", slog.String("channel", ref), slog.String("tab", tab))
			return list, nil
		}
		if p, body, err = c.browsePage(ctx, subject, browseRequest{BrowseID: id, Params: t.Endpoint.BrowseEndpoint.Params}, true); err != nil {
			return nil, err
		}
		if sel := p.selectedTab(); sel == nil || sel.name() != tab {
			return nil, unknownShape(subject, "its "+tab+" tab link shows another tab", body)
		}
	}

	l := &lister{list: list, limit: limit}
	keep := func(e ListEntry) bool { return !e.Short || tab == TabShorts || opts.Shorts }
	podcasts, err := c.collect(ctx, subject, p, body, l, keep)
	if err != nil {
		return nil, err
	}
	for _, pid := range podcasts {
		if tab != TabPodcasts || l.full() {
			break
		}
		pl, err := c.Playlist(ctx, pid, max(limit-len(list.Entries), 0))
		if err != nil {
			return nil, err
		}
		for _, e := range pl.Entries {
			if !l.add(e) {
				break
			}
		}
	}
	c.log.Debug("youtube: listed channel", slog.String("channel", ref), slog.String("channel_id", id),
		slog.String("tab", tab), slog.Int("entries", len(list.Entries)))
	return list, nil
}

// uploads lists a channel's uploads playlist (UU…): every upload, Shorts
// and past streams included, newest first.
func (c *Client) uploads(ctx context.Context, channelID string, limit int) (*List, error) {
	list, err := c.Playlist(ctx, "UU"+strings.TrimPrefix(channelID, "UC"), limit)
	if err != nil {
		return nil, err
	}
	list.ID, list.ChannelID = channelID, channelID
	list.Title = list.Channel
	return list, nil
}

// resolveChannel turns a channel reference into the channel id.
func (c *Client) resolveChannel(ctx context.Context, ref, subject string) (string, error) {
	if validChannelID(ref) {
		return ref, nil
	}
	p, ok := channelPath(ref)
	if !ok {
		return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube channel; expected a channel id (UC…), @handle, c/name or user/name", ref)
	}
	target := DefaultEndpoint + p
	for range maxResolveHops {
		body, err := c.innertube(ctx, resolvePath, resolveRequest{Context: newWebContext(), URL: target}, subject)
		if err != nil {
			return "", listError(subject, err)
		}
		var r struct {
			Endpoint struct {
				BrowseEndpoint *struct {
					BrowseID string `json:"browseId"`
				} `json:"browseEndpoint"`
				URLEndpoint *struct {
					URL string `json:"url"`
				} `json:"urlEndpoint"`
			} `json:"endpoint"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return "", unknownShape(subject, "resolve_url answer is not an endpoint", body)
		}
		switch be, ue := r.Endpoint.BrowseEndpoint, r.Endpoint.URLEndpoint; {
		case be != nil && validChannelID(be.BrowseID):
			c.log.Debug("youtube: resolved channel", slog.String("channel", ref), slog.String("channel_id", be.BrowseID))
			return be.BrowseID, nil
		case be != nil:
			return "", recap.Errorf(recap.EUNAVAILABLE, "%s is not a channel: YouTube resolves it to %q", subject, be.BrowseID)
		case ue != nil && isYouTubeURL(ue.URL):
			// A handle can point at the channel's legacy custom URL,
			// which resolves in turn.
			target = ue.URL
			continue
		case ue != nil:
			return "", recap.Errorf(recap.EUNAVAILABLE, "%s is not a channel: YouTube sends it to %q", subject, ue.URL)
		}
		return "", unknownShape(subject, "resolve_url names no channel", body)
	}
	return "", recap.Errorf(recap.EUNAVAILABLE, "%s is not a channel: YouTube redirects it more than %d times", subject, maxResolveHops)
}

// channelPath is the URL path of a handle, c/ or user/ reference.
func channelPath(ref string) (string, bool) {
	var prefix, name string
	switch {
	case strings.HasPrefix(ref, "@"):
		prefix, name = "/@", ref[1:]
	case strings.HasPrefix(ref, "c/"):
		prefix, name = "/c/", ref[2:]
	case strings.HasPrefix(ref, "user/"):
		prefix, name = "/user/", ref[5:]
	default:
		return "", false
	}
	if name == "" || strings.ContainsAny(name, "/?#%@ \t\r\n") {
		return "", false
	}
	return prefix + url.PathEscape(name), true
}

// isYouTubeURL reports whether s is an absolute URL on a YouTube host.
func isYouTubeURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && youtubeHosts[strings.ToLower(u.Hostname())]
}

// channelInfo reads the channel's name and id (fallback: id).
func (p *page) channelInfo(id string) (title, channelID string) {
	if m := p.Metadata.ChannelMetadataRenderer; m != nil {
		title = m.Title
		if validChannelID(m.ExternalID) {
			id = m.ExternalID
		}
	}
	if ph := p.Header.PageHeaderRenderer; ph != nil {
		title = cmp.Or(title, ph.PageTitle)
	}
	return cmp.Or(title, p.Microformat.MicroformatDataRenderer.Title), id
}

// tab finds the page's tab named name.
func (p *page) tab(name string) *tabRenderer {
	for _, t := range p.tabs() {
		if t.name() == name {
			return t
		}
	}
	return nil
}

// name is the tab's name as ChannelOptions.Tab spells it: the last part
// of its URL ("/@name/streams"), else its English title; "" for others.
func (t *tabRenderer) name() string {
	if u := t.Endpoint.CommandMetadata.WebCommandMetadata.URL; u != "" {
		if n := path.Base(strings.TrimRight(strings.SplitN(u, "?", 2)[0], "/")); tabParams[n] != "" {
			return n
		}
		return ""
	}
	return tabTitles[t.Title]
}
