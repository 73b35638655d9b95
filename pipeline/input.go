package pipeline

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/recap-dev/recap"
)

// idLen is the length of every YouTube video id.
const idLen = 11

const expectVideo = "expected a youtube.com or youtu.be video link or an 11-character video id"

// ytHosts are the hosts whose URLs name a video; nothing else is fetched.
var ytHosts = map[string]bool{
	"youtube.com":       true,
	"www.youtube.com":   true,
	"m.youtube.com":     true,
	"music.youtube.com": true,
}

var shortHosts = map[string]bool{"youtu.be": true, "www.youtu.be": true}

var nocookieHosts = map[string]bool{"youtube-nocookie.com": true, "www.youtube-nocookie.com": true}

// idPaths are the path prefixes followed by a video id ("/shorts/ID").
var idPaths = map[string]bool{"shorts": true, "embed": true, "live": true, "v": true, "e": true}

// ParseVideoID returns the video id named by a YouTube video URL (any of
// the watch, youtu.be, shorts, embed, live, v and e forms, with or without
// scheme) or by a bare 11-character id. Anything else is an EINVALID error
// that says what was wrong.
func ParseVideoID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", recap.Errorf(recap.EINVALID, "no video given: %s", expectVideo)
	}
	if recap.ValidVideoID(s) {
		return s, nil
	}
	if !strings.ContainsAny(s, "./:?=") {
		// No host, path or query: the user meant an id.
		if n := utf8.RuneCountInString(s); n != idLen {
			return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video id: an id is 11 characters of letters, digits, '-' and '_' (got %d characters)", s, n)
		}
		return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video id: an id holds only letters, digits, '-' and '_'", s)
	}
	u, err := parseLooseURL(s)
	if err != nil {
		return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video URL (%v): %s", s, err, expectVideo)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video URL: scheme %q is not http or https", s, u.Scheme)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	parts := pathParts(u.Path)
	var id string
	switch {
	case shortHosts[host]:
		if len(parts) == 0 {
			return "", recap.Errorf(recap.EINVALID, "%q names no video: a youtu.be link must be youtu.be/<video id>", s)
		}
		id = parts[0]
	case nocookieHosts[host]:
		if len(parts) < 2 || (parts[0] != "embed" && parts[0] != "v") {
			return "", recap.Errorf(recap.EINVALID, "%q names no video: expected youtube-nocookie.com/embed/<video id>", s)
		}
		id = parts[1]
	case ytHosts[host]:
		id, err = youtubePathID(s, u, parts)
		if err != nil {
			return "", err
		}
	default:
		return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video URL: %s", s, expectVideo)
	}
	if !recap.ValidVideoID(id) {
		return "", recap.Errorf(recap.EINVALID, "%q has no valid video id: %q is not 11 characters of letters, digits, '-' and '_'", s, id)
	}
	return id, nil
}

// ParseItemID returns the id of a stored item named by s: a podcast
// episode id (recap.ValidEpisodeID) as it is, or a YouTube video, in any
// form ParseVideoID takes. It is what reads by video accept (`recap get`,
// `recap search --video`, GET /v1/videos/{id}/summary); submitting needs
// more than an id (Classify).
func ParseItemID(s string) (string, error) {
	if t := strings.TrimSpace(s); recap.ValidEpisodeID(t) {
		return t, nil
	}
	id, err := ParseVideoID(s)
	if err != nil {
		return "", recap.Errorf(recap.EINVALID, "%s (or a podcast episode id: \"ep\" and 12 letters and digits)", recap.ErrorMessage(err))
	}
	return id, nil
}

// youtubePathID finds the id in a youtube.com URL, or says why there is none.
func youtubePathID(s string, u *url.URL, parts []string) (string, error) {
	if len(parts) == 0 {
		return "", recap.Errorf(recap.EINVALID, "%q names no video: %s", s, expectVideo)
	}
	first := strings.ToLower(parts[0])
	switch {
	case first == "watch":
		v := u.Query().Get("v")
		if v == "" {
			return "", recap.Errorf(recap.EINVALID, "%q names no video: a watch URL needs a v=<video id> parameter", s)
		}
		return v, nil
	case idPaths[first]:
		if len(parts) < 2 {
			return "", recap.Errorf(recap.EINVALID, "%q names no video: expected /%s/<video id>", s, first)
		}
		if parts[1] == "videoseries" {
			// An embedded playlist; "videoseries" happens to be 11 letters long.
			return "", recap.Errorf(recap.EINVALID, "%q is an embedded playlist, not a video: use `recap batch` for playlists, or give one video's URL", s)
		}
		return parts[1], nil
	case first == "playlist":
		return "", recap.Errorf(recap.EINVALID, "%q is a playlist, not a video: use `recap batch` for playlists, or give one video's URL", s)
	case strings.HasPrefix(first, "@") || first == "channel" || first == "c" || first == "user":
		return "", recap.Errorf(recap.EINVALID, "%q is a channel, not a video: use `recap batch` for channels, or give one video's URL", s)
	}
	return "", recap.Errorf(recap.EINVALID, "%q is not a YouTube video URL: path /%s names no video; %s", s, strings.Join(parts, "/"), expectVideo)
}

// parseLooseURL parses s, adding https:// when the scheme is missing
// ("youtube.com/watch?v=…", "//youtu.be/…").
func parseLooseURL(s string) (*url.URL, error) {
	switch {
	case strings.HasPrefix(s, "//"):
		s = "https:" + s
	case !hasScheme(s):
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	if u.Host == "" {
		return nil, errors.New("no host")
	}
	return u, nil
}

// hasScheme reports whether s starts with "scheme://".
func hasScheme(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for j, r := range s[:i] {
		isAlpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !isAlpha && (j == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

func pathParts(p string) []string {
	var parts []string
	for _, x := range strings.Split(p, "/") {
		if x != "" {
			parts = append(parts, x)
		}
	}
	return parts
}

// ParseInput decides what `recap summarize` was given: a path that exists
// is a local yt-dlp download (which file of it is the bundle loader's to
// find); anything else must be a YouTube video URL or id.
func ParseInput(s string) (Input, error) {
	if s == "" {
		return Input{}, recap.Errorf(recap.EINVALID, "nothing to summarize: %s, or a yt-dlp .info.json file or folder", expectVideo)
	}
	_, err := os.Stat(s)
	switch {
	case err == nil:
		return FileInput(s), nil
	case !errors.Is(err, fs.ErrNotExist):
		return Input{}, recap.WrapError(recap.EINVALID, err, "cannot read %q", s)
	}
	id, idErr := ParseVideoID(s)
	if idErr == nil {
		return YouTubeInput(id), nil
	}
	if looksLikePath(s) {
		return Input{}, recap.Errorf(recap.EINVALID, "no such file or folder %q: expected a yt-dlp .info.json file, a folder holding one, or a YouTube video URL", s)
	}
	return Input{}, idErr
}

// looksLikePath reports whether a string that is no video URL was meant as
// a file name, so that the error talks about files.
func looksLikePath(s string) bool {
	if strings.HasSuffix(strings.ToLower(s), ".json") || strings.HasPrefix(s, "~") {
		return true
	}
	if hasScheme(s) {
		return false
	}
	if strings.HasPrefix(s, ".") || filepath.IsAbs(s) {
		return true
	}
	i := strings.IndexAny(s, "/"+string(os.PathSeparator))
	// "vimeo.com/123" is a URL without scheme; "downloads/talk" a path.
	return i >= 0 && !strings.Contains(s[:i], ".")
}
