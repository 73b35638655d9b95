package worker

import "github.com/recap-dev/recap"

// OptionsKey names the options that make two jobs the same work: a video
// is summarized once per caption language, summary language ("" = the
// transcript's), summarizer, model and prompt version, unless forced.
func OptionsKey(lang, summaryLang string, gen recap.Generator) string {
	key := lang + "|" + gen.Summarizer + "|" + gen.Model + "|" + gen.PromptVersion
	if summaryLang != "" {
		// Appended only when set, so that the keys of jobs stored before
		// summary languages existed still match.
		key += "|summary=" + summaryLang
	}
	return key
}
