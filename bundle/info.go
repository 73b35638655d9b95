package bundle

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// info is the part of yt-dlp's .info.json that recap reads. The file is
// large (formats, thumbnails, every caption URL: ~700 KB for a 10-minute
// video); only these fields are decoded, and the caption maps only for
// their keys.
type info struct {
	Type              string            `json:"_type"`
	ID                string            `json:"id"`
	Title             string            `json:"title"`
	Channel           string            `json:"channel"`
	Uploader          string            `json:"uploader"`
	UploadDate        string            `json:"upload_date"`
	ReleaseDate       string            `json:"release_date"`
	Timestamp         *float64          `json:"timestamp"`
	ReleaseTimestamp  *float64          `json:"release_timestamp"`
	Duration          float64           `json:"duration"`
	Thumbnail         string            `json:"thumbnail"`
	Thumbnails        []thumbnail       `json:"thumbnails"`
	Description       string            `json:"description"`
	WebpageURL        string            `json:"webpage_url"`
	Language          string            `json:"language"`
	Extractor         string            `json:"extractor"`
	ExtractorKey      string            `json:"extractor_key"`
	Chapters          []chapter         `json:"chapters"`
	Subtitles         map[string]listed `json:"subtitles"`
	AutomaticCaptions map[string]listed `json:"automatic_captions"`
}

type thumbnail struct {
	URL        string  `json:"url"`
	Width      float64 `json:"width"`
	Height     float64 `json:"height"`
	Preference float64 `json:"preference"`
}

type chapter struct {
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
	Title     string  `json:"title"`
}

// listed records that a language key is present and skips its value (a
// list of caption URLs) without decoding it.
type listed struct{}

func (*listed) UnmarshalJSON([]byte) error { return nil }

// readInfo reads and checks the .info.json name of one video.
func readInfo(f *folder, name string) (*info, error) {
	path := f.path(name)
	data, err := f.read(name, MaxInfoBytes, "info file")
	if err != nil {
		return nil, err
	}
	var inf info
	if err := json.Unmarshal(data, &inf); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "%s is not valid yt-dlp JSON", path)
	}
	if !isVideoType(inf.Type) {
		return nil, recap.Errorf(recap.EINVALID, "%s describes a %s, not a video: pass the .info.json of one video", path, inf.Type)
	}
	if inf.ID == "" {
		return nil, recap.Errorf(recap.EINVALID, `%s has no "id": expected the .info.json yt-dlp writes for a video`, path)
	}
	return &inf, nil
}

// infoType reads only the _type of an .info.json.
func infoType(f *folder, name string) (string, error) {
	data, err := f.read(name, MaxInfoBytes, "info file")
	if err != nil {
		return "", err
	}
	var v struct {
		Type string `json:"_type"`
	}
	err = json.Unmarshal(data, &v)
	return v.Type, err
}

// isVideoType reports whether an .info.json's _type is a single video
// (yt-dlp leaves it out or writes "video").
func isVideoType(t string) bool { return t == "" || t == "video" }

func (inf *info) video() recap.Video {
	v := recap.Video{
		ID:           inf.ID,
		Source:       recap.SourceFile,
		URL:          inf.WebpageURL,
		Title:        strings.TrimSpace(inf.Title),
		Channel:      firstNonEmpty(inf.Channel, inf.Uploader),
		PublishedAt:  inf.published(),
		Duration:     seconds(inf.Duration),
		ThumbnailURL: inf.thumbnail(),
		Description:  inf.Description,
	}
	if inf.isYouTube() || v.URL == "" {
		v.URL = recap.WatchURL(inf.ID)
	}
	return v
}

func (inf *info) isYouTube() bool {
	return strings.EqualFold(inf.Extractor, "youtube") || strings.EqualFold(inf.ExtractorKey, "youtube")
}

// published is the upload day as YYYY-MM-DD: upload_date, else
// release_date, else the day of timestamp or release_timestamp (UTC, as
// yt-dlp computes upload_date), else "".
func (inf *info) published() string {
	for _, d := range []string{inf.UploadDate, inf.ReleaseDate} {
		if t, err := time.Parse("20060102", d); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	for _, ts := range []*float64{inf.Timestamp, inf.ReleaseTimestamp} {
		if ts != nil && *ts > 0 && *ts < 1e11 {
			return time.Unix(int64(*ts), 0).UTC().Format(time.DateOnly)
		}
	}
	return ""
}

// thumbnail is the "thumbnail" yt-dlp chose, else the largest of
// "thumbnails" (by pixels, then yt-dlp's preference; later wins ties, as
// yt-dlp lists them from worst to best).
func (inf *info) thumbnail() string {
	if inf.Thumbnail != "" {
		return inf.Thumbnail
	}
	best := -1
	for i, t := range inf.Thumbnails {
		if t.URL == "" {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := inf.Thumbnails[best]
		if pa, pb := t.Width*t.Height, b.Width*b.Height; pa > pb || pa == pb && t.Preference >= b.Preference {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return inf.Thumbnails[best].URL
}

// marks are the creator's chapters as yt-dlp gives them; the pipeline
// validates them.
func (inf *info) marks() []recap.ChapterMark {
	var marks []recap.ChapterMark
	for _, c := range inf.Chapters {
		// Not seconds(): a negative start must reach validation as such.
		start := time.Duration(math.Round(math.Max(-1e9, math.Min(1e9, c.StartTime)) * float64(time.Second)))
		marks = append(marks, recap.ChapterMark{Start: start, Title: strings.TrimSpace(c.Title)})
	}
	return marks
}

// seconds converts yt-dlp's float seconds, treating nonsense (negative,
// beyond a century) as unknown.
func seconds(s float64) time.Duration {
	if s <= 0 || s > 100*365*24*3600 {
		return 0
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
