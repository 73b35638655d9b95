package youtube

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/recap-dev/recap"
)

// showUnavailable is the browse params that list a playlist's
// unavailable videos too (YouTube hides them by default), so that they
// are reported as skipped rather than silently missing.
const showUnavailable = "wgYCCAA="

// maxListPages bounds the pages one listing fetches: 2,000 pages are
// 200,000 playlist entries, beyond any real playlist.
const maxListPages = 2000

// Playlist lists the videos of a playlist, in its order, following its
// continuation pages to the end, or until it has the first limit entries
// (limit <= 0: all). Deleted, private and otherwise unplayable entries
// are listed with a Skip reason, not as errors, and count toward the
// limit.
//
// Errors carry recap codes: EINVALID for a malformed id, EUNAVAILABLE for
// a playlist that does not exist or cannot be viewed, EBLOCKED when
// YouTube rate-limits (429) or wants a bot check; a page this code cannot
// read is an error naming the renderers found; network faults and 5xx
// are plain errors, worth retrying.
func (c *Client) Playlist(ctx context.Context, playlistID string, limit int) (_ *List, err error) {
	defer func() { err = c.blocked(ctx, "playlist "+playlistID, unreachable(ctx, "playlist "+playlistID, err)) }()
	if !validPlaylistID(playlistID) {
		return nil, recap.Errorf(recap.EINVALID, "%q is not a YouTube playlist id; expected 2 to 100 characters of A-Z, a-z, 0-9, - and _", playlistID)
	}
	subject := "playlist " + playlistID
	p, body, err := c.browsePage(ctx, subject, browseRequest{BrowseID: "VL" + playlistID, Params: showUnavailable}, true)
	if err != nil {
		return nil, err
	}
	list := &List{ID: playlistID}
	list.Title, list.Channel, list.ChannelID = p.playlistInfo()
	if _, err := c.collect(ctx, subject, p, body, &lister{list: list, limit: limit}, nil); err != nil {
		return nil, err
	}
	c.log.Debug("youtube: listed playlist", slog.String("playlist_id", playlistID), slog.Int("entries", len(list.Entries)))
	return list, nil
}

// browsePage asks for one browse page and decodes it. first marks the
// list's first page, whose faults say the list is not there.
func (c *Client) browsePage(ctx context.Context, subject string, req browseRequest, first bool) (*page, []byte, error) {
	req.Context = newWebContext()
	body, err := c.innertube(ctx, browsePath, req, subject)
	if err != nil {
		if first {
			return nil, nil, listError(subject, err)
		}
		if recap.ErrorCode(err) == recap.EBLOCKED {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("youtube: list %s: next page: %w", subject, err)
	}
	p, err := decodePage(body, subject, first)
	return p, body, err
}

// collect adds the entries of page p (whose answer is body) to l, keeping
// those keep accepts (nil: all), and follows the continuations until the
// list ends or l is full. It returns the playlists the pages list (a
// channel's podcasts).
func (c *Client) collect(ctx context.Context, subject string, p *page, body []byte, l *lister, keep func(ListEntry) bool) ([]string, error) {
	var playlists []string
	seen := make(map[string]bool)
	for pages := 1; ; pages++ {
		items, legacyToken, found := p.items()
		if !found {
			return nil, unknownShape(subject, "no list of videos in it", body)
		}
		ps := parseItems(items)
		next := cmp.Or(ps.token, legacyToken)
		if len(ps.entries) == 0 && len(ps.playlists) == 0 && next == "" && len(ps.unknown) > 0 {
			return nil, fmt.Errorf("youtube: list %s: unrecognised browse answer: its %d items are of unknown kinds (%s)", subject, len(items), itemKeys(items))
		}
		if len(ps.unknown) > 0 {
			c.log.Debug("youtube: unknown list items left out", slog.String("list", subject), slog.String("renderers", strings.Join(ps.unknown, ", ")))
		}
		playlists = append(playlists, ps.playlists...)
		for _, e := range ps.entries {
			if keep != nil && !keep(e) {
				continue
			}
			if !l.add(e) {
				break
			}
		}
		switch {
		case next == "" || l.full():
			return playlists, nil
		case seen[next]:
			// YouTube sometimes hands back a token it already gave: the
			// list has ended (yt-dlp sees the same).
			c.log.Debug("youtube: continuation repeats, the list has ended", slog.String("list", subject))
			return playlists, nil
		case pages >= maxListPages:
			return nil, fmt.Errorf("youtube: list %s: still more after %d pages; giving up", subject, maxListPages)
		}
		seen[next] = true
		var err error
		if p, body, err = c.browsePage(ctx, subject, browseRequest{Continuation: next}, false); err != nil {
			return nil, err
		}
	}
}

// playlistInfo reads a playlist's title and owner from wherever the page
// carries them: the metadata, the sidebar, or the header (2020's
// playlistHeaderRenderer, 2025's page header).
func (p *page) playlistInfo() (title, channel, channelID string) {
	if m := p.Metadata.PlaylistMetadataRenderer; m != nil {
		title = m.Title
	}
	h := p.Header.PlaylistHeaderRenderer
	if h != nil {
		title = cmp.Or(title, h.Title.String())
	}
	if ph := p.Header.PageHeaderRenderer; ph != nil {
		title = cmp.Or(title, ph.PageTitle)
	}
	title = cmp.Or(title, p.Microformat.MicroformatDataRenderer.Title)

	for _, it := range p.Sidebar.PlaylistSidebarRenderer.Items {
		if s := it.PlaylistSidebarSecondaryInfoRenderer; s != nil {
			channel, channelID = s.VideoOwner.VideoOwnerRenderer.Title.channel()
		}
	}
	if channel == "" && h != nil {
		channel, channelID = h.OwnerText.channel()
	}
	if ph := p.Header.PageHeaderRenderer; channel == "" && ph != nil {
		for _, row := range ph.Content.PageHeaderViewModel.Metadata.ContentMetadataViewModel.MetadataRows {
			for _, part := range row.MetadataParts {
				t := part.AvatarStack.AvatarStackViewModel.Text
				if t.Content == "" {
					continue
				}
				channel = strings.TrimPrefix(t.Content, "by ")
				for _, r := range t.CommandRuns {
					if be := r.OnTap.InnertubeCommand.BrowseEndpoint; be != nil && validChannelID(be.BrowseID) {
						channelID = be.BrowseID
					}
				}
			}
		}
	}
	return title, channel, channelID
}
