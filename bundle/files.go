package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/recap-dev/recap"
)

// Size caps: a bundle's files are read whole, so each is refused over its
// cap before it is read, and never read past it. yt-dlp writes about
// 0.7 MB of .info.json and 20 kB of subtitles for ten minutes of video.
const (
	MaxInfoBytes     = 64 << 20
	MaxSubtitleBytes = 64 << 20
)

// folder is a download folder, opened as an os.Root: no name read through
// it leaves the folder, symlinks included.
type folder struct {
	dir  string
	root *os.Root
}

func openFolder(dir string) (*folder, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "bundle folder %s cannot be read", dir)
	}
	return &folder{dir: dir, root: root}, nil
}

func (f *folder) Close() { f.root.Close() }

func (f *folder) path(name string) string { return filepath.Join(f.dir, name) }

// entries lists the folder.
func (f *folder) entries() ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(f.root.FS(), ".")
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "bundle folder %s cannot be read", f.dir)
	}
	return entries, nil
}

// regular reports why name is not a file recap reads: a missing file, a
// folder, a FIFO, a device or socket, or a symlink that leaves the folder.
// nil means a regular file inside the folder.
func (f *folder) regular(name string) error {
	st, err := f.root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", f.path(name))
	case err != nil:
		// os.Root refuses a link out of the folder: "path escapes from parent".
		return fmt.Errorf("%s is outside the download folder or cannot be read: %w", f.path(name), err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%s)", f.path(name), fileType(st.Mode()))
	}
	return nil
}

// read reads the regular file name whole, refusing it over max bytes (what
// names the kind of file, for errors). A FIFO or device is never opened.
func (f *folder) read(name string, max int64, what string) ([]byte, error) {
	if err := f.regular(name); err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "%s %s cannot be read", what, f.path(name))
	}
	file, err := f.root.Open(name)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "read %s %s", what, f.path(name))
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() { // swapped since the check
		return nil, recap.Errorf(recap.EINVALID, "%s %s is not a regular file", what, f.path(name))
	}
	tooBig := func(n int64) error {
		return recap.Errorf(recap.ETOOLARGE, "%s %s is over %d MiB (%d bytes), the most recap reads", what, f.path(name), max>>20, n)
	}
	if st.Size() > max {
		return nil, tooBig(st.Size())
	}
	data, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "read %s %s", what, f.path(name))
	}
	if int64(len(data)) > max { // grew since the check
		return nil, tooBig(int64(len(data)))
	}
	return data, nil
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}
