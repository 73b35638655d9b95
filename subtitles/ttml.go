package subtitles

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseTTML parses TTML/DFXP: <tt><body><div><p begin="…" end="…">. Times
// of <p> are relative to the begin of their enclosing body and div, as in
// TTML's default parallel timing; <span> and <br/> inside a <p> are
// flattened into its text.
func parseTTML(data []byte) ([]cue, error) {
	d := newXMLDecoder(data)
	root, err := rootElement(d, FormatTTML)
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "tt" {
		return nil, syntaxErrorf(FormatTTML, line(d), "root element <%s>, expected <tt>", root.Name.Local)
	}
	rates := ttmlRates{frame: 30, tick: 1}
	if v, ok := attr(root, "frameRate"); ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			rates.frame, rates.tick = f, f
		}
	}
	if v, ok := attr(root, "tickRate"); ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			rates.tick = f
		}
	}
	// offsets[i] is the begin time of the i-th open element, from the start.
	offsets := []time.Duration{0}
	var cues []cue
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(d, FormatTTML, err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if len(offsets) > 1 {
				offsets = offsets[:len(offsets)-1]
			}
		case xml.StartElement:
			at := line(d)
			base := offsets[len(offsets)-1]
			begin, hasBegin, err := rates.attrTime(t, "begin")
			if err != nil {
				return nil, syntaxErrorf(FormatTTML, at, "<%s>: %v", t.Name.Local, err)
			}
			if t.Name.Local != "p" {
				offsets = append(offsets, base+begin)
				continue
			}
			if !hasBegin {
				return nil, syntaxErrorf(FormatTTML, at, "<p> without a begin attribute")
			}
			start, end := base+begin, base+begin
			if e, ok, err := rates.attrTime(t, "end"); err != nil {
				return nil, syntaxErrorf(FormatTTML, at, "<p>: %v", err)
			} else if ok {
				end = base + e
			} else if dur, ok, err := rates.attrTime(t, "dur"); err != nil {
				return nil, syntaxErrorf(FormatTTML, at, "<p>: %v", err)
			} else if ok {
				end = start + dur
			}
			if end < start {
				return nil, syntaxErrorf(FormatTTML, at, "<p> ends at %v, before it begins at %v", end, start)
			}
			text, err := elementText(d, FormatTTML)
			if err != nil {
				return nil, err
			}
			cues = append(cues, newCue(start, end, strings.Split(text, "\n"), cleanDecoded))
		}
	}
	return cues, nil
}

// ttmlRates are the document's frame and tick rates, which give frame
// ("12f", "00:00:01:12") and tick ("10000000t") times their length.
type ttmlRates struct{ frame, tick float64 }

func (r ttmlRates) attrTime(se xml.StartElement, name string) (time.Duration, bool, error) {
	v, ok := attr(se, name)
	if !ok {
		return 0, false, nil
	}
	d, ok := r.parse(strings.TrimSpace(v))
	if !ok {
		return 0, false, fmt.Errorf(`%s=%q is not a TTML time, expected "00:00:01.500" or "1.5s"`, name, v)
	}
	return d, true, nil
}

// parse reads a TTML time expression: a clock time ("hh:mm:ss.fff",
// "hh:mm:ss:ff") or an offset ("1.5s", "1500ms", "2m", "1h", "25f", "7t").
func (r ttmlRates) parse(s string) (time.Duration, bool) {
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) == 4 {
			base, ok := parseClock(strings.Join(parts[:3], ":"))
			frames, err := strconv.ParseFloat(parts[3], 64)
			if !ok || err != nil || math.IsNaN(frames) || frames < 0 || frames > 1e6 {
				return 0, false
			}
			return base + seconds(frames/r.frame), true
		}
		return parseClock(s)
	}
	num := strings.TrimRight(s, "hmsft")
	unit := s[len(num):]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || f < 0 || num == "" || strings.ContainsAny(num, "eE") {
		return 0, false
	}
	switch unit {
	case "h":
		f *= 3600
	case "m":
		f *= 60
	case "s":
	case "ms":
		f /= 1000
	case "f":
		f /= r.frame
	case "t":
		f /= r.tick
	default:
		return 0, false
	}
	if f*1000 > maxMs {
		return 0, false
	}
	return seconds(f), true
}

func seconds(f float64) time.Duration {
	return time.Duration(math.Round(f * float64(time.Second)))
}
