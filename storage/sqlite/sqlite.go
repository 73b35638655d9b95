// Package sqlite implements storage.Store on an SQLite file with the pure-Go
// driver modernc.org/sqlite: recap's embedded default, nothing to install.
//
// Writes go through one connection that opens every transaction with BEGIN
// IMMEDIATE, so in-process writers queue in Go instead of racing for the
// write lock, and a second process sharing the file waits (busy_timeout)
// rather than failing with SQLITE_BUSY. Reads use a separate pool, which WAL
// lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ storage.Store = (*Store)(nil)

// busyTimeout is how long a connection waits for another process's write
// lock before SQLite gives up with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// readConns bounds the read pool; each connection keeps its own page cache.
const readConns = 8

// mmapSize is how much of the database file a reading connection maps.
const mmapSize = 1 << 30

// Store is a storage.Store on one SQLite database.
type Store struct {
	// Now returns the current time. Tests replace it; stored times are
	// UTC, truncated to the microsecond.
	Now func() time.Time

	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // query_only; the same pool as write for ":memory:"
	// reads runs the hot reads on read through prepared statements.
	reads *stmtCache
}

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date. path ":memory:" gives a private in-memory database,
// gone at Close.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, recap.Errorf(recap.EINVALID, "sqlite: empty database path; want a file path or %q", ":memory:")
	}
	if strings.ContainsRune(path, '?') {
		// The driver splits its DSN at the first '?'.
		return nil, recap.Errorf(recap.EINVALID, "sqlite: database path %q contains '?'; want a plain file path", path)
	}
	memory := path == ":memory:"

	write, err := sql.Open("sqlite", dsn(path, memory, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One connection: for ":memory:" every connection would be a different
	// database, and for a file it makes writers wait their turn in Go.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	s := &Store{Now: time.Now, write: write, read: write}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := s.indexPending(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if !memory {
		read, err := sql.Open("sqlite", dsn(path, memory, true))
		if err != nil {
			write.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		read.SetMaxOpenConns(readConns)
		read.SetMaxIdleConns(readConns)
		s.read = read
	}
	s.reads = &stmtCache{db: s.read}
	return s, nil
}

// OpenReadOnly opens the existing database at path to read it: no
// migration and no write, so that a database on a read-only file, folder
// or disk can be read (recap get). Its schema must be the current one
// (storage.CheckCurrent); every write fails.
//
// SQLite reads a WAL database through a shared-memory file beside it; when
// that file is missing and cannot be created (a read-only folder, nobody
// writing), the database is read as immutable: without locks, as it is.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsRune(path, '?') {
		return nil, recap.Errorf(recap.EINVALID, "sqlite: %q is not a database file path", path)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, recap.Errorf(recap.ENOTFOUND, "sqlite: no database at %s", path)
		}
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	var err error
	for _, immutable := range []bool{false, true} {
		var db *sql.DB
		if db, err = sql.Open("sqlite", readOnlyDSN(path, immutable)); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		db.SetMaxOpenConns(readConns)
		db.SetMaxIdleConns(readConns)
		if err = checkCurrent(ctx, db); err == nil {
			return &Store{Now: time.Now, write: db, read: db, reads: &stmtCache{db: db}}, nil
		}
		db.Close()
		if !isReadOnly(err) {
			break
		}
	}
	return nil, fmt.Errorf("sqlite: %s: %w", path, err)
}

// readOnlyDSN is a file: URI, the form in which SQLite itself reads mode
// and immutable.
func readOnlyDSN(path string, immutable bool) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_query_only", "on")
	q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", mmapSize))
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}).String()
}

// checkCurrent fails unless db holds the current schema.
func checkCurrent(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var version int
	err = db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		err, version = nil, 0
	}
	if err != nil {
		return err
	}
	return storage.CheckCurrent(ms, version)
}

// PathFromURL returns the file path of a "sqlite:PATH" (or
// "sqlite://PATH") database URL, as RECAP_DATABASE_URL gives it, and whether
// url is one.
func PathFromURL(url string) (path string, ok bool) {
	rest, ok := strings.CutPrefix(url, "sqlite:")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "//")
	return rest, rest != ""
}

// dsn builds the driver's data source name. Pragmas are per connection, so
// they go in the DSN, which the driver applies to each new connection.
func dsn(path string, memory, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	if !memory {
		q.Set("_journal_mode", "WAL")
		// NORMAL is durable against application crashes in WAL mode and
		// only risks the last commits on power loss.
		q.Set("_synchronous", "NORMAL")
	}
	if readOnly {
		q.Set("_query_only", "on")
		// Readers map the file: a page is read from memory instead of
		// by a system call into each connection's own cache (search
		// reads many pages of a large index).
		q.Add("_pragma", fmt.Sprintf("mmap_size(%d)", mmapSize))
	} else {
		// Take the write lock at BEGIN: a deferred transaction that reads
		// and then writes fails with SQLITE_BUSY instead of waiting when
		// another writer got in between.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes both pools; the last connection checkpoints the WAL.
func (s *Store) Close() error {
	err := s.reads.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return errors.Join(err, s.write.Close())
}

// now is the time to store: UTC, at the precision both stores keep.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// timeLayout stores times as fixed-width UTC text, which sorts as it
// compares and stays readable in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a time that formatTime wrote. Every row of a list has a
// few, and time.Parse was an eighth of a page of jobs, so the fixed
// layout is read here; anything else goes to time.Parse, which also says
// what is wrong with it.
func parseTime(s string) (time.Time, error) {
	if t, ok := parseFixedTime(s); ok {
		return t, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// parseFixedTime reads s in timeLayout exactly, or reports false.
func parseFixedTime(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec, usec := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, usec*1000, time.UTC)
	// time.Date carries a field out of range (a 31 April) over into the
	// next; time.Parse refuses it.
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	if y != year || int(m) != month || d != day || hh != hour || mm != minute || ss != sec {
		return time.Time{}, false
	}
	return t, true
}

func parseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// classify marks an error that retrying cannot change as permanent: a
// *recap.Error with code recap.EINVALID wrapping SQLite's error, so that a
// job fails at once with the reason instead of retrying (and paying for
// its LLM calls) again and again. Those are constraint failures (CHECK,
// NOT NULL, FOREIGN KEY…) other than UNIQUE and PRIMARY KEY ones, which
// callers expect and which can change as other writers commit, a value
// over SQLite's length limit, and a type a STRICT column refuses. Anything
// else, such as a busy database, is returned as it is.
func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	code := e.Code()
	switch primary := code & 0xff; {
	case primary == sqlite3.SQLITE_CONSTRAINT &&
		code != sqlite3.SQLITE_CONSTRAINT_UNIQUE && code != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
		primary == sqlite3.SQLITE_TOOBIG, primary == sqlite3.SQLITE_MISMATCH:
		return recap.WrapError(recap.EINVALID, err, "the database cannot store this data")
	}
	return err
}

// isPrimaryKeyViolation reports whether err is a PRIMARY KEY failure
// (other UNIQUE indexes fail with SQLITE_CONSTRAINT_UNIQUE).
func isPrimaryKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isReadOnly reports whether err is SQLite's "attempt to write a readonly
// database".
func isReadOnly(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_READONLY
}

// isBusy reports whether err is SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
