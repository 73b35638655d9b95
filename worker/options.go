package worker

import "github.com/recap-dev/recap"

// OptionsKey names the options that make two jobs the same work: a video
// is summarized once per language, summarizer, model and prompt version,
// unless forced.
func OptionsKey(lang string, gen recap.Generator) string {
	return lang + "|" + gen.Summarizer + "|" + gen.Model + "|" + gen.PromptVersion
}
