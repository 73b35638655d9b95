// Package bundle reads a local yt-dlp download (a video's .info.json with
// its subtitle files beside it) as a recap.Source, so that recap can
// summarize videos fetched earlier, elsewhere, or in bulk, without
// touching YouTube.
package bundle

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
	"github.com/recap-dev/recap/subtitles"
)

// Loader reads yt-dlp bundles: the pipeline's loader of recap.SourceFile.
// It is the one place that decides which file of a download folder is the
// bundle. The zero value is ready to use.
type Loader struct{}

var _ pipeline.Loader = Loader{}

const infoSuffix = ".info.json"

// Resolve finds the .info.json of the bundle at path (the file, or a
// folder holding it) and returns the video's id and the file's absolute
// path, which names the bundle from any working directory.
func (Loader) Resolve(_ context.Context, path string) (videoID, infoPath string, err error) {
	f, name, err := findInfo(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	inf, err := readInfo(f, name)
	if err != nil {
		return "", "", err
	}
	infoPath = f.path(name)
	if abs, err := filepath.Abs(infoPath); err == nil {
		infoPath = abs
	}
	return inf.ID, infoPath, nil
}

// Load reads the bundle at path, an .info.json file or a folder holding
// one, with the subtitles in lang (BCP 47; "" for the video's own
// language, then English). Only regular files inside the download folder
// are read, each under its size cap (MaxInfoBytes, MaxSubtitleBytes).
//
// A missing, unreadable or malformed .info.json, or one that describes a
// playlist rather than a video, is EINVALID; a file over its cap is
// ETOOLARGE. No subtitle file, or one without any text, is ENOCAPTIONS:
// recap never summarizes the description instead.
func (Loader) Load(_ context.Context, path, lang string) (*recap.Source, error) {
	f, name, err := findInfo(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	inf, err := readInfo(f, name)
	if err != nil {
		return nil, err
	}
	src := &recap.Source{Video: inf.video(), Marks: inf.marks()}

	sub, err := chooseSubtitles(f, name, inf, lang)
	if err != nil {
		return nil, err
	}
	data, err := f.read(sub.name, MaxSubtitleBytes, "subtitle file")
	if err != nil {
		return nil, err
	}
	segs, err := subtitles.Parse(data, sub.format)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "subtitle file %s does not parse", f.path(sub.name))
	}
	src.Transcript = recap.Transcript{
		Language: sub.language(),
		Source:   recap.TranscriptBundle,
		Segments: segs,
	}
	if src.Transcript.Empty() {
		return nil, recap.Errorf(recap.ENOCAPTIONS, "subtitle file %s holds no captions", f.path(sub.name))
	}
	return src, nil
}

// findInfo resolves path to the .info.json of one video: its download
// folder, opened, and its name there. A folder's candidates are its
// regular .info.json files.
func findInfo(path string) (*folder, string, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", recap.Errorf(recap.EINVALID, "bundle %s: no such file or folder", path)
	}
	if err != nil {
		return nil, "", recap.WrapError(recap.EINVALID, err, "bundle %s cannot be read", path)
	}
	if !st.IsDir() {
		if !IsInfoJSON(path) {
			return nil, "", recap.Errorf(recap.EINVALID, "%s is not a yt-dlp bundle: expected a *.info.json file or a folder holding one", path)
		}
		f, err := openFolder(filepath.Dir(path))
		if err != nil {
			return nil, "", err
		}
		return f, filepath.Base(path), nil
	}
	f, err := openFolder(path)
	if err != nil {
		return nil, "", err
	}
	found, err := f.findInfo()
	if err != nil {
		f.Close()
		return nil, "", err
	}
	return f, found, nil
}

// findInfo picks the folder's one video .info.json.
func (f *folder) findInfo() (string, error) {
	entries, err := f.entries()
	if err != nil {
		return "", err
	}
	var infos []string
	for _, e := range entries {
		if IsInfoJSON(e.Name()) && f.regular(e.Name()) == nil {
			infos = append(infos, e.Name())
		}
	}
	switch len(infos) {
	case 0:
		return "", recap.Errorf(recap.EINVALID, "no *.info.json in %s: expected a yt-dlp download made with --write-info-json", f.dir)
	case 1:
		return infos[0], nil
	}
	// yt-dlp also writes an .info.json for the playlist a video came from;
	// that one is not a candidate.
	var videos []string
	for _, name := range infos {
		if typ, err := infoType(f, name); err == nil && isVideoType(typ) {
			videos = append(videos, name)
		}
	}
	if len(videos) == 1 {
		return videos[0], nil
	}
	sort.Strings(infos)
	return "", recap.Errorf(recap.EINVALID, "%s holds %d .info.json files (%s): pass the one to summarize", f.dir, len(infos), strings.Join(infos, ", "))
}

// infoBase is the name of an .info.json without that suffix: the prefix of
// every file of its download.
func infoBase(name string) string { return name[:len(name)-len(infoSuffix)] }

// subFile is a subtitle file beside an .info.json.
type subFile struct {
	name   string // in the download folder
	lang   string // as in the file name: "en", "en-US", "en-orig"
	format string
	// kind ranks where yt-dlp listed the language: kindManual (subtitles),
	// kindUnknown (neither, e.g. a file added by hand) or kindAuto (only in
	// automatic_captions).
	kind int
}

const (
	kindAuto = iota
	kindUnknown
	kindManual
)

// language is the file's language without yt-dlp's "-orig" mark (the
// untranslated automatic track).
func (s subFile) language() string {
	return strings.TrimSuffix(s.lang, "-orig")
}
