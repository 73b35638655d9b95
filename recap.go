// Package recap holds the domain types shared by every part of recap: the
// video and its timed transcript, chapters, and the summary document that is
// the product. The stages live in pipeline/, the adapters (YouTube, yt-dlp
// bundles, LLMs, storage) in their own packages.
package recap

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Video is the metadata of one video or podcast episode: a YouTube video, a
// local yt-dlp download or an episode of a podcast feed.
type Video struct {
	ID string `json:"id"`
	// Source is SourceYouTube, SourcePodcast or SourceFile; "" counts as
	// SourceYouTube.
	Source       string        `json:"source,omitempty"`
	URL          string        `json:"url"`
	Title        string        `json:"title"`
	Channel      string        `json:"channel"`
	PublishedAt  string        `json:"published_at,omitempty"` // YYYY-MM-DD
	Duration     time.Duration `json:"-"`
	ThumbnailURL string        `json:"thumbnail_url,omitempty"`
	// Description is kept for chapter parsing; it never reaches a document.
	// For a podcast episode it is the show notes as plain text.
	Description string `json:"-"`
	// MediaURL is a podcast episode's audio (its enclosure), which chapter
	// links point into; "" for videos.
	MediaURL string `json:"media_url,omitempty"`
	// Feed is the podcast an episode belongs to; nil for videos.
	Feed *FeedRef `json:"feed,omitempty"`
}

// Video sources, as written in documents (video.source). They are also
// the kinds of a job's source (storage.Job.SourceKind), each loaded by the
// pipeline.Loader registered for it, with a reference whose meaning the
// kind gives: a new kind is a new constant and a new loader.
const (
	SourceYouTube = "youtube" // fetched from YouTube; reference: an 11-character video id
	SourcePodcast = "podcast" // an episode of a podcast feed; reference: the episode id (feed.Episode.ID)
	SourceFile    = "file"    // a local yt-dlp download; reference: the path of its .info.json
)

// FeedRef names the podcast feed an episode came from.
type FeedRef struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// TimeURL links to second t of the video: YouTube's &t= for YouTube
// videos (and downloads of them), a media fragment (#t=SECONDS) on the
// episode audio, or else the page, for podcasts and other downloads.
func (v *Video) TimeURL(t time.Duration) string {
	base := v.URL
	if v.Source == SourcePodcast && v.MediaURL != "" {
		base = v.MediaURL
	}
	if v.Source != SourcePodcast && (base == "" || base == WatchURL(v.ID)) {
		return TimeURL(v.ID, t)
	}
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	return fmt.Sprintf("%s#t=%d", base, int64(t/time.Second))
}

// ValidVideoID reports whether s is a YouTube video id: 11 characters of
// letters, digits, '-' and '_'.
func ValidVideoID(s string) bool { return len(s) == 11 && YouTubeIDChars(s) }

// ValidEpisodeID reports whether s has the shape of a podcast episode's id
// (feed.EpisodeID): "ep" and 12 characters of lower-case base32. No
// YouTube id has it (those are 11 characters).
func ValidEpisodeID(s string) bool {
	if len(s) != 14 || !strings.HasPrefix(s, "ep") {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// YouTubeIDChars reports whether s holds only the characters of YouTube's
// ids (videos, playlists, channels): letters, digits, '-' and '_'.
func YouTubeIDChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Count is n and noun, plural unless n is 1: "1 item", "0 items",
// "3 LLM calls". noun is a singular that takes an s.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Timestamp writes d as m:ss or h:mm:ss, the way YouTube does.
func Timestamp(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// WatchURL is the canonical watch URL of a video id.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + id }

// TimeURL links to second t of a video.
func TimeURL(id string, t time.Duration) string {
	return fmt.Sprintf("%s&t=%ds", WatchURL(id), int64(t/time.Second))
}

// Segment is one timed piece of a transcript (a caption cue).
type Segment struct {
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
	Text  string        `json:"text"`
	// Speaker is who says it, when the transcript names speakers (WebVTT
	// <v> tags, "Name:" in podcast SRT, podcast JSON and HTML transcripts).
	Speaker string `json:"speaker,omitempty"`
}

// Transcript is a video's timed text, in order.
type Transcript struct {
	Language string    `json:"language"`
	Source   string    `json:"source"` // TranscriptYouTube, TranscriptBundle, TranscriptASR, TranscriptFeed
	Segments []Segment `json:"segments"`
}

// Transcript sources, as written in documents.
const (
	TranscriptYouTube = "youtube" // captions from YouTube: the creator's, or YouTube's automatic ones
	TranscriptASR     = "asr"     // recap's own speech-to-text (package asr)
	TranscriptBundle  = "bundle"  // subtitles of a local yt-dlp download
	TranscriptFeed    = "feed"    // a podcast feed's <podcast:transcript>
)

// Chapter sources, as written in documents.
const (
	ChaptersDescription = "description"
	ChaptersBundle      = "bundle"
	ChaptersAuto        = "auto"
	ChaptersFeed        = "feed" // a podcast feed's <podcast:chapters>
)

// Text joins the segments' text with single spaces.
func (t *Transcript) Text() string { return JoinSegments(t.Segments) }

// JoinSegments joins segment texts with single spaces.
func JoinSegments(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		txt := strings.TrimSpace(s.Text)
		if txt == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(txt)
	}
	return b.String()
}

// Empty reports whether the transcript holds no words at all: sound cues
// such as "[Music]", "(applause)" or "♪" are not words.
func (t *Transcript) Empty() bool {
	return t == nil || !SegmentsHaveWords(t.Segments)
}

// SegmentsHaveWords reports whether any segment says something (HasWords).
// Sound cues keep their timing in a transcript, but a stretch made only
// of them says nothing.
func SegmentsHaveWords(segs []Segment) bool {
	for _, s := range segs {
		if HasWords(s.Text) {
			return true
		}
	}
	return false
}

// HasWords reports whether caption text says anything, once sound cues in
// brackets and music notes are set aside.
func HasWords(text string) bool {
	depth := 0
	for _, r := range text {
		switch {
		case r == '[' || r == '(':
			depth++
		case r == ']' || r == ')':
			if depth > 0 {
				depth--
			}
		case depth == 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			return true
		}
	}
	return false
}

// ChapterMark is a chapter start as the creator gave it (description or
// yt-dlp "chapters"), before validation and normalization.
type ChapterMark struct {
	Start time.Duration
	Title string
}

// Chapter is a span of the video that gets one summary. Chapters are
// contiguous, in order, and cover [0, duration].
type Chapter struct {
	Start time.Duration
	End   time.Duration
	// SourceTitle is the creator's title ("" for automatic chapters, which
	// are labelled in the document instead); a chapter split for length
	// carries it with a part number.
	SourceTitle string
	Segments    []Segment
}

// Text is the chapter's transcript text.
func (c *Chapter) Text() string { return JoinSegments(c.Segments) }

// Source is everything recap knows about a video before summarizing it.
type Source struct {
	Video      Video
	Transcript Transcript
	// Marks are the creator's chapters when the source gives them as data
	// (a bundle's "chapters", a feed's chapters file); otherwise the
	// pipeline parses the description.
	Marks []ChapterMark
	// MarksSource says where Marks came from (ChaptersBundle or
	// ChaptersFeed); "" means ChaptersBundle.
	MarksSource string
}

// Document is the summary document of DESIGN.md, the product of recap.
type Document struct {
	ID               string        `json:"id"`
	Video            DocumentVideo `json:"video"`
	Language         string        `json:"language"`
	TranscriptSource string        `json:"transcript_source"`
	ChaptersSource   string        `json:"chapters_source"`
	// SummaryLanguage is the language the overview and chapters are
	// written in; Language is the transcript's.
	SummaryLanguage string `json:"summary_language,omitempty"`
	// People are the people the video features, as far as the title,
	// channel, description or transcript name them; none are invented.
	People    []Person        `json:"people,omitempty"`
	Overview  string          `json:"overview"`
	Chapters  []ChapterResult `json:"chapters"`
	Generator Generator       `json:"generator"`
	Usage     Usage           `json:"usage"`
	CreatedAt time.Time       `json:"created_at"`
}

// DocumentVideo is the video as a document shows it.
type DocumentVideo struct {
	ID              string `json:"id"`
	Source          string `json:"source"` // SourceYouTube, SourcePodcast or SourceFile
	URL             string `json:"url"`
	Title           string `json:"title"`
	Channel         string `json:"channel"`
	PublishedAt     string `json:"published_at,omitempty"`
	DurationSeconds int64  `json:"duration_seconds"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	// MediaURL is a podcast episode's audio (its enclosure), which its
	// chapter links point into; absent for videos and for episodes
	// without audio.
	MediaURL string `json:"media_url,omitempty"`
	// Feed is the podcast of an episode; absent for videos.
	Feed *FeedRef `json:"feed,omitempty"`
}

// Person is someone a video features: the host of a show, a guest.
type Person struct {
	Name string `json:"name"`
	Role string `json:"role"` // RoleHost, RoleGuest or RoleSpeaker
}

// PeopleLine names people with their roles on one line: "Ada Stone
// (guest), Ben Cole (host)".
func PeopleLine(ps []Person) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Name
		if p.Role != "" {
			parts[i] += " (" + p.Role + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// Roles of people in a document.
const (
	RoleHost    = "host"
	RoleGuest   = "guest"
	RoleSpeaker = "speaker" // neither host nor guest, or not known which
)

// ChapterResult is one summarized chapter of a document.
type ChapterResult struct {
	StartSeconds int64    `json:"start_seconds"`
	EndSeconds   int64    `json:"end_seconds"`
	SourceTitle  string   `json:"source_title,omitempty"`
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Bullets      []string `json:"bullets"`
	URL          string   `json:"url"`
}

// Summarizer kinds, as written in documents.
const (
	SummarizerLLM        = "llm"
	SummarizerExtractive = "extractive"
)

// Generator says what wrote a document.
type Generator struct {
	Summarizer    string `json:"summarizer"`
	Model         string `json:"model,omitempty"`
	PromptVersion string `json:"prompt_version,omitempty"`
	// ASRModel is the speech-to-text model that made the transcript, when
	// recap transcribed the audio (transcript_source "asr"); absent
	// otherwise.
	ASRModel string `json:"asr_model,omitempty"`
}

// Usage counts what a document cost.
type Usage struct {
	LLMCalls         int `json:"llm_calls"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// ASRSeconds is the length of the audio recap transcribed for the
	// document (0 when the transcript came from elsewhere), chunks that a
	// retry found already transcribed included: they were paid for once,
	// by the run that sent them, and cost this run nothing.
	ASRSeconds float64 `json:"asr_seconds"`
	// CostUSD is what the LLM calls and the audio sent for speech-to-text
	// cost in US dollars; nil (JSON null) when a price is unknown.
	CostUSD *float64 `json:"cost_usd"`
}

// Add adds o to u. Costs add up while both are known; an unknown cost
// makes the sum unknown, except that a Usage that spent nothing (no
// calls, no tokens) counts as free either way.
func (u *Usage) Add(o Usage) {
	switch {
	case o.free():
	case u.free():
		u.CostUSD = copyCost(o.CostUSD)
	case u.CostUSD != nil && o.CostUSD != nil:
		sum := *u.CostUSD + *o.CostUSD
		u.CostUSD = &sum
	default:
		u.CostUSD = nil
	}
	u.LLMCalls += o.LLMCalls
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.ASRSeconds += o.ASRSeconds
}

// free reports whether u spent nothing.
func (u *Usage) free() bool {
	return u.LLMCalls == 0 && u.PromptTokens == 0 && u.CompletionTokens == 0 && (u.CostUSD == nil || *u.CostUSD == 0)
}

func copyCost(c *float64) *float64 {
	if c == nil {
		return nil
	}
	v := *c
	return &v
}

// EstimateTokens estimates how many model tokens s takes: about four
// characters a token for Latin text, one a token for CJK and similar
// scripts. It is used for budgets and benchmarks, where the same estimate
// is applied to both sides of a ratio.
func EstimateTokens(s string) int {
	if s == "" {
		return 0
	}
	latin, wide := 0, 0
	for _, r := range s {
		if r < 0x2E80 {
			latin++
		} else {
			wide++
		}
	}
	n := (latin+3)/4 + wide
	if n == 0 && utf8.RuneCountInString(s) > 0 {
		n = 1
	}
	return n
}

// ChapterSummary is what a summarizer writes for one chapter. The
// chapter cache keeps overviews in it too: Summary is then the overview
// and People the people it found.
type ChapterSummary struct {
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Bullets []string `json:"bullets"`
	People  []Person `json:"people,omitempty"`
}
