// Package audio prepares audio files for speech-to-text: it tells the
// container from the first bytes, reads MP3 frame by frame (pure Go),
// cuts a file over an upload cap into chunks of whole frames with a small
// overlap, converts other containers with ffmpeg when they need cutting,
// and downloads audio over HTTP to a temporary file with resume.
package audio

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/recap-dev/recap"
)

// Format is an audio container.
type Format string

// Formats recap recognizes by their magic bytes.
const (
	MP3  Format = "mp3"
	M4A  Format = "m4a" // MP4/M4A (AAC, usually)
	Ogg  Format = "ogg" // Ogg Opus or Vorbis
	WebM Format = "webm"
	MKV  Format = "mkv" // Matroska that is not WebM
	WAV  Format = "wav"
	FLAC Format = "flac"
	AAC  Format = "aac" // raw ADTS AAC
)

// Ext is the file name extension an upload of f carries, with the dot.
func (f Format) Ext() string { return "." + string(f) }

// Accepted reports whether OpenAI-compatible transcription services take
// f as it is (they list flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav and
// webm); other formats are converted first.
func (f Format) Accepted() bool {
	switch f {
	case MP3, M4A, Ogg, WebM, WAV, FLAC:
		return true
	}
	return false
}

// headLen is how many leading bytes Detect needs at most.
const headLen = 64

// Detect tells the container from a file's first bytes (64 are enough).
// An unknown format is EINVALID.
func Detect(head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("ID3")):
		return MP3, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return M4A, nil
	case bytes.HasPrefix(head, []byte("OggS")):
		return Ogg, nil
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		if bytes.Contains(head, []byte("webm")) {
			return WebM, nil
		}
		return MKV, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return WAV, nil
	case bytes.HasPrefix(head, []byte("fLaC")):
		return FLAC, nil
	case len(head) >= 4 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return AAC, nil // ADTS: sync, layer 00
	case len(head) >= 4:
		if _, err := parseHeader([4]byte(head[:4])); err == nil {
			return MP3, nil
		}
	}
	return "", recap.Errorf(recap.EINVALID, "not an audio file recap knows: expected MP3, M4A/AAC, Ogg (Opus, Vorbis), WebM, WAV or FLAC (first bytes % x)", head[:min(len(head), 8)])
}

// DetectFile detects the format of the file at path.
func DetectFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", recap.WrapError(recap.EINVALID, err, "open audio file")
	}
	defer f.Close()
	head := make([]byte, headLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return "", recap.WrapError(recap.EINVALID, err, "read audio file %s", path)
	}
	ft, err := Detect(head[:n])
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return ft, nil
}
