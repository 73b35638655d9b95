package source

import (
	"context"
	"testing"

	"github.com/recap-dev/recap/youtube"
	"github.com/recap-dev/recap/youtube/youtubetest"
)

// The adapter lists through the real YouTube client against the fake
// innertube server: a playlist with a deleted entry, and a channel by
// handle, each expanded from a URL.
func TestYouTubeAdapter(t *testing.T) {
	fake := youtubetest.NewServer(t)
	items := youtubetest.SyntheticItems("pl", 5, 1)
	items[1].Deleted = true
	fake.AddPlaylist(youtubetest.Playlist{ID: "PLadapter", Title: "Adapter list", Items: items, PageSize: 2})
	uploads := youtubetest.SyntheticItems("ch", 4, 2)
	fake.AddChannel(youtubetest.Channel{
		ID: "UCadapteradapteradapter1", Title: "Adapter", Handle: "@adapter",
		Videos: uploads,
	})
	c, err := youtube.New(youtube.Config{Endpoint: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{YouTube: YouTube{Client: c}}

	exp, err := r.Expand(context.Background(), "https://www.youtube.com/playlist?list=PLadapter", Options{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Kind != SourcePlaylist || exp.Title != "Adapter list" || len(exp.Items) != 4 {
		t.Fatalf("playlist: %+v", exp)
	}
	for i, it := range exp.Items {
		if it.ID != items[i].ID || it.Kind != KindYouTube {
			t.Errorf("item %d: %+v, want id %s", i, it, items[i].ID)
		}
	}
	if exp.Items[1].Skip != "deleted video" || exp.Items[0].Skip != "" {
		t.Errorf("skips: %q, %q", exp.Items[0].Skip, exp.Items[1].Skip)
	}

	exp, err = r.Expand(context.Background(), "youtube.com/@adapter/videos", Options{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Kind != SourceChannel || len(exp.Items) != 2 || exp.Items[0].ID != uploads[0].ID || exp.Items[1].ID != uploads[1].ID {
		t.Fatalf("channel: %+v", exp)
	}
}
