package storage

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/recap-dev/recap"
)

// Migration is one numbered SQL file of a driver's schema. Each driver
// keeps its own files, in its own dialect, and applies them its own way.
type Migration struct {
	Version int
	Name    string // the file name, e.g. "0001_init.sql"
	SQL     string
}

// LoadMigrations reads the files dir/*.sql of fsys (a driver's embedded
// migrations), which must be named NNNN_what.sql and numbered 1, 2, 3…
// without gaps, so that a version number alone says what a database holds.
// They are returned in order.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for i, name := range names { // Glob sorts, and the numbers are zero-padded
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration file %s: want name NNNN_what.sql numbered %d", base, i+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	return ms, nil
}

// PendingMigrations returns those of ms, numbered from 1 without gaps as
// LoadMigrations returns them, that a database at schema version newest
// lacks. A database newer than every migration is refused with
// recap.ECONFLICT: an older recap must not write to a schema it does not
// know.
func PendingMigrations(ms []Migration, newest int) ([]Migration, error) {
	if known := len(ms); newest > known {
		return nil, recap.Errorf(recap.ECONFLICT,
			"database schema is at version %d but this recap knows only up to %d; upgrade recap", newest, known)
	}
	// A negative version (written by hand) is below every file.
	return ms[max(newest, 0):], nil
}

// CheckCurrent is the check of a store opened to read only, which applies
// no migration: the database must be at the schema of the last of ms.
// version is what it records (0 for none, or no schema_migrations at all).
func CheckCurrent(ms []Migration, version int) error {
	known := len(ms)
	switch {
	case version == 0:
		return recap.Errorf(recap.ENOTFOUND, "the database holds no recap data yet")
	case version < known:
		return recap.Errorf(recap.ECONFLICT,
			"database schema is at version %d and this recap reads version %d; run a recap command that writes (serve, worker or summarize) once to upgrade it", version, known)
	}
	_, err := PendingMigrations(ms, version)
	return err
}
