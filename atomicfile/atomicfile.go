// Package atomicfile writes files whole or not at all: through a temporary
// file in the same folder and a rename, so a reader (or a crash) never
// sees half a file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tempInfix marks the temporary files Write makes: "." + name +
// tempInfix + random digits.
const tempInfix = ".tmp-"

// Write writes data to path atomically. A file already at path keeps its
// permissions; a new one is made 0644 (a summary is not a secret). Errors
// name path, not the temporary file (whose name means nothing to users).
func Write(path string, data []byte) error {
	if err := write(path, data); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+tempInfix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private (0600).
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// RemoveTemp removes the temporary files a Write in dir left behind when
// its process was killed mid-write. Only call it while no Write to dir
// runs.
func RemoveTemp(dir string) error {
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*"+tempInfix+"*"))
	if err != nil {
		return err
	}
	for _, p := range leftovers {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
