package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/storage/sqlite"
	"github.com/recap-dev/recap/storage/storagetest"
)

// episodeID is a podcast episode's id (feed.EpisodeID's shape).
const episodeID = "epmzxw6ytboi4d"

// A podcast episode's summary is read by its id, as a video's is.
func TestGetEpisodeByID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recap.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	job, _, err := s.SubmitJob(ctx, &storage.Job{VideoID: episodeID, SourceKind: recap.SourcePodcast, SourceRef: episodeID,
		Language: "en", Priority: storage.PriorityLow, OptionsKey: "en|extractive"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartJob(ctx, job.ID, storagetest.Lease); err != nil {
		t.Fatal(err)
	}
	doc := &recap.Document{ID: job.ID,
		Video:    recap.DocumentVideo{ID: episodeID, Source: recap.SourcePodcast, URL: "https://example.com/ep1", Title: "Episode one", DurationSeconds: 60},
		Language: "en", TranscriptSource: "feed", ChaptersSource: "auto", Overview: "About bees.",
		Chapters:  []recap.ChapterResult{{StartSeconds: 0, EndSeconds: 60, Title: "Bees", Summary: "S.", Bullets: []string{"a"}}},
		Generator: recap.Generator{Summarizer: "extractive", Model: "textrank"}, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := s.FinishJob(ctx, job.ID, storagetest.Lease.Owner, doc); err != nil {
		t.Fatal(err)
	}
	s.Close()

	f := &fakes{env: map[string]string{"RECAP_DATABASE_URL": "sqlite:" + path}}
	out, errOut, code := f.run(t, "get", "--format", "json", episodeID)
	if code != 0 || decodeDoc(t, out).ID != job.ID {
		t.Fatalf("get %s: exit %d %q\n%s", episodeID, code, errOut, out)
	}
	if _, errOut, code := f.run(t, "get", "epzzzzzzzzzzzz"); code != 1 || !strings.Contains(errOut, "no summary of video epzzzzzzzzzzzz") {
		t.Errorf("get of an unknown episode: exit %d %q; want 1, not found", code, errOut)
	}
	if _, errOut, code := f.run(t, "get", "epABCDEFGHIJKL"); code != 2 || !strings.Contains(errOut, "podcast episode id") {
		t.Errorf("get of a malformed id: exit %d %q; want 2", code, errOut)
	}
}
