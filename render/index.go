package render

import (
	"fmt"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/textclean"
)

// IndexEntry is one item of a batch, as Index lists it.
type IndexEntry struct {
	// Title and ID name the item; the title is untrusted text.
	Title string
	ID    string
	// Published is the date (YYYY-MM-DD), "" when unknown;
	// DurationSeconds 0 when unknown.
	Published       string
	DurationSeconds int64
	// File is the summary's file, relative to the index; "" when the item
	// has none (yet).
	File string
	// Status and Reason say why an item without a file has none (failed,
	// skipped…); Reason is untrusted text.
	Status string
	Reason string
}

// Index renders the index of a batch's summaries as CommonMark: a heading
// with the batch's title, then one line per item in source order, linking
// its file, or saying why it has none. Titles and reasons are escaped as
// in Markdown.
func Index(title string, entries []IndexEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", escapeMarkdown(textclean.Line(titleOr(title, "recap batch"))))
	files := 0
	for _, e := range entries {
		if e.File != "" {
			files++
		}
	}
	fmt.Fprintf(&b, "%d of %s summarized.\n\n", files, recap.Count(len(entries), "item"))
	for _, e := range entries {
		name := escapeMarkdown(textclean.Line(titleOr(e.Title, e.ID)))
		var meta []string
		if e.Published != "" {
			meta = append(meta, escapeMarkdown(textclean.Line(e.Published)))
		}
		if e.DurationSeconds > 0 {
			meta = append(meta, Timestamp(e.DurationSeconds))
		}
		line := name
		if e.File != "" {
			line = fmt.Sprintf("[%s](<%s>)", name, e.File)
		}
		if len(meta) > 0 {
			line += " · " + strings.Join(meta, " · ")
		}
		if e.File == "" {
			why := e.Status
			if e.Reason != "" {
				why += ": " + textclean.Line(e.Reason)
			}
			if why != "" {
				line += " — " + escapeMarkdown(why)
			}
		}
		fmt.Fprintf(&b, "- %s\n", line)
	}
	return b.String()
}
