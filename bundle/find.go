package bundle

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/recap-dev/recap"
)

// IsInfoJSON reports whether a file name is yt-dlp's metadata file of a
// download (*.info.json, in any letter case).
func IsInfoJSON(name string) bool {
	return len(name) > len(infoSuffix) && strings.EqualFold(name[len(name)-len(infoSuffix):], infoSuffix)
}

// FindVideos returns the .info.json files of videos under dir, searched
// recursively, sorted by path. The .info.json yt-dlp writes for a
// playlist or channel is left out, and so are folders whose names start
// with a dot.
func FindVideos(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !IsInfoJSON(d.Name()) {
			return nil
		}
		if isVideoInfo(path) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "cannot search folder %s: %v", dir, err)
	}
	sort.Strings(found)
	return found, nil
}

// isVideoInfo reports whether the .info.json at path, read as Load reads
// it (a regular file in its folder, under its cap), describes a video.
func isVideoInfo(path string) bool {
	f, err := openFolder(filepath.Dir(path))
	if err != nil {
		return false
	}
	defer f.Close()
	typ, err := infoType(f, filepath.Base(path))
	return err == nil && isVideoType(typ)
}

// ReadVideo reads the metadata of the video an .info.json describes,
// without its subtitles. A file that is no video's .info.json is EINVALID.
func ReadVideo(path string) (recap.Video, error) {
	f, err := openFolder(filepath.Dir(path))
	if err != nil {
		return recap.Video{}, err
	}
	defer f.Close()
	inf, err := readInfo(f, filepath.Base(path))
	if err != nil {
		return recap.Video{}, err
	}
	return inf.video(), nil
}
