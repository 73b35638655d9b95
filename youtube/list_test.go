package youtube_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

var shapes = []youtubetest.PageShape{youtubetest.ShapeClassic, youtubetest.ShapeReload, youtubetest.ShapeLockup}

var premiere = time.Date(2026, 8, 14, 13, 0, 0, 0, time.UTC)

// mixedItems is a list of n playable items with, at the given positions,
// entries recap must skip.
func mixedItems(prefix string, n int, special map[int]func(*youtubetest.Item)) []youtubetest.Item {
	items := youtubetest.SyntheticItems(prefix, n, 7)
	for i, f := range special {
		f(&items[i])
	}
	return items
}

func deleted(it *youtubetest.Item)     { it.Deleted = true }
func private(it *youtubetest.Item)     { it.Private = true }
func unavailable(it *youtubetest.Item) { it.Unavailable = true }
func membersOnly(it *youtubetest.Item) { it.MembersOnly = true }
func live(it *youtubetest.Item)        { it.Live, it.Published = true, "" }
func short(it *youtubetest.Item)       { it.Short = true }
func upcoming(it *youtubetest.Item)    { it.Premiere, it.Published = premiere, "" }

// wantSkip is the skip reason recap must give each special item.
func wantSkip(it youtubetest.Item) string {
	switch {
	case it.Deleted:
		return youtube.SkipDeleted
	case it.Private:
		return youtube.SkipPrivate
	case it.Unavailable:
		return youtube.SkipUnavailable
	case it.MembersOnly:
		return youtube.SkipMembersOnly
	case !it.Premiere.IsZero():
		return youtube.SkipUpcoming
	case it.Live:
		return youtube.SkipLive
	}
	return ""
}

// checkEntries compares a listing with the fake's items, in order.
func checkEntries(t *testing.T, got []youtube.ListEntry, want []youtubetest.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i, e := range got {
		w := want[i]
		if e.VideoID != w.ID {
			t.Fatalf("entry %d: id %s, want %s", i, e.VideoID, w.ID)
		}
		if skip := wantSkip(w); e.Skip != skip {
			t.Errorf("entry %d (%s): skip %q, want %q", i, w.ID, e.Skip, skip)
		}
		if w.Deleted || w.Private {
			continue
		}
		if e.Title != w.Title {
			t.Errorf("entry %d: title %q, want %q", i, e.Title, w.Title)
		}
		if e.Live != w.Live || e.Upcoming != !w.Premiere.IsZero() {
			t.Errorf("entry %d: live %v upcoming %v, want %v %v", i, e.Live, e.Upcoming, w.Live, !w.Premiere.IsZero())
		}
		if !w.Live && w.Premiere.IsZero() && !w.Short && e.Duration != w.Duration {
			t.Errorf("entry %d: duration %v, want %v", i, e.Duration, w.Duration)
		}
		if e.PublishedText != w.Published && w.Premiere.IsZero() {
			t.Errorf("entry %d: published %q, want %q", i, e.PublishedText, w.Published)
		}
		if w.Premiere.IsZero() && !e.PublishedAt.IsZero() {
			t.Errorf("entry %d: published at %v from %q, want no date from relative words", i, e.PublishedAt, e.PublishedText)
		}
		if !w.Premiere.IsZero() && e.PublishedAt.Format(time.DateOnly) != w.Premiere.Format(time.DateOnly) {
			t.Errorf("entry %d: premiere published at %v, want %v", i, e.PublishedAt, w.Premiere)
		}
	}
}

func TestPlaylistEveryShape(t *testing.T) {
	special := map[int]func(*youtubetest.Item){
		0: deleted, 7: private, 99: unavailable, // first page, its last entry too
		100: membersOnly, 150: upcoming, 151: live, // second page
		249: deleted, // the last entry of the last page
	}
	for _, shape := range shapes {
		t.Run(shape.String(), func(t *testing.T) {
			fake, c := setup(t)
			items := mixedItems("pl", 250, special)
			fake.AddPlaylist(youtubetest.Playlist{
				ID: "PLrecapTest0000000000000000000001", Title: "Volcano lectures", Channel: "Earth Science",
				ChannelID: "UCearthScience0000000001", Items: items, Shape: shape,
			})
			list, err := c.Playlist(context.Background(), "PLrecapTest0000000000000000000001", 0)
			if err != nil {
				t.Fatalf("Playlist: %v", err)
			}
			if list.ID != "PLrecapTest0000000000000000000001" || list.Title != "Volcano lectures" ||
				list.Channel != "Earth Science" || list.ChannelID != "UCearthScience0000000001" {
				t.Errorf("list = %q %q %q %q", list.ID, list.Title, list.Channel, list.ChannelID)
			}
			checkEntries(t, list.Entries, items)
			// Three pages of 100, 100 and 50; the section's recommendation
			// continuation is not followed.
			if n := fake.Requests(youtubetest.PathBrowse); n != 3 {
				t.Errorf("browse requests = %d, want 3", n)
			}
		})
	}
}

// An empty playlist is an empty list, in every shape.
func TestPlaylistEmpty(t *testing.T) {
	for _, shape := range shapes {
		fake, c := setup(t)
		fake.AddPlaylist(youtubetest.Playlist{ID: "PLempty", Title: "Nothing yet", Shape: shape})
		list, err := c.Playlist(context.Background(), "PLempty", 0)
		if err != nil || list.Title != "Nothing yet" || len(list.Entries) != 0 {
			t.Errorf("%v: %+v, %v; want an empty list", shape, list, err)
		}
	}
}

func TestPlaylistLimitStopsEarly(t *testing.T) {
	for _, shape := range shapes {
		t.Run(shape.String(), func(t *testing.T) {
			fake, c := setup(t)
			p := youtubetest.SyntheticPlaylist("PLbig00000000000000000000000000"+fmt.Sprint(int(shape)), 5000, shape, 1)
			fake.AddPlaylist(p)
			cases := []struct{ limit, entries, requests int }{
				{1, 1, 1},
				{100, 100, 1},
				{101, 101, 2},
				{250, 250, 3},
			}
			if shape == youtubetest.ShapeClassic {
				// To the end once: TestPlaylistEveryShape ends every shape.
				cases = append(cases, struct{ limit, entries, requests int }{0, 5000, 50})
			}
			for _, tt := range cases {
				before := fake.Requests(youtubetest.PathBrowse)
				list, err := c.Playlist(context.Background(), p.ID, tt.limit)
				if err != nil {
					t.Fatalf("Playlist(limit %d): %v", tt.limit, err)
				}
				checkEntries(t, list.Entries, p.Items[:tt.entries])
				if n := fake.Requests(youtubetest.PathBrowse) - before; n != tt.requests {
					t.Errorf("limit %d: %d browse requests, want %d", tt.limit, n, tt.requests)
				}
			}
		})
	}
}

// Skipped entries are listed and count toward the limit: "the first 3"
// are the playlist's first three entries.
func TestPlaylistLimitCountsSkippedEntries(t *testing.T) {
	fake, c := setup(t)
	items := mixedItems("lc", 10, map[int]func(*youtubetest.Item){1: deleted, 2: private})
	fake.AddPlaylist(youtubetest.Playlist{ID: "PLlimitCount", Items: items, Shape: youtubetest.ShapeReload})
	list, err := c.Playlist(context.Background(), "PLlimitCount", 3)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, list.Entries, items[:3])
}

func TestPlaylistErrors(t *testing.T) {
	fake, c := setup(t)
	fake.AddPlaylist(youtubetest.Playlist{ID: "PLunknownShape", Items: youtubetest.SyntheticItems("us", 3, 1), Shape: youtubetest.ShapeUnknown})
	fake.AddPlaylist(youtubetest.SyntheticPlaylist("PLfine000000000", 10, youtubetest.ShapeClassic, 1))
	ctx := context.Background()

	_, err := c.Playlist(ctx, "PLdoesNotExist0000000000000000000", 0)
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "playlist PLdoesNotExist0000000000000000000 is unavailable: The playlist does not exist.") {
		t.Errorf("missing playlist: %s %v", recap.ErrorCode(err), err)
	}

	_, err = c.Playlist(ctx, "PLunknownShape", 0)
	if err == nil || recap.Permanent(err) || !strings.Contains(err.Error(), "unrecognised browse answer") || !strings.Contains(err.Error(), "playlistVideoItemViewModel") {
		t.Errorf("unknown shape: %s %v; want an error naming playlistVideoItemViewModel", recap.ErrorCode(err), err)
	}

	before := fake.Requests(youtubetest.PathBrowse)
	for _, bad := range []string{"", "P", "PL bad", "PL/../x", strings.Repeat("P", 101)} {
		if _, err := c.Playlist(ctx, bad, 0); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("Playlist(%q): %s %v, want %s", bad, recap.ErrorCode(err), err, recap.EINVALID)
		}
	}
	if n := fake.Requests(youtubetest.PathBrowse) - before; n != 0 {
		t.Errorf("%d requests for malformed ids, want 0", n)
	}

	fake.FailNext(youtubetest.PathBrowse, http.StatusTooManyRequests, 1)
	_, err = c.Playlist(ctx, "PLfine000000000", 0)
	if recap.ErrorCode(err) != recap.EBLOCKED || !strings.Contains(err.Error(), "HTTP 429") || !strings.Contains(err.Error(), "playlist PLfine000000000") {
		t.Errorf("429: %s %v, want %s naming the playlist", recap.ErrorCode(err), err, recap.EBLOCKED)
	}

	fake.FailNext(youtubetest.PathBrowse, http.StatusServiceUnavailable, 1)
	_, err = c.Playlist(ctx, "PLfine000000000", 0)
	if err == nil || recap.Permanent(err) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("503: %s %v, want a transient error", recap.ErrorCode(err), err)
	}

	fake.FailNext(youtubetest.PathBrowse, http.StatusNotFound, 1)
	_, err = c.Playlist(ctx, "PLfine000000000", 0)
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("404: %s %v, want %s", recap.ErrorCode(err), err, recap.EUNAVAILABLE)
	}
}

// failNth answers the nth request (1-based) with status instead of
// sending it on.
type failNth struct {
	next   http.RoundTripper
	n      int64
	status int
	count  atomic.Int64
}

func (f *failNth) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.count.Add(1) != f.n {
		return f.next.RoundTrip(r)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: f.status, Status: http.StatusText(f.status), Header: http.Header{},
		Body: http.NoBody, Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// A 429 on a later page is the same transient block as on the first; a
// 404 there is a fault, not a missing playlist.
func TestPlaylistLaterPageFails(t *testing.T) {
	for _, tt := range []struct {
		status int
		code   string
	}{
		{http.StatusTooManyRequests, recap.EBLOCKED},
		{http.StatusNotFound, recap.EINTERNAL},
	} {
		fake := youtubetest.NewServer(t)
		fake.AddPlaylist(youtubetest.SyntheticPlaylist("PLpaged00000000", 250, youtubetest.ShapeReload, 1))
		c, err := youtube.New(youtube.Config{Endpoint: fake.URL(), HTTPClient: &http.Client{
			Transport: &failNth{next: http.DefaultTransport, n: 2, status: tt.status},
		}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Playlist(context.Background(), "PLpaged00000000", 0)
		if recap.ErrorCode(err) != tt.code || recap.Permanent(err) {
			t.Errorf("HTTP %d on page 2: %s %v, want a transient %s", tt.status, recap.ErrorCode(err), err, tt.code)
		}
	}
}

// channelItems is a Videos tab: an upcoming premiere and a stream live
// now at the top (as YouTube sorts them), a Short and a members-only
// video among 45 items.
func channelItems(prefix string) []youtubetest.Item {
	return mixedItems(prefix, 45, map[int]func(*youtubetest.Item){0: upcoming, 1: live, 5: short, 33: membersOnly, 44: short})
}

func withoutShorts(items []youtubetest.Item) []youtubetest.Item {
	var out []youtubetest.Item
	for _, it := range items {
		if !it.Short {
			out = append(out, it)
		}
	}
	return out
}

var grids = []youtubetest.GridShape{youtubetest.GridVideoRenderer, youtubetest.GridLockup}

func TestChannelByHandleAndID(t *testing.T) {
	for _, grid := range grids {
		t.Run(grid.String(), func(t *testing.T) {
			fake, c := setup(t)
			items := channelItems("ch")
			fake.AddChannel(youtubetest.Channel{
				ID: "UCrecapChannel0000000001", Title: "Crash Course", Handle: "@crashcourse",
				Custom: "c/CrashCourse", User: "user/crashcourse", Videos: items, Grid: grid,
			})
			for _, tt := range []struct {
				ref      string
				resolves int
			}{
				{"@crashcourse", 1},
				{"UCrecapChannel0000000001", 0},
				{"c/CrashCourse", 1},
				{"user/crashcourse", 1},
			} {
				resolves, browses := fake.Requests(youtubetest.PathResolveURL), fake.Requests(youtubetest.PathBrowse)
				list, err := c.Channel(context.Background(), tt.ref, 0, youtube.ChannelOptions{})
				if err != nil {
					t.Fatalf("Channel(%s): %v", tt.ref, err)
				}
				if list.ID != "UCrecapChannel0000000001" || list.ChannelID != list.ID || list.Title != "Crash Course" || list.Channel != "Crash Course" {
					t.Errorf("Channel(%s) = %q %q %q %q", tt.ref, list.ID, list.ChannelID, list.Title, list.Channel)
				}
				checkEntries(t, list.Entries, withoutShorts(items))
				if n := fake.Requests(youtubetest.PathResolveURL) - resolves; n != tt.resolves {
					t.Errorf("Channel(%s): %d resolve_url requests, want %d", tt.ref, n, tt.resolves)
				}
				// 45 items in pages of 30: two pages.
				if n := fake.Requests(youtubetest.PathBrowse) - browses; n != 2 {
					t.Errorf("Channel(%s): %d browse requests, want 2", tt.ref, n)
				}
			}
		})
	}
}

func TestChannelNewestN(t *testing.T) {
	fake, c := setup(t)
	items := channelItems("nn")
	fake.AddChannel(youtubetest.Channel{ID: "UCrecapChannel0000000002", Handle: "@newest", Videos: items, Grid: youtubetest.GridLockup})
	list, err := c.Channel(context.Background(), "@newest", 5, youtube.ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The newest five entries: the premiere and the live stream (named as
	// skipped) and three videos; the Short among them is left out.
	checkEntries(t, list.Entries, withoutShorts(items[:6]))
	if n := fake.Requests(youtubetest.PathBrowse); n != 1 {
		t.Errorf("%d browse requests, want 1", n)
	}
}

func TestChannelShorts(t *testing.T) {
	for _, grid := range grids {
		t.Run(grid.String(), func(t *testing.T) {
			fake, c := setup(t)
			videos := channelItems("sv")
			shorts := mixedItems("ss", 40, map[int]func(*youtubetest.Item){})
			for i := range shorts {
				shorts[i].Short, shorts[i].Published, shorts[i].Duration = true, "", 0
			}
			streams := youtubetest.SyntheticItems("st", 3, 2)
			fake.AddChannel(youtubetest.Channel{
				ID: "UCrecapChannel0000000003", Title: "Shorts and all", Handle: "@shorty",
				Videos: videos, Shorts: shorts, Streams: streams, Grid: grid,
			})
			ctx := context.Background()

			// The Shorts tab, asked for by name.
			list, err := c.Channel(ctx, "@shorty", 0, youtube.ChannelOptions{Tab: youtube.TabShorts})
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, list.Entries, shorts)
			for _, e := range list.Entries {
				if !e.Short {
					t.Fatalf("%s on the Shorts tab is not marked Short", e.VideoID)
				}
			}

			// Shorts asked for with the videos: every upload.
			list, err = c.Channel(ctx, "@shorty", 0, youtube.ChannelOptions{Shorts: true})
			if err != nil {
				t.Fatal(err)
			}
			all := append(append(append([]youtubetest.Item(nil), videos...), streams...), shorts...)
			checkEntries(t, list.Entries, all)
			if list.ID != "UCrecapChannel0000000003" || list.Title != "Shorts and all" {
				t.Errorf("uploads list = %q %q", list.ID, list.Title)
			}

			// The Live tab.
			list, err = c.Channel(ctx, "@shorty", 0, youtube.ChannelOptions{Tab: youtube.TabStreams})
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, list.Entries, streams)
		})
	}
}

func TestChannelPodcasts(t *testing.T) {
	for _, grid := range grids {
		t.Run(grid.String(), func(t *testing.T) {
			fake, c := setup(t)
			a := youtubetest.SyntheticPlaylist("PLpodcastA000000", 120, youtubetest.ShapeReload, 3)
			b := youtubetest.SyntheticPlaylist("PLpodcastB000000", 5, youtubetest.ShapeLockup, 4)
			fake.AddPlaylist(a)
			fake.AddPlaylist(b)
			fake.AddChannel(youtubetest.Channel{ID: "UCrecapChannel0000000004", Handle: "@pods", Videos: channelItems("pv"),
				Podcasts: []string{a.ID, b.ID}, Grid: grid})
			list, err := c.Channel(context.Background(), "@pods", 0, youtube.ChannelOptions{Tab: youtube.TabPodcasts})
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, list.Entries, append(append([]youtubetest.Item(nil), a.Items...), b.Items...))

			// A limit stops inside the first podcast.
			before := fake.Requests(youtubetest.PathBrowse)
			list, err = c.Channel(context.Background(), "@pods", 50, youtube.ChannelOptions{Tab: youtube.TabPodcasts})
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, list.Entries, a.Items[:50])
			if n := fake.Requests(youtubetest.PathBrowse) - before; n != 2 {
				t.Errorf("%d browse requests, want 2 (the tab, the first podcast's first page)", n)
			}
		})
	}
}

// A channel without the tab asked for has nothing to list: YouTube shows
// its home page instead.
func TestChannelWithoutTheTab(t *testing.T) {
	fake, c := setup(t)
	fake.AddChannel(youtubetest.Channel{ID: "UCrecapChannel0000000005", Handle: "@onlylive", Streams: youtubetest.SyntheticItems("ol", 2, 1)})
	list, err := c.Channel(context.Background(), "@onlylive", 0, youtube.ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 0 || list.ID != "UCrecapChannel0000000005" {
		t.Errorf("list = %+v, want the channel with no entries", list)
	}
}

func TestChannelHandleRedirect(t *testing.T) {
	fake, c := setup(t)
	items := youtubetest.SyntheticItems("rd", 3, 1)
	fake.AddChannel(youtubetest.Channel{ID: "UCrecapChannel0000000006", Handle: "@BZZK", HandleRedirect: "bzk25", Videos: items})
	list, err := c.Channel(context.Background(), "@BZZK", 0, youtube.ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, list.Entries, items)
	if n := fake.Requests(youtubetest.PathResolveURL); n != 2 {
		t.Errorf("%d resolve_url requests, want 2 (the handle, then the legacy URL it points at)", n)
	}
}

func TestChannelErrors(t *testing.T) {
	fake, c := setup(t)
	fake.AddChannel(youtubetest.Channel{ID: "UCrecapChannel0000000007", Handle: "@exists", Videos: youtubetest.SyntheticItems("ex", 3, 1)})
	ctx := context.Background()

	_, err := c.Channel(ctx, "@nobodyHasThisHandle", 0, youtube.ChannelOptions{})
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "channel @nobodyHasThisHandle does not exist") {
		t.Errorf("unknown handle: %s %v", recap.ErrorCode(err), err)
	}
	_, err = c.Channel(ctx, "UCnoSuchChannel000000000", 0, youtube.ChannelOptions{})
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "This channel does not exist.") {
		t.Errorf("unknown channel id: %s %v", recap.ErrorCode(err), err)
	}

	before := fake.Requests(youtubetest.PathResolveURL) + fake.Requests(youtubetest.PathBrowse)
	for _, tt := range []struct {
		ref string
		tab string
	}{
		{"crashcourse", ""}, {"@", ""}, {"c/", ""}, {"@a/b", ""}, {"@a b", ""}, {"UCshort", ""},
		{"@exists", "playlists"},
	} {
		if _, err := c.Channel(ctx, tt.ref, 0, youtube.ChannelOptions{Tab: tt.tab}); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("Channel(%q, tab %q): %s %v, want %s", tt.ref, tt.tab, recap.ErrorCode(err), err, recap.EINVALID)
		}
	}
	if n := fake.Requests(youtubetest.PathResolveURL) + fake.Requests(youtubetest.PathBrowse) - before; n != 0 {
		t.Errorf("%d requests for malformed references, want 0", n)
	}

	fake.FailNext(youtubetest.PathResolveURL, http.StatusTooManyRequests, 1)
	if _, err := c.Channel(ctx, "@exists", 0, youtube.ChannelOptions{}); recap.ErrorCode(err) != recap.EBLOCKED {
		t.Errorf("429 on resolve_url: %s %v, want %s", recap.ErrorCode(err), err, recap.EBLOCKED)
	}
}

// timedTransport reads every answer whole inside RoundTrip and adds up
// the time spent there: the fake's serving plus the network.
type timedTransport struct {
	next  http.RoundTripper
	spent atomic.Int64
}

func (tt *timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	defer func() { tt.spent.Add(int64(time.Since(start))) }()
	resp, err := tt.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// BenchmarkPlaylist5000 lists a 5,000-video playlist (50 pages) from the
// fake in each page shape. wall/transport is the listing's wall time over
// the time spent fetching its pages in the same run: what recap's own
// decoding adds.
func BenchmarkPlaylist5000(b *testing.B) {
	for _, shape := range shapes {
		b.Run(shape.String(), func(b *testing.B) {
			fake := youtubetest.NewServer(b)
			p := youtubetest.SyntheticPlaylist("PLbench0000000000000000000000000", 5000, shape, 1)
			fake.AddPlaylist(p)
			tr := &timedTransport{next: http.DefaultTransport}
			c, err := youtube.New(youtube.Config{Endpoint: fake.URL(), HTTPClient: &http.Client{Transport: tr}})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for b.Loop() {
				list, err := c.Playlist(context.Background(), p.ID, 0)
				if err != nil || len(list.Entries) != 5000 {
					b.Fatalf("Playlist: %v", err)
				}
			}
			wall := time.Since(start)
			b.ReportMetric(float64(fake.Requests(youtubetest.PathBrowse))/float64(b.N), "pages/op")
			b.ReportMetric(float64(wall)/float64(tr.spent.Load()), "wall/transport")
		})
	}
}
