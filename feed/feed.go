// Package feed reads podcast feeds (RSS 2.0 with iTunes and Podcasting 2.0
// tags, and Atom) into episodes, and loads an episode's transcript and
// chapters as a recap.Source the pipeline can summarize.
//
// Parsing is github.com/mmcdole/gofeed's, which is lenient with real feeds
// (entities that are not well-formed XML, odd dates). This package adds
// what podcasts need on top: stable episode ids, relative URLs resolved
// against the feed, duplicate GUIDs dropped, itunes:duration in every
// form, show notes as text, and the <podcast:transcript> and
// <podcast:chapters> tags, read from gofeed's extensions.
//
// Every fetch goes through a client made by netguard.NewClient, capped by
// the limits below.
package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/netguard"
)

// Size limits per fetch.
const (
	MaxFeedBytes       = 20 << 20
	MaxTranscriptBytes = 10 << 20
	MaxChaptersBytes   = 1 << 20
)

// Feed is a podcast feed as recap reads it.
type Feed struct {
	Title string `json:"title"`
	// URL is the feed's address: its self link (atom:link rel="self") when
	// it gives an absolute http(s) one, else where it was read from.
	URL      string    `json:"url"`
	Link     string    `json:"link,omitempty"` // the podcast's web page
	Language string    `json:"language,omitempty"`
	Image    string    `json:"image,omitempty"`
	Author   string    `json:"author,omitempty"`
	Episodes []Episode `json:"episodes"`
}

// Episode is one item of a feed: everything needed to load it later, so
// that it can be stored (as JSON) when a batch is expanded and loaded when
// its turn comes.
type Episode struct {
	// ID is EpisodeID(feed URL, GUID): "ep" and 12 base32 characters.
	ID string `json:"id"`
	// GUID is the item's guid, or what stands for it (see EpisodeID).
	GUID      string        `json:"guid"`
	Feed      recap.FeedRef `json:"feed"`
	Language  string        `json:"language,omitempty"` // the feed's <language>
	Title     string        `json:"title"`
	Link      string        `json:"link,omitempty"` // the episode's web page
	Enclosure Enclosure     `json:"enclosure,omitzero"`
	// DurationSeconds is itunes:duration; 0 when unknown.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	// Published is the item's date; zero when missing or unreadable.
	Published time.Time `json:"published,omitzero"`
	Image     string    `json:"image,omitempty"`
	Author    string    `json:"author,omitempty"`
	// ShowNotes is the item's description as plain text, one paragraph or
	// list item a line.
	ShowNotes   string       `json:"show_notes,omitempty"`
	Transcripts []Transcript `json:"transcripts,omitempty"`
	// ChaptersURL is <podcast:chapters url>, a JSON chapters file.
	ChaptersURL  string `json:"chapters_url,omitempty"`
	ChaptersType string `json:"chapters_type,omitempty"`
}

// Enclosure is the episode's audio (or video) file.
type Enclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"` // bytes, as the feed says
}

// Transcript is one <podcast:transcript> of an episode.
type Transcript struct {
	URL      string `json:"url"`
	Type     string `json:"type"`
	Language string `json:"language,omitempty"` // the feed's when the tag has none
	Rel      string `json:"rel,omitempty"`      // "captions" or ""
}

// Duration is the episode's length, 0 when unknown.
func (e *Episode) Duration() time.Duration {
	return time.Duration(e.DurationSeconds * float64(time.Second))
}

// Video is the episode as recap.Video: source "podcast", the page (else
// the audio) as its URL, the audio as MediaURL, the show as its channel
// and the show notes as its description.
func (e *Episode) Video() recap.Video {
	v := recap.Video{
		ID:           e.ID,
		Source:       recap.SourcePodcast,
		URL:          e.Link,
		Title:        e.Title,
		Channel:      e.Feed.Title,
		Duration:     e.Duration(),
		ThumbnailURL: e.Image,
		Description:  e.ShowNotes,
		MediaURL:     e.Enclosure.URL,
	}
	if v.URL == "" {
		v.URL = e.Enclosure.URL
	}
	if !e.Published.IsZero() {
		v.PublishedAt = e.Published.UTC().Format(time.DateOnly)
	}
	if e.Feed != (recap.FeedRef{}) {
		f := e.Feed
		v.Feed = &f
	}
	return v
}

// EpisodeID is the stable id of an episode: "ep" followed by the first 60
// bits of SHA-256(feedURL, NUL, guid) in lower-case base32, 14 characters
// in all. YouTube video ids are 11 characters, so the two never collide,
// and the same episode of the same feed always gets the same id.
func EpisodeID(feedURL, guid string) string {
	h := sha256.Sum256([]byte(feedURL + "\x00" + guid))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:8])
	return "ep" + strings.ToLower(enc[:12])
}

// IsFeed reports whether data is an RSS or Atom document, by its content
// (its root element), whatever its name or Content-Type says.
func IsFeed(data []byte) bool {
	switch gofeed.DetectFeedType(bytes.NewReader(head(data))) {
	case gofeed.FeedTypeRSS, gofeed.FeedTypeAtom:
		return true
	}
	return false
}

// head is the start of a document, enough to find its root element.
func head(data []byte) []byte {
	const n = 64 << 10
	if len(data) > n {
		return data[:n]
	}
	return data
}

// Fetch reads the feed at feedURL through client (see netguard), within
// MaxFeedBytes. A body that is no RSS or Atom feed is EINVALID.
func Fetch(ctx context.Context, client *http.Client, feedURL string) (*Feed, error) {
	resp, err := netguard.Get(ctx, client, feedURL, netguard.Limit{
		What:     "feed",
		MaxBytes: MaxFeedBytes,
		Accept:   "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
	})
	if err != nil {
		return nil, err
	}
	if !IsFeed(resp.Body) {
		return nil, recap.Errorf(recap.EINVALID, "%s is not a podcast feed: expected RSS or Atom, got %s", feedURL, describe(resp.Body, resp.ContentType))
	}
	return Parse(resp.Body, resp.URL.String())
}

// describe says briefly what a body that is not a feed looks like.
func describe(body []byte, contentType string) string {
	s := strings.TrimSpace(string(head(body)))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	if contentType != "" {
		return fmt.Sprintf("%s starting %q", contentType, s)
	}
	return fmt.Sprintf("a document starting %q", s)
}

// Parse reads a feed. location is where it came from: its URL, against
// which relative URLs are resolved, or a file:// URL for a local file. The
// feed's self link, when it has an absolute one, is its URL and the key of
// its episode ids, so a feed read from a file or a mirror gives the same
// ids as the feed itself.
func Parse(data []byte, location string) (*Feed, error) {
	if !IsFeed(data) {
		return nil, recap.Errorf(recap.EINVALID, "%s is not a podcast feed: expected an RSS or Atom document", location)
	}
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	gf, err := p.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "feed %s does not parse", location)
	}
	base, _ := url.Parse(location)
	if base != nil && base.Scheme != "http" && base.Scheme != "https" {
		base = nil // nothing relative can be fetched from a file
	}
	f := &Feed{
		Title:    oneLine(gf.Title),
		URL:      location,
		Language: strings.TrimSpace(gf.Language),
	}
	if self := absolute(nil, gf.FeedLink); self != "" {
		f.URL = self
	}
	if base == nil {
		base, _ = url.Parse(absolute(nil, f.URL))
	}
	f.Link = absolute(base, gf.Link)
	if gf.Image != nil {
		f.Image = absolute(base, gf.Image.URL)
	}
	if gf.ITunesExt != nil {
		if f.Image == "" {
			f.Image = absolute(base, gf.ITunesExt.Image)
		}
		f.Author = strings.TrimSpace(gf.ITunesExt.Author)
	}
	if f.Author == "" && len(gf.Authors) > 0 && gf.Authors[0] != nil {
		f.Author = strings.TrimSpace(gf.Authors[0].Name)
	}
	if f.Title == "" {
		f.Title = f.URL
	}

	prefixes := podcastPrefixes(data)
	seen := map[string]bool{}
	for _, it := range gf.Items {
		if it == nil {
			continue
		}
		ep := episode(f, base, it, prefixes)
		if seen[ep.GUID] {
			continue // a duplicate GUID: the first item wins
		}
		seen[ep.GUID] = true
		ep.ID = EpisodeID(f.URL, ep.GUID)
		f.Episodes = append(f.Episodes, ep)
	}
	return f, nil
}

// The Podcasting 2.0 namespace, under its current and its first URI.
var podcastNSRE = regexp.MustCompile(`xmlns:([A-Za-z_][\w.-]*)\s*=\s*["'](?:https?://podcastindex\.org/namespace/1\.0/?|https?://github\.com/Podcastindex-org/podcast-namespace/blob/main/docs/1\.0\.md)["']`)

// podcastPrefixes are the keys under which gofeed files podcast: tags: the
// prefixes the feed binds to the Podcasting 2.0 namespace, and "podcast"
// for feeds that use the tags without declaring it.
func podcastPrefixes(data []byte) []string {
	out := []string{"podcast"}
	for _, m := range podcastNSRE.FindAllSubmatch(head(data), -1) {
		if p := string(m[1]); p != "podcast" {
			out = append(out, p)
		}
	}
	return out
}

func episode(f *Feed, base *url.URL, it *gofeed.Item, prefixes []string) Episode {
	ep := Episode{
		Feed:     recap.FeedRef{Title: f.Title, URL: f.URL},
		Language: f.Language,
		Title:    oneLine(it.Title),
		Link:     absolute(base, it.Link),
	}
	for _, enc := range it.Enclosures {
		if enc == nil || enc.URL == "" {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(enc.Length), 10, 64)
		ep.Enclosure = Enclosure{URL: absolute(base, enc.URL), Type: strings.TrimSpace(enc.Type), Length: max(n, 0)}
		break
	}
	switch {
	case it.PublishedParsed != nil:
		ep.Published = it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		ep.Published = it.UpdatedParsed.UTC()
	}
	if it.Image != nil {
		ep.Image = absolute(base, it.Image.URL)
	}
	if it.ITunesExt != nil {
		ep.DurationSeconds = ParseDuration(it.ITunesExt.Duration).Seconds()
		if ep.Image == "" {
			ep.Image = absolute(base, it.ITunesExt.Image)
		}
		ep.Author = strings.TrimSpace(it.ITunesExt.Author)
	}
	if ep.Image == "" {
		ep.Image = f.Image
	}
	if ep.Author == "" && len(it.Authors) > 0 && it.Authors[0] != nil {
		ep.Author = strings.TrimSpace(it.Authors[0].Name)
	}
	notes := it.Content
	if strings.TrimSpace(notes) == "" {
		notes = it.Description
	}
	if strings.TrimSpace(notes) == "" && it.ITunesExt != nil {
		notes = it.ITunesExt.Summary
	}
	ep.ShowNotes = htmlText(notes)

	for _, prefix := range prefixes {
		tags := it.Extensions[prefix]
		for _, t := range tags["transcript"] {
			u := absolute(base, t.Attrs["url"])
			if u == "" {
				continue
			}
			lang := strings.TrimSpace(t.Attrs["language"])
			if lang == "" {
				lang = f.Language
			}
			ep.Transcripts = append(ep.Transcripts, Transcript{
				URL: u, Type: strings.TrimSpace(t.Attrs["type"]), Language: lang,
				Rel: strings.TrimSpace(t.Attrs["rel"]),
			})
		}
		if ep.ChaptersURL == "" {
			for _, c := range tags["chapters"] {
				if u := absolute(base, c.Attrs["url"]); u != "" {
					ep.ChaptersURL, ep.ChaptersType = u, strings.TrimSpace(c.Attrs["type"])
					break
				}
			}
		}
	}

	ep.GUID = guid(it, ep)
	if ep.Title == "" {
		ep.Title = untitled(ep)
	}
	return ep
}

// oneLine trims s and makes every run of white space (newlines, no-break
// spaces) one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// guid is the item's GUID, else its enclosure URL, else its link, else
// its title and date: what identifies it across reads of the feed.
func guid(it *gofeed.Item, ep Episode) string {
	if g := strings.TrimSpace(it.GUID); g != "" {
		return g
	}
	if ep.Enclosure.URL != "" {
		return ep.Enclosure.URL
	}
	if ep.Link != "" {
		return ep.Link
	}
	date := strings.TrimSpace(it.Published)
	if !ep.Published.IsZero() {
		date = ep.Published.Format(time.RFC3339)
	}
	return ep.Title + "|" + date
}

func untitled(ep Episode) string {
	if !ep.Published.IsZero() {
		return "Episode of " + ep.Published.Format(time.DateOnly)
	}
	return "Untitled episode"
}

// absolute resolves ref against base; "" when ref is empty, or when it
// stays relative or is not http(s) (nothing recap could fetch).
func absolute(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// ParseDuration reads itunes:duration in each form feeds write: seconds
// ("3600", "3600.5"), "mm:ss", "hh:mm:ss" (minutes and seconds may run
// past 59 in sloppy feeds), with or without a fraction. Anything else is 0,
// unknown.
func ParseDuration(s string) time.Duration {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0
	}
	var total float64
	for i, p := range parts {
		p = strings.TrimSpace(p)
		last := i == len(parts)-1
		var v float64
		var err error
		if last {
			v, err = strconv.ParseFloat(p, 64)
		} else {
			var n int64
			n, err = strconv.ParseInt(p, 10, 64)
			v = float64(n)
		}
		if err != nil || v < 0 || p == "" || strings.ContainsAny(p, "eE+-") {
			return 0
		}
		total = total*60 + v
	}
	if total > 1e7 { // longer than 115 days: nonsense
		return 0
	}
	return time.Duration(total * float64(time.Second))
}
