// Package subtitles parses caption and transcript files (WebVTT, SRT,
// YouTube json3, srv3, srv1 and TTML, and the Podcasting 2.0 JSON and HTML
// transcripts) into the ordered, clean transcript segments recap works on.
// It is the one owner of timed-text formats. Speaker names that a format
// carries (WebVTT <v> tags, podcast JSON "speaker", HTML <cite>, and with
// Options.SpeakerLabels an SRT cue's leading "Name:") are kept in
// recap.Segment.Speaker.
//
// Every format ends in the same place: each cue's text is stripped of tags,
// entities are decoded, whitespace is collapsed, empty cues are dropped, and
// the cues are ordered by start. YouTube's auto-generated captions repeat
// each line in the next cue ("rolling" captions); those repeats are removed
// so that every spoken word appears once, because recap sends each
// transcript token to the model exactly once.
package subtitles

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// Formats that Parse accepts.
const (
	FormatVTT   = "vtt"
	FormatSRT   = "srt"
	FormatJSON3 = "json3"
	FormatSRV3  = "srv3"
	FormatSRV1  = "srv1"
	FormatXML   = "xml" // YouTube timedtext XML, srv1 or srv3, told apart by its root element
	FormatTTML  = "ttml"
	// FormatPodcastJSON is the Podcasting 2.0 JSON transcript:
	// {"version", "segments": [{"speaker", "startTime", "endTime", "body"}]}.
	FormatPodcastJSON = "podcast-json"
	// FormatHTML is the Podcasting 2.0 HTML transcript: <cite>speaker</cite>
	// <time>0:09</time> <p>text</p>, repeated.
	FormatHTML = "html"
)

// Options tune ParseWith.
type Options struct {
	// SpeakerLabels reads a leading "Name:" on an SRT cue as its speaker,
	// as Podcasting 2.0 SRT transcripts write them; the name holds for the
	// following cues until another appears. Off for captions, where
	// "Note: …" is text.
	SpeakerLabels bool
}

// Parse parses a caption file in the given format ("vtt", "srt", "json3",
// "srv3", "srv1" or "xml" (YouTube timedtext), "ttml", "podcast-json",
// "html") into ordered segments. Input that is empty or only whitespace
// gives no segments and no error: it is a caption file without captions,
// which callers report as such. Input that does not parse gives a
// *SyntaxError.
func Parse(data []byte, format string) ([]recap.Segment, error) {
	return ParseWith(data, format, Options{})
}

// ParseWith is Parse with options.
func ParseWith(data []byte, format string, opt Options) ([]recap.Segment, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	var parse func([]byte) ([]cue, error)
	switch format {
	case FormatVTT, "webvtt":
		parse = parseVTT
	case FormatSRT:
		parse = parseSRT
		if opt.SpeakerLabels {
			parse = func(b []byte) ([]cue, error) {
				cues, err := parseSRT(b)
				labelSpeakers(cues)
				return cues, err
			}
		}
	case FormatPodcastJSON:
		parse = parsePodcastJSON
	case FormatHTML:
		parse = parseHTML
	case FormatJSON3:
		parse = parseJSON3
	case FormatSRV3, FormatSRV1, "srv2", FormatXML:
		parse = func(b []byte) ([]cue, error) { return parseTimedText(b, format) }
	case FormatTTML, "dfxp":
		parse = parseTTML
	default:
		return nil, fmt.Errorf("subtitles: unknown format %q, expected vtt, srt, json3, srv3, srv1, xml, ttml, podcast-json or html", format)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	cues, err := parse(data)
	if err != nil {
		return nil, err
	}
	return segments(cues), nil
}

// FormatFromExt maps a file name or extension (".en.vtt" → "vtt",
// "talk.en-US.srt" → "srt") to a format Parse accepts, "" when unknown.
func FormatFromExt(name string) string {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if ext == "" {
		// A bare extension without its dot: "vtt".
		ext = strings.ToLower(name)
	}
	switch ext {
	case "vtt", "webvtt":
		return FormatVTT
	case "srt":
		return FormatSRT
	case "json3":
		return FormatJSON3
	case "srv3":
		return FormatSRV3
	case "srv1":
		return FormatSRV1
	case "xml":
		return FormatXML
	case "ttml", "dfxp":
		return FormatTTML
	}
	return ""
}

// FormatFromMIME maps the MIME type of a transcript file (as a
// <podcast:transcript type="…"> gives it) to a format Parse accepts, ""
// for types without timings (text/plain) or unknown ones.
func FormatFromMIME(mime string) string {
	mime, _, _ = strings.Cut(mime, ";")
	switch strings.ToLower(strings.TrimSpace(mime)) {
	case "text/vtt", "text/webvtt":
		return FormatVTT
	case "application/x-subrip", "application/srt", "application/x-srt", "text/srt", "text/x-srt", "text/x-subrip":
		return FormatSRT
	case "application/json", "text/json", "application/transcript+json", "application/json+transcript":
		return FormatPodcastJSON
	case "text/html", "application/xhtml+xml":
		return FormatHTML
	}
	return ""
}

// SyntaxError is a caption file that does not parse. Line is 1-based, 0
// when the position is unknown.
type SyntaxError struct {
	Format string
	Line   int
	Msg    string
	Err    error // the underlying decoder error, if any
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s", e.Format, e.Line, e.Msg)
	}
	return e.Format + ": " + e.Msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

func syntaxErrorf(format string, line int, msg string, args ...any) *SyntaxError {
	return &SyntaxError{Format: format, Line: line, Msg: fmt.Sprintf(msg, args...)}
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// cue is one timed caption as a format gives it, before de-duplication.
// lines are its displayed lines, already cleaned; empty lines are dropped.
type cue struct {
	start, end time.Duration
	lines      []string
	// fresh says the cue repeats nothing from the cue before it. It is set
	// when the cue's first row is blank and a later one is not (YouTube's
	// rolling VTT opens a new caption window that way), and on every cue of
	// a track that marks continued rows explicitly instead of repeating
	// them (json3 "aAppend", srv3 a="1": YouTube's automatic captions in
	// those formats).
	fresh bool
	// speaker is who says it, "" when the format does not say.
	speaker string
}

// newCue builds a cue from raw lines, cleaning each with clean and keeping
// the non-empty ones.
func newCue(start, end time.Duration, raw []string, clean func(string) string) cue {
	c := cue{start: start, end: end}
	for i, r := range raw {
		t := clean(r)
		if t == "" {
			continue
		}
		if i > 0 && len(c.lines) == 0 {
			c.fresh = true
		}
		c.lines = append(c.lines, t)
	}
	return c
}

// segments orders cues by start, removes rolling repeats and turns what is
// left into segments.
func segments(cues []cue) []recap.Segment {
	slices.SortStableFunc(cues, func(a, b cue) int {
		if a.start < b.start {
			return -1
		}
		if a.start > b.start {
			return 1
		}
		return 0
	})
	cues = dedupeRolling(cues)
	var segs []recap.Segment
	for _, c := range cues {
		text := strings.Join(c.lines, " ")
		if text == "" {
			continue
		}
		end := max(c.end, c.start)
		segs = append(segs, recap.Segment{Start: c.start, End: end, Text: text, Speaker: c.speaker})
	}
	return segs
}
