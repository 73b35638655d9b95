// Package extractive is recap's offline summarizer, used when no LLM is
// configured. It ranks a chapter's sentences with TextRank (a TF-IDF
// cosine similarity graph scored by PageRank) and writes the summary and
// bullets from the most central ones, in the speaker's own words. Titles
// are the creator's chapter titles, or else the chapter's top keyphrases.
//
// Automatic captions have no punctuation, so long runs of words are cut
// into pseudo-sentences of 15-30 words at likely clause boundaries.
//
// The output is deterministic: the same input gives byte-identical output.
package extractive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/pipeline"
)

// Version names the algorithm in documents and cache keys; change it
// whenever a change here changes the output.
const Version = "textrank-1"

// Output sizes.
const (
	summaryWords = 80 // most words in a chapter summary
	bulletWords  = 25 // most words in a bullet
	overviewWord = 100
)

// ErrNoText is returned for a chapter whose transcript has no words.
var ErrNoText = errors.New("chapter has no transcript text")

// Summarizer is the extractive pipeline.Summarizer. It holds no state and
// is safe for concurrent use.
type Summarizer struct{}

var (
	_ pipeline.Summarizer      = (*Summarizer)(nil)
	_ pipeline.ChapterLabeler  = (*Summarizer)(nil)
	_ pipeline.LanguageChecker = (*Summarizer)(nil)
)

// New returns an extractive summarizer.
func New() *Summarizer { return &Summarizer{} }

// Generator names the summarizer in documents.
func (s *Summarizer) Generator() recap.Generator {
	return recap.Generator{Summarizer: recap.SummarizerExtractive, Model: "textrank", PromptVersion: Version}
}

// Budget is 0: the summarizer takes chapters of any length.
func (s *Summarizer) Budget() int { return 0 }

// SummarizeChapter summarizes one chapter. Its summary is the two or three
// most central sentences, in their original order, within about 80 words;
// its bullets are the next most central sentences that do not repeat the
// summary, cut to 25 words.
//
// A short chapter is not padded: with n usable sentences the summary
// takes 1 (n ≤ 3), 2 (n ≤ 8) or 3 of them, and the bullets at most what is
// left, so a chapter of one sentence has no bullets and one of two
// sentences has one. Bullets number up to 3, 4 from 20 usable sentences
// and 5 from 35. Sentences under 5 words and channel boilerplate ("like
// and subscribe") are used only when the chapter has nothing else. The
// chapter's language (in.Language) selects stop words, stemming and the
// English-only cleanup of speech fillers; when the text plainly is in
// another language, that language's rules (or none) apply instead.
func (s *Summarizer) SummarizeChapter(ctx context.Context, in pipeline.ChapterInput) (recap.ChapterSummary, recap.Usage, error) {
	if err := ctx.Err(); err != nil {
		return recap.ChapterSummary{}, recap.Usage{}, fmt.Errorf("summarize chapter %d: %w", in.Index+1, err)
	}
	if err := s.CheckLanguage(in.TranscriptLanguage, in.Language); err != nil {
		return recap.ChapterSummary{}, recap.Usage{}, err
	}
	r := rankChapter(in.Text, in.Language)
	if len(r.toks) == 0 {
		return recap.ChapterSummary{}, recap.Usage{}, fmt.Errorf("summarize chapter %d: %w", in.Index+1, ErrNoText)
	}

	cands := r.candidates()
	n := len(cands)
	nSummary := 3
	switch {
	case n <= 3:
		nSummary = 1
	case n <= 8:
		nSummary = 2
	}
	nBullets := 3
	switch {
	case n >= 35:
		nBullets = 5
	case n >= 20:
		nBullets = 4
	}
	summary := r.pick(cands, nil, nSummary, summaryWords, nil)
	bullets := r.pick(cands, summary, nBullets, 0, nil)
	slices.Sort(summary)
	slices.Sort(bullets)

	out := recap.ChapterSummary{Title: strings.TrimSpace(in.SourceTitle), Bullets: []string{}}
	out.Summary = r.paragraph(summary)
	for _, i := range bullets {
		out.Bullets = append(out.Bullets, r.an.shorten(r.sentence(i), bulletWords))
	}
	if out.Title == "" {
		out.Title = r.title(in.Language)
	}
	return out, recap.Usage{}, nil
}

// rankChapter splits and ranks a chapter's text with the rules of its
// language: tag's, or, when the text plainly is in another language, that
// one's.
func rankChapter(text, tag string) *ranked {
	english := baseLanguage(tag) == "en"
	r := rankText(splitSentences(text, english), tag, text)
	if len(r.toks) > 0 && r.an.english() != english {
		// The text is not in the language asked for: cut it again with
		// the rules of the language it is in.
		r = rankText(splitSentences(text, r.an.english()), r.an.base, text)
	}
	return r
}

// Label names a chapter from its own text, as SummarizeChapter titles a
// chapter that has no creator's title: by its top keyphrases (or the
// start of its most central sentence). It is how automatic chapters get a
// source_title whatever the summarizer. "" when the text has no words.
func (s *Summarizer) Label(text, language string) string {
	r := rankChapter(text, language)
	if len(r.toks) == 0 {
		return ""
	}
	return r.title(language)
}

// paragraph renders sentences into one paragraph.
func (r *ranked) paragraph(idx []int) string {
	parts := make([]string, len(idx))
	for k, i := range idx {
		parts[k] = r.sentence(i)
	}
	sep := " "
	if len(parts) > 0 && cjkRunes(parts[0])*2 > len([]rune(parts[0])) {
		sep = ""
	}
	return strings.Join(parts, sep)
}

// title is the chapter's keyphrases, or, when it has none (text written
// without spaces, or only stop words), the start of its most central
// sentence.
func (r *ranked) title(tag string) string {
	top := r.candidates()[0]
	if cjkRunes(joinTokens(r.toks[top])) == 0 {
		if t := keyphraseTitle(r.words, tag, r.an.english()); t != "" {
			return t
		}
	}
	t := strings.Trim(r.sentence(top), ".。!?！？…")
	if cjkRunes(t)*2 > len([]rune(t)) {
		return shortenRunes(t, 20)
	}
	t = r.an.shorten(t, 8)
	for n := len(strings.Fields(t)); n > 1 && utf8.RuneCountInString(t) > maxTitleChars; n-- {
		// Eight long words: drop words until it fits.
		t = r.an.shorten(strings.TrimSuffix(t, "…"), n-1)
	}
	if utf8.RuneCountInString(t) > maxTitleChars {
		t = shortenRunes(strings.TrimSuffix(t, "…"), maxTitleChars-1)
	}
	return t
}

// Overview picks 2 to 4 sentences from the chapter summaries by TextRank
// over all their sentences (2 for up to 3 chapters, 3 for up to 8, else
// 4), one per chapter while chapters last, within about 100 words, and
// returns them in chapter order.
//
// It names no people beyond those the pipeline found: it has no way to
// tell a name from any other words.
func (s *Summarizer) Overview(ctx context.Context, in pipeline.OverviewInput) (pipeline.Overview, recap.Usage, error) {
	if err := ctx.Err(); err != nil {
		return pipeline.Overview{}, recap.Usage{}, fmt.Errorf("overview: %w", err)
	}
	if err := s.CheckLanguage(in.TranscriptLanguage, in.Language); err != nil {
		return pipeline.Overview{}, recap.Usage{}, err
	}
	var (
		sents   [][]token
		chapter []int
		all     []string
	)
	english := baseLanguage(in.Language) == "en"
	for ci, ch := range in.Chapters {
		for _, st := range splitSentences(ch.Summary, english) {
			sents = append(sents, st)
			chapter = append(chapter, ci)
		}
		all = append(all, ch.Summary)
	}
	r := rankText(sents, in.Language, strings.Join(all, " "))
	if len(r.toks) == 0 {
		return pipeline.Overview{}, recap.Usage{}, errors.New("overview: the chapter summaries have no text")
	}

	k := 4
	switch {
	case len(in.Chapters) <= 3:
		k = 2
	case len(in.Chapters) <= 8:
		k = 3
	}
	cands := r.candidates()
	picked := r.pick(cands, nil, k, overviewWord, func(i int, out []int) bool {
		return !slices.ContainsFunc(out, func(j int) bool { return chapter[j] == chapter[i] })
	})
	if rest := overviewWord - r.lengthOf(picked); len(picked) < k && rest > 0 {
		// Fewer chapters with something to say than sentences wanted.
		picked = append(picked, r.pick(cands, picked, k-len(picked), rest, nil)...)
	}
	slices.Sort(picked) // sentence order is chapter order
	return pipeline.Overview{Text: r.paragraph(picked)}, recap.Usage{}, nil
}

// CheckLanguage refuses a summary language other than the transcript's:
// an extractive summary quotes the transcript, and cannot translate it.
// Regional variants of the same language ("en" and "en-GB") pass.
func (s *Summarizer) CheckLanguage(transcript, summary string) error {
	if transcript == "" || summary == "" || recap.SameLanguage(transcript, summary) {
		return nil
	}
	return recap.Errorf(recap.EINVALID,
		"summary language %q: the extractive summarizer quotes the %q transcript and cannot translate it; "+
			"leave the summary language (--summary-lang, \"summary_language\") unset, or use an LLM (RECAP_SUMMARIZER=llm)",
		summary, transcript)
}

// lengthOf is the length in words of sentences idx.
func (r *ranked) lengthOf(idx []int) int {
	n := 0
	for _, i := range idx {
		n += r.length[i]
	}
	return n
}
