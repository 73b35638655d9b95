package render

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recap-dev/recap"
)

func testDoc() *recap.Document {
	return &recap.Document{
		ID: "0192",
		Video: recap.DocumentVideo{
			ID: "dQw4w9WgXcQ", URL: recap.WatchURL("dQw4w9WgXcQ"),
			Title: `Tips & <script>alert("x")</script> tricks`, Channel: "Chan [1] &amp; #2",
			PublishedAt: "2023-06-08", DurationSeconds: 3725,
		},
		Language: "en", TranscriptSource: "youtube", ChaptersSource: "description",
		Overview: "An overview with *stars* and\nline breaks.",
		Chapters: []recap.ChapterResult{
			{StartSeconds: 0, EndSeconds: 61, SourceTitle: "Intro", Title: "[click](javascript:alert(1))",
				Summary: "# not a heading", Bullets: []string{"- not nested", "1. not numbered", "<b>bold</b>"},
				URL: recap.TimeURL("dQw4w9WgXcQ", 0)},
			{StartSeconds: 61, EndSeconds: 3725, Title: "Second", Summary: "Two.",
				Bullets: []string{"a", "b", "c"}, URL: recap.TimeURL("dQw4w9WgXcQ", 61*time.Second)},
		},
		Generator: recap.Generator{Summarizer: "llm", Model: "m", PromptVersion: "p1"},
		Usage:     recap.Usage{LLMCalls: 3, PromptTokens: 100, CompletionTokens: 20, CostUSD: usd(0.0123)},
		CreatedAt: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
	}
}

func TestHTMLEscapesAndLinks(t *testing.T) {
	out, err := Bytes(testDoc(), FormatHTML)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{"<script>", "<b>bold</b>", `href="javascript:`} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;", "&lt;b&gt;bold&lt;/b&gt;",
		`href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=61s"`, ">1:01<",
		"1:02:05", "Chapter: Intro",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	s := Markdown(testDoc())
	for _, want := range []string{
		`# Tips & \<script\>alert("x")\</script\> tricks`,
		`\[click\](javascript:alert(1))`,
		"\n\\# not a heading\n",
		"- \\- not nested\n", "- 1\\. not numbered\n",
		"[1:01](<https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=61s>) Second",
		"An overview with \\*stars\\* and line breaks.",
		"Chan \\[1\\] \\&amp; #2 ·",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("markdown lacks %q\n%s", want, s)
		}
	}
	if strings.Count(s, "\n## ") != 3 { // "Chapters" and two chapters
		t.Errorf("want 3 level-2 headings, got:\n%s", s)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	doc := testDoc()
	out, err := Bytes(doc, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	var back recap.Document
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.Chapters[1].URL != doc.Chapters[1].URL || back.Video.DurationSeconds != 3725 || !reflect.DeepEqual(back.Usage, doc.Usage) {
		t.Fatalf("round trip lost data: %+v", back)
	}
	if !strings.Contains(string(out), `"start_seconds": 61`) || !strings.Contains(string(out), `"cost_usd": 0.0123`) {
		t.Errorf("JSON lacks start_seconds or cost_usd: %s", out)
	}
	// An unknown price is null, not 0 and not left out.
	doc.Usage.CostUSD = nil
	out, _ = Bytes(doc, FormatJSON)
	if !strings.Contains(string(out), `"cost_usd": null`) {
		t.Errorf("JSON of an unknown cost: %s", out)
	}
}

func usd(v float64) *float64 { return &v }

// The cost shows where the usage does, in md and html.
func TestCostInCredits(t *testing.T) {
	doc := testDoc()
	for _, format := range []string{FormatMarkdown, FormatHTML} {
		out, err := Bytes(doc, format)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "3 LLM calls, 100 prompt") || !strings.Contains(string(out), "20 completion tokens, $0.0123 ·") {
			t.Errorf("%s lacks the cost:\n%s", format, out)
		}
	}
	for _, tc := range []struct {
		cost *float64
		want string
	}{{nil, "cost unknown"}, {usd(0), "$0.0000"}, {usd(0.00001), "< $0.0001"}, {usd(1.23456), "$1.2346"}} {
		if got := USD(tc.cost); got != tc.want {
			t.Errorf("USD(%v) = %q, want %q", tc.cost, got, tc.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"md": "md", "Markdown": "md", "json": "json", "HTML": "html"} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("pdf"); recap.ErrorCode(err) != recap.EINVALID {
		t.Errorf("ParseFormat(pdf) err = %v, want EINVALID", err)
	}
}

func TestTimestamp(t *testing.T) {
	for s, want := range map[int64]string{0: "0:00", 59: "0:59", 61: "1:01", 3600: "1:00:00", 9660: "2:41:00"} {
		if got := Timestamp(s); got != want {
			t.Errorf("Timestamp(%d) = %q, want %q", s, got, want)
		}
	}
}

func TestPeopleAndLabels(t *testing.T) {
	doc := testDoc()
	doc.People = []recap.Person{{Name: "Ada Stone", Role: "guest"}, {Name: "Ben Cole", Role: "host"}}
	doc.SummaryLanguage = "de"
	md := Markdown(doc)
	if !strings.Contains(md, "With Ada Stone (guest), Ben Cole (host)\n") || !strings.Contains(md, "*Chapter: Intro*") {
		t.Errorf("markdown lacks people or the chapter label:\n%s", md)
	}
	html, _ := Bytes(doc, FormatHTML)
	if !strings.Contains(string(html), "With Ada Stone (guest), Ben Cole (host)") || !strings.Contains(string(html), `<html lang="de">`) {
		t.Errorf("HTML lacks people or the summary language")
	}
	doc.ChaptersSource = recap.ChaptersAuto
	if md := Markdown(doc); !strings.Contains(md, "*Topics: Intro*") {
		t.Errorf("automatic chapters' source_title is not labelled as topics:\n%s", md)
	}
}

func TestPodcastLinks(t *testing.T) {
	doc := testDoc()
	doc.Video.Source = recap.SourcePodcast
	doc.Video.URL = "https://pod.example/ep/12"
	doc.Video.Feed = &recap.FeedRef{Title: "Tidepool", URL: "https://pod.example/feed.xml"}
	md, err := Bytes(doc, FormatMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Bytes(doc, FormatHTML)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"md": string(md), "html": string(page)} {
		if strings.Contains(out, "Watch on YouTube") || !strings.Contains(out, "Listen to the episode") {
			t.Errorf("%s: a podcast must not link to YouTube:\n%s", name, out)
		}
	}
	js, err := Bytes(doc, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"source": "podcast"`) && !strings.Contains(string(js), `"source":"podcast"`) {
		t.Errorf("JSON lacks video.source: %s", js)
	}
	if !strings.Contains(string(js), `"feed"`) {
		t.Errorf("JSON lacks video.feed: %s", js)
	}
}

func TestIndexEscapesAndLinks(t *testing.T) {
	got := Index("# Crabs [all](x)", []IndexEntry{
		{Title: "[click](javascript:evil) *bold*", ID: "aaaaaaaaaaa", Published: "2024-04-02", DurationSeconds: 3725, File: "2024-04-02-click-aaaaaaaaaaa.md"},
		{Title: "", ID: "bbbbbbbbbbb", Status: "skipped", Reason: "private\nvideo <b>"},
		{Title: "1. Pending", ID: "ccccccccccc"},
	})
	want := "# \\# Crabs \\[all\\](x)\n\n" +
		"1 of 3 items summarized.\n\n" +
		"- [\\[click\\](javascript:evil) \\*bold\\*](<2024-04-02-click-aaaaaaaaaaa.md>) · 2024-04-02 · 1:02:05\n" +
		"- bbbbbbbbbbb — skipped: private video \\<b\\>\n" +
		"- 1\\. Pending\n"
	if got != want {
		t.Errorf("Index =\n%s\nwant\n%s", got, want)
	}
}
