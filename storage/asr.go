package storage

import (
	"time"

	"github.com/recap-dev/recap"
)

// ASRChunkKey identifies one transcribed chunk of audio. The same bytes,
// at the same offset, sent to the same model asking for the same language
// give the same answer, so each is paid for once: a retried or resumed
// transcription finds the chunks it finished here.
type ASRChunkKey struct {
	Model string
	// Language is the language asked for; "" when the service detects it.
	Language string
	// Hash is the hex SHA-256 of the chunk's bytes.
	Hash string
	// Offset is where the chunk starts in the audio.
	Offset time.Duration
}

// ASRChunk is what the speech-to-text service answered for one chunk,
// with times relative to the chunk's start, before any filtering.
type ASRChunk struct {
	Language string        `json:"language"` // as the service named it ("english", "en")
	Duration time.Duration `json:"duration"` // as the service measured it; 0 if it gave none
	Segments []ASRSegment  `json:"segments"`
}

// ASRSegment is one timed segment of a chunk's transcript, with the
// confidence fields Whisper-style services give (0 when absent).
type ASRSegment struct {
	Start            time.Duration `json:"start"`
	End              time.Duration `json:"end"`
	Text             string        `json:"text"`
	AvgLogprob       float64       `json:"avg_logprob,omitempty"`
	CompressionRatio float64       `json:"compression_ratio,omitempty"`
	NoSpeechProb     float64       `json:"no_speech_prob,omitempty"`
}

// CheckASRChunkKey validates the key given to GetASRChunk and PutASRChunk.
func CheckASRChunkKey(k ASRChunkKey) error {
	switch {
	case k.Model == "":
		return recap.Errorf(recap.EINVALID, "ASR chunk key has no model")
	case len(k.Hash) != 64:
		return recap.Errorf(recap.EINVALID, "ASR chunk key hash %q is not a hex SHA-256", k.Hash)
	case k.Offset < 0:
		return recap.Errorf(recap.EINVALID, "ASR chunk key offset is %s, want 0 or more", k.Offset)
	}
	return nil
}
