package youtubetest

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// json3 renders segments the way /api/timedtext?fmt=json3 does. Manual
// tracks get one event per cue (long cues broken over two lines); ASR
// tracks get YouTube's word-timed form: a window event without segs,
// word segs with tOffsetMs, cues that stay on screen into the next one,
// and newline-only "aAppend" events between lines. Readers must skip the
// window and newline events and clamp overlapping ends to get the cues
// back exactly.
func json3(segs []recap.Segment, asr bool, total time.Duration) map[string]any {
	var events []any
	if asr {
		events = append(events, map[string]any{
			"tStartMs": 0, "dDurationMs": total.Milliseconds(),
			"id": 1, "wpWinPosId": 1, "wsWinStyleId": 1,
		})
	}
	for i, s := range segs {
		start := s.Start.Milliseconds()
		dur := (s.End - s.Start).Milliseconds()
		if !asr {
			events = append(events, map[string]any{
				"tStartMs": start, "dDurationMs": dur,
				"segs": []any{map[string]any{"utf8": twoLines(s.Text)}},
			})
			continue
		}
		contiguous := i+1 < len(segs) && segs[i+1].Start == s.End
		if contiguous {
			// ASR lines stay up while the next one is spoken.
			dur += (segs[i+1].End - segs[i+1].Start).Milliseconds()
		}
		events = append(events, map[string]any{
			"tStartMs": start, "dDurationMs": dur, "wWinId": 1,
			"segs": wordSegs(s),
		})
		if contiguous {
			events = append(events, map[string]any{
				"tStartMs": s.End.Milliseconds() - 1, "dDurationMs": 1, "wWinId": 1,
				"aAppend": 1, "segs": []any{map[string]any{"utf8": "\n"}},
			})
		}
	}
	doc := map[string]any{
		"wireMagic":      "pb3",
		"pens":           []any{map[string]any{}},
		"wsWinStyles":    []any{map[string]any{}, map[string]any{"mhModeHint": 2, "juJustifCode": 0, "sdScrollDir": 3}},
		"wpWinPositions": []any{map[string]any{}, map[string]any{"apPoint": 6, "ahHorPos": 20, "avVerPos": 100, "rcRows": 2, "ccCols": 40}},
		"events":         events,
	}
	return doc
}

// twoLines breaks a long cue over two lines, as uploaded captions are.
func twoLines(text string) string {
	words := strings.Fields(text)
	if len(words) < 8 {
		return text
	}
	half := len(words) / 2
	return strings.Join(words[:half], " ") + "\n" + strings.Join(words[half:], " ")
}

// wordSegs splits an ASR cue into word segs timed within the cue.
func wordSegs(s recap.Segment) []any {
	words := strings.Fields(s.Text)
	if len(words) == 0 {
		return []any{map[string]any{"utf8": s.Text}}
	}
	step := (s.End - s.Start).Milliseconds() / int64(len(words))
	out := make([]any, len(words))
	for i, w := range words {
		seg := map[string]any{"utf8": w, "acAsrConf": 0}
		if i > 0 {
			seg["utf8"] = " " + w
			seg["tOffsetMs"] = int64(i) * step
		}
		out[i] = seg
	}
	return out
}

// srv1 renders segments in timedtext's default XML form.
func srv1(segs []recap.Segment) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8" ?><transcript>`)
	for _, s := range segs {
		fmt.Fprintf(&b, `<text start="%s" dur="%s">%s</text>`,
			secs(s.Start), secs(s.End-s.Start), html.EscapeString(s.Text))
	}
	b.WriteString(`</transcript>`)
	return b.String()
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// transcriptResponse is the get_transcript answer in the Android
// "elementsCommand" form kkdai parses.
func transcriptResponse(segs []recap.Segment) map[string]any {
	initial := make([]any, len(segs))
	for i, s := range segs {
		initial[i] = map[string]any{"transcriptSegmentRenderer": map[string]any{
			"startMs":       strconv.FormatInt(s.Start.Milliseconds(), 10),
			"endMs":         strconv.FormatInt(s.End.Milliseconds(), 10),
			"snippet":       map[string]any{"elementsAttributedString": map[string]any{"content": s.Text}},
			"startTimeText": map[string]any{"elementsAttributedString": map[string]any{"content": recap.Timestamp(s.Start)}},
		}}
	}
	return map[string]any{
		"responseContext": map[string]any{"visitorData": visitorData},
		"actions": []any{map[string]any{
			"clickTrackingParams": "CAAQw7wCIhMIfake",
			"elementsCommand": map[string]any{"transformEntityCommand": map[string]any{
				"arguments": map[string]any{"transformTranscriptSegmentListArguments": map[string]any{
					"overwrite": map[string]any{"initialSegments": initial},
				}},
			}},
		}},
	}
}

// translate marks every segment's text as translated into lang.
func translate(segs []recap.Segment, lang string) []recap.Segment {
	out := make([]recap.Segment, len(segs))
	for i, s := range segs {
		s.Text = Translated(s.Text, lang)
		out[i] = s
	}
	return out
}
