package youtube

import (
	"net/url"
	"strings"

	kkdai "github.com/kkdai/youtube/v2"

	"github.com/recap-dev/recap"
)

// choice is a caption track to try, with the language to translate it
// into ("" = as it is).
type choice struct {
	track kkdai.CaptionTrack
	tlang string
}

// lang is the language of the text the choice gives.
func (c choice) lang() string {
	if c.tlang != "" {
		return c.tlang
	}
	return c.track.LanguageCode
}

// chooseTracks orders the tracks worth trying for lang, best first: a
// creator's track in lang, YouTube's automatic one in lang, a creator's
// track in another language translated into lang (the spoken language's
// first), an automatic one translated, then any track as it is. Within a step, closer language
// matches come first ("en-US" before "en-GB" when asked for "en-US").
func chooseTracks(tracks []kkdai.CaptionTrack, lang string) []choice {
	var out []choice
	seen := make(map[string]bool)
	add := func(t kkdai.CaptionTrack, tlang string) {
		key := t.BaseURL + "\x00" + tlang
		if !seen[key] {
			seen[key] = true
			out = append(out, choice{track: t, tlang: tlang})
		}
	}
	for _, asr := range []bool{false, true} {
		for score := 4; score > 0; score-- {
			for _, t := range tracks {
				if (t.Kind == "asr") == asr && langScore(t.LanguageCode, lang) == score {
					add(t, "")
				}
			}
		}
	}
	// Translate from the language spoken (the one YouTube's automatic
	// captions are in) before other creators' tracks, which are often
	// translations themselves.
	spoken := make(map[string]bool)
	for _, t := range tracks {
		if t.Kind == "asr" {
			spoken[recap.BaseLanguage(t.LanguageCode)] = true
		}
	}
	for _, pass := range []func(kkdai.CaptionTrack) bool{
		func(t kkdai.CaptionTrack) bool { return t.Kind != "asr" && spoken[recap.BaseLanguage(t.LanguageCode)] },
		func(t kkdai.CaptionTrack) bool { return t.Kind != "asr" },
		func(t kkdai.CaptionTrack) bool { return t.Kind == "asr" },
	} {
		for _, t := range tracks {
			if pass(t) && t.IsTranslatable && langScore(t.LanguageCode, lang) == 0 {
				add(t, lang)
			}
		}
	}
	for _, asr := range []bool{false, true} {
		for _, t := range tracks {
			if (t.Kind == "asr") == asr {
				add(t, "")
			}
		}
	}
	return out
}

// langScore says how well a track's language serves the wanted one:
// 4 the same tag, 3 a more specific tag ("en-US" for "en"), 2 the wanted
// tag's base language ("pt" for "pt-BR"), 1 another variety of the same
// language ("pt-PT" for "pt-BR"), 0 another language.
func langScore(have, want string) int {
	have, want = strings.ToLower(have), strings.ToLower(want)
	switch {
	case have == "" || want == "":
		return 0
	case have == want:
		return 4
	case strings.HasPrefix(have, want+"-"):
		return 3
	case have == recap.BaseLanguage(want):
		return 2
	case recap.BaseLanguage(have) == recap.BaseLanguage(want):
		return 1
	}
	return 0
}

// trackURL is the track's baseUrl asking for json3, translated when tlang
// is set. The query is edited in place rather than re-encoded so the
// signed parameters reach YouTube exactly as it sent them.
func trackURL(baseURL, tlang string) string {
	switch {
	case strings.HasPrefix(baseURL, "//"):
		baseURL = "https:" + baseURL
	case strings.HasPrefix(baseURL, "/"):
		baseURL = DefaultEndpoint + baseURL
	}
	u, q, _ := strings.Cut(baseURL, "?")
	var parts []string
	for p := range strings.SplitSeq(q, "&") {
		if p == "" || strings.HasPrefix(p, "fmt=") || strings.HasPrefix(p, "tlang=") {
			continue
		}
		parts = append(parts, p)
	}
	parts = append(parts, "fmt=json3")
	if tlang != "" {
		parts = append(parts, "tlang="+url.QueryEscape(tlang))
	}
	return u + "?" + strings.Join(parts, "&")
}

// needsPOToken reports whether YouTube marked the track as needing a
// proof-of-origin token, without which it answers with an empty body.
func needsPOToken(baseURL string) bool {
	return strings.Contains(baseURL, "&exp=xpe") || strings.Contains(baseURL, "?exp=xpe")
}
