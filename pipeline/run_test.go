package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/extractive"
	"github.com/recap-dev/recap/pipeline"
)

// recorder is a summarizer that records what it is given; its overview
// names the people it is told to.
type recorder struct {
	mu       sync.Mutex
	chapters []pipeline.ChapterInput
	overview []pipeline.OverviewInput
	people   []recap.Person
}

func (r *recorder) SummarizeChapter(_ context.Context, in pipeline.ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chapters = append(r.chapters, in)
	return recap.ChapterSummary{Title: fmt.Sprintf("Chapter %d", in.Index+1), Summary: "S.", Bullets: []string{"a", "b", "c"}}, recap.Usage{}, nil
}

func (r *recorder) Overview(_ context.Context, in pipeline.OverviewInput) (pipeline.Overview, recap.Usage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overview = append(r.overview, in)
	return pipeline.Overview{Text: "O.", People: r.people}, recap.Usage{}, nil
}

func (r *recorder) Generator() recap.Generator {
	return recap.Generator{Summarizer: "llm", Model: "rec"}
}
func (r *recorder) Budget() int { return 0 }

// interview is a 30-minute podcast episode with three chapters.
func interview() *recap.Source {
	src := &recap.Source{
		Video: recap.Video{
			ID: "interview01", Title: "Ada Stone: Robots that learn | The Ben Cole Podcast #12",
			Channel: "Ben Cole", Duration: 30 * time.Minute,
			Description: "My guest today is Ada Stone, a roboticist.\n\n0:00 Intro\n10:00 Hands\n20:00 Learning\n",
		},
		Transcript: recap.Transcript{Language: "en", Source: recap.TranscriptYouTube},
	}
	for i := range 180 {
		text := "Ada Stone explains why robot hands are hard to build and how they learn"
		if i == 100 {
			text = "Carl Wu built the first gripper in her lab"
		}
		src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{
			Start: time.Duration(i) * 10 * time.Second, End: time.Duration(i+1) * 10 * time.Second, Text: text,
		})
	}
	return src
}

func TestSummarizeNamesPeople(t *testing.T) {
	sum := &recorder{people: []recap.Person{
		{Name: "Ada Stone", Role: "guest"},         // known already
		{Name: "Carl Wu", Role: "engineer"},        // in the transcript: kept, as a speaker
		{Name: "Dana Invented", Role: "guest"},     // nowhere in the video: dropped
		{Name: "Ben Cole\x1b[2J", Role: "host"},    // cleaned, then known already
		{Name: strings.Repeat("x", 100), Role: ""}, // over the name limit
	}}
	p := &pipeline.Pipeline{Summarizer: sum}
	doc, err := summarize(context.Background(), p, interview(), pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	want := []recap.Person{{Name: "Ada Stone", Role: "guest"}, {Name: "Ben Cole", Role: "host"}, {Name: "Carl Wu", Role: "speaker"}}
	if fmt.Sprint(doc.People) != fmt.Sprint(want) {
		t.Errorf("people = %v, want %v", doc.People, want)
	}
	// The chapter prompts and the overview are told who is who.
	for _, in := range sum.chapters {
		if fmt.Sprint(in.People) != fmt.Sprint(want[:2]) {
			t.Errorf("chapter %d was given people %v, want %v", in.Index, in.People, want[:2])
		}
	}
	if fmt.Sprint(sum.overview[0].People) != fmt.Sprint(want[:2]) {
		t.Errorf("overview was given people %v", sum.overview[0].People)
	}
}

func TestFindPeople(t *testing.T) {
	tests := []struct {
		name                         string
		title, channel, desc, speech string
		want                         string
	}{
		{"guest in the title, host in the show's name", "Ada Stone: Robots that learn | The Ben Cole Podcast #12", "Ben Cole Clips", "", "",
			"[{Ada Stone guest} {Ben Cole host}]"},
		{"guest in the title, channel named for the host", "Ada Stone: Robots that learn | Episode 12", "Ben Cole", "", "welcome back, I'm Ben Cole",
			"[{Ada Stone guest} {Ben Cole host}]"},
		{"a channel not named in the video hosts nothing", "Ada Stone: Robots that learn | Episode 12", "Ben Cole", "", "",
			"[{Ada Stone guest}]"},
		{"with a guest", "Why cities flood, with Dr. Maria Lopez", "City Talk", "", "", "[{Maria Lopez guest}]"},
		{"guest named in the description", "Episode 40: The long winter", "Weather Weekly", "This week, a conversation with Jon Snowdon about ice.", "",
			"[{Jon Snowdon guest}]"},
		{"a host introduces themself", "Episode 41", "Weather Weekly", "Hosted by Petra Blum. New episodes weekly.", "", "[{Petra Blum host}]"},
		{"a topic is not a guest", "Machine Learning: an intro | Podcast #5", "Data Pod", "", "so machine learning is a field", "[]"},
		{"a lecture names no one", "Intro to Psychology: Crash Course Psychology #1", "CrashCourse", "", "", "[]"},
		{"a channel alone is no host", "How to bake bread", "Ben Cole", "", "", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &recap.Source{Video: recap.Video{Title: tt.title, Channel: tt.channel, Description: tt.desc},
				Transcript: recap.Transcript{Segments: []recap.Segment{{Text: tt.speech}}}}
			if got := fmt.Sprint(pipeline.FindPeople(src)); got != tt.want {
				t.Errorf("FindPeople = %s, want %s", got, tt.want)
			}
		})
	}
}

// Automatic chapters are labelled by their own keyphrases: a source_title
// for each, whatever the summarizer.
func TestAutoChaptersGetSourceTitles(t *testing.T) {
	topics := []string{
		"the espresso machine needs fresh coffee beans ground fine for the espresso shot",
		"the milk frother steams milk into microfoam for a latte with steamed milk",
		"cleaning the grinder burrs and descaling the boiler keeps the machine working",
	}
	src := &recap.Source{Video: recap.Video{ID: "autoChap001", Title: "Coffee at home", Duration: 30 * time.Minute},
		Transcript: recap.Transcript{Language: "en", Source: recap.TranscriptASR}}
	for i := range 360 {
		src.Transcript.Segments = append(src.Transcript.Segments, recap.Segment{
			Start: time.Duration(i) * 5 * time.Second, End: time.Duration(i+1) * 5 * time.Second, Text: topics[i/120],
		})
	}
	sum := &recorder{}
	p := &pipeline.Pipeline{Summarizer: sum, Labeler: extractive.New()}
	doc, err := summarize(context.Background(), p, src, pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChaptersSource != recap.ChaptersAuto || len(doc.Chapters) < 2 {
		t.Fatalf("chapters_source %q, %d chapters", doc.ChaptersSource, len(doc.Chapters))
	}
	for i, c := range doc.Chapters {
		if c.SourceTitle == "" || len(strings.Fields(c.SourceTitle)) > 6 {
			t.Errorf("chapter %d source_title %q: want a short label", i, c.SourceTitle)
		}
		// The summarizer is not told a creator's title that does not exist.
		if sum.chapters[i].SourceTitle != "" {
			t.Errorf("chapter %d summarized with source title %q", i, sum.chapters[i].SourceTitle)
		}
	}
	first := strings.ToLower(doc.Chapters[0].SourceTitle)
	if !strings.Contains(first, "espresso") && !strings.Contains(first, "coffee") {
		t.Errorf("first chapter labelled %q, want its topic (espresso, coffee)", doc.Chapters[0].SourceTitle)
	}
}

// Summarize cleans a source it is handed directly, as Load does.
func TestSummarizeCleansTheSource(t *testing.T) {
	src := interview()
	src.Video.Title = "Ada\x00 Stone\x1b[2J: Robots | Pod #1"
	src.Transcript.Segments[0].Text = "nul\x00 here"
	sum := &recorder{}
	p := &pipeline.Pipeline{Summarizer: sum}
	doc, err := summarize(context.Background(), p, src, pipeline.Request{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range sum.chapters {
		if strings.ContainsAny(in.VideoTitle+in.Text, "\x00\x1b") {
			t.Fatalf("chapter %d was given control characters", in.Index)
		}
	}
	if doc.Video.Title != "Ada Stone[2J: Robots | Pod #1" {
		t.Errorf("title %q", doc.Video.Title)
	}
}

func TestSummaryLanguageInKeysAndInputs(t *testing.T) {
	sum := &recorder{}
	p := &pipeline.Pipeline{Summarizer: sum}
	doc, err := summarize(context.Background(), p, interview(), pipeline.Request{SummaryLanguage: "pt-br"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.SummaryLanguage != "pt-BR" || doc.Language != "en" {
		t.Errorf("languages %q / %q", doc.Language, doc.SummaryLanguage)
	}
	in := sum.chapters[0]
	if in.Language != "pt-BR" || in.TranscriptLanguage != "en" || sum.overview[0].Language != "pt-BR" {
		t.Errorf("chapter input languages %q / %q, overview %q", in.Language, in.TranscriptLanguage, sum.overview[0].Language)
	}
	gen := sum.Generator()
	other := in
	other.Language = "en"
	if pipeline.ChapterKey(gen, in) == pipeline.ChapterKey(gen, other) {
		t.Error("chapter cache key ignores the summary language")
	}
	if _, err := summarize(context.Background(), p, interview(), pipeline.Request{SummaryLanguage: "not a tag"}); recap.ErrorCode(err) != recap.EINVALID ||
		!strings.Contains(err.Error(), "summary language") {
		t.Errorf("bad summary language: %v", err)
	}
}

// summarize runs p on a source loaded already: Run, the one path, with a
// loader that has the source.
func summarize(ctx context.Context, p *pipeline.Pipeline, src *recap.Source, req pipeline.Request) (*recap.Document, error) {
	q := *p
	q.Loaders = pipeline.Loaders{recap.SourceYouTube: pipeline.Loaded{Source: src}}
	return q.Run(ctx, pipeline.YouTubeInput(src.Video.ID), req)
}
