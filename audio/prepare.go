package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/recap-dev/recap"
)

// Options says how Prepare cuts a file.
type Options struct {
	// MaxBytes is the upload cap: no chunk is larger.
	MaxBytes int64
	// MaxDuration, when set, is the longest a chunk may be: a file longer
	// is cut even under MaxBytes, and a file that is not MP3 (whose length
	// is not read) is converted with ffmpeg whatever its size.
	MaxDuration time.Duration
	// Overlap is the time consecutive chunks share (DefaultOverlap when 0;
	// negative for none).
	Overlap time.Duration
	// TempDir holds converted files ("" = the system's).
	TempDir string
	// FFmpeg is the ffmpeg program; "" looks "ffmpeg" up on PATH.
	FFmpeg string
}

// Prepared is an audio file cut into chunks for upload.
type Prepared struct {
	// Path is the file the chunks are byte ranges of: the original, or a
	// temporary MP3 converted from it (removed by Close).
	Path string
	// Format is Path's format: the extension every upload carries.
	Format Format
	// Source is the original file's format.
	Source Format
	Chunks []Chunk
	// Duration of the audio; 0 when unknown (a file under the cap that
	// is not MP3 is sent as it is, unread).
	Duration time.Duration
	temp     string
}

// Close removes the converted file, if any.
func (p *Prepared) Close() error {
	if p.temp == "" {
		return nil
	}
	err := os.Remove(p.temp)
	p.temp = ""
	return err
}

// Prepare cuts the audio file at path into chunks of at most MaxBytes.
// A file under the cap in a format the services take is one chunk, sent
// as it is. A longer MP3 is cut in pure Go. Any other file is first
// converted with ffmpeg to 16 kHz mono MP3 (what speech models hear
// anyway) and that is cut the same way; without ffmpeg that fails at once,
// naming it, before anything is uploaded.
func Prepare(ctx context.Context, path string, opt Options) (*Prepared, error) {
	if opt.MaxBytes <= 0 {
		return nil, recap.Errorf(recap.EINVALID, "upload cap is %d bytes, want more than 0", opt.MaxBytes)
	}
	if opt.Overlap == 0 {
		opt.Overlap = DefaultOverlap
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "audio file")
	}
	if st.IsDir() {
		return nil, recap.Errorf(recap.EINVALID, "audio file %s is a folder", path)
	}
	format, err := DetectFile(path)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Path: path, Format: format, Source: format}
	switch {
	case st.Size() <= opt.MaxBytes && format.Accepted() && (opt.MaxDuration <= 0 || format == MP3):
		c := Chunk{Offset: 0, Size: st.Size()}
		if format == MP3 {
			// Read for the duration only: a free-format file the service
			// may still take.
			if d, frames, err := scanMP3(path); err == nil {
				c.End, c.Frames = d, frames
				p.Duration = d
			}
		}
		if opt.MaxDuration <= 0 || c.End != 0 && c.End <= opt.MaxDuration {
			p.Chunks = []Chunk{c}
			return p, nil
		}
		return p, p.split(opt)
	case format == MP3:
		return p, p.split(opt)
	}

	ffmpeg, err := lookFFmpeg(opt.FFmpeg)
	if err != nil {
		why := fmt.Sprintf("is %s, %s over the %s upload cap, and cutting it", strings.ToUpper(string(format)), mib(st.Size()), mib(opt.MaxBytes))
		switch {
		case !format.Accepted():
			why = fmt.Sprintf("is %s, which transcription services do not take, and converting it", strings.ToUpper(string(format)))
		case opt.MaxDuration > 0:
			why = fmt.Sprintf("is %s, and cutting it into chunks of %s (the model gives no timestamps)", strings.ToUpper(string(format)), opt.MaxDuration)
		}
		return nil, recap.WrapError(recap.EINVALID, err, "audio file %s %s needs ffmpeg, which is not on PATH: install ffmpeg, or convert the file to MP3", path, why)
	}
	tmp, err := os.CreateTemp(opt.TempDir, "recap-audio-*.mp3")
	if err != nil {
		return nil, fmt.Errorf("audio: temp file: %w", err)
	}
	tmp.Close()
	p.temp, p.Path, p.Format = tmp.Name(), tmp.Name(), MP3
	if err := toMP3(ctx, ffmpeg, path, p.Path); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.split(opt); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Prepared) split(opt Options) error {
	f, err := os.Open(p.Path)
	if err != nil {
		return fmt.Errorf("audio: %w", err)
	}
	defer f.Close()
	chunks, d, err := SplitMP3Within(f, opt.MaxBytes, opt.MaxDuration, opt.Overlap)
	if err != nil {
		return fmt.Errorf("audio file %s: %w", p.Path, err)
	}
	p.Chunks, p.Duration = chunks, d
	return nil
}

// scanMP3 reads an MP3 file's duration and frame count.
func scanMP3(path string) (time.Duration, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := NewScanner(f)
	n := 0
	for {
		_, err := sc.Next()
		if err == io.EOF {
			return sc.Duration(), n, nil
		}
		if err != nil {
			return 0, 0, err
		}
		n++
	}
}

// ErrNoFFmpeg is returned (wrapped) when ffmpeg is needed and missing.
var ErrNoFFmpeg = errors.New("ffmpeg not found")

func lookFFmpeg(name string) (string, error) {
	if name == "" {
		name = "ffmpeg"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
	}
	return p, nil
}

// toMP3 converts any audio ffmpeg reads to 16 kHz mono MP3 at 48 kbit/s:
// speech models resample to 16 kHz mono anyway, so nothing they use is
// lost, and a three-hour episode becomes about 65 MB.
func toMP3(ctx context.Context, ffmpeg, in, out string) error {
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-i", in, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", out)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4 << 10}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return recap.Errorf(recap.EINVALID, "ffmpeg could not convert %s to MP3: %s", in, msg)
	}
	return nil
}

// limitedWriter keeps the first n bytes written and drops the rest.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
