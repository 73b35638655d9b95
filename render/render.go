// Package render writes a summary document as JSON, Markdown or a
// standalone HTML page.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/recap-dev/recap"
)

// Formats.
const (
	FormatJSON     = "json"
	FormatMarkdown = "md"
	FormatHTML     = "html"
)

// ParseFormat checks a --format or ?format= value. "markdown" is taken
// for "md".
func ParseFormat(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "json":
		return FormatJSON, nil
	case "md", "markdown":
		return FormatMarkdown, nil
	case "html":
		return FormatHTML, nil
	}
	return "", recap.Errorf(recap.EINVALID, "unknown format %q: expected md, json or html", s)
}

// ContentType is the HTTP content type of a format.
func ContentType(format string) string {
	switch format {
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	}
	return "application/json"
}

// Write renders doc to w in the format.
func Write(w io.Writer, doc *recap.Document, format string) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	case FormatMarkdown:
		_, err := io.WriteString(w, Markdown(doc))
		return err
	case FormatHTML:
		return HTML(w, doc)
	}
	return recap.Errorf(recap.EINVALID, "unknown format %q: expected md, json or html", format)
}

// Bytes renders doc in the format.
func Bytes(doc *recap.Document, format string) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, doc, format); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Timestamp writes seconds as m:ss or h:mm:ss, the way YouTube does.
func Timestamp(s int64) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// linkLabel names the link to the video: a podcast episode is listened to,
// a download from another site opened, anything else watched on YouTube.
func linkLabel(v recap.DocumentVideo) string {
	switch {
	case v.Source == recap.SourcePodcast:
		return "Listen to the episode"
	case v.Source == recap.SourceFile && !strings.HasPrefix(v.URL, recap.WatchURL("")):
		return "Open the original"
	}
	return "Watch on YouTube"
}
