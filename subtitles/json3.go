package subtitles

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// json3Doc is YouTube's timedtext "json3" format. Events without segs
// define caption windows and carry no text.
type json3Doc struct {
	Events *[]json3Event `json:"events"`
}

type json3Event struct {
	TStartMs    float64  `json:"tStartMs"`
	DDurationMs *float64 `json:"dDurationMs"`
	// AAppend marks an event that continues the previous event's window
	// (in automatic captions usually just a "\n" seg that starts a new row).
	AAppend int `json:"aAppend"`
	Segs    []struct {
		UTF8 string `json:"utf8"`
	} `json:"segs"`
}

// maxMs bounds times so that converting them to time.Duration cannot
// overflow: about 31 years.
const maxMs = 1e12

func parseJSON3(data []byte) ([]cue, error) {
	var doc json3Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(FormatJSON3, data, err)
	}
	if doc.Events == nil {
		return nil, syntaxErrorf(FormatJSON3, 0, `no "events" array, expected {"events": [{"tStartMs": …, "segs": [{"utf8": …}]}]}`)
	}
	var cues []cue
	appends := false
	for i, ev := range *doc.Events {
		if ev.AAppend != 0 {
			appends = true
		}
		if len(ev.Segs) == 0 {
			continue
		}
		var text strings.Builder
		for _, s := range ev.Segs {
			text.WriteString(s.UTF8)
		}
		if strings.TrimSpace(text.String()) == "" {
			// Newline-only segs (often aAppend events) only move the
			// caption to a new row.
			continue
		}
		start, ok := msDuration(ev.TStartMs)
		if !ok {
			return nil, syntaxErrorf(FormatJSON3, 0, "event %d: tStartMs %v is not a time, expected milliseconds from 0", i, ev.TStartMs)
		}
		end := start
		if ev.DDurationMs != nil {
			d, ok := msDuration(*ev.DDurationMs)
			if !ok {
				return nil, syntaxErrorf(FormatJSON3, 0, "event %d: dDurationMs %v is not a duration, expected milliseconds from 0", i, *ev.DDurationMs)
			}
			end = start + d
		}
		cues = append(cues, newCue(start, end, strings.Split(text.String(), "\n"), cleanDecoded))
	}
	if appends {
		markFresh(cues)
	}
	return cues, nil
}

// msDuration converts milliseconds to a duration, refusing negative,
// non-finite and absurdly large values.
func msDuration(ms float64) (time.Duration, bool) {
	if math.IsNaN(ms) || ms < 0 || ms > maxMs {
		return 0, false
	}
	return time.Duration(math.Round(ms * float64(time.Millisecond))), true
}

// jsonError turns a decoding error into a *SyntaxError with the line it
// happened on.
func jsonError(format string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &SyntaxError{Format: format, Line: lineAt(data, syn.Offset), Msg: "invalid JSON: " + syn.Error(), Err: err}
	case errors.As(err, &typ):
		msg := "unexpected JSON " + typ.Value
		if typ.Field != "" {
			msg += " in " + typ.Field
		}
		return &SyntaxError{Format: format, Line: lineAt(data, typ.Offset), Msg: msg + ", expected " + typ.Type.String(), Err: err}
	}
	return &SyntaxError{Format: format, Msg: "invalid JSON: " + err.Error(), Err: err}
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}
