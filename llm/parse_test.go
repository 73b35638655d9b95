package llm

import (
	"strings"
	"testing"

	"github.com/recap-dev/recap"
)

func TestParseSummary(t *testing.T) {
	const good = `{"title": "Rockets", "summary": "One. Two.", "bullets": ["a", "b", "c"]}`
	tests := []struct {
		name    string
		in      string
		title   string
		summary string
		bullets string // joined by |
		wantErr string
	}{
		{name: "plain", in: good, title: "Rockets", summary: "One. Two.", bullets: "a|b|c"},
		{name: "fenced", in: "```json\n" + good + "\n```", title: "Rockets", summary: "One. Two.", bullets: "a|b|c"},
		{name: "prose around", in: "Sure, here it is: " + good + " Hope that helps {not json}.", title: "Rockets", summary: "One. Two.", bullets: "a|b|c"},
		{name: "brace in prose first", in: "Use {curly} braces: " + good, title: "Rockets", summary: "One. Two.", bullets: "a|b|c"},
		{name: "think block", in: `<think>maybe {"title": "x"}</think>` + good, title: "Rockets", summary: "One. Two.", bullets: "a|b|c"},
		{
			name:  "tidying",
			in:    `{"title": " \"Why Rockets Fly.\" ", "summary": "Line one.\n\nLine two.\n", "bullets": ["- a", "• b", "1. c", "2) d", "  ", "3.5 billion spent"]}`,
			title: "Why Rockets Fly", summary: "Line one. Line two.", bullets: "a|b|c|d|3.5 billion spent",
		},
		{
			name:  "seven bullets keep six",
			in:    `{"title": "T", "summary": "S.", "bullets": ["1","2","3","4","5","6","7"]}`,
			title: "T", summary: "S.", bullets: "1|2|3|4|5|6",
		},
		{
			name:  "bullets as one string",
			in:    `{"title": "T", "summary": "S.", "bullets": "- x\n- y\n- z"}`,
			title: "T", summary: "S.", bullets: "x|y|z",
		},
		{name: "two bullets", in: `{"title": "T", "summary": "S.", "bullets": ["a", "b", " - "]}`, wantErr: "2 bullets"},
		{name: "no title", in: `{"title": " . ", "summary": "S.", "bullets": ["a","b","c"]}`, wantErr: "empty title"},
		{name: "no summary", in: `{"title": "T", "summary": "", "bullets": ["a","b","c"]}`, wantErr: "empty summary"},
		{name: "truncated", in: `{"title": "T", "summary": "S.", "bull`, wantErr: "no JSON object"},
		{name: "trailing comma", in: `{"title": "T", "summary": "S.", "bullets": ["a","b","c",]}`, wantErr: "no JSON object"},
		{name: "empty", in: "  ", wantErr: "empty answer"},
		{name: "wrong types", in: `{"title": 3, "summary": "S.", "bullets": ["a","b","c"]}`, wantErr: "not {title, summary, bullets}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSummary(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != tc.title || got.Summary != tc.summary || strings.Join(got.Bullets, "|") != tc.bullets {
				t.Errorf("got %q / %q / %q, want %q / %q / %q", got.Title, got.Summary, strings.Join(got.Bullets, "|"), tc.title, tc.summary, tc.bullets)
			}
		})
	}
}

func TestParseOverview(t *testing.T) {
	if got, err := parseOverview(`{"overview": "First.\nSecond."}`); err != nil || got.Text != "First. Second." || got.People != nil {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := parseOverview(`{"overview": "  "}`); err == nil {
		t.Error("empty overview accepted")
	}
	long := `{"overview": "` + strings.Repeat("This is a sentence. ", 9) + `"}`
	if _, err := parseOverview(long); err == nil || !strings.Contains(err.Error(), "9 sentences") {
		t.Errorf("nine-sentence overview: err = %v", err)
	}
	// Abbreviations inflate the count a little; that must not cost a retry.
	if _, err := parseOverview(`{"overview": "Dr. Smith and Mr. Jones meet. They talk about the U.S. economy. It ends well."}`); err != nil {
		t.Errorf("overview with abbreviations rejected: %v", err)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a": 1}`:           false,
		" {\"a\": 1}\n":      false,
		`{"title": "cut sho`: false,
		"":                   false,
		"```json\n{}\n```":   true,
		`Here: {"a": 1}`:     true,
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseOverviewPeople(t *testing.T) {
	got, err := parseOverview(`{"overview": "A talk.", "people": [{"name": " Ada\nStone ", "role": "guest"}, {"name": "", "role": "host"}]}`)
	if err != nil || len(got.People) != 1 || got.People[0] != (recap.Person{Name: "Ada Stone", Role: "guest"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	// A malformed list costs no retry: the overview stands without people.
	got, err = parseOverview(`{"overview": "A talk.", "people": "Ada Stone"}`)
	if err != nil || got.Text != "A talk." || got.People != nil {
		t.Errorf("malformed people: %+v, %v", got, err)
	}
}
