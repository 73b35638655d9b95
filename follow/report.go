package follow

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/progress"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Report is how a batch ended, or stood when following it stopped.
type Report struct {
	Batch *storage.Batch
	// Items are the items not done, in source order: failed, skipped,
	// canceled, paused, and (after an interruption) those still to run.
	Items []*storage.BatchItem
	Wall  time.Duration
	// Interrupted says following stopped before the batch ended.
	Interrupted bool
	// Remote says the batch runs on a server, which goes on with it.
	Remote bool
	// OutDir is the output folder ("" when none); Written counts the
	// files written to it by this run, Unwritten the done items whose
	// file could not be written.
	OutDir    string
	Written   int
	Unwritten int
}

// Complete reports whether every item is done or skipped.
func (r *Report) Complete() bool {
	b := r.Batch
	return b.Status == storage.BatchDone && b.Counts[storage.ItemFailed] == 0 && b.Counts[storage.ItemCanceled] == 0
}

// Write prints the report:
//
//	Crab playlist (batch 0192…): done
//	  12 done · 1 failed · 2 skipped (15 items)
//	  failed   #7 abcdefghijk "Title": no_captions: this video has no captions
//	  skipped  #3 xyzxyzxyzxy: deleted video
//	  usage: 48 LLM calls · 123456 prompt + 12345 completion tokens · $0.0123
//	  wall time: 1m02s
func (r *Report) Write(w io.Writer) {
	b := r.Batch
	fmt.Fprintf(w, "%s (batch %s): %s\n", textclean.Line(Title(b)), b.ID, textclean.Line(r.state()))
	var counts []string
	for _, s := range []string{storage.ItemDone, storage.ItemFailed, storage.ItemSkipped, storage.ItemPaused, storage.ItemCanceled, storage.ItemRunning} {
		if n := b.Counts[s]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if n := b.Counts[storage.ItemPending] + b.Counts[storage.ItemQueued]; n > 0 {
		counts = append(counts, fmt.Sprintf("%d queued", n))
	}
	if len(counts) == 0 {
		counts = []string{"nothing to do"}
	}
	fmt.Fprintf(w, "  %s (%s)\n", strings.Join(counts, " · "), recap.Count(b.Total, "item"))
	for _, it := range r.Items {
		if it.Status != storage.ItemFailed && it.Status != storage.ItemSkipped && it.Status != storage.ItemCanceled {
			continue
		}
		line := fmt.Sprintf("  %-8s #%d %s", it.Status, it.Position+1, it.ItemID)
		if t := textclean.Line(it.Title); t != "" {
			line += fmt.Sprintf(" %q", t)
		}
		if reason := Reason(it); reason != "" {
			line += ": " + textclean.Line(reason)
		}
		fmt.Fprintln(w, line)
	}
	u := b.Usage
	fmt.Fprintf(w, "  usage: %s · %d prompt + %d completion tokens · %s\n", recap.Count(u.LLMCalls, "LLM call"), u.PromptTokens, u.CompletionTokens, render.USD(u.CostUSD))
	fmt.Fprintf(w, "  wall time: %s\n", progress.Duration(r.Wall))
	if r.OutDir != "" {
		fmt.Fprintf(w, "  summaries: %s (index.md; %s written by this run)\n", r.OutDir, recap.Count(r.Written, "file"))
		if r.Unwritten > 0 {
			fmt.Fprintf(w, "  %s could not be written to %s: run the same command again to write them\n", recap.Count(r.Unwritten, "done item"), r.OutDir)
		}
	}
	if next := r.next(); next != "" {
		fmt.Fprintf(w, "  %s\n", next)
	}
}

// state says how the batch stands, in a few words.
func (r *Report) state() string {
	b := r.Batch
	switch {
	case b.Status == storage.BatchFailed:
		return "failed: " + b.Error
	case r.Interrupted && r.Remote:
		return "still " + b.Status + " on the server"
	case r.Interrupted:
		return "interrupted"
	case b.Status == storage.BatchPaused && strings.HasPrefix(b.Error, "paused"):
		return b.Error
	case b.Status == storage.BatchPaused:
		return "paused: " + b.Error
	}
	return b.Status
}

// next says what to do about a batch that did not end complete.
func (r *Report) next() string {
	b := r.Batch
	left := b.Counts[storage.ItemPending] + b.Counts[storage.ItemQueued] + b.Counts[storage.ItemRunning]
	switch {
	case b.Status == storage.BatchFailed:
		return ""
	case r.Interrupted && r.Remote:
		return "the server goes on with it; run the same command again to follow it"
	case r.Interrupted && b.Status == storage.BatchExpanding:
		return "its sources were still being listed: run the same command again to continue"
	case r.Interrupted:
		return fmt.Sprintf("%s not finished: run the same command again to continue (finished items are kept, half-done ones reuse their cached chapters)", recap.Count(left, "item"))
	case b.Status == storage.BatchPaused:
		return fmt.Sprintf("%s not started: run again with a larger --max-cost to continue (done items are not paid again)", recap.Count(b.Counts[storage.ItemPaused], "item"))
	case b.Counts[storage.ItemFailed] > 0:
		return "run the same command again to try the failed items again (done items are not redone)"
	}
	return ""
}
