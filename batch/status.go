package batch

import (
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

// ShownStatuses are the item statuses users see (the API, the web app),
// in the order a batch moves through them: pending, the store's status
// of an item not yet dispatched, is shown as queued.
var ShownStatuses = []string{storage.ItemQueued, storage.ItemRunning, storage.ItemDone, storage.ItemFailed,
	storage.ItemSkipped, storage.ItemPaused, storage.ItemCanceled}

// ShownStatus is an item's status as users see it.
func ShownStatus(s string) string {
	if s == storage.ItemPending {
		return storage.ItemQueued
	}
	return s
}

// ShownCounts are a batch's counts by shown status: every shown status
// present, queued counting pending items too.
func ShownCounts(counts map[string]int) map[string]int {
	out := make(map[string]int, len(ShownStatuses))
	for _, s := range ShownStatuses {
		out[s] = 0
	}
	for s, n := range counts {
		out[ShownStatus(s)] += n
	}
	return out
}

// StatusFilter is the store's item statuses that a shown status stands
// for, for storage.BatchItemFilter: "" is every item.
func StatusFilter(shown string) ([]string, error) {
	switch shown {
	case "":
		return nil, nil
	case storage.ItemQueued:
		return []string{storage.ItemPending, storage.ItemQueued}, nil
	case storage.ItemRunning, storage.ItemDone, storage.ItemFailed, storage.ItemSkipped, storage.ItemPaused, storage.ItemCanceled:
		return []string{shown}, nil
	}
	return nil, recap.Errorf(recap.EINVALID, "status %q: expected queued, running, done, failed, skipped, paused or canceled", shown)
}
