package youtube

import (
	"context"
	"net/http"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/ratelimit"
)

// DefaultRPM is RECAP_YOUTUBE_RPM's default. yt-dlp's wiki puts YouTube's
// tolerance for signed-out clients at about 1,000 page and player
// requests an hour (some 300 videos with yt-dlp's defaults). recap makes
// about three requests a video, two of them page or player (the home page
// is cached for an hour): 20 a minute with a burst of 4 is about 17 a
// minute sustained, some 680 page and player requests (340 videos) an
// hour, while one video's requests still go at once.
const DefaultRPM = 20

// Limits is how recap paces YouTube at rpm requests a minute (0 = no pace,
// but pauses still apply): a burst of up to 4, then evenly. On a 429 or a
// bot check every request pauses, 30 s at first, doubling with each
// refusal after a pause up to 15 minutes. A request facing a pause longer
// than 5 s fails at once with a blocked error that says until when, so
// that a worker reschedules its job rather than holding its slot.
func Limits(rpm int) ratelimit.Config {
	return ratelimit.Config{
		Requests:   ratelimit.Rate{N: rpm, Per: time.Minute, Burst: 4},
		MaxWait:    5 * time.Second,
		Backoff:    30 * time.Second,
		MaxBackoff: 15 * time.Minute,
	}
}

// Limiter paces requests to YouTube and pauses them all when YouTube
// pushes back. ratelimit's Local (one process) and Redis (every worker on
// one Redis) implement it.
type Limiter interface {
	// Wait blocks until a request may go; while paused past its MaxWait
	// it returns a *ratelimit.PausedError.
	Wait(ctx context.Context, cost int) error
	// Block reports a refusal: every request pauses, for longer each
	// time. It returns the end of the pause.
	Block(ctx context.Context) (time.Time, error)
}

// pacingTransport applies the Limiter to every request sent to YouTube:
// innertube, captions, the watch and home pages, browse pages. A 429
// answer pauses everyone.
type pacingTransport struct {
	next http.RoundTripper
	lim  Limiter
}

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.lim.Wait(req.Context(), 0); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		if until, ok := ratelimit.PausedUntil(err); ok {
			return nil, blockedUntil(recap.Errorf(recap.EBLOCKED, "YouTube requests are paused until %s", until.Format(time.TimeOnly)), until)
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		// The caller still gets the 429 and says what it was fetching.
		_, _ = t.lim.Block(context.WithoutCancel(req.Context()))
	}
	return resp, err
}

// blocked makes a blocked verdict about subject ("video …", "playlist
// …") pause every request (a
// bot check arrives as an answer, not a 429, so the transport cannot see
// it; a 429 was counted already, and a Block during the pause it started
// changes nothing) and says until when, so that the job waits that long.
// Other errors pass unchanged.
func (c *Client) blocked(ctx context.Context, subject string, err error) error {
	if c.limiter == nil || recap.ErrorCode(err) != recap.EBLOCKED {
		return err
	}
	if until, ok := ratelimit.PausedUntil(err); ok {
		// Paused before anything was sent: say so plainly.
		return blockedUntil(recap.Errorf(recap.EBLOCKED,
			"%s waits: YouTube refused recent requests (HTTP 429 or a bot check), so recap sends it nothing until %s",
			subject, until.Format(time.TimeOnly)), until)
	}
	until, berr := c.limiter.Block(context.WithoutCancel(ctx))
	if berr != nil {
		c.log.Warn("youtube: pause requests", "error", berr.Error())
		return err
	}
	c.log.Warn("youtube: pushed back; every request waits", "subject", subject, "until", until.Format(time.TimeOnly), "error", err.Error())
	return blockedUntil(err, until)
}

// blockedUntil wraps a blocked error with the end of the pause; its code
// and message stay.
func blockedUntil(err error, until time.Time) error {
	return &ratelimit.PausedError{Until: until, Err: err}
}
