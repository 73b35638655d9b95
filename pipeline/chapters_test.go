package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

// mk builds a mark from "h:mm:ss"-free arguments: seconds and a title.
func mk(sec float64, title string) recap.ChapterMark {
	return recap.ChapterMark{Start: time.Duration(sec * float64(time.Second)), Title: title}
}

// markCase is one description and the chapter list recap must read from
// it. Unless multiLineOnly, the same description flattened to one line
// (line breaks replaced by spaces, as podcast pages and some API clients
// do) must give the same list.
type markCase struct {
	name string
	desc string
	want []recap.ChapterMark
	// multiLineOnly explains why the flattened form cannot give the same
	// list (its line breaks carry the meaning).
	multiLineOnly string
}

func TestParseChapterMarks(t *testing.T) {
	for _, tt := range markCases {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseChapterMarks(tt.desc)
			if !equalMarks(got, tt.want) {
				t.Errorf("ParseChapterMarks:\n got %s\nwant %s", fmtMarks(got), fmtMarks(tt.want))
			}
		})
	}
}

func TestParseChapterMarksOneLine(t *testing.T) {
	for _, tt := range markCases {
		if tt.multiLineOnly != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			flat := strings.Join(strings.FieldsFunc(tt.desc, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
			got := ParseChapterMarks(flat)
			if !equalMarks(got, tt.want) {
				t.Errorf("ParseChapterMarks(%q):\n got %s\nwant %s", flat, fmtMarks(got), fmtMarks(tt.want))
			}
		})
	}
}

var markCases = []markCase{
	{
		name: "podcast outline flattened to one line, social links after it",
		desc: "Ada Stone is a roboticist. Please support this podcast by checking out our sponsors: - Acme: https://acme.example/pod to get 10% off " +
			"EPISODE LINKS: Ada's Website: https://ada.example PODCAST INFO: Podcast website: https://pod.example " +
			"OUTLINE: 0:00 - Introduction 0:28 - Jiu-jitsu tournament debut: competition, humility, and mental health 17:56 - Robots that learn " +
			"1:02:40 - Why hands are hard 2:36:29 - Faith SOCIAL: - Twitter: https://twitter.example/pod - LinkedIn: https://linkedin.example/pod",
		want: []recap.ChapterMark{mk(0, "Introduction"), mk(28, "Jiu-jitsu tournament debut: competition, humility, and mental health"),
			mk(1076, "Robots that learn"), mk(3760, "Why hands are hard"), mk(9389, "Faith")},
	},
	{
		name: "the last title of a one-line outline ends a sentence",
		desc: "OUTLINE: 0:00 - Introduction 0:28 - Robots in the U.S. 17:56 - Why hands are hard... " +
			"2:36:29 - Faith and reason. SOCIAL: - Twitter: https://twitter.example/pod",
		want: []recap.ChapterMark{mk(0, "Introduction"), mk(28, "Robots in the U.S."), mk(1076, "Why hands are hard..."), mk(9389, "Faith and reason")},
	},
	{
		name: "a one-line outline that ends the description with a period",
		desc: "0:00 Cold open. 3:10 The heist. 9:45 Getting caught.",
		want: []recap.ChapterMark{mk(0, "Cold open"), mk(190, "The heist"), mk(585, "Getting caught")},
	},
	{
		name: "podcast outline in parentheses after an explanation, links after it",
		desc: "OUTLINE: Here's the timestamps for the episode. On some podcast players you should be able to click the timestamp to jump to that time. " +
			"(00:00) - Introduction (05:27) - Metaverse (12:38) - Quest 3 (1:01:51) - AI and open source Twitter: https://twitter.example/pod",
		want: []recap.ChapterMark{mk(0, "Introduction"), mk(327, "Metaverse"), mk(758, "Quest 3"), mk(3711, "AI and open source")},
	},
	{
		name: "flattened title-first chapters between prose and links",
		desc: "What happens when we get scared? Hank explains. Want more? Check out https://example.com/more! -- " +
			"Chapters: Introduction: Brain Chemicals 00:00 Neurons 1:31 Parts of a Neuron 2:07 Credits 9:33 " +
			"The show is on Patreon! You can support us directly by signing up at http://patreon.example/show Facebook - http://facebook.example/show",
		want: []recap.ChapterMark{mk(0, "Introduction: Brain Chemicals"), mk(91, "Neurons"), mk(127, "Parts of a Neuron"), mk(573, "Credits")},
	},
	{
		name: "the last title ends at a hashtag or a call to action",
		desc: "0:00 Cold open 3:10 The heist 9:45 Getting caught #truecrime #podcast",
		want: []recap.ChapterMark{mk(0, "Cold open"), mk(190, "The heist"), mk(585, "Getting caught")},
	},
	{
		name: "a last title that reads as prose is cut at its first boundary",
		desc: "0:00 Intro 4:00 Main story 20:00 Wrap-up. We talk about what comes next and why we think you should care about it this year.",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(240, "Main story"), mk(1200, "Wrap-up")},
	},
	{
		name: "a title may start with a label",
		desc: "0:00 AI: where it stands 5:00 NASA: the budget 9:00 Q&A",
		want: []recap.ChapterMark{mk(0, "AI: where it stands"), mk(300, "NASA: the budget"), mk(540, "Q&A")},
	},
	{
		name: "title first with hours-free times (Crash Course)",
		desc: `What does Psychology mean? Hank gives you a 10-minute intro.

Want more videos about psychology? Check out https://www.youtube.com/scishowpsych!
--
Chapters:
Introduction: What is Psychology?  00:00
Early Thinkers in Psychology 0:46
Sigmund Freud 2:21
Freud's Death & Legacy 7:01
Credits 10:09

Facebook - http://www.facebook.com/YouTubeCrashCourse`,
		want: []recap.ChapterMark{mk(0, "Introduction: What is Psychology?"), mk(46, "Early Thinkers in Psychology"), mk(141, "Sigmund Freud"), mk(421, "Freud's Death & Legacy"), mk(609, "Credits")},
	},
	{
		name: "plain time first between prose and links",
		desc: `In this video we build a bookshelf from scratch.

0:00 Intro
1:30 Choosing the wood
5:05 Cutting
12:45 Finishing

Tools I use: https://example.com/tools?ref=12:30
Music by Someone.`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(90, "Choosing the wood"), mk(305, "Cutting"), mk(765, "Finishing")},
	},
	{
		name: "hh:mm:ss with dash",
		desc: `Full podcast episode.
00:00:00 - Intro
00:04:12 - Guest background
01:15:30 - Listener questions
Subscribe!`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(252, "Guest background"), mk(4530, "Listener questions")},
	},
	{
		name: "h:mm:ss with hours above nine",
		desc: `24 hour stream highlights
0:00:00 Start
9:59:59 Almost ten
10:00:05 Ten hours in
23:10:00 Finale`,
		want: []recap.ChapterMark{mk(0, "Start"), mk(35999, "Almost ten"), mk(36005, "Ten hours in"), mk(83400, "Finale")},
	},
	{
		name: "times in parentheses",
		desc: `(0:00) Cold open
(2:15) The problem
(1:02:03) Wrap up`,
		want: []recap.ChapterMark{mk(0, "Cold open"), mk(135, "The problem"), mk(3723, "Wrap up")},
	},
	{
		name: "times in brackets, with and without dash",
		desc: `TIMESTAMPS
[00:00] Welcome
[03:10] - Setup
[12:30] - Results (final)
Thanks for watching`,
		want: []recap.ChapterMark{mk(0, "Welcome"), mk(190, "Setup"), mk(750, "Results (final)")},
	},
	{
		name: "en dash, em dash, pipe and colon separators",
		desc: "0:00 – Opening\n2:00 — Part one\n4:30 | Part two\n12:30: Q&A: part 2",
		want: []recap.ChapterMark{mk(0, "Opening"), mk(120, "Part one"), mk(270, "Part two"), mk(750, "Q&A: part 2")},
	},
	{
		name: "title then dash then time",
		desc: `Chapters
Intro - 0:00
Early life - 3:20
Later years - 15:00`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(200, "Early life"), mk(900, "Later years")},
	},
	{
		name: "title then time in parentheses",
		desc: `Intro (0:00)
The Big Bang (1:40)
Inflation (6:05)`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(100, "The Big Bang"), mk(365, "Inflation")},
	},
	{
		name: "numbered lists",
		desc: `Contents:
1. 0:00 Intro
2. 1:10 Why it matters
3. 4:00 How to do it
01) 8:00 Summary`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(70, "Why it matters"), mk(240, "How to do it"), mk(480, "Summary")},
	},
	{
		name: "hyphen, bullet and star bullets",
		desc: "- 0:00 Intro\n• 0:45 Ingredients\n* 2:30 Mixing\n· 6:00 Baking",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(45, "Ingredients"), mk(150, "Mixing"), mk(360, "Baking")},
	},
	{
		name: "emoji before and after",
		desc: "▶ 0:00 Intro\n⏱️ 1:00 Gear\n🎙️ 03:00 Interview 🔥\n► 10:00 Outro 👋",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(60, "Gear"), mk(180, "Interview"), mk(600, "Outro")},
	},
	{
		name: "several on one line after a label",
		desc: "Great talk by our guest.\nOUTLINE: 0:00 - A 0:28 - B 1:15 - C\nLinks below.",
		want: []recap.ChapterMark{mk(0, "A"), mk(28, "B"), mk(75, "C")},
	},
	{
		name: "several title-first on one line",
		desc: "Intro 0:00 | Basics 1:30 | Wrap-up 5:00",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(90, "Basics"), mk(300, "Wrap-up")},
	},
	{
		name: "ranges count from their start",
		desc: "0:00 - 2:30 Intro\n2:30 - 10:00 Main part\n10:00-12:00 Outro",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(150, "Main part"), mk(600, "Outro")},
	},
	{
		name:          "windows line endings and trailing spaces",
		desc:          "Chapters:\r\n00:00 Intro \r\n01:00 Middle \r\n02:00 End \r\n\r\nBye\r\n",
		want:          []recap.ChapterMark{mk(0, "Intro"), mk(60, "Middle"), mk(120, "End")},
		multiLineOnly: "on one line, \"End Bye\" may be the last title",
	},
	{
		name: "markdown emphasis",
		desc: "**0:00** Intro\n**1:00** __Setup__\n**2:00** Demo",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(60, "Setup"), mk(120, "Demo")},
	},
	{
		name: "stray timestamps in prose are not chapters",
		desc: `At 5:30 he says the famous line, and around 14:00 it gets weird.
Timestamps:
0:00 Intro
2:00 The line
9:00 The weird part
Fun fact: the quote at 12:30 in the original is misquoted by everyone who has ever lived.`,
		want:          []recap.ChapterMark{mk(0, "Intro"), mk(120, "The line"), mk(540, "The weird part")},
		multiLineOnly: "only their lines set the stray times in the prose apart from the list",
	},
	{
		name: "a second list without 0:00 (songs) is ignored",
		desc: `Timestamps
0:00 Intro
0:40 First song
3:10 Talk

Songs used:
1:20 Song A - Artist
4:50 Song B - Artist
6:00 Song C - Artist
8:00 Song D - Artist`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(40, "First song"), mk(190, "Talk")},
	},
	{
		name: "the longer of two lists from 0:00 wins",
		desc: `Short version: 0:00 Start 5:00 End
Full chapters:
0:00 Start
1:00 Setup
2:00 Build
3:00 Test
5:00 End`,
		want: []recap.ChapterMark{mk(0, "Start"), mk(60, "Setup"), mk(120, "Build"), mk(180, "Test"), mk(300, "End")},
	},
	{
		name: "titles keep inner dashes, colons, quotes and brackets",
		desc: `0:00 Part 1 - Setup
1:00 "Old Brain" - Brain Stem (and more)
2:00 Q&A: part 2
3:00 Is it C++?`,
		want: []recap.ChapterMark{mk(0, "Part 1 - Setup"), mk(60, `"Old Brain" - Brain Stem (and more)`), mk(120, "Q&A: part 2"), mk(180, "Is it C++?")},
	},
	{
		name: "timestamp links",
		desc: `https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=0s Intro
https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s Verse
https://youtu.be/dQw4w9WgXcQ?t=3m5s Chorus`,
		want: []recap.ChapterMark{mk(0, "Intro"), mk(90, "Verse"), mk(185, "Chorus")},
	},
	{
		name: "fractional seconds are kept",
		desc: "0:00.000 Intro\n1:02:03.500 Late\n1:05:00.25 Later",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(3723.5, "Late"), mk(3900.25, "Later")},
	},
	{
		name: "headers inside a list do not end it",
		desc: `0:00 Welcome
PART ONE
1:00 History
PART TWO
Theory and practice
5:00 Practice`,
		want: []recap.ChapterMark{mk(0, "Welcome"), mk(60, "History"), mk(300, "Practice")},
	},
	{
		name: "non-latin titles, with and without spaces",
		desc: "0:00 Einführung\n1:30 Größere Beispiele\n3:00導入\n4:00 Заключение",
		want: []recap.ChapterMark{mk(0, "Einführung"), mk(90, "Größere Beispiele"), mk(180, "導入"), mk(240, "Заключение")},
	},
	{
		name: "clock times, ratios and scores are not chapters",
		desc: "Live at 8:30pm, shot in 16:9, final score 3:1.\n0:00 Intro\n0:30 Game\n10:15 Post-game",
		want: []recap.ChapterMark{mk(0, "Intro"), mk(30, "Game"), mk(615, "Post-game")},
	},
	{
		name: "no chapters at all",
		desc: "Thanks for watching! Follow me on https://twitter.com/x. New videos every Monday at 10:00.",
		want: nil,
	},
	{
		name: "a list not starting at 0:00 is returned for validation to refuse",
		desc: "0:15 Intro\n1:00 Part\n2:00 End",
		want: []recap.ChapterMark{mk(15, "Intro"), mk(60, "Part"), mk(120, "End")},
	},
	{
		name:          "invalid minute and second values are skipped",
		desc:          "0:00 Intro\n1:75 Wrong\n1:10:75 Wrong too\n2:00 Fine\n3:00 Also fine",
		want:          []recap.ChapterMark{mk(0, "Intro"), mk(120, "Fine"), mk(180, "Also fine")},
		multiLineOnly: "on one line, an invalid time is part of the title before it",
	},
}

func equalMarks(a, b []recap.ChapterMark) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fmtMarks(ms []recap.ChapterMark) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("[" + m.Start.String() + " " + m.Title + "] ")
	}
	return b.String()
}

func TestValidateMarks(t *testing.T) {
	three := []recap.ChapterMark{mk(0, "A"), mk(60, "B"), mk(120, "C")}
	tests := []struct {
		name     string
		marks    []recap.ChapterMark
		duration time.Duration
		wantErr  string // substring of the message; "" means valid
	}{
		{"valid", three, 10 * time.Minute, ""},
		{"valid with unknown duration", three, 0, ""},
		{"too few", three[:2], 10 * time.Minute, "2 chapter marks: expected at least 3"},
		{"none", nil, 0, "0 chapter marks"},
		{"not from zero", []recap.ChapterMark{mk(5, "A"), mk(60, "B"), mk(120, "C")}, 0, `first chapter "A" starts at 0:05: expected 0:00`},
		{"not ascending", []recap.ChapterMark{mk(0, "A"), mk(120, "B"), mk(60, "C")}, 0, "expected ascending"},
		{"equal times", []recap.ChapterMark{mk(0, "A"), mk(60, "B"), mk(60, "C")}, 0, "expected ascending"},
		{"chapter under ten seconds", []recap.ChapterMark{mk(0, "A"), mk(60, "B"), mk(65, "C")}, 0, `chapter 2 "B" is 5s long`},
		{"beyond the end", three, 100 * time.Second, "after the video ends (1:40)"},
		{"last chapter too short", three, 125 * time.Second, `last chapter "C" is 5s long`},
		{"hours in messages", []recap.ChapterMark{mk(0, "A"), mk(60, "B"), mk(4000, "C")}, time.Hour, "starts at 1:06:40, after the video ends (1:00:00)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateMarks(tt.marks, tt.duration)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateMarks: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateMarks: nil, want error containing %q", tt.wantErr)
			}
			if recap.ErrorCode(err) != recap.EINVALID {
				t.Errorf("code %q, want %q", recap.ErrorCode(err), recap.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParseChapterMarks(f *testing.F) {
	for _, s := range []string{
		"0:00 Intro\n1:00 A\n2:00 B",
		"Intro 0:00\nA 1:00",
		"OUTLINE: 0:00 - A 0:28 - B 1:15 - C",
		"(1:02:03) x [12:30] - y",
		"0:00 - 2:30 Intro\r\n2:30 - 3:00 x",
		"**0:00** ⏱️ 🎙️ x",
		"https://youtu.be/dQw4w9WgXcQ?t=1h2m3s Topic",
		"1:02:03.500 (x) ( ) [] 0:00",
		"\xff0:00 \xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		marks := ParseChapterMarks(desc)
		for i, m := range marks {
			if m.Title == "" || strings.TrimSpace(m.Title) != m.Title {
				t.Fatalf("mark %d has untrimmed or empty title %q", i, m.Title)
			}
			if m.Start < 0 {
				t.Fatalf("mark %d starts before 0: %v", i, m.Start)
			}
			if i > 0 && m.Start <= marks[i-1].Start {
				t.Fatalf("marks not ascending: %v then %v", marks[i-1].Start, m.Start)
			}
		}
	})
}

// TestCorpusChapters compares the chapters parsed from real descriptions
// with the ones yt-dlp read from YouTube. Opt-in: RECAP_CORPUS=/work/shared/corpus.
func TestCorpusChapters(t *testing.T) {
	dir := os.Getenv("RECAP_CORPUS")
	if dir == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "bundles", "*", "*.info.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundles under %s: %v", dir, err)
	}
	match := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Description string  `json:"description"`
			Duration    float64 `json:"duration"`
			Chapters    []struct {
				StartTime float64 `json:"start_time"`
				Title     string  `json:"title"`
			} `json:"chapters"`
		}
		if err := json.Unmarshal(b, &info); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var want []recap.ChapterMark
		for _, c := range info.Chapters {
			want = append(want, mk(c.StartTime, c.Title))
		}
		got := ParseChapterMarks(info.Description)
		if equalMarks(got, want) {
			match++
		} else {
			t.Errorf("%s:\n got %s\nwant %s", filepath.Base(f), fmtMarks(got), fmtMarks(want))
		}
		if err := ValidateMarks(got, time.Duration(info.Duration*float64(time.Second))); err != nil {
			t.Errorf("%s: parsed marks do not validate: %v", filepath.Base(f), err)
		}
		// The same description flattened to one line, as podcast pages show it.
		flat := strings.Join(strings.Fields(info.Description), " ")
		if got := ParseChapterMarks(flat); !equalMarks(got, want) {
			t.Errorf("%s on one line:\n got %s\nwant %s", filepath.Base(f), fmtMarks(got), fmtMarks(want))
		}
	}
	t.Logf("%d of %d descriptions match yt-dlp's chapters exactly", match, len(files))
}

// On its own line a title is what the creator wrote, however long; only a
// link is never part of it.
func TestParseChapterMarksLongTitleOnItsOwnLine(t *testing.T) {
	long := "The long and winding story of how we built it, broke it - and built it again"
	got := ParseChapterMarks("0:00 Intro\n1:00 " + long + "\n2:00 Links https://example.com/x\n")
	want := []recap.ChapterMark{mk(0, "Intro"), mk(60, long), mk(120, "Links")}
	if !equalMarks(got, want) {
		t.Errorf("got %s\nwant %s", fmtMarks(got), fmtMarks(want))
	}
}
