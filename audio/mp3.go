package audio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/recap-dev/recap"
)

// MPEG audio versions.
const (
	mpeg1  = 1
	mpeg2  = 2
	mpeg25 = 25
)

// Layer III bitrates in kbit/s by bitrate index (0 is free format, 15 is
// forbidden), for MPEG-1 and for MPEG-2 and 2.5.
var (
	bitratesV1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1}
	bitratesV2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}
)

// Sample rates by version and index (3 is reserved).
var sampleRates = map[int][3]int{
	mpeg1:  {44100, 48000, 32000},
	mpeg2:  {22050, 24000, 16000},
	mpeg25: {11025, 12000, 8000},
}

// tickRate is the time base of frame arithmetic: 14,112,000 ticks a
// second is the least common multiple of every MP3 sample rate, so every
// frame lasts a whole number of ticks and sums are exact, even in a file
// whose sample rate changes (as stitched-in ads can make it).
const tickRate = 14_112_000

// ticksToDuration converts ticks to a Duration, rounding down; because it
// is a function of the tick count alone, durations computed as differences
// of converted instants add up exactly.
func ticksToDuration(t int64) time.Duration {
	return time.Duration(t/tickRate)*time.Second + time.Duration((t%tickRate)*int64(time.Second)/tickRate)
}

// durationToTicks converts d to ticks, rounding down.
func durationToTicks(d time.Duration) int64 {
	return int64(d/time.Second)*tickRate + int64(d%time.Second)*tickRate/int64(time.Second)
}

// frameHeader is a decoded MPEG audio Layer III frame header.
type frameHeader struct {
	version    int // mpeg1, mpeg2, mpeg25
	bitrate    int // kbit/s
	sampleRate int
	padding    bool
	crc        bool
	mono       bool
}

// errFreeFormat marks a header with bitrate index 0.
var errFreeFormat = errors.New("free-format MP3 frame")

// parseHeader decodes a Layer III frame header.
func parseHeader(b [4]byte) (frameHeader, error) {
	if b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return frameHeader{}, errors.New("no frame sync")
	}
	var h frameHeader
	switch (b[1] >> 3) & 3 {
	case 0:
		h.version = mpeg25
	case 2:
		h.version = mpeg2
	case 3:
		h.version = mpeg1
	default:
		return frameHeader{}, errors.New("reserved MPEG version")
	}
	if (b[1]>>1)&3 != 1 {
		return frameHeader{}, errors.New("not Layer III")
	}
	h.crc = b[1]&1 == 0
	bi := b[2] >> 4
	if h.version == mpeg1 {
		h.bitrate = bitratesV1[bi]
	} else {
		h.bitrate = bitratesV2[bi]
	}
	switch {
	case bi == 0:
		return frameHeader{}, errFreeFormat
	case h.bitrate < 0:
		return frameHeader{}, errors.New("forbidden bitrate index")
	}
	si := (b[2] >> 2) & 3
	if si == 3 {
		return frameHeader{}, errors.New("reserved sample rate")
	}
	h.sampleRate = sampleRates[h.version][si]
	h.padding = (b[2]>>1)&1 == 1
	h.mono = b[3]>>6 == 3
	return h, nil
}

// samples is the number of PCM samples a frame decodes to.
func (h frameHeader) samples() int {
	if h.version == mpeg1 {
		return 1152
	}
	return 576
}

// size is the frame's length in bytes, header included.
func (h frameHeader) size() int {
	n := h.samples() / 8 * h.bitrate * 1000 / h.sampleRate
	if h.padding {
		n++
	}
	return n
}

// ticks is the frame's duration in ticks.
func (h frameHeader) ticks() int64 { return int64(h.samples()) * (tickRate / int64(h.sampleRate)) }

// sideInfoLen is the length of the side information after the header
// (and CRC), where a Xing/Info tag would start.
func (h frameHeader) sideInfoLen() int {
	switch {
	case h.version == mpeg1 && h.mono:
		return 17
	case h.version == mpeg1:
		return 32
	case h.mono:
		return 9
	}
	return 17
}

// Frame is one MP3 audio frame of a file.
type Frame struct {
	Offset int64 // of the header, in the file
	Size   int   // bytes, header included
	Ticks  int64 // duration, in 1/14,112,000 s
	// Start is the frame's time from the start of the audio, in ticks.
	Start int64
}

// End is the offset just past the frame.
func (f Frame) End() int64 { return f.Offset + int64(f.Size) }

// Scanner reads an MP3 stream frame by frame without holding more than a
// few kilobytes: ID3v2 tags are skipped, a Xing, Info or VBRI frame (a
// silent header frame that encoders put first) is skipped, junk between
// frames is skipped after a resync on two consecutive headers, and
// trailing tags (ID3v1, APE) end the stream.
type Scanner struct {
	r      *bufio.Reader
	off    int64
	ticks  int64
	frames int
	// Skipped counts bytes that were neither tags nor frames.
	Skipped int64
	// InfoFrame reports that the stream began with a Xing, Info or VBRI
	// frame, which was skipped.
	InfoFrame bool
}

// NewScanner returns a Scanner reading r from its start.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// maxResync bounds how far the scanner looks for the next frame after
// junk; past it the rest of the file is taken to be a trailing tag.
const maxResync = 1 << 20

// Next returns the next audio frame, io.EOF after the last. A file that
// holds no frame, or free-format frames, is EINVALID.
func (s *Scanner) Next() (Frame, error) {
	for {
		if err := s.skipID3v2(); err != nil {
			return Frame{}, err
		}
		head, err := s.r.Peek(4)
		if len(head) < 4 {
			if errors.Is(err, io.EOF) {
				return Frame{}, s.eof()
			}
			return Frame{}, fmt.Errorf("read MP3: %w", err)
		}
		h, herr := parseHeader([4]byte(head))
		if errors.Is(herr, errFreeFormat) {
			return Frame{}, recap.Errorf(recap.EINVALID, "free-format MP3 (a frame at byte %d gives no bitrate) cannot be cut at frame boundaries; re-encode it, e.g. ffmpeg -i in.mp3 -b:a 64k out.mp3", s.off)
		}
		if herr != nil || !s.confirm(h) {
			if isTrailingTag(head) {
				return Frame{}, s.eof()
			}
			if err := s.resync(); err != nil {
				return Frame{}, err
			}
			continue
		}
		size := h.size()
		if s.frames == 0 && !s.InfoFrame && s.isInfoFrame(h, size) {
			s.InfoFrame = true
			if err := s.discard(size); err != nil {
				return Frame{}, s.eof()
			}
			continue
		}
		f := Frame{Offset: s.off, Size: size, Ticks: h.ticks(), Start: s.ticks}
		if err := s.discard(size); err != nil {
			// A truncated last frame: decoders drop it, and so do we.
			return Frame{}, s.eof()
		}
		s.frames++
		s.ticks += f.Ticks
		return f, nil
	}
}

// Duration is the time of the frames read so far.
func (s *Scanner) Duration() time.Duration { return ticksToDuration(s.ticks) }

func (s *Scanner) eof() error {
	if s.frames == 0 {
		return recap.Errorf(recap.EINVALID, "no MPEG Layer III frames found: not an MP3 file, or a broken one")
	}
	return io.EOF
}

func (s *Scanner) discard(n int) error {
	m, err := s.r.Discard(n)
	s.off += int64(m)
	if m < n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// skipID3v2 skips any ID3v2 tags at the current position.
func (s *Scanner) skipID3v2() error {
	for {
		b, _ := s.r.Peek(10)
		if len(b) < 10 || !bytes.HasPrefix(b, []byte("ID3")) || b[6]|b[7]|b[8]|b[9] >= 0x80 {
			return nil
		}
		n := 10 + (int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9]))
		if b[5]&0x10 != 0 {
			n += 10 // footer
		}
		if err := s.discard(n); err != nil {
			return s.eof()
		}
	}
}

// confirm checks that the frame at the current position is followed by
// another frame header, a tag or the end of the stream, so that a stray
// 0xFF in junk is not taken for a frame.
func (s *Scanner) confirm(h frameHeader) bool {
	size := h.size()
	b, err := s.r.Peek(size + 4)
	if len(b) < size+4 {
		return errors.Is(err, io.EOF) && len(b) >= size
	}
	next := b[size : size+4]
	if isTrailingTag(next) || bytes.HasPrefix(next, []byte("ID3")) {
		return true
	}
	_, err = parseHeader([4]byte(next))
	return err == nil
}

// resync moves to the next byte that starts a confirmed frame.
func (s *Scanner) resync() error {
	for skipped := 0; skipped < maxResync; skipped++ {
		if err := s.discard(1); err != nil {
			return s.eof()
		}
		s.Skipped++
		b, _ := s.r.Peek(4)
		if len(b) < 4 {
			continue
		}
		if b[0] == 'I' && bytes.HasPrefix(b, []byte("ID3")) || isTrailingTag(b) && s.frames > 0 {
			return nil
		}
		if h, err := parseHeader([4]byte(b)); err == nil && s.confirm(h) {
			return nil
		}
	}
	return s.eof()
}

// isInfoFrame reports whether the frame at the current position carries a
// Xing/Info or VBRI tag instead of audio.
func (s *Scanner) isInfoFrame(h frameHeader, size int) bool {
	b, _ := s.r.Peek(size)
	// LAME writes the tag right after the side information, not counting
	// a CRC; other encoders count it.
	for _, at := range []int{4 + h.sideInfoLen(), 6 + h.sideInfoLen()} {
		if len(b) >= at+4 {
			if tag := string(b[at : at+4]); tag == "Xing" || tag == "Info" {
				return true
			}
		}
	}
	return len(b) >= 36+4 && string(b[36:40]) == "VBRI"
}

// isTrailingTag reports whether b starts an ID3v1 or APEv2 tag, or
// Lyrics3, which end a file.
func isTrailingTag(b []byte) bool {
	return bytes.HasPrefix(b, []byte("TAG")) || bytes.HasPrefix(b, []byte("APET")) || bytes.HasPrefix(b, []byte("LYRI"))
}
