// Package render writes a summary document as JSON, Markdown or a
// standalone HTML page.
package render

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"

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

// Write renders doc to w in the format. Every format shows the document's
// text cleaned of control characters (recap.Document.Cleaned).
func Write(w io.Writer, doc *recap.Document, format string) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc.Cleaned())
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

// Timestamp writes a document's seconds as recap.Timestamp does.
func Timestamp(s int64) string { return recap.Timestamp(time.Duration(s) * time.Second) }

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
