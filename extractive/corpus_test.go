package extractive

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

// TestCorpus runs the summarizer over the real captions of the shared
// corpus ($RECAP_CORPUS/bundles/*/*.en.vtt), chapter by chapter, as given
// and with punctuation and case stripped the way automatic captions come.
// It is opt-in: set RECAP_CORPUS. Run with -v to read the summaries.
func TestCorpus(t *testing.T) {
	root := os.Getenv("RECAP_CORPUS")
	if root == "" {
		t.Skip("RECAP_CORPUS not set")
	}
	vtts, err := filepath.Glob(filepath.Join(root, "bundles", "*", "*.en.vtt"))
	if err != nil || len(vtts) == 0 {
		t.Fatalf("no captions under %s/bundles (err %v)", root, err)
	}
	s := New()
	for _, vtt := range vtts {
		t.Run(filepath.Base(filepath.Dir(vtt)), func(t *testing.T) {
			cues := readVTT(t, vtt)
			info := strings.TrimSuffix(vtt, ".en.vtt") + ".info.json"
			chapters := readChapters(t, info)
			var sums []recap.ChapterSummary
			for i, ch := range chapters {
				var parts []string
				for _, c := range cues {
					if c.start >= ch.start && (i == len(chapters)-1 || c.start < chapters[i+1].start) {
						parts = append(parts, c.text)
					}
				}
				text := strings.Join(parts, " ")
				if strings.TrimSpace(text) == "" {
					continue
				}
				for _, variant := range []struct {
					name, text, title string
				}{
					{"punctuated", text, ch.title},
					{"asr", asrStyle(text), ""},
				} {
					in := pipeline.ChapterInput{Index: i, Total: len(chapters), SourceTitle: variant.title, Text: variant.text, Language: "en"}
					got, _, err := s.SummarizeChapter(context.Background(), in)
					if err != nil {
						t.Fatalf("chapter %d %q (%s): %v", i, ch.title, variant.name, err)
					}
					checkSummary(t, in, got)
					t.Logf("[%s] chapter %d %q\n  title: %s\n  summary: %s\n  bullets:\n    - %s",
						variant.name, i, ch.title, got.Title, got.Summary, strings.Join(got.Bullets, "\n    - "))
					if variant.name == "punctuated" {
						sums = append(sums, got)
					}
				}
			}
			ov, _, err := s.Overview(context.Background(), pipeline.OverviewInput{Language: "en", Chapters: sums})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("overview: %s", ov)
		})
	}
}

type cue struct {
	start float64
	text  string
}

var (
	vttTime = regexp.MustCompile(`^(\d+):(\d\d):(\d\d)\.(\d+) -->`)
	vttTag  = regexp.MustCompile(`<[^>]*>`)
)

// readVTT reads the cues of a WebVTT file: enough of the format for the
// corpus (one timing line, text lines, a blank line).
func readVTT(t *testing.T, path string) []cue {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cues []cue
	var cur *cue
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := vttTime.FindStringSubmatch(line); m != nil {
			h, _ := strconv.Atoi(m[1])
			mi, _ := strconv.Atoi(m[2])
			se, _ := strconv.Atoi(m[3])
			cues = append(cues, cue{start: float64(h*3600 + mi*60 + se)})
			cur = &cues[len(cues)-1]
			continue
		}
		if line == "" {
			cur = nil
			continue
		}
		if cur != nil {
			cur.text = strings.TrimSpace(cur.text + " " + vttTag.ReplaceAllString(line, ""))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cues
}

type chapterMark struct {
	start float64
	title string
}

func readChapters(t *testing.T, path string) []chapterMark {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Chapters []struct {
			StartTime float64 `json:"start_time"`
			Title     string  `json:"title"`
		} `json:"chapters"`
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []chapterMark
	for _, c := range info.Chapters {
		out = append(out, chapterMark{c.StartTime, c.Title})
	}
	if len(out) == 0 {
		t.Fatalf("%s: no chapters", path)
	}
	return out
}

// asrStyle makes text look like YouTube's automatic captions: lowercase,
// no punctuation except apostrophes.
func asrStyle(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' {
			return unicode.ToLower(r)
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
