package storagetest

import (
	"testing"

	"github.com/recap-dev/recap"
)

func testChapterCache(t *testing.T, e *env) {
	const key = "v3|gpt-4o-mini|en|9f86d081884c7d659a2feaa0c55ad015"
	got, ok, err := e.s.GetChapter(e.ctx, key)
	must(t, err, "GetChapter")
	if ok {
		t.Fatalf("GetChapter on an empty cache = %+v, true; want a miss", got)
	}

	first := recap.ChapterSummary{Title: "Intro «1»", Summary: "A paragraph.\nWith \"quotes\".", Bullets: []string{"a", "b"}}
	must(t, e.s.PutChapter(e.ctx, key, first), "PutChapter")
	got, ok, err = e.s.GetChapter(e.ctx, key)
	must(t, err, "GetChapter")
	if !ok {
		t.Fatal("GetChapter after PutChapter: miss")
	}
	deepEqual(t, got, first, "GetChapter")

	second := recap.ChapterSummary{Title: "Intro, again", Summary: "Shorter.", Bullets: []string{}}
	must(t, e.s.PutChapter(e.ctx, key, second), "PutChapter overwrite")
	got, _, err = e.s.GetChapter(e.ctx, key)
	must(t, err, "GetChapter")
	deepEqual(t, got, second, "GetChapter after overwrite")

	if _, ok, err := e.s.GetChapter(e.ctx, key+"x"); err != nil || ok {
		t.Errorf("GetChapter of another key = ok %v, err %v; want a miss", ok, err)
	}
}

func testPing(t *testing.T, e *env) {
	must(t, e.s.Ping(e.ctx), "Ping")
}
