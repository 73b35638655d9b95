package youtube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
)

// videoError turns what kkdai's GetVideo returned into recap's verdict:
// nil when recap has what it needs, a *recap.Error for a video recap cannot
// summarize (or a block that may lift), a plain wrapped error for faults
// worth retrying. players are this fetch's player answers, oldest first.
func videoError(id string, v *kkdai.Video, err error, players [][]byte) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrForeignHost) {
		return fmt.Errorf("youtube: fetch video %s: %w", id, err)
	}
	// kkdai only gets this far after YouTube agreed to play the video:
	// the answer simply lists no streams, which recap does not need.
	if v != nil && strings.Contains(err.Error(), "no formats found in the server's answer") {
		return nil
	}

	// The first player answer says why YouTube refused; kkdai's error
	// after its age-gate retry describes the retry instead.
	if len(players) > 0 {
		if p, ok := parsePlayer(players[0]); ok && p.PlayabilityStatus.Status != "OK" {
			verdict := playabilityError(id, p)
			// A failed bypass attempt (the embedded client never answered)
			// says nothing final about an age gate: report the fault.
			if recap.ErrorCode(verdict) == recap.EAGERESTRICTED && len(players) < 2 && isTransportError(err) {
				return httpError(id, err)
			}
			return verdict
		}
	}
	if isTransportError(err) {
		return httpError(id, err)
	}

	// No player answer to read: fall back on kkdai's own errors.
	var ps *kkdai.ErrPlayabiltyStatus
	switch {
	case errors.Is(err, kkdai.ErrVideoPrivate):
		return recap.WrapError(recap.EPRIVATE, err, "video %s is private", id)
	case errors.Is(err, kkdai.ErrLoginRequired):
		return recap.WrapError(recap.EAGERESTRICTED, err, "video %s is age-restricted: YouTube shows it only to signed-in adults", id)
	case errors.As(err, &ps):
		var p playerAnswer
		p.PlayabilityStatus.Status, p.PlayabilityStatus.Reason = ps.Status, ps.Reason
		return playabilityError(id, p)
	}
	return fmt.Errorf("youtube: fetch video %s: %w", id, err)
}

// playabilityError maps a refusing playabilityStatus to a *recap.Error
// that says which video and, in YouTube's words, why.
func playabilityError(id string, p playerAnswer) error {
	st := p.PlayabilityStatus
	reason := strings.TrimSpace(st.Reason)
	// YouTube writes "you’re" with a typographic apostrophe.
	lower := strings.ToLower(strings.ReplaceAll(reason, "’", "'"))
	detail := reason
	if sub := st.ErrorScreen.PlayerErrorMessageRenderer.Subreason.String(); sub != "" {
		detail += " (" + sub + ")"
	}
	if detail == "" {
		detail = "YouTube gave no reason"
	}

	switch {
	case strings.Contains(lower, "video is private"):
		return recap.Errorf(recap.EPRIVATE, "video %s is private", id)
	case st.Status == "LOGIN_REQUIRED" && isBotCheck(reason):
		return botCheckError("video "+id, reason)
	case st.Status == "LOGIN_REQUIRED" && (strings.Contains(lower, "inappropriate") || strings.Contains(lower, "your age") || strings.Contains(lower, "age-restricted")):
		return recap.Errorf(recap.EAGERESTRICTED, "video %s is age-restricted (YouTube: %q); it needs a signed-in, age-verified account", id, reason)
	case st.Status == "LOGIN_REQUIRED":
		return recap.Errorf(recap.EUNAVAILABLE, "video %s needs a signed-in account: %s", id, detail)
	case st.Status == "LIVE_STREAM_OFFLINE":
		return recap.Errorf(recap.EUNAVAILABLE, "video %s is a live stream that has not started: %s", id, detail)
	}
	return recap.Errorf(recap.EUNAVAILABLE, "video %s is unavailable: %s (status %s)", id, detail, st.Status)
}

// isBotCheck reports whether YouTube's words ask to prove we are not a
// bot ("Sign in to confirm you’re not a bot").
func isBotCheck(reason string) bool {
	return strings.Contains(strings.ToLower(reason), "not a bot")
}

// botCheckError is YouTube asking to sign in to prove we are not a bot
// while serving subject ("video X", "playlist Y"): a block that lifts.
func botCheckError(subject, reason string) error {
	return recap.Errorf(recap.EBLOCKED, "YouTube blocked the request for %s: %q; try again later or from another network", subject, reason)
}

// rateLimitedError is YouTube answering HTTP 429 about subject: a block
// that lifts.
func rateLimitedError(subject string, err error) error {
	return recap.WrapError(recap.EBLOCKED, err, "YouTube is rate-limiting requests (HTTP 429) for %s; try again later", subject)
}

// isTransportError reports whether err is an HTTP status or network fault
// rather than an answer about the video.
func isTransportError(err error) bool {
	var code kkdai.ErrUnexpectedStatusCode
	if errors.As(err, &code) {
		return true
	}
	var ne interface{ Timeout() bool } // net.Error and *url.Error
	return errors.As(err, &ne)
}

// httpError reports a transport fault: 429 is YouTube rate-limiting us
// (EBLOCKED, transient), anything else a plain error to retry.
func httpError(id string, err error) error {
	var code kkdai.ErrUnexpectedStatusCode
	if errors.As(err, &code) && int(code) == http.StatusTooManyRequests {
		return rateLimitedError("video "+id, err)
	}
	return fmt.Errorf("youtube: fetch video %s: %w", id, err)
}

// unreachable says so when err about subject ("video …", "playlist …") is
// YouTube (or RECAP_YOUTUBE_ENDPOINT) not answering at all: a connection
// refused or reset, a name that does not resolve, a request that timed
// out. That is EFETCH, transient, rather than an unnamed internal error.
// A verdict already made, a refused foreign host and the caller's own
// cancellation or deadline pass unchanged.
func unreachable(ctx context.Context, subject string, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrForeignHost) {
		return err
	}
	var (
		verdict *recap.Error
		op      *net.OpError
		dns     *net.DNSError
		ne      net.Error
	)
	switch {
	case errors.As(err, &verdict):
		return err
	case errors.As(err, &dns), errors.As(err, &op), errors.As(err, &ne) && ne.Timeout():
		return recap.WrapError(recap.EFETCH, err, "YouTube unreachable while fetching %s", subject)
	}
	return err
}
