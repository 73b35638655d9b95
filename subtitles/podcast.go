package subtitles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// podcastJSON is the Podcasting 2.0 JSON transcript.
type podcastJSON struct {
	Version  string `json:"version"`
	Segments *[]struct {
		Speaker   string       `json:"speaker"`
		StartTime *flexSeconds `json:"startTime"`
		EndTime   *flexSeconds `json:"endTime"`
		Body      string       `json:"body"`
	} `json:"segments"`
}

// flexSeconds is a time in seconds written as a JSON number or, by some
// producers, as a numeric string.
type flexSeconds float64

func (f *flexSeconds) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number of seconds", b)
	}
	*f = flexSeconds(v)
	return nil
}

// Merging word-level segments: producers write one segment per word (the
// spec's own example) or per sentence. Words are joined into one cue until
// a sentence ends, the speaker changes, there is a pause, or the cue grows
// long; sentence-level segments stay as they are.
const (
	mergeMaxGap   = 1500 * time.Millisecond
	mergeMaxSpan  = 15 * time.Second
	mergeMaxRunes = 300
)

func parsePodcastJSON(data []byte) ([]cue, error) {
	var doc podcastJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(FormatPodcastJSON, data, err)
	}
	if doc.Segments == nil {
		return nil, syntaxErrorf(FormatPodcastJSON, 0, `no "segments" array, expected {"version": "1.0.0", "segments": [{"speaker", "startTime", "endTime", "body"}]}`)
	}
	var cues []cue
	var words []string
	open := false
	var cur cue
	flush := func() {
		if open {
			cur.lines = []string{strings.Join(words, " ")}
			cur.fresh = true
			cues = append(cues, cur)
		}
		open, words = false, nil
	}
	for i, sg := range *doc.Segments {
		if sg.StartTime == nil {
			return nil, syntaxErrorf(FormatPodcastJSON, 0, "segment %d has no startTime, expected seconds from the start", i)
		}
		start, ok := secondsDuration(float64(*sg.StartTime))
		if !ok {
			return nil, syntaxErrorf(FormatPodcastJSON, 0, "segment %d: startTime %v is not a time, expected seconds from 0", i, float64(*sg.StartTime))
		}
		end := start
		if sg.EndTime != nil {
			if end, ok = secondsDuration(float64(*sg.EndTime)); !ok {
				return nil, syntaxErrorf(FormatPodcastJSON, 0, "segment %d: endTime %v is not a time, expected seconds from 0", i, float64(*sg.EndTime))
			}
			end = max(end, start)
		}
		text := cleanDecoded(sg.Body)
		if text == "" {
			continue
		}
		speaker := collapse(sg.Speaker)
		if open && (speaker != cur.speaker || start-cur.end > mergeMaxGap || end-cur.start > mergeMaxSpan ||
			endsSentence(words[len(words)-1]) || utf8.RuneCountInString(strings.Join(words, " "))+len(text) > mergeMaxRunes) {
			flush()
		}
		if !open {
			cur = cue{start: start, end: end, speaker: speaker}
			open = true
		}
		words = append(words, text)
		cur.end = max(cur.end, end)
	}
	flush()
	return cues, nil
}

// endsSentence reports whether text ends a sentence.
func endsSentence(text string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text, `"'”’)]`))
	return strings.ContainsRune(".?!…。？！", r)
}

// secondsDuration converts seconds to a duration, refusing negative,
// non-finite and absurdly large values.
func secondsDuration(s float64) (time.Duration, bool) {
	return msDuration(s * 1000)
}

// parseHTML reads the Podcasting 2.0 HTML transcript: blocks of an
// optional <cite>speaker</cite>, an optional <time>0:09</time> and a
// <p>text</p>, in any nesting (cite and time inside the p work too). A
// block without a time starts where the one before it did; a file without
// any time is refused, because its text could not be placed in the
// episode.
func parseHTML(data []byte) ([]cue, error) {
	z := html.NewTokenizer(bytes.NewReader(data))
	var (
		cues              []cue
		speaker, stamp    strings.Builder
		body              strings.Builder
		inCite, inTime    int
		inP, skip         int
		last              time.Duration
		haveTime, anyTime bool
		curSpeaker        string
	)
	emit := func() {
		text := collapse(body.String())
		body.Reset()
		if text == "" {
			return
		}
		cues = append(cues, cue{start: last, end: last, lines: []string{text}, fresh: true, speaker: curSpeaker})
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				return nil, &SyntaxError{Format: FormatHTML, Msg: "cannot read HTML: " + z.Err().Error(), Err: z.Err()}
			}
			emit()
			if !anyTime && len(cues) > 0 {
				return nil, syntaxErrorf(FormatHTML, 0, "no <time> element: an HTML transcript needs start times (<time>0:09</time>) to be placed in the episode")
			}
			// A block ends where the next one starts.
			for i := range cues {
				if i+1 < len(cues) {
					cues[i].end = max(cues[i].start, cues[i+1].start)
				}
			}
			return cues, nil
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			delta := 1
			if tt == html.EndTagToken {
				delta = -1
			}
			switch a {
			case atom.Script, atom.Style, atom.Head:
				skip = max(skip+delta, 0)
			case atom.Cite:
				if delta > 0 {
					emit()
					speaker.Reset()
				} else {
					curSpeaker = strings.TrimRight(collapse(speaker.String()), ": ")
				}
				inCite = max(inCite+delta, 0)
			case atom.Time:
				if delta > 0 {
					emit()
					stamp.Reset()
					haveTime = false
					for {
						k, v, more := z.TagAttr()
						if string(k) == "datetime" {
							if d, ok := transcriptClock(string(v)); ok {
								last, haveTime, anyTime = d, true, true
							}
						}
						if !more {
							break
						}
					}
				} else if !haveTime {
					if d, ok := transcriptClock(collapse(stamp.String())); ok {
						last, anyTime = d, true
					}
				}
				inTime = max(inTime+delta, 0)
			case atom.P:
				if delta < 0 {
					emit()
				}
				inP = max(inP+delta, 0)
			case atom.Br:
				body.WriteByte(' ')
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := string(z.Text()) // already unescaped
			switch {
			case inCite > 0:
				speaker.WriteString(text)
			case inTime > 0:
				stamp.WriteString(text)
			case inP > 0:
				body.WriteString(text)
			}
		}
	}
}

// transcriptClock reads a start time as HTML transcripts write it:
// "0:09", "01:02:03", "1:02:03.5", "9.5" seconds, or an ISO 8601
// duration in datetime="PT1M2S".
func transcriptClock(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if d, ok := parseClock(s); ok {
		return d, true
	}
	if strings.HasPrefix(s, "PT") {
		if d, err := time.ParseDuration(strings.ToLower(s[2:])); err == nil && d >= 0 {
			return d, true
		}
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return secondsDuration(v)
	}
	return 0, false
}
