package api

import (
	"context"
	"encoding/json"
	"time"

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
// A list page is read from the store as stamps (storage.JobStamp), and
// put together from the kept views of the finished jobs whose stamp is
// unchanged and the views of the rest, read in full (reading every job
// in full was most of a list's time, encoding a quarter of the rest).
type jobViews struct {
	cache *lru.Cache[string, keptView]
}

// keptView is a finished job's view and what it was made from that could
// still change: its video's title, and UpdatedAt, which every change of
// a job moves (a finished job has none, but the stamp says so for free).
// titleChanges is the store's count of title changes (JobStampPage) when
// the view was last known to show the job's title, 0 when not known.
type keptView struct {
	title        string
	updated      time.Time
	titleChanges int64
	done         bool
	json         json.RawMessage
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
	return v.viewOf(j, 0)
}

// viewOf is json for a job read when the store's count of title changes
// was titleChanges (0: not known).
func (v *jobViews) viewOf(j *storage.Job, titleChanges int64) (json.RawMessage, error) {
	if !j.Finished() {
		return compactJSON(newJobView(j))
	}
	k, ok := v.cache.Get(j.ID)
	if ok && k.title == j.VideoTitle && k.updated.Equal(j.UpdatedAt) {
		if titleChanges != 0 && k.titleChanges != titleChanges {
			k.titleChanges = titleChanges
			v.cache.Add(j.ID, k)
		}
		return k.json, nil
	}
	b, err := compactJSON(newJobView(j))
	if err != nil {
		return nil, err
	}
	v.cache.Add(j.ID, keptView{title: j.VideoTitle, updated: j.UpdatedAt, titleChanges: titleChanges, done: j.Status == storage.StatusDone, json: b})
	return b, nil
}

// keptDone returns the kept view of job id when the job was done when
// viewed and no title has changed since the view was known to show the
// job's: no transition leaves done, so it is still the job's view.
func (v *jobViews) keptDone(id string, titleChanges int64) (json.RawMessage, bool) {
	k, ok := v.cache.Get(id)
	if !ok || !k.done || titleChanges == 0 || k.titleChanges != titleChanges {
		return nil, false
	}
	return k.json, true
}

// kept returns the kept view of the job st stamps when it is still the
// job's view: the job is finished, unchanged since, and no title has
// changed since the view was known to show the job's.
func (v *jobViews) kept(st storage.JobStamp, titleChanges int64) (json.RawMessage, bool) {
	if !st.Finished() || titleChanges == 0 {
		return nil, false
	}
	k, ok := v.cache.Get(st.ID)
	if !ok || k.titleChanges != titleChanges || !k.updated.Equal(st.UpdatedAt) {
		return nil, false
	}
	return k.json, true
}

// list returns the views of the page of jobs f selects, newest first,
// and the page's next cursor: the page is listed as stamps, and only the
// jobs without a kept view that is still theirs are read in full. A job
// read in full is read after its stamp, so its view is at least as new
// as the page's count of title changes says; one that changed between
// the two reads is shown as read in full, and one gone by then is left
// out.
//
// It returns the page of stamps too, for its cursor and counts.
func (v *jobViews) list(ctx context.Context, store storage.Store, f storage.JobFilter) ([]json.RawMessage, storage.JobStampPage, error) {
	page, err := store.ListJobStamps(ctx, f)
	if err != nil {
		return nil, page, err
	}
	views := make([]json.RawMessage, len(page.Stamps))
	var missing []string
	for i, st := range page.Stamps {
		if b, ok := v.kept(st, page.TitleChanges); ok {
			views[i] = b
		} else {
			missing = append(missing, st.ID)
		}
	}
	if len(missing) == 0 {
		return views, page, nil
	}
	jobs, err := store.GetJobs(ctx, missing)
	if err != nil {
		return nil, page, err
	}
	read := make(map[string]*storage.Job, len(jobs))
	for _, j := range jobs {
		read[j.ID] = j
	}
	out := views[:0]
	for i, st := range page.Stamps {
		b := views[i]
		if b == nil {
			j, ok := read[st.ID]
			if !ok {
				continue
			}
			if b, err = v.viewOf(j, page.TitleChanges); err != nil {
				return nil, page, err
			}
		}
		out = append(out, b)
	}
	return out, page, nil
}
