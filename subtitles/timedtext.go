package subtitles

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// parseTimedText parses YouTube's timedtext XML. The root element tells the
// variants apart, so a caller that asked for "srv3" but got srv1 (or said
// just "xml") is still served:
//
//	srv1: <transcript><text start="1.5" dur="2.25">It&amp;#39;s</text>
//	srv2: <timedtext><text t="1500" d="2250">…</text>
//	srv3: <timedtext format="3"><body><p t="1500" d="2250">It's<s t="300"> me</s></p>
func parseTimedText(data []byte, format string) ([]cue, error) {
	d := newXMLDecoder(data)
	root, err := rootElement(d, format)
	if err != nil {
		return nil, err
	}
	// isCaption tells the elements that hold one caption each.
	var isCaption func(name string) bool
	var seconds bool // srv1 times are seconds, srv2 and srv3 milliseconds
	var startAttr, durAttr string
	switch root.Name.Local {
	case "transcript":
		isCaption = func(name string) bool { return name == "text" }
		seconds, startAttr, durAttr = true, "start", "dur"
	case "timedtext":
		// srv3 uses <p>, srv2 <text>; neither uses the other's.
		isCaption = func(name string) bool { return name == "p" || name == "text" }
		startAttr, durAttr = "t", "d"
	default:
		return nil, syntaxErrorf(format, line(d), "root element <%s>, expected <transcript> (srv1) or <timedtext> (srv3)", root.Name.Local)
	}
	var cues []cue
	appends := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(d, format, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || !isCaption(se.Name.Local) {
			continue
		}
		if v, _ := attr(se, "a"); v == "1" {
			appends = true
		}
		at := line(d)
		start, err := timedTextTime(se, startAttr, seconds, true)
		if err != nil {
			return nil, syntaxErrorf(format, at, "<%s>: %v", se.Name.Local, err)
		}
		dur, err := timedTextTime(se, durAttr, seconds, false)
		if err != nil {
			return nil, syntaxErrorf(format, at, "<%s>: %v", se.Name.Local, err)
		}
		text, err := elementText(d, format)
		if err != nil {
			return nil, err
		}
		cues = append(cues, newCue(start, start+dur, strings.Split(text, "\n"), cleanDecoded))
	}
	if appends {
		markFresh(cues)
	}
	return cues, nil
}

// timedTextTime reads a time attribute: seconds with a fraction in srv1,
// whole milliseconds in srv2/srv3. A missing attribute is an error only
// when required.
func timedTextTime(se xml.StartElement, name string, seconds, required bool) (time.Duration, error) {
	v, ok := attr(se, name)
	if !ok {
		if required {
			return 0, fmt.Errorf("missing the %s attribute", name)
		}
		return 0, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	unit := "milliseconds"
	if seconds {
		unit = "seconds"
		f *= 1000
	}
	d, ok := msDuration(f)
	if err != nil || !ok {
		return 0, fmt.Errorf("%s=%q is not a time, expected %s from 0", name, v, unit)
	}
	return d, nil
}
