package youtubetest

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTopicVocabulariesAreDisjoint(t *testing.T) {
	owner := make(map[string]string)
	for _, g := range glue {
		owner[g] = "glue"
	}
	for _, tp := range topics {
		for _, w := range tp.words {
			if o, dup := owner[w]; dup {
				t.Errorf("%q is in both %q and %q", w, o, tp.title)
			}
			owner[w] = tp.title
		}
	}
}

var chapterLine = regexp.MustCompile(`^((\d+):)?(\d+):(\d\d) (.+)$`)

func TestSyntheticVideo(t *testing.T) {
	const dur = 3 * time.Hour
	v := SyntheticVideo("synth000001", dur, 20, 42)
	chs := SyntheticChapters(dur, 20, 42)

	if !reflect.DeepEqual(v, SyntheticVideo("synth000001", dur, 20, 42)) {
		t.Error("the same seed gave two different videos")
	}
	if reflect.DeepEqual(v.Tracks, SyntheticVideo("synth000001", dur, 20, 43).Tracks) {
		t.Error("another seed gave the same captions")
	}

	// The description lists every chapter, in order, as "H:MM:SS Title".
	var listed []string
	for _, line := range strings.Split(v.Description, "\n") {
		m := chapterLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		listed = append(listed, m[5])
		i := len(listed) - 1
		if i >= len(chs) {
			break
		}
		if got := timestamp(chs[i].Start, dur); !strings.HasPrefix(line, got+" ") {
			t.Errorf("line %q does not start with %s", line, got)
		}
	}
	if len(listed) != 20 || !strings.HasPrefix(v.Description[strings.Index(v.Description, "0:00:00"):], "0:00:00 ") {
		t.Fatalf("description lists %d chapters from 0:00:00, want 20:\n%s", len(listed), v.Description)
	}
	for i := 1; i < len(chs); i++ {
		if gap := chs[i].Start - chs[i-1].Start; gap < 5*time.Minute {
			t.Errorf("chapter %d starts %v after the one before, want ascending and several minutes", i, gap)
		}
		if listed[i] == listed[i-1] || chs[i].Title != listed[i] {
			t.Errorf("chapter %d title %q / listed %q", i, chs[i].Title, listed[i])
		}
	}

	// Captions: contiguous cues of about four seconds covering [0, dur],
	// each using only its chapter's words and glue.
	segs := v.Tracks[0].Segments
	if len(segs) < 2400 || len(segs) > 3100 {
		t.Errorf("%d cues for 3 h, want about one every 4 s", len(segs))
	}
	if segs[0].Start != 0 || segs[len(segs)-1].End != dur {
		t.Errorf("cues cover [%v, %v], want [0, %v]", segs[0].Start, segs[len(segs)-1].End, dur)
	}
	allowed := make(map[string]bool)
	for _, g := range glue {
		allowed[g] = true
	}
	ch := 0
	for i, s := range segs {
		if i > 0 && s.Start != segs[i-1].End {
			t.Fatalf("cue %d starts at %v, previous ends at %v", i, s.Start, segs[i-1].End)
		}
		if d := s.End - s.Start; d > 4500*time.Millisecond || (d < 3500*time.Millisecond && s.End != dur) {
			t.Fatalf("cue %d lasts %v", i, d)
		}
		for ch+1 < len(chs) && chs[ch+1].Start <= s.Start {
			ch++
		}
		own := make(map[string]bool)
		for _, w := range chs[ch].Words {
			own[w] = true
		}
		for _, w := range strings.Fields(strings.ToLower(strings.TrimSuffix(s.Text, "."))) {
			if !own[w] && !allowed[w] {
				t.Fatalf("cue %d (%q) in chapter %q uses %q", i, s.Text, chs[ch].Title, w)
			}
		}
	}
	if !reflect.DeepEqual(v.Transcript, segs) {
		t.Error("get_transcript transcript differs from the caption track")
	}
}

func TestSyntheticShortVideoTimestamps(t *testing.T) {
	v := SyntheticVideo("synth000002", 20*time.Minute, 4, 1)
	if !strings.Contains(v.Description, "\n0:00 ") {
		t.Errorf("a video under an hour lists M:SS stamps, got:\n%s", v.Description)
	}
	more := SyntheticChapters(10*time.Hour, 30, 1)
	if more[24].Title == more[0].Title || !strings.Contains(more[24].Title, "(part 2)") {
		t.Errorf("chapter 25 of 30 = %q, want a part 2 of a reused topic", more[24].Title)
	}
}
