package youtube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"4:05", 4*time.Minute + 5*time.Second, true},
		{"0:43", 43 * time.Second, true},
		{"1:07:34", time.Hour + 7*time.Minute + 34*time.Second, true},
		{" 12:00 ", 12 * time.Minute, true},
		{"LIVE", 0, false},
		{"Upcoming", 0, false},
		{"SHORTS", 0, false},
		{"1:2:3:4", 0, false},
		{"1::2", 0, false},
		{"-1:00", 0, false},
		{"", 0, false},
	} {
		got, ok := parseClock(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseClock(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAbsoluteDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"3 years ago", time.Time{}},
		{"Streamed 2 days ago", time.Time{}},
		{"Premieres 8/14/26, 1:00 PM", day(2026, 8, 14)},
		{"Scheduled for 12/5/2025, 6:00 PM", day(2025, 12, 5)},
		{"Streamed live on Jan 2, 2024", day(2024, 1, 2)},
		{"Premiered September 30, 2023", day(2023, 9, 30)},
		{"Sept. 3, 2023", time.Time{}}, // not a form YouTube writes
		{"2024-03-15", day(2024, 3, 15)},
		{"13/45/2024", time.Time{}},
		{"1.2K views", time.Time{}},
	} {
		if got := absoluteDate(tt.in); !got.Equal(tt.want) {
			t.Errorf("absoluteDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTimePart(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"266M views • 11 months ago", "11 months ago"},
		{"1.2K views • Streamed 3 days ago", "Streamed 3 days ago"},
		{"56 waiting • Premieres 8/14/26, 1:00 PM", "Premieres 8/14/26, 1:00 PM"},
		{"19K views", ""},
		{"Channel 4 • 2 views", ""},
	} {
		if got := timePart(tt.in); got != tt.want {
			t.Errorf("timePart(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkipReason(t *testing.T) {
	for _, tt := range []struct {
		e                     ListEntry
		playable, membersOnly bool
		want                  string
	}{
		{ListEntry{Title: "[Deleted video]"}, false, false, SkipDeleted},
		{ListEntry{Title: "[Private video]"}, false, false, SkipPrivate},
		{ListEntry{Title: "[Unavailable video]"}, false, false, SkipUnavailable},
		{ListEntry{Title: "A talk", Upcoming: true}, true, false, SkipUpcoming},
		{ListEntry{Title: "A talk", Live: true}, true, false, SkipLive},
		{ListEntry{Title: "A talk", Upcoming: true}, true, true, SkipMembersOnly},
		{ListEntry{Title: "A talk"}, false, false, SkipUnavailable},
		{ListEntry{Title: "[Live] A talk"}, true, false, ""},
		{ListEntry{Title: "A talk"}, true, false, ""},
	} {
		if got := skipReason(tt.e, tt.playable, tt.membersOnly); got != tt.want {
			t.Errorf("skipReason(%+v, %v, %v) = %q, want %q", tt.e, tt.playable, tt.membersOnly, got, tt.want)
		}
	}
}

// A page with no list in any known place is an error naming what it
// holds, not an empty list.
func TestUnknownPageShape(t *testing.T) {
	body := []byte(`{"responseContext":{},"contents":{"twoColumnBrowseResultsRenderer":{"tabs":[{"tabRenderer":{"selected":true,
		"content":{"playlistVideoGridViewModel":{"items":[{"videoCardViewModel":{"videoId":"dQw4w9WgXcQ"}}]}}}}]}},
		"header":{"pageHeaderRenderer":{"pageTitle":"x"}}}`)
	p, err := decodePage(body, "playlist PLx", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, found := p.items(); found {
		t.Fatal("items found in a page without a known list")
	}
	msg := unknownShape("playlist PLx", "no list of videos in it", body).Error()
	for _, want := range []string{"playlist PLx", "unrecognised browse answer", "pageHeaderRenderer", "tabRenderer", "twoColumnBrowseResultsRenderer", "playlistVideoGridViewModel", "videoCardViewModel"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
}

func TestDecodePageAlerts(t *testing.T) {
	alert := func(typ, text string) []byte {
		return []byte(`{"alerts":[{"alertRenderer":{"type":"` + typ + `","text":{"runs":[{"text":"` + text + `"}]}}}]}`)
	}
	if _, err := decodePage(alert("INFO", "2 unavailable videos are hidden"), "playlist PLx", true); err != nil {
		t.Errorf("INFO alert: %v, want none", err)
	}
	_, err := decodePage(alert("ERROR", "This channel was removed because it violated our Community Guidelines."), "channel @x", true)
	if recap.ErrorCode(err) != recap.EUNAVAILABLE || !strings.Contains(err.Error(), "channel @x is unavailable: This channel was removed") {
		t.Errorf("ERROR alert on a first page: %s %v", recap.ErrorCode(err), err)
	}
	_, err = decodePage(alert("ERROR", "Something went wrong"), "channel @x", false)
	if err == nil || recap.Permanent(err) {
		t.Errorf("ERROR alert on a later page: %s %v, want a transient error", recap.ErrorCode(err), err)
	}
	_, err = decodePage(alert("ERROR", "Sign in to confirm you’re not a bot"), "playlist PLx", true)
	if recap.ErrorCode(err) != recap.EBLOCKED || !strings.Contains(err.Error(), "playlist PLx") {
		t.Errorf("bot check: %s %v, want %s", recap.ErrorCode(err), err, recap.EBLOCKED)
	}
}

// YouTube sometimes serves its "unusual traffic" page with status 200.
func TestCaptchaPageIsBlocked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><body><div id="captcha-page">Our systems have detected unusual traffic from your computer network.</div></body></html>`))
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Playlist(context.Background(), "PLcaptcha0000", 0)
	if recap.ErrorCode(err) != recap.EBLOCKED {
		t.Errorf("captcha page: %s %v, want %s", recap.ErrorCode(err), err, recap.EBLOCKED)
	}
}

func TestChannelPath(t *testing.T) {
	for _, tt := range []struct {
		ref, want string
		ok        bool
	}{
		{"@crashcourse", "/@crashcourse", true},
		{"@日本", "/@%E6%97%A5%E6%9C%AC", true},
		{"c/Some.Name", "/c/Some.Name", true},
		{"user/x", "/user/x", true},
		{"@", "", false},
		{"@a/b", "", false},
		{"@a%2F", "", false},
		{"channel/UCx", "", false},
		{"x", "", false},
	} {
		got, ok := channelPath(tt.ref)
		if got != tt.want || ok != tt.ok {
			t.Errorf("channelPath(%q) = %q, %v; want %q, %v", tt.ref, got, ok, tt.want, tt.ok)
		}
	}
}
