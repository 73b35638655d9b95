package api

import (
	"context"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

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
//
// After a change, the requests that read the same counts wait for one of
// them to make the page, instead of each making it (while jobs run, their
// progress changes the counts many times a second, and 64 readers making
// the same page after each change cost more than the cache saved).
type listPages struct {
	cache  *lru.Cache[storage.JobFilter, keptPage]
	making singleflight.Group
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

// makePage makes the answer for a filter: the page of stamps it was made
// from (for its counts) and the answer, which is not changed afterwards.
type makePage func(context.Context) (storage.JobStampPage, []byte, error)

// answer returns the answer for f: the kept one while nothing it shows
// has changed, otherwise one made by build, once for the requests that
// read the same counts meanwhile. It is as new as the counts this
// request read, or newer.
func (p *listPages) answer(ctx context.Context, store storage.Store, f storage.JobFilter, build makePage) ([]byte, error) {
	counter, ok := store.(storage.JobListCounter)
	if !ok {
		_, body, err := build(ctx)
		return body, err
	}
	jobs, titles, err := counter.JobListChanges(ctx)
	if err != nil {
		return nil, err
	}
	if k, ok := p.cache.Get(f); ok && k.jobChanges == jobs && k.titleChanges == titles {
		return k.body, nil
	}
	// A request that read the same counts started its page after those
	// counts were current (they only grow), so its page is as new.
	key := strings.Join([]string{strconv.FormatInt(jobs, 10), strconv.FormatInt(titles, 10),
		f.Status, strconv.Itoa(f.Limit), f.Cursor}, " ")
	v, err, _ := p.making.Do(key, func() (any, error) {
		// Made for every request waiting on it: not canceled with the
		// first one's.
		page, body, err := build(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		p.keep(f, page, body)
		return body, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// keep keeps body, the answer for f made from page, unless the store did
// not count its changes (a page whose counts are 0) or a newer answer
// is kept.
func (p *listPages) keep(f storage.JobFilter, page storage.JobStampPage, body []byte) {
	if page.JobChanges == 0 || page.TitleChanges == 0 {
		return
	}
	if k, ok := p.cache.Peek(f); ok && (k.jobChanges > page.JobChanges || k.titleChanges > page.TitleChanges) {
		return
	}
	p.cache.Add(f, keptPage{jobChanges: page.JobChanges, titleChanges: page.TitleChanges, body: body})
}
