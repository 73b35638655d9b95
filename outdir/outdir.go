// Package outdir writes a batch's summaries to a folder: one file per
// finished item, named <date>-<slug>-<id>.<ext>, and an index.md linking
// them in source order. Every file is written atomically, and the index
// is rewritten whole from what the caller knows, so the folder is correct
// again after an interrupted run is resumed.
package outdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/atomicfile"
	"github.com/recap-dev/recap/render"
)

// Naming.
const (
	// IndexName is the index file's name.
	IndexName = "index.md"
	// UnknownDate stands for the date of an item whose publication date is
	// unknown, so that such files sort after dated ones.
	UnknownDate = "undated"
	// MaxSlug is the most bytes of a slug; MaxID of the id part.
	MaxSlug = 60
	MaxID   = 64
)

// Dir is an output folder and the format of its summaries.
type Dir struct {
	Path   string
	Format string // render.FormatMarkdown, FormatJSON or FormatHTML
}

// New makes the folder (and its parents) when missing, checks that it can
// be written to, and removes what a killed run left half-written.
func New(path, format string) (*Dir, error) {
	if strings.TrimSpace(path) == "" {
		return nil, recap.Errorf(recap.EINVALID, "no output folder given")
	}
	f, err := render.ParseFormat(format)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "output folder %s: %v", path, err)
	}
	probe, err := os.CreateTemp(path, ".recap-probe-*")
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "output folder %s cannot be written to: %v", path, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	// A run killed mid-write left its temporary file.
	if err := atomicfile.RemoveTemp(path); err != nil {
		return nil, fmt.Errorf("output folder %s: %w", path, err)
	}
	return &Dir{Path: path, Format: f}, nil
}

// FileName is the name of a document's file in format: its publication
// date (or UnknownDate), a slug of its title and its id.
func FileName(doc *recap.Document, format string) string {
	return fmt.Sprintf("%s-%s-%s.%s", Date(doc.Video.PublishedAt), Slug(doc.Video.Title), safeID(doc.Video.ID), format)
}

// Date is the YYYY-MM-DD date a published_at value starts with, or
// UnknownDate.
func Date(published string) string {
	if len(published) >= len(time.DateOnly) {
		if t, err := time.Parse(time.DateOnly, published[:len(time.DateOnly)]); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return UnknownDate
}

// foldASCII takes accents off letters ("Café" → "Cafe").
var foldASCII = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// Slug is title in lower-case ASCII letters and digits joined by single
// dashes, at most MaxSlug bytes, cut at a dash when it can be; "untitled"
// when nothing is left (a title in another script).
func Slug(title string) string {
	folded, _, err := transform.String(foldASCII, title)
	if err != nil {
		folded = title
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(folded) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > MaxSlug {
		s = s[:MaxSlug]
		if i := strings.LastIndexByte(s, '-'); i >= MaxSlug/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	if s == "" {
		return "untitled"
	}
	return s
}

// safeID keeps an id to the characters a file name can always hold
// (YouTube's and recap's ids already are).
func safeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= MaxID {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "noid"
	}
	return b.String()
}

// Write writes a document's rendering (data, in d.Format) to its file and
// returns the file's name.
func (d *Dir) Write(doc *recap.Document, data []byte) (string, error) {
	name := FileName(doc, d.Format)
	if err := atomicfile.Write(filepath.Join(d.Path, name), data); err != nil {
		return "", err
	}
	return name, nil
}

// WriteIndex rewrites index.md with the entries, in source order.
func (d *Dir) WriteIndex(title string, entries []render.IndexEntry) error {
	path := filepath.Join(d.Path, IndexName)
	return atomicfile.Write(path, []byte(render.Index(title, entries)))
}
