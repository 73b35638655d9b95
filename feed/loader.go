package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/pipeline"
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
	// AudioClient downloads enclosures for speech-to-text: the same rules
	// as Client with a longer time limit (netguard.NewClient); nil means
	// Client.
	AudioClient *http.Client
}

var _ pipeline.AudioLoader = Loader{}

// LoadAudible loads the episode as Load does; one without a usable
// transcript (or when transcript is false) comes back without one, with
// its enclosure as the way to its audio: downloaded to a temporary file
// (resumed where the server allows, under audio's size cap) and removed
// once transcribed.
func (l Loader) LoadAudible(ctx context.Context, ref, lang string, transcript bool) (*pipeline.Audible, error) {
	ep, err := l.episode(ctx, ref)
	if err != nil {
		return nil, err
	}
	var missing error
	if transcript {
		tr, err := loadTranscript(ctx, l.Client, ep, lang)
		switch {
		case err == nil:
			src, err := episodeSource(ctx, l.Client, ep)
			if err != nil {
				return nil, err
			}
			src.Transcript = *tr
			return &pipeline.Audible{Source: src}, nil
		case recap.ErrorCode(err) != recap.ENOTRANSCRIPT:
			return nil, err
		}
		missing = err
	}
	src, err := episodeSource(ctx, l.Client, ep)
	if err != nil {
		return nil, err
	}
	if ep.Enclosure.URL == "" {
		if missing != nil {
			return &pipeline.Audible{Source: src, Missing: missing}, nil
		}
		return nil, recap.Errorf(recap.EINVALID, "episode %q (%s) has no enclosure: no audio to transcribe", ep.Title, ep.ID)
	}
	hc := l.AudioClient
	if hc == nil {
		hc = l.Client
	}
	download := func(ctx context.Context) (*audio.Downloaded, error) {
		return audio.Download(ctx, hc, ep.Enclosure.URL, audio.DownloadOptions{})
	}
	return &pipeline.Audible{Source: src, Audio: pipeline.Downloaded(download), Missing: missing}, nil
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
	if !recap.ValidEpisodeID(id) {
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
