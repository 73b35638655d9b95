package storage

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 123456789, time.FixedZone("CET", 3600))
	c, err := DecodeCursor(EncodeCursor(&Job{ID: "job,with,commas", CreatedAt: at}))
	if err != nil {
		t.Fatal(err)
	}
	// Microseconds, in UTC: what the stores keep and compare with.
	want := at.UTC().Truncate(time.Microsecond)
	if !c.CreatedAt.Equal(want) || c.CreatedAt.Location() != time.UTC || c.ID != "job,with,commas" {
		t.Errorf("decoded cursor = %v %q; want %v %q", c.CreatedAt, c.ID, want, "job,with,commas")
	}
}

func TestDecodeCursorInvalid(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{"not base64!", enc("123"), enc("123,"), enc("abc,id"), enc(",id")} {
		if c, err := DecodeCursor(s); recap.ErrorCode(err) != recap.EINVALID {
			t.Errorf("DecodeCursor(%q) = %+v, %v; want invalid", s, c, err)
		}
	}
}

func TestNewJobPage(t *testing.T) {
	var jobs []*Job
	for i := range 4 {
		jobs = append(jobs, &Job{ID: fmt.Sprint(i), CreatedAt: time.Unix(int64(100-i), 0)})
	}
	p := NewJobPage(jobs, 3)
	if len(p.Jobs) != 3 || p.NextCursor != EncodeCursor(jobs[2]) {
		t.Errorf("page of 4 rows at limit 3: %d jobs, cursor %q; want 3 and the third's cursor", len(p.Jobs), p.NextCursor)
	}
	if p := NewJobPage(jobs[:3], 3); len(p.Jobs) != 3 || p.NextCursor != "" {
		t.Errorf("page of 3 rows at limit 3: %d jobs, cursor %q; want 3, no cursor", len(p.Jobs), p.NextCursor)
	}
	if p := NewJobPage(nil, 3); p.Jobs == nil || len(p.Jobs) != 0 {
		t.Errorf("page of no rows: %#v; want an empty, non-nil slice", p.Jobs)
	}
}
