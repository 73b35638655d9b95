package feed

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/netguard"
	"github.com/recap-dev/recap/subtitles"
)

// LoadEpisode fetches an episode's transcript and chapters through client
// (see netguard) and returns the source the pipeline summarizes.
//
// The transcript is the best <podcast:transcript> (see Rank): in lang,
// else in the feed's language, else any; JSON before WebVTT before SRT
// before HTML. One that cannot be fetched for good (4xx, too large) or
// does not parse gives way to the next; a transient failure (timeout,
// 5xx) is returned, so the job is retried rather than settling for a
// worse transcript. With none usable, the error is ENOTRANSCRIPT, naming
// the episode.
//
// Chapters come from <podcast:chapters> (chapters_source "feed"); without
// them, or when the file is unusable, the pipeline reads timestamps in the
// show notes (Video.Description), else makes its own.
func LoadEpisode(ctx context.Context, client *http.Client, ep *Episode, lang string) (*recap.Source, error) {
	tr, err := loadTranscript(ctx, client, ep, lang)
	if err != nil {
		return nil, err
	}
	src, err := episodeSource(ctx, client, ep)
	if err != nil {
		return nil, err
	}
	src.Transcript = *tr
	return src, nil
}

// episodeSource is the episode and its chapters, without a transcript.
func episodeSource(ctx context.Context, client *http.Client, ep *Episode) (*recap.Source, error) {
	src := &recap.Source{Video: ep.Video()}
	if ep.ChaptersURL != "" {
		marks, err := loadChapters(ctx, client, ep.ChaptersURL)
		switch {
		case err == nil && len(marks) > 0:
			src.Marks, src.MarksSource = marks, recap.ChaptersFeed
		case err != nil && !recap.Permanent(err):
			return nil, err
		}
	}
	return src, nil
}

// Rank orders an episode's transcripts from best to worst for lang and
// leaves out those recap cannot read (text/plain and unknown types).
func Rank(ts []Transcript, lang, feedLang string) []Transcript {
	type cand struct {
		t          Transcript
		lang, kind int
		captions   bool
		order      int
	}
	var cs []cand
	for i, t := range ts {
		kind := formatRank(subtitles.FormatFromMIME(t.Type))
		if kind < 0 {
			continue
		}
		l := 2
		switch {
		case lang != "" && sameLanguage(t.Language, lang):
			l = 0
		case t.Language == "" || sameLanguage(t.Language, feedLang):
			l = 1
		}
		cs = append(cs, cand{t: t, lang: l, kind: kind, captions: strings.EqualFold(t.Rel, "captions"), order: i})
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if a.lang != b.lang {
			return a.lang - b.lang
		}
		if a.kind != b.kind {
			return a.kind - b.kind
		}
		if a.captions != b.captions {
			// rel="captions" promises time codes.
			if a.captions {
				return -1
			}
			return 1
		}
		return a.order - b.order
	})
	out := make([]Transcript, len(cs))
	for i, c := range cs {
		out[i] = c.t
	}
	return out
}

// formatRank is the preference for a transcript format, -1 for none.
func formatRank(format string) int {
	switch format {
	case subtitles.FormatPodcastJSON:
		return 0
	case subtitles.FormatVTT:
		return 1
	case subtitles.FormatSRT:
		return 2
	case subtitles.FormatHTML:
		return 3
	}
	return -1
}

// sameLanguage compares BCP 47 tags by their primary language: "en-US"
// matches "en".
func sameLanguage(a, b string) bool {
	primary := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		p, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
		return p
	}
	return a != "" && b != "" && primary(a) == primary(b)
}

func loadTranscript(ctx context.Context, client *http.Client, ep *Episode, lang string) (*recap.Transcript, error) {
	ranked := Rank(ep.Transcripts, lang, ep.Language)
	if len(ranked) == 0 {
		why := "the feed lists no <podcast:transcript> for it"
		if len(ep.Transcripts) > 0 {
			why = fmt.Sprintf("none of its %d transcripts has a timed format (JSON, WebVTT, SRT or HTML)", len(ep.Transcripts))
		}
		return nil, recap.Errorf(recap.ENOTRANSCRIPT, "episode %q (%s) has no transcript: %s", ep.Title, ep.ID, why)
	}
	var problems []string
	for _, t := range ranked {
		tr, err := fetchTranscript(ctx, client, t)
		if err == nil {
			if tr.Language == "" {
				tr.Language = lang
			}
			return tr, nil
		}
		if !recap.Permanent(err) {
			return nil, err
		}
		problems = append(problems, recap.ErrorMessage(err))
	}
	return nil, recap.Errorf(recap.ENOTRANSCRIPT, "episode %q (%s) has no usable transcript: %s", ep.Title, ep.ID, strings.Join(problems, "; "))
}

// fetchTranscript fetches and parses one transcript. A file whose content
// is not the format its type says is read as the format it looks like.
func fetchTranscript(ctx context.Context, client *http.Client, t Transcript) (*recap.Transcript, error) {
	resp, err := netguard.Get(ctx, client, t.URL, netguard.Limit{What: "transcript", MaxBytes: MaxTranscriptBytes})
	if err != nil {
		return nil, err
	}
	format := subtitles.FormatFromMIME(t.Type)
	opt := subtitles.Options{SpeakerLabels: true}
	segs, err := subtitles.ParseWith(resp.Body, format, opt)
	if err != nil {
		if alt := sniff(resp.Body); alt != "" && alt != format {
			if s, err2 := subtitles.ParseWith(resp.Body, alt, opt); err2 == nil {
				segs, err = s, nil
			}
		}
	}
	if err != nil {
		return nil, recap.Errorf(recap.EINVALID, "transcript %s (%s) does not parse: %v", t.URL, t.Type, err)
	}
	tr := &recap.Transcript{Language: t.Language, Source: recap.TranscriptFeed, Segments: segs}
	if tr.Empty() {
		return nil, recap.Errorf(recap.EINVALID, "transcript %s holds no words", t.URL)
	}
	return tr, nil
}

// sniff guesses a transcript's format from its first bytes.
func sniff(data []byte) string {
	s := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	switch {
	case bytes.HasPrefix(s, []byte("WEBVTT")):
		return subtitles.FormatVTT
	case bytes.HasPrefix(s, []byte("{")):
		return subtitles.FormatPodcastJSON
	case bytes.HasPrefix(s, []byte("<")):
		return subtitles.FormatHTML
	case len(s) > 0 && s[0] >= '0' && s[0] <= '9':
		return subtitles.FormatSRT
	}
	return ""
}

// chaptersDoc is the Podcasting 2.0 JSON chapters format.
type chaptersDoc struct {
	Version  string `json:"version"`
	Chapters *[]struct {
		StartTime *float64 `json:"startTime"`
		Title     string   `json:"title"`
		TOC       *bool    `json:"toc"`
	} `json:"chapters"`
}

func loadChapters(ctx context.Context, client *http.Client, u string) ([]recap.ChapterMark, error) {
	resp, err := netguard.Get(ctx, client, u, netguard.Limit{What: "chapters", MaxBytes: MaxChaptersBytes, Accept: "application/json+chapters, application/json;q=0.9, */*;q=0.1"})
	if err != nil {
		return nil, err
	}
	return ParseChapters(resp.Body)
}

// ParseChapters reads a JSON chapters file ({"version", "chapters":
// [{"startTime", "title", "toc"}]}) into chapter marks, in time order.
// Chapters with "toc": false are silent markers (artwork, locations) and
// left out. The pipeline validates the marks as it does a creator's.
func ParseChapters(data []byte) ([]recap.ChapterMark, error) {
	var doc chaptersDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "chapters file is not valid JSON: %v", err)
	}
	if doc.Chapters == nil {
		return nil, recap.Errorf(recap.EINVALID, `chapters file has no "chapters" array: expected {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "…"}]}`)
	}
	var marks []recap.ChapterMark
	for i, c := range *doc.Chapters {
		if c.TOC != nil && !*c.TOC {
			continue
		}
		if c.StartTime == nil || math.IsNaN(*c.StartTime) || *c.StartTime < 0 || *c.StartTime > 1e7 {
			return nil, recap.Errorf(recap.EINVALID, "chapter %d has no valid startTime: expected seconds from the start", i+1)
		}
		marks = append(marks, recap.ChapterMark{
			Start: time.Duration(math.Round(*c.StartTime * float64(time.Second))),
			Title: strings.Join(strings.Fields(c.Title), " "),
		})
	}
	slices.SortStableFunc(marks, func(a, b recap.ChapterMark) int { return cmp.Compare(a.Start, b.Start) })
	return marks, nil
}
