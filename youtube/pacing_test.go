package youtube_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/ratelimit"
	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// paced starts a fake YouTube with two videos and a client paced by lim.
func paced(t *testing.T, lim youtube.Limiter) (*youtubetest.Server, *youtube.Client) {
	t.Helper()
	fake := youtubetest.NewServer(t)
	for _, id := range []string{"dQw4w9WgXcQ", "9bZkp7q19f0"} {
		fake.AddVideo(youtubetest.Video{ID: id, Title: "Video " + id, Duration: time.Minute,
			Tracks: []youtubetest.Track{{Lang: "en", Segments: enManual}}})
	}
	c, err := youtube.New(youtube.Config{Endpoint: fake.URL(), Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// countingLimiter lets everything through and counts.
type countingLimiter struct {
	mu            sync.Mutex
	waits, blocks int
}

func (l *countingLimiter) Wait(context.Context, int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waits++
	return nil
}

func (l *countingLimiter) Block(context.Context) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.blocks++
	return time.Now().Add(time.Minute), nil
}

// Every request that reaches YouTube went through the limiter, and only
// those: the cached home page costs nothing.
func TestLimiterSeesEveryRequest(t *testing.T) {
	lim := &countingLimiter{}
	fake, c := paced(t, lim)
	for _, id := range []string{"dQw4w9WgXcQ", "9bZkp7q19f0"} {
		if _, err := c.Fetch(context.Background(), id, "en"); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.TotalRequests(); lim.waits != n || n < 6 {
		t.Errorf("limiter asked %d times for %d requests sent to YouTube", lim.waits, n)
	}
	if fake.Requests(youtubetest.PathHome) != 1 {
		t.Errorf("home page fetched %d times", fake.Requests(youtubetest.PathHome))
	}
}

// One 429 pauses every request: the next fetch, of another video, fails
// at once as blocked, says until when, and sends YouTube nothing.
func TestTooManyRequestsPausesEveryone(t *testing.T) {
	lim := ratelimit.NewLocal(ratelimit.Config{MaxWait: time.Second, Backoff: time.Minute})
	fake, c := paced(t, lim)
	fake.FailNext(youtubetest.PathPlayer, http.StatusTooManyRequests, 1)
	err := fetchErr(t, c, "dQw4w9WgXcQ")
	until, ok := ratelimit.PausedUntil(err)
	if recap.ErrorCode(err) != recap.EBLOCKED || !ok || time.Until(until) < 50*time.Second || !strings.Contains(err.Error(), "429") {
		t.Fatalf("err = %v (code %q), paused until %v; want blocked by a 429 for about a minute", err, recap.ErrorCode(err), until)
	}
	sent := fake.TotalRequests()
	err = fetchErr(t, c, "9bZkp7q19f0")
	if again, ok := ratelimit.PausedUntil(err); recap.ErrorCode(err) != recap.EBLOCKED || !ok || again.Sub(until).Abs() > time.Second {
		t.Fatalf("second fetch: err = %v, paused until %v; want blocked until %v", err, again, until)
	}
	if !strings.Contains(err.Error(), "video 9bZkp7q19f0 waits") {
		t.Errorf("err = %q, want it to say the video waits", err)
	}
	if fake.TotalRequests() != sent {
		t.Errorf("%d requests sent to YouTube during the pause", fake.TotalRequests()-sent)
	}
}

// A bot check comes as an answer, not a 429; it pauses everyone too.
func TestBotCheckPausesEveryone(t *testing.T) {
	lim := ratelimit.NewLocal(ratelimit.Config{MaxWait: time.Second, Backoff: time.Minute})
	fake, c := paced(t, lim)
	fake.SetBlock(youtubetest.BotCheck)
	err := fetchErr(t, c, "dQw4w9WgXcQ")
	if _, ok := ratelimit.PausedUntil(err); recap.ErrorCode(err) != recap.EBLOCKED || !ok || !strings.Contains(err.Error(), "not a bot") {
		t.Fatalf("err = %v, want blocked by the bot check, with a pause", err)
	}
	sent := fake.TotalRequests()
	if err := fetchErr(t, c, "9bZkp7q19f0"); recap.ErrorCode(err) != recap.EBLOCKED || fake.TotalRequests() != sent {
		t.Fatalf("second fetch: %v after sending %d requests; want blocked and none", err, fake.TotalRequests()-sent)
	}
}

// Listing a playlist is paced and paused the same way: a 429 on a browse
// page pauses everyone, and the fetch after it sends nothing.
func TestListingTooManyRequestsPausesEveryone(t *testing.T) {
	lim := ratelimit.NewLocal(ratelimit.Config{MaxWait: time.Second, Backoff: time.Minute})
	fake, c := paced(t, lim)
	fake.AddPlaylist(youtubetest.Playlist{ID: "PLpaced0123", Title: "Paced", Items: []youtubetest.Item{{ID: "dQw4w9WgXcQ", Title: "One"}}})
	if l, err := c.Playlist(context.Background(), "PLpaced0123", 10); err != nil || len(l.Entries) != 1 {
		t.Fatalf("Playlist = %+v, %v", l, err)
	}
	fake.FailNext(youtubetest.PathBrowse, http.StatusTooManyRequests, 1)
	_, err := c.Playlist(context.Background(), "PLpaced0123", 10)
	if _, ok := ratelimit.PausedUntil(err); recap.ErrorCode(err) != recap.EBLOCKED || !ok {
		t.Fatalf("err = %v, want blocked with a pause", err)
	}
	sent := fake.TotalRequests()
	err = fetchErr(t, c, "9bZkp7q19f0")
	if recap.ErrorCode(err) != recap.EBLOCKED || fake.TotalRequests() != sent {
		t.Fatalf("fetch after a listing's 429: %v, %d requests sent; want blocked and none", err, fake.TotalRequests()-sent)
	}
	_, err = c.Playlist(context.Background(), "PLpaced0123", 10)
	if !strings.Contains(err.Error(), "playlist PLpaced0123 waits") {
		t.Errorf("err = %q, want it to say the playlist waits", err)
	}
}

// A short pause is waited out rather than failed: the limiter's MaxWait.
func TestShortPauseIsWaitedOut(t *testing.T) {
	lim := ratelimit.NewLocal(ratelimit.Config{MaxWait: 5 * time.Second, Backoff: 100 * time.Millisecond})
	fake, c := paced(t, lim)
	fake.FailNext(youtubetest.PathPlayer, http.StatusTooManyRequests, 1)
	if err := fetchErr(t, c, "dQw4w9WgXcQ"); recap.ErrorCode(err) != recap.EBLOCKED {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Fetch(context.Background(), "9bZkp7q19f0", "en"); err != nil {
		t.Fatalf("fetch during a 100ms pause: %v", err)
	}
}

func TestLimits(t *testing.T) {
	cfg := youtube.Limits(youtube.DefaultRPM)
	if cfg.Requests.N != 20 || cfg.Requests.Burst < 3 || cfg.MaxWait <= 0 || cfg.Backoff < 10*time.Second || cfg.MaxBackoff < 5*time.Minute {
		t.Errorf("Limits(%d) = %+v", youtube.DefaultRPM, cfg)
	}
}
