package youtube

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/subtitles"
)

// maxTrackAttempts bounds the caption tracks fetched for one video before
// falling back to the transcript panel. Each attempt is a request, and
// tracks that need a PO token usually all do.
const maxTrackAttempts = 3

// browserUA is sent with caption requests; YouTube serves timedtext to
// browsers.
const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

// errNoText marks a track or transcript that gave no words: an empty body
// (a PO token was needed), one that does not parse, or cues only.
var errNoText = errors.New("no caption text")

// transcript finds the video's timed text in lang, or the closest YouTube
// has: caption tracks first, then the transcript panel (get_transcript).
func (c *Client) transcript(ctx context.Context, hc *http.Client, kc *kkdai.Client, v *kkdai.Video, lang string) (recap.Transcript, error) {
	log := c.log.With(slog.String("video_id", v.ID))
	choices := chooseTracks(v.CaptionTracks, lang)
	for i, ch := range choices {
		if i == maxTrackAttempts {
			log.Debug("youtube: giving up on caption tracks", slog.Int("tracks", len(choices)))
			break
		}
		segs, err := c.fetchTrack(ctx, hc, v.ID, ch)
		if errors.Is(err, errNoText) {
			log.Info("youtube: caption track gave no text, trying the next",
				slog.String("lang", ch.track.LanguageCode), slog.String("kind", ch.track.Kind),
				slog.String("tlang", ch.tlang), slog.Bool("po_token", needsPOToken(ch.track.BaseURL)),
				slog.String("why", err.Error()))
			continue
		}
		if err != nil {
			return recap.Transcript{}, err
		}
		log.Debug("youtube: caption track", slog.String("lang", ch.track.LanguageCode),
			slog.String("kind", ch.track.Kind), slog.String("tlang", ch.tlang), slog.Int("segments", len(segs)))
		return recap.Transcript{Language: ch.lang(), Source: recap.TranscriptYouTube, Segments: segs}, nil
	}

	plang, ok := panelLanguage(v.CaptionTracks, lang)
	if !ok {
		return recap.Transcript{}, noCaptions(v, len(choices))
	}
	segs, err := panelTranscript(ctx, kc, v, plang)
	if errors.Is(err, errNoText) {
		log.Debug("youtube: transcript panel gave no text", slog.String("why", err.Error()))
		return recap.Transcript{}, noCaptions(v, len(choices))
	}
	if err != nil {
		return recap.Transcript{}, err
	}
	log.Info("youtube: captions from the transcript panel", slog.String("lang", plang), slog.Int("segments", len(segs)))
	return recap.Transcript{Language: plang, Source: recap.TranscriptYouTube, Segments: segs}, nil
}

func noCaptions(v *kkdai.Video, choices int) error {
	if choices == 0 {
		return recap.Errorf(recap.ENOCAPTIONS, "video %s has no captions in any language (captions are disabled)", v.ID)
	}
	return recap.Errorf(recap.ENOCAPTIONS, "video %s has %d caption tracks but YouTube returned no text for the %d tried "+
		"(empty, as when a PO token is required, or only sound cues such as [Music]) and no transcript",
		v.ID, len(v.CaptionTracks), min(choices, maxTrackAttempts))
}

// fetchTrack downloads one caption track as json3 and parses it. A track
// without usable text gives errNoText, so the caller tries the next;
// faults worth retrying the whole fetch give other errors.
func (c *Client) fetchTrack(ctx context.Context, hc *http.Client, id string, ch choice) ([]recap.Segment, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, trackURL(ch.track.BaseURL, ch.tlang), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: bad caption track URL: %v", errNoText, err)
	}
	req.Header.Set("User-Agent", browserUA)
	resp, err := hc.Do(req)
	if errors.Is(err, ErrForeignHost) {
		return nil, fmt.Errorf("%w: %w", errNoText, err)
	}
	if err != nil {
		return nil, fmt.Errorf("youtube: fetch captions of video %s: %w", id, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, recap.Errorf(recap.EBLOCKED, "YouTube is rate-limiting requests (HTTP 429) for the captions of video %s; try again later", id)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("youtube: fetch captions of video %s: HTTP %d", id, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: HTTP %d", errNoText, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("youtube: read captions of video %s: %w", id, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("%w: caption track over %d bytes", errNoText, maxBody)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, fmt.Errorf("%w: empty body", errNoText)
	}
	segs, err := subtitles.Parse(body, subtitles.FormatJSON3)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoText, err)
	}
	segs = tidy(segs)
	if !recap.SegmentsHaveWords(segs) {
		return nil, fmt.Errorf("%w: only sound cues", errNoText)
	}
	return segs, nil
}

// panelLanguage picks the language to ask the transcript panel for.
// kkdai encodes the language in a fixed two-letter field, so only
// two-letter base languages can be asked for; the panel cannot translate,
// so lang is asked for only when a track (or no track list at all)
// suggests YouTube has it.
func panelLanguage(tracks []kkdai.CaptionTrack, lang string) (plang string, ok bool) {
	pick := recap.BaseLanguage(lang)
	if len(tracks) > 0 {
		// The best track in lang if there is one, else a creator's track.
		pick = recap.BaseLanguage(chooseTracks(tracks, lang)[0].track.LanguageCode)
	}
	if len(pick) != 2 {
		return "", false
	}
	return pick, true
}

// panelTranscript asks innertube's get_transcript through kkdai.
func panelTranscript(ctx context.Context, kc *kkdai.Client, v *kkdai.Video, lang string) ([]recap.Segment, error) {
	tr, err := kc.GetTranscriptCtx(ctx, v, lang)
	var code kkdai.ErrUnexpectedStatusCode
	switch {
	case err == nil:
	case errors.Is(err, kkdai.ErrTranscriptDisabled):
		return nil, fmt.Errorf("%w: transcript disabled", errNoText)
	case errors.As(err, &code) && int(code) == http.StatusTooManyRequests:
		return nil, recap.WrapError(recap.EBLOCKED, err, "YouTube is rate-limiting requests (HTTP 429) for the transcript of video %s; try again later", v.ID)
	case errors.As(err, &code) && (int(code) == http.StatusBadRequest || int(code) == http.StatusNotFound):
		// YouTube answers 400 FAILED_PRECONDITION for a video without a
		// transcript.
		return nil, fmt.Errorf("%w: %v", errNoText, err)
	case errors.As(err, &code), isTransportError(err), ctx.Err() != nil:
		return nil, fmt.Errorf("youtube: fetch transcript of video %s: %w", v.ID, err)
	default:
		// An answer kkdai cannot read (e.g. the web client's form).
		return nil, fmt.Errorf("%w: %v", errNoText, err)
	}
	segs := make([]recap.Segment, 0, len(tr))
	for _, s := range tr {
		start := time.Duration(s.StartMs) * time.Millisecond
		segs = append(segs, recap.Segment{
			Start: start,
			End:   start + time.Duration(s.Duration)*time.Millisecond,
			Text:  html.UnescapeString(s.Text),
		})
	}
	segs = tidy(segs)
	if !recap.SegmentsHaveWords(segs) {
		return nil, fmt.Errorf("%w: transcript without words", errNoText)
	}
	return segs, nil
}

// tidy collapses whitespace, drops empty segments, orders segments by
// start and clamps each end to the next start, so segments never overlap
// (automatic captions keep a line on screen while the next is spoken).
// Start times are kept exactly as YouTube gave them.
func tidy(segs []recap.Segment) []recap.Segment {
	out := segs[:0]
	for _, s := range segs {
		s.Text = strings.Join(strings.Fields(s.Text), " ")
		if s.Text == "" {
			continue
		}
		s.End = max(s.End, s.Start)
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b recap.Segment) int { return cmp.Compare(a.Start, b.Start) })
	for i := 0; i+1 < len(out); i++ {
		if out[i].End > out[i+1].Start {
			out[i].End = out[i+1].Start
		}
	}
	return out
}
