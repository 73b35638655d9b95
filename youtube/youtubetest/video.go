// Package youtubetest is a fake YouTube for tests: an httptest server that
// speaks enough of YouTube's web and innertube endpoints for the real
// github.com/kkdai/youtube/v2 client, so the whole project can be tested
// offline through recap's endpoint rewrite (RECAP_YOUTUBE_ENDPOINT).
//
// It serves the home page kkdai reads visitor data from (GET /), the player
// (POST /youtubei/v1/player), the watch page (GET /watch), caption tracks
// (GET /api/timedtext) and the transcript panel
// (POST /youtubei/v1/get_transcript), and the listing of playlists and
// channels: browse (POST /youtubei/v1/browse) in every page shape YouTube
// has used (PageShape, GridShape) and navigation/resolve_url for handles
// and legacy names. Caption tracks' baseUrls point at the
// real https://www.youtube.com host, as YouTube's do, so a client that does
// not rewrite them fails loudly instead of passing by accident.
package youtubetest

import (
	"time"

	"github.com/recap-dev/recap"
)

// Playability statuses YouTube puts in playabilityStatus.status.
const (
	StatusOK            = "OK"
	StatusLoginRequired = "LOGIN_REQUIRED"
	StatusError         = "ERROR"
	StatusUnplayable    = "UNPLAYABLE"
	StatusCustom        = "CUSTOM"
)

// Reasons YouTube gives, word for word (note the typographic apostrophe in
// the bot check).
const (
	ReasonAgeRestricted = "This video may be inappropriate for some users."
	ReasonPrivate       = "This video is private"
	ReasonBotCheck      = "Sign in to confirm you’re not a bot"
	ReasonUnavailable   = "This video is unavailable"
)

// Video is one video the fake knows. Add it with Server.AddVideo.
type Video struct {
	// ID must be a real-looking YouTube id: 11 characters of
	// A-Z a-z 0-9 _ -.
	ID          string
	Title       string
	Channel     string
	Description string
	// PublishDate is "YYYY-MM-DD" (sent as YouTube's timestamp form,
	// "2023-06-08T00:00:00-07:00") or a full timestamp sent as is; ""
	// leaves the microformat out, as the mobile clients' answers do.
	PublishDate string
	Duration    time.Duration
	Tracks      []Track

	// Status is the playability status ("" = OK); Reason is YouTube's
	// reason text for it. LOGIN_REQUIRED with ReasonAgeRestricted is an
	// age gate, with ReasonBotCheck a bot check.
	Status, Reason string
	// Private makes the video private (LOGIN_REQUIRED, "This video is
	// private"), whatever Status says.
	Private bool
	// SubReasons are the lines of the error screen under the reason.
	SubReasons []string
	// EmbedOK lets the embedded player client (kkdai's age-gate bypass)
	// see the video although Status refuses the other clients.
	EmbedOK bool

	// Transcript is what get_transcript returns; nil means transcripts are
	// disabled (HTTP 400 FAILED_PRECONDITION, as YouTube answers), an empty
	// non-nil slice an answer without segments.
	Transcript []recap.Segment

	// Formats adds a stream format to streamingData. YouTube now often
	// sends none, and recap must not need them, so the default is none.
	Formats bool

	// Audio lists audio-only streams (adaptiveFormats), served at
	// /videoplayback (see audio.go).
	Audio []AudioFormat
}

// Track is one caption track of a video.
type Track struct {
	Lang string // BCP 47 code as YouTube gives it: "en", "en-GB", "pt-BR"
	// ASR marks YouTube's automatic captions (kind "asr").
	ASR bool
	// Translatable lets clients ask for the track translated (tlang=).
	Translatable bool
	Segments     []recap.Segment
	// Empty simulates a track that needs a PO token: its baseUrl carries
	// "&exp=xpe" and fetching it gives an empty body.
	Empty bool
	// Name is the display name; "" derives one from Lang and ASR.
	Name string
}

// Translated is how the fake marks text it translated for tlang, so tests
// can tell a translation from the original.
func Translated(text, lang string) string { return "(" + lang + ") " + text }
