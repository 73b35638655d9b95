package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/render"
	"github.com/recap-dev/recap/storage"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// LibraryItem is one video of the home page's library.
type LibraryItem struct {
	Link     string // the summary page
	Title    string
	Channel  string
	Duration string // m:ss or h:mm:ss
	Date     string // YYYY-MM-DD, "" when unknown
	Thumb    string // ThumbnailURL, "" for none
	Podcast  bool
}

// NewLibraryItems makes the library's entries.
func NewLibraryItems(entries []storage.LibraryEntry) []LibraryItem {
	items := make([]LibraryItem, 0, len(entries))
	for _, e := range entries {
		v := e.Video
		items = append(items, LibraryItem{
			Link: "/s/" + url.PathEscape(e.DocumentID), Title: titleOr(v.Title, v.ID), Channel: v.Channel,
			Duration: duration(v.DurationSeconds), Date: v.PublishedAt, Thumb: ThumbnailURL(v.ThumbnailURL),
			Podcast: v.Source == recap.SourcePodcast,
		})
	}
	return items
}

func titleOr(title, id string) string {
	if strings.TrimSpace(title) != "" {
		return title
	}
	return id
}

func duration(s int64) string {
	if s <= 0 {
		return ""
	}
	return render.Timestamp(s)
}

// Player says how the summary page plays the video.
type Player struct {
	Kind     string // "youtube", "audio" or "" (a link only)
	VideoID  string // for Kind youtube
	Embed    string // EmbedURL, loaded when the reader asks
	Thumb    string
	AudioURL string // for Kind audio
	Link     string // the video's own page, render.LinkTarget
	Label    string // what the link says
}

// Summary is the summary page.
type Summary struct {
	ID           string // the document's
	Title        string
	Channel      string
	Date         string
	Duration     string
	Feed         *FeedLink
	Overview     string
	People       []Person // hosts first, then guests, then the rest
	Lang         string   // the language the summary is written in
	Player       Player
	Chapters     []Chapter
	Language     string
	Summarizer   string
	Transcript   bool // the page has the transcript's passages
	VideoID      string
	Permalink    string // the page's own path
	Generator    string
	DownloadMD   string
	DownloadJSON string
	DownloadHTML string
}

// Person is someone the video features, with their role ("host",
// "guest", "speaker" or "").
type Person struct{ Name, Role string }

// FeedLink is the podcast an episode comes from.
type FeedLink struct{ Title, Link string }

// Chapter is one chapter of the summary page.
type Chapter struct {
	Anchor      string // the id of its heading: "ch" and its start second
	Seconds     int64
	Time        string
	Link        string // the video at the chapter's start, render.LinkTarget
	Title       string
	SourceTitle string // the creator's title when the summary retitled it
	Summary     string
	Bullets     []string
	Passages    []Passage
}

// Passage is a window of the transcript, with its time.
type Passage struct {
	Anchor  string // "t" and its start second; unique in the page
	Seconds int64
	Time    string
	Link    string
	Text    string
}

// NewSummary makes the summary page of doc; t is its transcript, nil when
// not stored. Passages are storage.Passages, as search indexes them, so a
// search result's anchor is a passage of the page.
func NewSummary(doc *recap.Document, t *recap.Transcript) Summary {
	doc = doc.Cleaned()
	v := doc.Video
	s := Summary{
		ID: doc.ID, Title: titleOr(v.Title, v.ID), Channel: v.Channel, Date: v.PublishedAt,
		Duration: duration(v.DurationSeconds), Overview: doc.Overview, Language: doc.Language,
		Summarizer: doc.Generator.Summarizer, VideoID: v.ID,
		Permalink: "/s/" + url.PathEscape(doc.ID), Generator: render.Credits(doc),
	}
	s.DownloadMD, s.DownloadJSON, s.DownloadHTML = s.Permalink+"/summary.md", s.Permalink+"/summary.json", s.Permalink+"/summary.html"
	if v.Feed != nil {
		s.Feed = &FeedLink{Title: v.Feed.Title, Link: render.LinkTarget(v.Feed.URL)}
	}
	s.Lang = doc.SummaryLanguage
	if s.Lang == "" {
		s.Lang = doc.Language
	}
	for _, role := range []string{recap.RoleHost, recap.RoleGuest, recap.RoleSpeaker, ""} {
		for _, p := range doc.People {
			known := p.Role == recap.RoleHost || p.Role == recap.RoleGuest || p.Role == recap.RoleSpeaker
			if p.Role == role || (role == "" && !known) {
				s.People = append(s.People, Person{Name: p.Name, Role: p.Role})
			}
		}
	}
	s.Player = newPlayer(doc)
	tv := timeVideo(doc, s.Player)
	for _, c := range doc.Chapters {
		ch := Chapter{
			Anchor: "ch" + itoa(c.StartSeconds), Seconds: c.StartSeconds, Time: render.Timestamp(c.StartSeconds),
			Link: render.LinkTarget(c.URL), Title: c.Title, Summary: c.Summary, Bullets: c.Bullets,
		}
		if c.SourceTitle != "" && c.SourceTitle != c.Title {
			ch.SourceTitle = c.SourceTitle
		}
		s.Chapters = append(s.Chapters, ch)
	}
	if t != nil {
		seen := map[string]bool{}
		for _, p := range storage.Passages(t.Segments, doc.Chapters) {
			if p.Chapter < 0 || p.Chapter >= len(s.Chapters) {
				continue
			}
			sec := int64(p.Start / time.Second)
			ps := Passage{Seconds: sec, Time: render.Timestamp(sec), Text: p.Text}
			if a := "t" + itoa(sec); !seen[a] {
				ps.Anchor, seen[a] = a, true
			}
			if tv != nil {
				ps.Link = render.LinkTarget(tv.TimeURL(p.Start))
			}
			s.Chapters[p.Chapter].Passages = append(s.Chapters[p.Chapter].Passages, ps)
			s.Transcript = true
		}
	}
	return s
}

// newPlayer picks the player: YouTube's embed for a YouTube video, the
// audio element for a podcast episode with its audio, else a link.
func newPlayer(doc *recap.Document) Player {
	v := doc.Video
	p := Player{Link: render.LinkTarget(v.URL), Label: "Open the original"}
	switch {
	case v.Source == recap.SourcePodcast:
		p.Label = "Episode page"
		if a := podcastAudio(doc); a != "" {
			p.Kind, p.AudioURL = "audio", a
		}
	case (v.Source == recap.SourceYouTube || v.Source == "" || strings.HasPrefix(v.URL, recap.WatchURL(""))) && EmbedURL(v.ID, 0) != "":
		p.Kind, p.VideoID, p.Embed = "youtube", v.ID, EmbedURL(v.ID, 0)
		p.Thumb = ThumbnailURL(v.ThumbnailURL)
		p.Link, p.Label = recap.WatchURL(v.ID), "Watch on YouTube"
	}
	return p
}

// podcastAudio is an episode's audio: the document's media_url, or for a
// document made before it had one, the audio its chapters link into with
// a media fragment (recap.Video.TimeURL), which is cut off.
func podcastAudio(doc *recap.Document) string {
	if doc.Video.MediaURL != "" {
		return render.LinkTarget(doc.Video.MediaURL)
	}
	for _, c := range doc.Chapters {
		if base, frag, ok := strings.Cut(c.URL, "#"); ok && strings.HasPrefix(frag, "t=") {
			return render.LinkTarget(base)
		}
	}
	return ""
}

// timeVideo is the video that recap.Video.TimeURL links passages into,
// nil when the page has nothing to link them to.
func timeVideo(doc *recap.Document, p Player) *recap.Video {
	switch p.Kind {
	case "youtube":
		return &recap.Video{ID: doc.Video.ID, Source: recap.SourceYouTube}
	case "audio":
		return &recap.Video{ID: doc.Video.ID, Source: recap.SourcePodcast, URL: doc.Video.URL, MediaURL: p.AudioURL}
	}
	return nil
}

// Job is the job page: where a summary is on its way.
type Job struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Stage    string `json:"stage"` // a sentence: "Summarizing chapters: 6 of 19 done"
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
	Link     string `json:"link"` // the page itself, which shows the summary once done
}

// NewJob makes the job page of j; title is the video's, "" when unknown.
func NewJob(j *storage.Job, title string) Job {
	return Job{
		ID: j.ID, Title: titleOr(title, j.VideoID), Status: j.Status, Stage: Stage(j),
		Done: j.Done, Total: j.Total, Attempts: j.Attempts, Error: j.Error,
		Link: "/s/" + url.PathEscape(j.ID),
	}
}

// Stage says in a sentence what a job is doing. A running job has no
// chapter count until its transcript is read and its chapters are made,
// counts chapters as their summaries finish (they run in parallel), and
// writes the overview once all are done.
func Stage(j *storage.Job) string {
	switch j.Status {
	case storage.StatusQueued:
		if j.Error != "" {
			return "Waiting to try again"
		}
		return "Waiting in the queue"
	case storage.StatusRunning:
		switch {
		case j.Total == 0:
			return "Reading the video and its transcript"
		case j.Done < j.Total:
			return fmt.Sprintf("Summarizing chapters: %d of %d done", j.Done, j.Total)
		default:
			return "Writing the overview"
		}
	case storage.StatusDone:
		return "Done"
	case storage.StatusFailed:
		return "Failed"
	}
	return j.Status
}

// SearchResults is the search page.
type SearchResults struct {
	Q, VideoID, Channel, Language string
	Results                       []SearchResult
	Next                          string // the next page's URL, "" on the last
	Error                         string // the query's problem, shown with a 400
	Searched                      bool
}

// SearchResult is one moment found.
type SearchResult struct {
	Kind         string
	Title        string
	Channel      string
	ChapterTitle string
	Time         string
	Seconds      int64
	Parts        []storage.SnippetPart
	Summary      string // the summary page at the moment
	Watch        string // the video at that second, "" when not a YouTube video
}

// NewSearchResults makes the search page of f's results.
func NewSearchResults(f storage.SearchFilter, p storage.SearchPage) SearchResults {
	v := SearchResults{Q: f.Q, VideoID: f.VideoID, Channel: f.Channel, Language: f.Language, Searched: true}
	for _, r := range p.Results {
		sec := int64(r.Start / time.Second)
		anchor := "#ch" + itoa(sec)
		if r.Kind == storage.KindPassage {
			anchor = "#t" + itoa(sec)
		}
		res := SearchResult{
			Kind: r.Kind, Title: titleOr(r.Title, r.VideoID), Channel: r.Channel, ChapterTitle: r.ChapterTitle,
			Time: render.Timestamp(sec), Seconds: sec, Parts: r.Snippet.Parts(),
			Summary: "/v/" + url.PathEscape(r.VideoID) + anchor,
		}
		if videoID.MatchString(r.VideoID) {
			res.Watch = recap.TimeURL(r.VideoID, r.Start)
		}
		v.Results = append(v.Results, res)
	}
	if p.NextCursor != "" {
		v.Next = SearchURL(f.Q, f.VideoID, f.Channel, f.Language, p.NextCursor)
	}
	return v
}

// SearchURL is the search page's URL for a query and its filters.
func SearchURL(q, videoID, channel, language, cursor string) string {
	vals := url.Values{"q": {q}}
	for k, v := range map[string]string{"video_id": videoID, "channel": channel, "language": language, "cursor": cursor} {
		if v != "" {
			vals.Set(k, v)
		}
	}
	return "/search?" + vals.Encode()
}
