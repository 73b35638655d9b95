package api

import (
	"context"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/recap-dev/recap/storage"
)

// listPageCache is how many whole list pages a server keeps (about 25 KB
// each for 50 jobs): the first pages of the few filters readers poll.
const listPageCache = 64

// listPages keeps whole pages of GET /v1/summaries, as written, by
// filter, for a store that counts the changes to what a page shows
// (storage.JobListCounter). A kept page is answered again while both
// counts are those read with it: one read of two numbers instead of a
// page of stamps (which was most of a list's time). Any change of any
// job or title moves a count, so a change shows on the next request, as
// without the cache; a store that does not count keeps nothing here.
type listPages struct {
	cache *lru.Cache[storage.JobFilter, keptPage]
}

// keptPage is a page's answer and the counts read with its stamps.
type keptPage struct {
	jobChanges, titleChanges int64
	body                     []byte
}

func newListPages(size int) *listPages {
	c, err := lru.New[storage.JobFilter, keptPage](max(size, 1))
	if err != nil {
		panic(err) // only for a size < 1
	}
	return &listPages{cache: c}
}

// kept returns the kept answer for f when nothing it shows has changed
// since, nil otherwise.
func (p *listPages) kept(ctx context.Context, store storage.Store, f storage.JobFilter) ([]byte, error) {
	counter, ok := store.(storage.JobListCounter)
	if !ok {
		return nil, nil
	}
	k, ok := p.cache.Get(f)
	if !ok {
		return nil, nil
	}
	jobs, titles, err := counter.JobListChanges(ctx)
	if err != nil {
		return nil, err
	}
	if jobs != k.jobChanges || titles != k.titleChanges {
		return nil, nil
	}
	return k.body, nil
}

// keep keeps body, the answer for f made from page, when the store
// counted its changes (a page whose counts are 0 is never kept). body is
// copied: the caller may reuse it.
func (p *listPages) keep(f storage.JobFilter, page storage.JobStampPage, body []byte) {
	if page.JobChanges == 0 || page.TitleChanges == 0 {
		return
	}
	p.cache.Add(f, keptPage{jobChanges: page.JobChanges, titleChanges: page.TitleChanges, body: append([]byte(nil), body...)})
}
