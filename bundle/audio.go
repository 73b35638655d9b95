package bundle

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/audio"
)

// mediaExts are the extensions yt-dlp gives audio (and video, which
// holds audio) files, best for speech-to-text first.
var mediaExts = []string{".mp3", ".m4a", ".opus", ".ogg", ".oga", ".webm", ".wav", ".flac", ".aac", ".mka", ".mp4", ".mkv"}

// Audio finds the audio file of the yt-dlp download at path (an
// .info.json or a folder holding one), for speech-to-text. It takes the
// file the .info.json names ("requested_downloads", "filepath",
// "_filename") when it is there; when that path is stale (the download
// was moved, or -x changed the extension after the JSON was written) the
// file of that name beside the .info.json; then a file named like the
// .info.json with an audio extension. Like every file of a download, it
// must be a regular file inside the download folder. A download without
// audio is EINVALID, with the yt-dlp option that makes one.
func Audio(path string) (string, error) {
	f, name, err := findInfo(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	infoPath := f.path(name)
	data, err := f.read(name, MaxInfoBytes, "info file")
	if err != nil {
		return "", err
	}
	var inf struct {
		Filepath  string `json:"filepath"`
		Filename  string `json:"_filename"`
		Requested []struct {
			Filepath string `json:"filepath"`
		} `json:"requested_downloads"`
	}
	if err := json.Unmarshal(data, &inf); err != nil {
		return "", recap.WrapError(recap.EINVALID, err, "%s is not valid yt-dlp JSON", infoPath)
	}
	dir := filepath.Dir(infoPath)
	var named []string
	for _, r := range inf.Requested {
		named = append(named, r.Filepath)
	}
	named = append(named, inf.Filepath, inf.Filename)

	var cands []string
	for _, n := range named {
		if n == "" {
			continue
		}
		if !filepath.IsAbs(n) {
			cands = append(cands, filepath.Join(dir, n))
		} else {
			cands = append(cands, n)
		}
		// Stale: the same name beside the .info.json, with any of the
		// extensions -x may have given it.
		stem := strings.TrimSuffix(filepath.Base(n), filepath.Ext(n))
		cands = append(cands, filepath.Join(dir, filepath.Base(n)))
		for _, ext := range mediaExts {
			cands = append(cands, filepath.Join(dir, stem+ext))
		}
	}
	stem := infoBase(name)
	for _, ext := range mediaExts {
		cands = append(cands, filepath.Join(dir, stem+ext))
	}
	for _, c := range cands {
		// Only a regular file inside the download folder (no FIFO, no
		// device, no link or path out of it).
		rel, err := filepath.Rel(dir, c)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || f.regular(rel) != nil {
			continue
		}
		if _, err := audio.DetectFile(c); err == nil {
			return c, nil
		}
	}
	return "", recap.Errorf(recap.EINVALID, "no audio file beside %s (looked for %s.mp3, .m4a, .opus, .webm…): download the audio too, e.g. yt-dlp -x --write-info-json URL", infoPath, stem)
}
