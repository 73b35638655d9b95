package bundle

import (
	"strings"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/subtitles"
)

// subtitleExts are the extensions yt-dlp writes that subtitles.Parse reads,
// best first: json3 and srv3 are exact and never repeat rows, WebVTT and
// SRT are the usual downloads.
var subtitleExts = []string{"json3", "srv3", "vtt", "srt", "ttml", "srv1"}

// chooseSubtitles picks the subtitle file to use among those yt-dlp wrote
// beside infoPath, named <basename>.<lang>.<ext>. The language is lang,
// else the video's own (info.json "language"), else English, else any;
// within a language a manual track beats an automatic one, an exact
// language tag beats a longer one ("en" beats "en-GB"), and the format
// order of subtitleExts breaks the remaining ties.
func chooseSubtitles(f *folder, infoName string, inf *info, lang string) (subFile, error) {
	files, err := listSubtitles(f, infoName, inf)
	if err != nil {
		return subFile{}, err
	}
	if len(files) == 0 {
		return subFile{}, recap.Errorf(recap.ENOCAPTIONS, "no subtitles beside %s: expected %s.<lang>.%s",
			f.path(infoName), infoBase(infoName), strings.Join(subtitleExts, "|"))
	}
	for _, want := range []string{lang, inf.Language, "en"} {
		if want == "" {
			continue
		}
		if sf, ok := best(files, want); ok {
			return sf, nil
		}
	}
	sf, _ := best(files, "")
	return sf, nil
}

// listSubtitles lists the subtitle files of the bundle: regular files in
// its folder (no FIFO, device or symlink out of it is a candidate). It
// reads the folder instead of globbing, because yt-dlp names hold glob
// syntax ("[id]").
func listSubtitles(f *folder, infoName string, inf *info) ([]subFile, error) {
	prefix := infoBase(infoName) + "."
	entries, err := f.entries()
	if err != nil {
		return nil, err
	}
	var files []subFile
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || f.regular(e.Name()) != nil {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		lang, ext := rest[:dot], strings.ToLower(rest[dot+1:])
		// A dot in lang means another video's files ("<basename>.part2.en.vtt").
		if strings.Contains(lang, ".") || strings.EqualFold(lang, "live_chat") || formatRank(ext) < 0 {
			continue
		}
		sf := subFile{name: e.Name(), lang: lang, format: subtitles.FormatFromExt(ext), kind: kindUnknown}
		if _, ok := inf.Subtitles[lang]; ok {
			sf.kind = kindManual
		} else if _, ok := inf.AutomaticCaptions[lang]; ok {
			sf.kind = kindAuto
		}
		files = append(files, sf)
	}
	return files, nil
}

// best returns the best file in language want ("" for any language).
func best(files []subFile, want string) (subFile, bool) {
	var found subFile
	foundMatch := 0
	ok := false
	for _, f := range files {
		m := 1
		if want != "" {
			if m = langMatch(f.lang, want); m == 0 {
				continue
			}
		}
		if !ok || better(f, m, found, foundMatch) {
			found, foundMatch, ok = f, m, true
		}
	}
	return found, ok
}

// better reports whether a (matching the wanted language with strength ma)
// beats b (strength mb).
func better(a subFile, ma int, b subFile, mb int) bool {
	if a.kind != b.kind {
		return a.kind > b.kind
	}
	if ma != mb {
		return ma > mb
	}
	if ra, rb := formatRank(a.format), formatRank(b.format); ra != rb {
		return ra < rb
	}
	return a.name < b.name
}

// langMatch says how well a file's language tag matches the wanted one: 3
// the same tag, 2 a longer tag of the same language ("en-US", "en-orig"
// for "en"), 1 the same primary language ("en-GB" for "en-US"), 0 none.
// Tags compare without regard to case.
func langMatch(have, want string) int {
	have, want = strings.ToLower(have), strings.ToLower(want)
	switch {
	case have == want:
		return 3
	case strings.HasPrefix(have, want+"-"):
		return 2
	case recap.BaseLanguage(have) == recap.BaseLanguage(want):
		return 1
	}
	return 0
}

// formatRank is ext's position in subtitleExts, -1 when recap cannot read it.
func formatRank(ext string) int {
	for i, e := range subtitleExts {
		if e == ext {
			return i
		}
	}
	return -1
}
