package subtitles

import (
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestJSON3AutoCaptions(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "asr.json3"), "json3")
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(160), End: ms(4800), Text: "hello everyone and welcome"},
		{Start: ms(2560), End: ms(7040), Text: "back to the channel"},
		{Start: ms(4800), End: ms(10000), Text: "today we're talking about"},
		{Start: ms(7040), End: ms(10040), Text: "[Music]"},
		{Start: ms(10000), End: ms(14000), Text: "the brain"},
	})
}

func TestJSON3ManualCaptions(t *testing.T) {
	segs := mustParse(t, readTestdata(t, "manual.json3"), "JSON3")
	equalSegments(t, segs, []recap.Segment{
		{Start: ms(1000), End: ms(5000), Text: "That dream about the dinosaur in the leotard,"},
		{Start: ms(5000), End: ms(8000), Text: "those times that you said that thing"},
		// A hand-made track repeating a line keeps both: it does not scroll.
		{Start: ms(8000), End: ms(10500), Text: "No."},
		{Start: ms(10500), End: ms(12500), Text: "No."},
		// No dDurationMs: the segment ends where it starts.
		{Start: ms(12500), End: ms(12500), Text: "Rock & roll, baby"},
	})
}

func TestJSON3OrdersEvents(t *testing.T) {
	in := `{"events":[
		{"tStartMs":5000,"dDurationMs":1000,"segs":[{"utf8":"second"}]},
		{"tStartMs":1000,"dDurationMs":1000,"segs":[{"utf8":"first"}]}]}`
	segs := mustParse(t, []byte(in), "json3")
	if len(segs) != 2 || segs[0].Text != "first" || segs[1].Text != "second" {
		t.Fatalf("segments not ordered by start:\n%s", dump(segs))
	}
}

// A track that repeats each row in the next event, as rolling captions do
// in VTT, is de-duplicated the same way.
func TestJSON3RollingRepeats(t *testing.T) {
	in := `{"events":[
		{"tStartMs":0,"dDurationMs":2000,"segs":[{"utf8":"so today we"}]},
		{"tStartMs":2000,"dDurationMs":10,"segs":[{"utf8":"so today we"}]},
		{"tStartMs":2010,"dDurationMs":2000,"segs":[{"utf8":"so today we\n"},{"utf8":"are going"}]},
		{"tStartMs":4010,"dDurationMs":10,"segs":[{"utf8":"are going"}]},
		{"tStartMs":4020,"dDurationMs":2000,"segs":[{"utf8":"are going\nto talk"}]}]}`
	segs := mustParse(t, []byte(in), "json3")
	equalSegments(t, segs, []recap.Segment{
		{Start: 0, End: ms(2000), Text: "so today we"},
		{Start: ms(2010), End: ms(4010), Text: "are going"},
		{Start: ms(4020), End: ms(6020), Text: "to talk"},
	})
}

func TestJSON3EveryWordOnce(t *testing.T) {
	for _, words := range [][]spokenWord{speech(1), speech(500), chant()} {
		segs := mustParse(t, asrJSON3(words), "json3")
		checkSane(t, segs)
		if got, want := recap.JoinSegments(segs), wordsText(words); got != want {
			t.Fatalf("transcript differs from the words spoken\n got: %.300s\nwant: %.300s", got, want)
		}
		if segs[0].Start != words[0].at {
			t.Errorf("first segment starts at %v, want %v", segs[0].Start, words[0].at)
		}
	}
}

func TestJSON3Empty(t *testing.T) {
	for _, in := range []string{"", "  \n", `{"events":[]}`, `{"events":[{"tStartMs":0,"dDurationMs":5,"id":1}]}`} {
		segs, err := Parse([]byte(in), "json3")
		if err != nil || len(segs) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want no segments, no error", in, segs, err)
		}
	}
}

func TestJSON3Errors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		line  int
		words []string
	}{
		{"truncated", "{\"events\": [\n{\"tStartMs\": 0,\n\"segs\": [{\"utf8\": \"hi\"}", 3, []string{"invalid JSON"}},
		{"not json", "<transcript></transcript>", 1, []string{"invalid JSON"}},
		{"no events", `{"wireMagic":"pb3"}`, 0, []string{`"events"`}},
		{"events not array", `{"events": {"tStartMs": 1}}`, 1, []string{"events"}},
		{"text not string", "{\"events\": [\n{\"tStartMs\": 0, \"segs\": [{\"utf8\": 5}]}]}", 2, []string{"utf8", "string"}},
		{"negative start", `{"events":[{"tStartMs":-5,"segs":[{"utf8":"hi"}]}]}`, 0, []string{"event 0", "tStartMs"}},
		{"negative duration", `{"events":[{"tStartMs":1,"dDurationMs":-5,"segs":[{"utf8":"x"}]},{"tStartMs":1,"dDurationMs":-5,"segs":[{"utf8":"hi"}]}]}`, 0, []string{"event 0", "dDurationMs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "json3")
			wantSyntaxError(t, err, "json3", tt.line, tt.words...)
		})
	}
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse([]byte("x"), "sbv")
	if err == nil || !strings.Contains(err.Error(), `"sbv"`) {
		t.Fatalf("err = %v, want an error naming the format", err)
	}
}
