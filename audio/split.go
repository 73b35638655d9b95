package audio

import (
	"fmt"
	"io"
	"time"

	"github.com/recap-dev/recap"
)

// DefaultOverlap is how much audio two consecutive chunks share, so that
// a word cut by one chunk's end is whole in the next.
const DefaultOverlap = 3 * time.Second

// Chunk is one upload: a byte range of a file and the time it covers.
// An MP3 chunk is a run of whole frames of the file, byte for byte.
type Chunk struct {
	Index  int
	Offset int64 // first byte, in the file the plan was made from
	Size   int64 // bytes
	// Start and End are the chunk's time in the file's audio, exact to
	// the sample. Start is also the offset to add to the chunk's own
	// timestamps.
	Start, End time.Duration
	// Overlap is the time this chunk shares with the one before it
	// (previous End - Start; 0 for the first).
	Overlap time.Duration
	Frames  int // MP3 frames; 0 when the chunk is a whole file that was not read
}

// Duration is the time the chunk covers.
func (c Chunk) Duration() time.Duration { return c.End - c.Start }

// Section returns a reader of the chunk's bytes in r, the file the plan
// was made from.
func (c Chunk) Section(r io.ReaderAt) *io.SectionReader {
	return io.NewSectionReader(r, c.Offset, c.Size)
}

// SplitMP3 reads an MP3 stream once and cuts it into chunks of at most
// maxBytes each, at frame boundaries, each chunk after the first starting
// about overlap before the end of the one before. It returns the chunks
// and the stream's duration; the chunks' durations minus their overlaps
// add up to it exactly. It holds a few seconds of frame positions, never
// the audio.
func SplitMP3(r io.Reader, maxBytes int64, overlap time.Duration) ([]Chunk, time.Duration, error) {
	return SplitMP3Within(r, maxBytes, 0, overlap)
}

// SplitMP3Within is SplitMP3 with a cap on each chunk's duration as well
// (0 for none): for services that answer text without timestamps, where a
// chunk's offset is the only time its words get.
func SplitMP3Within(r io.Reader, maxBytes int64, maxDuration, overlap time.Duration) ([]Chunk, time.Duration, error) {
	if overlap < 0 {
		overlap = 0
	}
	if maxDuration > 0 && maxDuration <= overlap {
		return nil, 0, recap.Errorf(recap.EINVALID, "chunks of %s are too short for an overlap of %s", maxDuration, overlap)
	}
	sc := NewScanner(r)
	overlapTicks := durationToTicks(overlap)
	maxTicks := durationToTicks(maxDuration)
	var (
		chunks []Chunk
		cur    chunkBuilder
		recent []Frame // the current chunk's last frames, covering at least overlap
	)
	for {
		f, err := sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if int64(f.Size) > maxBytes {
			return nil, 0, recap.Errorf(recap.EINVALID, "upload cap of %d bytes is smaller than one MP3 frame (%d bytes)", maxBytes, f.Size)
		}
		if cur.frames == 0 {
			cur.start(f)
			recent = append(recent[:0], f)
			continue
		}
		if f.End()-cur.offset > maxBytes || maxTicks > 0 && f.End0()-cur.startTick > maxTicks {
			// The chunk ends with its last frame, not with any junk
			// between that frame and f.
			chunks = append(chunks, cur.close(len(chunks), recent[len(recent)-1].End(), f.Start))
			g, err := restart(recent, f, overlapTicks, maxBytes, maxTicks, cur.offset)
			if err != nil {
				return nil, 0, err
			}
			cur.start(recent[g])
			cur.frames = len(recent) - g
			cur.prevEnd = f.Start
			recent = recent[g:]
		}
		cur.frames++
		recent = append(recent, f)
		// Keep one frame at or before the overlap boundary and all after.
		for len(recent) > 1 && recent[1].Start <= f.End0()-overlapTicks {
			recent = recent[1:]
		}
	}
	if cur.frames > 0 {
		last := recent[len(recent)-1]
		chunks = append(chunks, cur.close(len(chunks), last.End(), last.Start+last.Ticks))
	}
	return chunks, sc.Duration(), nil
}

// End0 is the time just past the frame, in ticks.
func (f Frame) End0() int64 { return f.Start + f.Ticks }

// restart picks the index in recent of the frame the next chunk starts
// at: the latest that still gives an overlap of overlapTicks before next
// (the frame that did not fit), moved later if the chunk would not fit.
func restart(recent []Frame, next Frame, overlapTicks, maxBytes, maxTicks, prevOffset int64) (int, error) {
	g := 0
	for i, f := range recent {
		if f.Start <= next.Start-overlapTicks {
			g = i
		}
	}
	if recent[g].Offset <= prevOffset || next.Start-recent[g].Start < overlapTicks || next.End()-recent[g].Offset > maxBytes ||
		maxTicks > 0 && next.End0()-recent[g].Start > maxTicks {
		// The overlap would be the whole previous chunk, or would not fit.
		return 0, recap.Errorf(recap.EINVALID, "upload cap of %d bytes is too small for an overlap of %s between chunks", maxBytes, ticksToDuration(overlapTicks))
	}
	return g, nil
}

// chunkBuilder is the chunk being filled.
type chunkBuilder struct {
	offset    int64
	startTick int64
	prevEnd   int64 // the previous chunk's end tick; -1 for the first chunk
	frames    int
	begun     bool
}

func (b *chunkBuilder) start(f Frame) {
	if !b.begun {
		b.prevEnd, b.begun = f.Start, true
	}
	b.offset, b.startTick, b.frames = f.Offset, f.Start, 1
}

func (b *chunkBuilder) close(index int, endOffset, endTick int64) Chunk {
	c := Chunk{
		Index:  index,
		Offset: b.offset,
		Size:   endOffset - b.offset,
		Start:  ticksToDuration(b.startTick),
		End:    ticksToDuration(endTick),
		Frames: b.frames,
	}
	if b.prevEnd > b.startTick {
		c.Overlap = ticksToDuration(b.prevEnd) - c.Start
	}
	return c
}

// String describes a chunk for logs and test failures.
func (c Chunk) String() string {
	return fmt.Sprintf("chunk %d: bytes %d+%d, %s–%s (overlap %s, %d frames)", c.Index, c.Offset, c.Size, c.Start, c.End, c.Overlap, c.Frames)
}
