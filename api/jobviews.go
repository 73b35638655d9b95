package api

import (
	"encoding/json"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/recap-dev/recap/storage"
)

// jobViewCache is how many finished jobs' views a server keeps as JSON
// (about 500 bytes each).
const jobViewCache = 4096

// jobViews keeps the JSON of finished jobs' views by job id. A finished
// job (done or failed) is final: no transition leaves it. Its view shows
// one thing from elsewhere, its video's title, which a later fetch of the
// video can change: a kept view is used only while the title is the same.
// A list page of finished jobs is then read from the store and put
// together from JSON encoded before (encoding was a quarter of its time).
type jobViews struct {
	cache *lru.Cache[string, keptView]
}

type keptView struct {
	title string
	json  json.RawMessage
}

func newJobViews(size int) *jobViews {
	c, err := lru.New[string, keptView](max(size, 1))
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &jobViews{cache: c}
}

// json returns j's view as compact JSON, encoded once for a finished job.
func (v *jobViews) json(j *storage.Job) (json.RawMessage, error) {
	if !j.Finished() {
		return compactJSON(newJobView(j))
	}
	if k, ok := v.cache.Get(j.ID); ok && k.title == j.VideoTitle {
		return k.json, nil
	}
	b, err := compactJSON(newJobView(j))
	if err != nil {
		return nil, err
	}
	v.cache.Add(j.ID, keptView{title: j.VideoTitle, json: b})
	return b, nil
}
