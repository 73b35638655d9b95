// Package youtube fetches a YouTube video's metadata and timed captions
// through github.com/kkdai/youtube/v2, and maps YouTube's refusals to
// recap's error codes. *Client implements pipeline.Fetcher.
//
// Every request goes through a transport that sends YouTube's hosts to the
// configured endpoint (RECAP_YOUTUBE_ENDPOINT: a replay server, a test
// fake, a proxy) and refuses every other host.
package youtube

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
)

// DefaultEndpoint is where YouTube requests go when Config.Endpoint is "".
const DefaultEndpoint = "https://www.youtube.com"

// Config configures a Client.
type Config struct {
	// HTTPClient is used for every request, wrapped (never changed) to
	// rewrite and guard hosts. nil means a client with sane timeouts.
	HTTPClient *http.Client
	// Endpoint replaces https://www.youtube.com (RECAP_YOUTUBE_ENDPOINT):
	// scheme, host and an optional path prefix. "" means YouTube itself.
	Endpoint string
	// Logger gets debug and info lines about track choice and fallbacks;
	// nil discards them.
	Logger *slog.Logger
	// Limiter paces every request sent to YouTube (RECAP_YOUTUBE_RPM)
	// and pauses them all when YouTube pushes back; nil sends at will.
	Limiter Limiter
}

// Client fetches videos from YouTube. It is safe for concurrent use.
type Client struct {
	http *http.Client // the caller's client, on the rewriting transport
	// media is the same, also letting YouTube's stream servers through,
	// without a total timeout (audio downloads take their time) and not
	// paced (a download is a few requests to the CDN, not to YouTube).
	media   *http.Client
	log     *slog.Logger
	limiter Limiter // nil when not paced
	// via is the endpoint requests really go to when it is not YouTube
	// itself, for errors: "" for YouTube.
	via string
}

// New returns a Client. A malformed Endpoint gives an EINVALID error.
func New(cfg Config) (*Client, error) {
	ep, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc = defaultHTTPClient()
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	mc := hc
	mc.Transport, mc.Timeout = &rewriteTransport{next: next, endpoint: ep, media: true}, 0
	if cfg.Limiter != nil {
		// Below the host guard: only requests that go to YouTube are
		// paced; below the home page cache: a cached page costs nothing.
		next = &pacingTransport{next: next, lim: cfg.Limiter}
	}
	hc.Transport = &homeCache{next: &rewriteTransport{next: next, endpoint: ep}, now: time.Now}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{http: &hc, media: &mc, log: log, limiter: cfg.Limiter}
	if via := ep.Redacted(); via != DefaultEndpoint {
		c.via = via
	}
	return c, nil
}

// parseEndpoint checks an endpoint base URL and strips its trailing slash.
func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultEndpoint
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, recap.WrapError(recap.EINVALID, err, "YouTube endpoint %q is not a URL; expected a base URL such as http://127.0.0.1:8081", s)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return nil, recap.Errorf(recap.EINVALID, "YouTube endpoint %q is not an http(s) base URL; expected e.g. http://127.0.0.1:8081 or https://proxy.example/youtube", s)
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return nil, recap.Errorf(recap.EINVALID, "YouTube endpoint %q must be scheme, host and path only (no user, query or fragment)", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

func defaultHTTPClient() http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 30 * time.Second
	tr.TLSHandshakeTimeout = 10 * time.Second
	return http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// Fetch gets the video's metadata and its transcript in lang ("" = "en"),
// or the closest language YouTube has. Errors carry recap codes: EINVALID
// for a malformed id, EPRIVATE, EAGERESTRICTED, EUNAVAILABLE and
// ENOCAPTIONS for videos recap cannot summarize, EBLOCKED when YouTube
// rate-limits or wants a bot check (with the end of the pause it set, see
// ratelimit.PausedUntil, when the Client has a Limiter), EFETCH when
// YouTube cannot be reached (refused, no such host, timed out); 5xx are
// plain errors. Only EINVALID and the verdicts on the video are permanent.
func (c *Client) Fetch(ctx context.Context, videoID, lang string) (*recap.Source, error) {
	src, _, err := c.fetch(ctx, videoID, lang, fetchCaptions)
	return src, c.viaEndpoint(err)
}

// FetchAudible is Fetch for a video that speech-to-text may transcribe
// (pipeline.VideoAudio). With captions false the captions are not looked
// for: the source comes back without a transcript. With captions true and
// no captions to be had, the video comes back without a transcript too,
// and missing is the ENOCAPTIONS error that says why; every other error
// is err, as Fetch returns it.
func (c *Client) FetchAudible(ctx context.Context, videoID, lang string, captions bool) (src *recap.Source, missing, err error) {
	mode := fetchMetadata
	if captions {
		mode = fetchCaptionsOrMetadata
	}
	src, missing, err = c.fetch(ctx, videoID, lang, mode)
	return src, missing, c.viaEndpoint(err)
}

// viaEndpoint says where requests for YouTube went, when not to YouTube: kkdai
// and net/http name YouTube's URLs.
func (c *Client) viaEndpoint(err error) error {
	if err != nil && c.via != "" {
		return fmt.Errorf("%w (requests for YouTube went to RECAP_YOUTUBE_ENDPOINT %s)", err, c.via)
	}
	return err
}

// What fetch gets.
type fetchMode int

const (
	fetchCaptions           fetchMode = iota // the video and its transcript, or an error
	fetchCaptionsOrMetadata                  // the video, and its transcript or why there is none (missing)
	fetchMetadata                            // the video only
)

// fetch gets the video and, as mode says, its transcript.
func (c *Client) fetch(ctx context.Context, videoID, lang string, mode fetchMode) (_ *recap.Source, missing, _ error) {
	if !recap.ValidVideoID(videoID) {
		return nil, nil, recap.Errorf(recap.EINVALID, "%q is not a YouTube video id; expected 11 characters of A-Z, a-z, 0-9, - and _", videoID)
	}
	if lang == "" {
		lang = "en"
	}
	// kkdai's Client is not safe for concurrent use (its age-gate retry
	// switches its innertube client, and it caches visitor data), so each
	// fetch gets its own, sharing the connection pool.
	ft := &fetchTransport{next: c.http.Transport, ctx: ctx}
	hc := *c.http
	hc.Transport = ft
	kc := &kkdai.Client{HTTPClient: &hc}

	v, err := kc.GetVideoContext(ctx, videoID)
	players := ft.playerAnswers()
	if err := videoError(videoID, v, err, players); err != nil {
		return nil, nil, c.blocked(ctx, "video "+videoID, unreachable(ctx, "video "+videoID, err))
	}
	src := &recap.Source{Video: metadata(videoID, v, players)}
	if mode != fetchMetadata {
		tr, err := c.transcript(ctx, &hc, kc, v, lang)
		switch {
		case recap.ErrorCode(err) == recap.ENOCAPTIONS && mode == fetchCaptionsOrMetadata:
			missing = err
		case err != nil:
			return nil, nil, c.blocked(ctx, "video "+videoID, unreachable(ctx, "video "+videoID, err))
		default:
			src.Transcript = tr
		}
	}
	if src.Video.PublishedAt == "" {
		src.Video.PublishedAt = c.publishDate(ctx, &hc, videoID)
	}
	tr := src.Transcript
	c.log.Debug("youtube: fetched", slog.String("video_id", videoID), slog.String("title", src.Video.Title),
		slog.String("transcript_lang", tr.Language), slog.String("transcript_source", tr.Source),
		slog.Int("segments", len(tr.Segments)))
	return src, missing, nil
}

// metadata builds recap's video from kkdai's, completed from the player
// answer YouTube agreed to play in (kkdai cannot read 2025's timestamped
// publish dates).
func metadata(id string, v *kkdai.Video, players [][]byte) recap.Video {
	out := recap.Video{
		ID:           id,
		URL:          recap.WatchURL(id),
		Title:        v.Title,
		Channel:      v.Author,
		Duration:     v.Duration,
		Description:  v.Description,
		ThumbnailURL: largestThumbnail(v.Thumbnails),
	}
	for i := len(players) - 1; i >= 0; i-- {
		if p, ok := parsePlayer(players[i]); ok && p.PlayabilityStatus.Status == "OK" {
			out.PublishedAt = p.publishDate()
			break
		}
	}
	if out.PublishedAt == "" && !v.PublishDate.IsZero() {
		out.PublishedAt = v.PublishDate.Format(time.DateOnly)
	}
	return out
}

func largestThumbnail(ts kkdai.Thumbnails) string {
	best, area := "", uint(0)
	for _, t := range ts {
		if a := t.Width * t.Height; best == "" || a > area {
			best, area = t.URL, a
		}
	}
	if strings.HasPrefix(best, "//") {
		best = "https:" + best
	}
	return best
}

// validChannelID reports whether id looks like a channel id: UC and 22
// more.
func validChannelID(id string) bool {
	return len(id) == 24 && strings.HasPrefix(id, "UC") && recap.YouTubeIDChars(id)
}

// validPlaylistID reports whether id could be a playlist id (2 to 100
// characters: WL to OLAK5uy_…).
func validPlaylistID(id string) bool {
	return len(id) >= 2 && len(id) <= 100 && recap.YouTubeIDChars(id)
}
