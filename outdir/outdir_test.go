package outdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Intro to Psychology: Crash Course Psychology #1", "intro-to-psychology-crash-course-psychology-1"},
		{"Café & Crème brûlée — Ça va?", "cafe-creme-brulee-ca-va"},
		{"  --Hello__World--  ", "hello-world"},
		{"東京の夜", "untitled"},
		{"", "untitled"},
		{"../../etc/passwd", "etc-passwd"},
		{strings.Repeat("word ", 30), "word-word-word-word-word-word-word-word-word-word-word-word"},
		{strings.Repeat("a", 100), strings.Repeat("a", MaxSlug)},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Slug(tc.in); len(got) > MaxSlug {
			t.Errorf("Slug(%q) is %d bytes", tc.in, len(got))
		}
	}
}

func TestFileName(t *testing.T) {
	doc := func(id, title, published string) *recap.Document {
		return &recap.Document{Video: recap.DocumentVideo{ID: id, Title: title, PublishedAt: published}}
	}
	for _, tc := range []struct {
		doc    *recap.Document
		format string
		want   string
	}{
		{doc("vo4pMVb0R6M", "Intro to Psychology", "2014-02-04"), "md", "2014-02-04-intro-to-psychology-vo4pMVb0R6M.md"},
		{doc("-abc_DEF123", "Tides", "2024-04-02T10:00:00Z"), "json", "2024-04-02-tides--abc_DEF123.json"},
		{doc("epABCDEFGHIJKL", "Rock pools", ""), "html", "undated-rock-pools-epABCDEFGHIJKL.html"},
		{doc("x/../y", "T", "not a date"), "md", "undated-t-x____y.md"},
		{doc("", "", ""), "md", "undated-untitled-noid.md"},
	} {
		if got := FileName(tc.doc, tc.format); got != tc.want {
			t.Errorf("FileName(%+v) = %q, want %q", tc.doc.Video, got, tc.want)
		}
	}
}

func TestWriteAndIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out", "nested")
	d, err := New(path, "markdown")
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != render.FormatMarkdown {
		t.Fatalf("format %q", d.Format)
	}
	doc := &recap.Document{Video: recap.DocumentVideo{ID: "aaaaaaaaaaa", Title: "Crabs", PublishedAt: "2024-01-02"}}
	name, err := d.Write(doc, []byte("# Crabs\n"))
	if err != nil || name != "2024-01-02-crabs-aaaaaaaaaaa.md" {
		t.Fatalf("Write = %q, %v", name, err)
	}
	if err := d.WriteIndex("Shore", []render.IndexEntry{{Title: "Crabs", ID: "aaaaaaaaaaa", File: name}}); err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(path, IndexName))
	if err != nil || !strings.Contains(string(idx), "[Crabs](<"+name+">)") {
		t.Fatalf("index = %q, %v", idx, err)
	}
	// Rewritten whole, not appended.
	if err := d.WriteIndex("Shore", nil); err != nil {
		t.Fatal(err)
	}
	if idx, _ := os.ReadFile(filepath.Join(path, IndexName)); strings.Contains(string(idx), "Crabs") {
		t.Fatalf("index kept an old entry: %q", idx)
	}

	if _, err := New(path, "pdf"); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("format pdf: %v; want invalid", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := New(file, "md"); recap.ErrorCode(err) != recap.EINVALID || !strings.Contains(err.Error(), file) {
		t.Errorf("a file as the folder: %v; want invalid naming it", err)
	}
}
