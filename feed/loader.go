package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/recap-dev/recap"
)

// Episodes gives stored episodes (Episode as JSON) by id; storage.Store
// does. A batch stores the episodes of a feed when it expands it, so that
// any process can run their jobs later.
type Episodes interface {
	GetEpisode(ctx context.Context, id string) (json.RawMessage, error)
}

// Loader is the pipeline.Loader of recap.SourcePodcast: a job's reference
// is an episode id (EpisodeID), whose episode is read from Episodes and
// loaded with LoadEpisode through Client (made by netguard.NewClient).
type Loader struct {
	Episodes Episodes
	Client   *http.Client
}

// Resolve checks that ref names a stored episode; the episode id is the
// video id of its documents.
func (l Loader) Resolve(ctx context.Context, ref string) (string, string, error) {
	if _, err := l.episode(ctx, ref); err != nil {
		return "", "", err
	}
	return ref, ref, nil
}

// Load reads the stored episode and fetches its transcript and chapters.
func (l Loader) Load(ctx context.Context, ref, lang string) (*recap.Source, error) {
	ep, err := l.episode(ctx, ref)
	if err != nil {
		return nil, err
	}
	return LoadEpisode(ctx, l.Client, ep, lang)
}

func (l Loader) episode(ctx context.Context, id string) (*Episode, error) {
	if !IsEpisodeID(id) {
		return nil, recap.Errorf(recap.EINVALID, "%q is not a podcast episode id: an id is \"ep\" and 12 letters and digits", id)
	}
	data, err := l.Episodes.GetEpisode(ctx, id)
	if recap.ErrorCode(err) == recap.ENOTFOUND {
		return nil, recap.Errorf(recap.EINVALID, "podcast episode %s is not stored: episodes are summarized as items of a batch or subscription of their feed", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read episode %s: %w", id, err)
	}
	var ep Episode
	if err := json.Unmarshal(data, &ep); err != nil {
		return nil, fmt.Errorf("stored episode %s: %w", id, err)
	}
	return &ep, nil
}
