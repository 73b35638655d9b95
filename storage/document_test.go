package storage

import (
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestEncodeDocument(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	j := &Job{ID: "j1", VideoID: "vid"}
	doc := &recap.Document{ID: "j1", Language: "en",
		Generator: recap.Generator{Summarizer: "llm", Model: "m", PromptVersion: "p1"}}

	r, err := EncodeDocument(j, doc, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "j1" || r.VideoID != "vid" || r.Language != "en" || r.Summarizer != "llm" || r.Model != "m" ||
		r.PromptVersion != "p1" || !r.CreatedAt.Equal(now) {
		t.Errorf("row = %+v; want the document's key, the job's video and now", r)
	}
	if !doc.CreatedAt.IsZero() || doc.Video.ID != "" {
		t.Errorf("EncodeDocument changed its argument: %+v", doc)
	}
	back, err := DecodeDocument(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != "j1" || !back.CreatedAt.Equal(now) || back.Generator != doc.Generator {
		t.Errorf("decoded body = %+v; want the document with CreatedAt now", back)
	}

	// The document's own time wins, in UTC; the column is cut to microseconds.
	own := time.Date(2024, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", -7200))
	doc.CreatedAt = own
	if r, err = EncodeDocument(j, doc, now); err != nil {
		t.Fatal(err)
	}
	if want := own.UTC().Truncate(time.Microsecond); r.CreatedAt != want {
		t.Errorf("row CreatedAt = %v; want %v", r.CreatedAt, want)
	}

	doc.Video.ID = "other"
	if _, err := EncodeDocument(j, doc, now); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("EncodeDocument of another video's document: %v; want invalid", err)
	}
}

func TestDecodeDocumentCorrupt(t *testing.T) {
	if d, err := DecodeDocument([]byte(`{"id": `)); err == nil {
		t.Errorf("DecodeDocument of broken JSON = %+v; want an error", d)
	}
}
