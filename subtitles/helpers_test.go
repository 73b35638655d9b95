package subtitles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := readFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func mustParse(t *testing.T, data []byte, format string) []recap.Segment {
	t.Helper()
	segs, err := Parse(data, format)
	if err != nil {
		t.Fatalf("Parse(%s): %v", format, err)
	}
	return segs
}

func equalSegments(t *testing.T, got, want []recap.Segment) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d segments, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func dump(segs []recap.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		fmt.Fprintf(&b, "  %v-%v %q\n", s.Start, s.End, s.Text)
	}
	return b.String()
}

// checkSane asserts what every Parse result must hold: ordered by start,
// End ≥ Start, text non-empty, trimmed and with single spaces.
func checkSane(t testing.TB, segs []recap.Segment) {
	t.Helper()
	for i, s := range segs {
		if s.End < s.Start {
			t.Fatalf("segment %d ends before it starts: %+v", i, s)
		}
		if s.Text == "" || s.Text != strings.Join(strings.Fields(s.Text), " ") {
			t.Fatalf("segment %d text not clean: %q", i, s.Text)
		}
		if i > 0 && s.Start < segs[i-1].Start {
			t.Fatalf("segment %d starts at %v, before segment %d at %v", i, s.Start, i-1, segs[i-1].Start)
		}
	}
}

// wantSyntaxError asserts that err is a *SyntaxError for format at line
// (0: any line) whose message mentions each of the words.
func wantSyntaxError(t *testing.T, err error, format string, line int, words ...string) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want *SyntaxError", err, err)
	}
	if se.Format != format {
		t.Errorf("error format = %q, want %q (%v)", se.Format, format, err)
	}
	if line > 0 && se.Line != line {
		t.Errorf("error line = %d, want %d (%v)", se.Line, line, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// spokenWord is a word and when it was said, the input of the builders
// below that write captions the way YouTube's speech recognition does.
type spokenWord struct {
	at   time.Duration
	text string
}

// speech makes n words, one every 300 ms, with a 2 s pause every 37 words
// so that the caption window clears now and then. Words repeat (a small
// vocabulary) as in real speech, so that de-duplication cannot rely on
// words being unique.
func speech(n int) []spokenWord {
	vocab := strings.Fields("so today we are going to talk about the brain and the mind and why it's so hard to study them thank you um yeah right")
	var out []spokenWord
	at := 150 * time.Millisecond
	for i := range n {
		if i > 0 && i%37 == 0 {
			at += 2 * time.Second
		}
		out = append(out, spokenWord{at: at, text: vocab[(i*7+i/5)%len(vocab)]})
		at += 300 * time.Millisecond
	}
	return out
}

// chant is speech whose caption rows repeat verbatim: the same six words
// again and again, then a pause, then the same words in a new window. It is
// the hard case for de-duplication: a row equal to the one before it is
// new speech, not a repeat.
func chant() []spokenWord {
	var out []spokenWord
	at := 100 * time.Millisecond
	for i := range 36 {
		if i == 24 {
			at += 3 * time.Second
		}
		out = append(out, spokenWord{at: at, text: []string{"thank", "you"}[i%2]})
		at += 250 * time.Millisecond
	}
	return out
}

func wordsText(ws []spokenWord) string {
	var parts []string
	for _, w := range ws {
		parts = append(parts, w.text)
	}
	return strings.Join(parts, " ")
}

// captionLines groups words into caption rows the way YouTube's
// recognizer does: at most perLine words, and a new window (no previous
// row shown) after a pause of more than a second.
func captionLines(ws []spokenWord, perLine int) (lines [][]spokenWord, newWindow []bool) {
	for i, w := range ws {
		pause := i > 0 && w.at-ws[i-1].at > time.Second
		if len(lines) == 0 || pause || len(lines[len(lines)-1]) == perLine {
			lines = append(lines, nil)
			newWindow = append(newWindow, len(lines) == 1 || pause)
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], w)
	}
	return lines, newWindow
}

func vttTime(d time.Duration) string {
	h := d / time.Hour
	m := d % time.Hour / time.Minute
	s := d % time.Minute / time.Second
	f := d % time.Second / time.Millisecond
	return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, f)
}

// rollingVTT writes words as YouTube's auto-generated WebVTT: every cue
// shows the previous row (plain) above the new row (with karaoke
// timestamps), a 10 ms transition cue shows the finished row alone, and
// the blank row is a single space, as in files yt-dlp downloads.
func rollingVTT(ws []spokenWord) []byte {
	lines, newWindow := captionLines(ws, 6)
	var b strings.Builder
	b.WriteString("WEBVTT\nKind: captions\nLanguage: en\n\n")
	plain := func(l []spokenWord) string {
		var p []string
		for _, w := range l {
			p = append(p, w.text)
		}
		return strings.Join(p, " ")
	}
	for i, l := range lines {
		start := l[0].at
		end := l[len(l)-1].at + 300*time.Millisecond
		if i+1 < len(lines) && !newWindow[i+1] {
			end = lines[i+1][0].at - 10*time.Millisecond
		}
		above := " "
		if !newWindow[i] {
			above = plain(lines[i-1])
		}
		var karaoke strings.Builder
		karaoke.WriteString(l[0].text)
		for _, w := range l[1:] {
			fmt.Fprintf(&karaoke, "<%s><c> %s</c>", vttTime(w.at), w.text)
		}
		fmt.Fprintf(&b, "%s --> %s align:start position:0%%\n%s\n%s\n\n", vttTime(start), vttTime(end), above, karaoke.String())
		fmt.Fprintf(&b, "%s --> %s align:start position:0%%\n%s\n \n\n", vttTime(end), vttTime(end+10*time.Millisecond), plain(l))
	}
	return []byte(b.String())
}

// asrJSON3 writes words as YouTube's auto-generated json3: a window event,
// then one event per row whose segs hold the words with offsets, and an
// aAppend event with a newline seg before each row that continues a window.
func asrJSON3(ws []spokenWord) []byte {
	lines, newWindow := captionLines(ws, 6)
	var b strings.Builder
	b.WriteString(`{"wireMagic":"pb3","pens":[{}],"wsWinStyles":[{},{"mhModeHint":2,"juJustifCode":0,"sdScrollDir":3}],"wpWinPositions":[{},{"apPoint":6,"ahHorPos":20,"avVerPos":100,"rcRows":2,"ccCols":40}],"events":[`)
	fmt.Fprintf(&b, `{"tStartMs":0,"dDurationMs":%d,"id":1,"wpWinPosId":1,"wsWinStyleId":1}`, ws[len(ws)-1].at.Milliseconds()+1000)
	for i, l := range lines {
		start := l[0].at.Milliseconds()
		end := l[len(l)-1].at.Milliseconds() + 2000
		if i > 0 && !newWindow[i] {
			fmt.Fprintf(&b, `,{"tStartMs":%d,"dDurationMs":%d,"wWinId":1,"aAppend":1,"segs":[{"utf8":"\n"}]}`, start-10, end-start+10)
		}
		fmt.Fprintf(&b, `,{"tStartMs":%d,"dDurationMs":%d,"wWinId":1,"segs":[`, start, end-start)
		for j, w := range l {
			if j == 0 {
				fmt.Fprintf(&b, `{"utf8":%q,"acAsrConf":0}`, w.text)
			} else {
				fmt.Fprintf(&b, `,{"utf8":%q,"tOffsetMs":%d,"acAsrConf":0}`, " "+w.text, (w.at - l[0].at).Milliseconds())
			}
		}
		b.WriteString(`]}`)
	}
	b.WriteString("]}")
	return []byte(b.String())
}
