package asr

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/recap-dev/recap/audio"
	"github.com/recap-dev/recap/storage"
	"github.com/recap-dev/recap/textclean"
)

// Some models give text and no timestamps: OpenAI's gpt-4o-transcribe and
// gpt-4o-mini-transcribe refuse verbose_json with a 400 ("response_format
// 'verbose_json' is not compatible with model …. Use 'json' or 'text'
// instead."). For them recap asks for json, cuts the audio into short
// chunks (Config.TextChunk) and gives each chunk's words its own time
// span, spread by word count: the chunk's offset is the anchor, so a
// segment's start is never further off than one chunk, well below a
// chapter.
//
// The chunks share Config.TextOverlap (1 s) of audio, so that a word cut
// by one chunk's end is whole in the next. Without timestamps the seam is
// joined on the words alone: the longest run of words that ends one
// chunk and begins the next (allowing for a cut word at either end) is
// taken once. Without such a run both chunks' words are kept: the overlap
// most often held a pause then, and a word doubled once costs a summary
// less than words dropped by a guess. A second of overlap
// in a minute keeps the audio uploaded within 1.9 % over the episode.
// No overlap would be exact in what is paid, but every word spoken across
// a seam would be heard cut by both chunks, doubled or lost.

const (
	// DefaultTextChunk is the longest chunk for models without timestamps.
	DefaultTextChunk = 60 * time.Second
	// DefaultTextOverlap is what those chunks share.
	DefaultTextOverlap = time.Second
	// sentenceWords bounds a segment made of text without punctuation.
	sentenceWords = 40
)

// errNoSegments marks a refusal of verbose_json: the model gives text
// without timestamps.
var errNoSegments = errors.New("the model gives no segment timestamps")

// textOnly reports whether a model is known to give no timestamps:
// OpenAI's GPT transcription models (gpt-4o-transcribe,
// gpt-4o-mini-transcribe, their dated and -diarize variants,
// gpt-transcribe), with or without a provider prefix ("openai/"). Other
// models are asked for verbose_json, and learnt from their refusal.
func textOnly(model string) bool {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	return strings.HasPrefix(m, "gpt-") && strings.Contains(m, "transcribe")
}

// refusesSegments reports whether err is a service's refusal of
// verbose_json or segment timestamps for the model: a 400 naming the
// response_format or timestamp_granularities parameter, or verbose_json.
func refusesSegments(err error) bool {
	var ae *openai.APIError
	if !errors.As(err, &ae) || ae.HTTPStatusCode != http.StatusBadRequest {
		return false
	}
	if ae.Param != nil && (*ae.Param == "response_format" || strings.HasPrefix(*ae.Param, "timestamp_granularities")) {
		return true
	}
	return strings.Contains(ae.Message, "verbose_json")
}

// word is one word of a text-only transcript with the time it is placed at.
type word struct {
	text       string
	start, end time.Duration
}

// joinText joins the text-only answers of consecutive chunks into
// sentence-ish segments at absolute times: each chunk's words, less those
// the chunk before already gave, are spread evenly over the time that is
// the chunk's own (from the previous chunk's end to its own), and the
// stream of words is cut after each sentence's end.
func joinText(chunks []audio.Chunk, answers [][]storage.ASRSegment) []storage.ASRSegment {
	var (
		stream []word
		prev   []string // the previous chunk's words
	)
	for i, c := range chunks {
		var ws []string
		for _, s := range answers[i] {
			ws = append(ws, strings.Fields(textclean.Line(s.Text))...)
		}
		from := c.Start
		if i > 0 {
			from = chunks[i-1].End
			dropPrev, skip := seam(prev, ws, c.Overlap, c.Duration())
			stream = stream[:len(stream)-dropPrev]
			ws = ws[skip:]
		}
		prev = ws
		if len(ws) == 0 {
			continue
		}
		span := c.End - from
		for j, w := range ws {
			stream = append(stream, word{text: w,
				start: from + span*time.Duration(j)/time.Duration(len(ws)),
				end:   from + span*time.Duration(j+1)/time.Duration(len(ws))})
		}
	}
	return sentences(stream)
}

// seam finds the words two consecutive chunks both heard in their overlap:
// a run of at most a few words more than the overlap can hold
// that ends a and begins b, allowing for one word cut by a's end (dropA)
// and one cut by b's start (which a heard whole); runs of whole words
// first, and of runs of repeated words the one nearest the overlap's
// share of b's words. skip is how many of b's
// words to leave out; without a run, none.
func seam(a, b []string, overlap, dur time.Duration) (dropA, skip int) {
	if len(a) == 0 || len(b) == 0 || overlap <= 0 || dur <= 0 {
		return 0, 0
	}
	share := float64(len(b)) * float64(overlap) / float64(dur)
	maxRun := min(len(a), len(b), int(math.Ceil(share))+3)
	// Whole words matched are the better evidence: runs with no cut
	// word are tried first. Repeated words ("no, no, no") match at
	// several lengths: the one nearest the overlap's share of words wins,
	// the longer on a tie.
	for cut := 0; cut <= 2; cut++ {
		best := -1.0
		for k := maxRun; k >= 1; k-- {
			for da := max(0, cut-1); da <= min(1, cut); da++ {
				db := cut - da
				if k+da > len(a) || k+db > len(b) || !sameNormWords(a[len(a)-da-k:len(a)-da], b[db:db+k]) {
					continue
				}
				if off := math.Abs(float64(k) - share); best < 0 || off < best {
					best, dropA, skip = off, da, db+k
				}
			}
		}
		if best >= 0 {
			return dropA, skip
		}
	}
	return 0, 0
}

func sameNormWords(a, b []string) bool {
	for i := range a {
		if norm(a[i]) != norm(b[i]) {
			return false
		}
	}
	return true
}

// sentences cuts a stream of words into segments after each word that
// ends a sentence, and after sentenceWords words without one.
func sentences(stream []word) []storage.ASRSegment {
	var (
		out   []storage.ASRSegment
		cur   []string
		start time.Duration
	)
	for i, w := range stream {
		if len(cur) == 0 {
			start = w.start
		}
		cur = append(cur, w.text)
		if endsSentence(w.text) || len(cur) >= sentenceWords || i == len(stream)-1 {
			out = append(out, storage.ASRSegment{Start: start, End: w.end, Text: strings.Join(cur, " ")})
			cur = cur[:0]
		}
	}
	return out
}

// endsSentence reports whether a word ends with a full stop, question or
// exclamation mark (also CJK's and Devanagari's), closing quotes and
// brackets aside.
func endsSentence(w string) bool {
	w = strings.TrimRight(w, `"'”’»)]}`)
	return strings.HasSuffix(w, ".") || strings.HasSuffix(w, "?") || strings.HasSuffix(w, "!") ||
		strings.HasSuffix(w, "…") || strings.HasSuffix(w, "。") || strings.HasSuffix(w, "？") ||
		strings.HasSuffix(w, "！") || strings.HasSuffix(w, "।")
}
