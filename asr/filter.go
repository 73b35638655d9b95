package asr

import (
	"strings"
	"unicode"

	"github.com/recap-dev/recap/storage"
)

// Thresholds on the confidence fields Whisper-style services give with
// each segment. The first pair is Whisper's own no-speech rule.
const (
	silentNoSpeech  = 0.6  // no_speech_prob at or above: probably silence…
	silentLogprob   = -1.0 // …when avg_logprob is also at or below this
	doubtNoSpeech   = 0.3  // a known phrase or a repeat is dropped past any of these
	doubtLogprob    = -0.7
	loopCompression = 2.4 // compression_ratio at or above: the decoder looped
)

// hallucinations are what speech models write over silence, learnt from
// the subtitles they were trained on; normalized (see norm).
var hallucinations = map[string]bool{
	"thank you for watching":                    true,
	"thanks for watching":                       true,
	"thank you for watching and see you next":   true,
	"thank you so much for watching":            true,
	"thank you very much for watching":          true,
	"thanks for watching and see you next time": true,
	"please subscribe":                          true,
	"like and subscribe":                        true,
	"please like and subscribe":                 true,
	"thank you":                                 true,
	"you":                                       true,
	"bye":                                       true,
}

// creditPrefixes start the subtitle credits models reproduce.
var creditPrefixes = []string{"subtitles by", "subtitled by", "captions by", "captioning by", "transcribed by", "transcription by", "translated by", "sottotitoli", "untertitel"}

// filterHallucinations drops the segments of one chunk that a model made
// up over silence, where the segment's own fields show it: Whisper's
// no-speech rule (no_speech_prob high and avg_logprob low); known phrases
// and subtitle credits, and lines repeating the one before, when any field
// casts doubt (no_speech_prob, avg_logprob or compression_ratio); and
// looping lines (compression_ratio high with a low avg_logprob). Without
// confidence fields (services that give none) only empty lines are
// dropped: speech that says "thank you" stays.
func filterHallucinations(segs []storage.ASRSegment) (kept []storage.ASRSegment, dropped int) {
	kept = make([]storage.ASRSegment, 0, len(segs))
	prev := ""
	for _, s := range segs {
		n := norm(s.Text)
		doubt := s.NoSpeechProb >= doubtNoSpeech || s.AvgLogprob <= doubtLogprob && s.AvgLogprob != 0 || s.CompressionRatio >= loopCompression
		switch {
		case n == "":
			dropped++
			continue
		case s.NoSpeechProb >= silentNoSpeech && s.AvgLogprob <= silentLogprob:
		case doubt && (hallucinations[n] || isCredit(n)):
		case doubt && n == prev:
		case s.CompressionRatio >= loopCompression && s.AvgLogprob <= silentLogprob:
		default:
			kept = append(kept, s)
			prev = n
			continue
		}
		dropped++
	}
	return kept, dropped
}

func isCredit(n string) bool {
	if strings.Contains(n, "amara org") {
		return true
	}
	for _, p := range creditPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// norm lower-cases text and keeps only letters and digits, words split by
// single spaces: "Thank you for watching!" → "thank you for watching".
func norm(s string) string {
	return strings.Join(words(s), " ")
}

// words are the normalized words of s.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}
