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
	"net/url"
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

// Store is a storage.Store on one SQLite database.
type Store struct {
	// Now returns the current time. Tests replace it; stored times are
	// UTC, truncated to the microsecond.
	Now func() time.Time

	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // query_only; the same pool as write for ":memory:"
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
	return s, nil
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
	var err error
	if s.read != s.write {
		err = s.read.Close()
	}
	return errors.Join(err, s.write.Close())
}

// now is the time to store: UTC, at the precision both stores keep.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// timeLayout stores times as fixed-width UTC text, which sorts as it
// compares and stays readable in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

func formatNullTime(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(*t), Valid: true}
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

// isPrimaryKeyViolation reports whether err is a PRIMARY KEY failure
// (other UNIQUE indexes fail with SQLITE_CONSTRAINT_UNIQUE).
func isPrimaryKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
