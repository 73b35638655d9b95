package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/recap-dev/recap"
)

// DocumentRow is a document as drivers store it: the columns FindDocument
// and LatestDocument select by, and the whole document as JSON.
type DocumentRow struct {
	ID            string
	VideoID       string
	Language      string
	Summarizer    string
	Model         string
	PromptVersion string
	Body          []byte // the document as JSON, for DecodeDocument
	// CreatedAt is the document's, UTC, truncated to the microsecond so
	// that the column orders documents as the stores keep time.
	CreatedAt time.Time
}

// EncodeDocument makes the row of doc, the product of job j, for FinishJob.
// The document keeps its own CreatedAt, in UTC; a zero one becomes now. A
// document without a video id is the job's video; one with another video
// is refused with recap.EINVALID. doc itself is not changed.
func EncodeDocument(j *Job, doc *recap.Document, now time.Time) (DocumentRow, error) {
	d := *doc
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	d.CreatedAt = d.CreatedAt.UTC()
	videoID := d.Video.ID
	if videoID == "" {
		videoID = j.VideoID
	} else if videoID != j.VideoID {
		return DocumentRow{}, recap.Errorf(recap.EINVALID,
			"finish job %s: document is for video %s; want the job's video %s", j.ID, videoID, j.VideoID)
	}
	body, err := json.Marshal(&d)
	if err != nil {
		return DocumentRow{}, fmt.Errorf("encode document: %w", err)
	}
	return DocumentRow{
		ID:            d.ID,
		VideoID:       videoID,
		Language:      d.Language,
		Summarizer:    d.Generator.Summarizer,
		Model:         d.Generator.Model,
		PromptVersion: d.Generator.PromptVersion,
		Body:          body,
		CreatedAt:     d.CreatedAt.Truncate(time.Microsecond),
	}, nil
}

// DecodeDocument reads a stored DocumentRow.Body back.
func DecodeDocument(body []byte) (*recap.Document, error) {
	var d recap.Document
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("decode stored document: %w", err)
	}
	return &d, nil
}
