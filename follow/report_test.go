package follow

import (
	"bytes"
	"strings"
	"testing"

	"github.com/recap-dev/recap/storage"
)

// One of anything is said in the singular: "1 item", "1 LLM call".
func TestReportCountsInWords(t *testing.T) {
	b := &storage.Batch{ID: "b1", Title: "Talks", Status: storage.BatchRunning, Total: 1,
		Counts: map[string]int{storage.ItemQueued: 1}, Usage: storage.BatchUsage{LLMCalls: 1}}
	var out bytes.Buffer
	(&Report{Batch: b, Interrupted: true, OutDir: "out", Written: 1, Unwritten: 1}).Write(&out)
	for _, want := range []string{"(1 item)", "usage: 1 LLM call ·", "1 file written", "1 done item could not", "1 item not finished"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "1 items") {
		t.Errorf("report says 1 items:\n%s", out.String())
	}
}
