// Package postgres implements storage.Store on PostgreSQL with pgx: the
// store for many `recap worker` processes on many machines.
//
// It uses pgxpool directly rather than database/sql: jsonb and timestamptz
// map to Go types without adapters, unique violations arrive as typed
// *pgconn.PgError values, COPY loads transcript segments in one round trip,
// and the migration lock can be held on one pooled connection across the
// migration transactions.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/recap-dev/recap"
	"github.com/recap-dev/recap/storage"
)

var _ storage.Store = (*Store)(nil)

// Store is a storage.Store on one PostgreSQL database (in the first schema
// of the connection's search_path).
type Store struct {
	// Now returns the current time. Tests replace it; stored times are
	// UTC, truncated to the microsecond as timestamptz keeps them.
	Now func() time.Time

	pool *pgxpool.Pool
}

// Open connects to the database at url ("postgres://user@host/db?…"; pool
// settings such as pool_max_conns and runtime parameters such as
// search_path may be given as query parameters) and brings its schema up
// to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors hide the password.
		return nil, recap.WrapError(recap.EINVALID, err, "postgres: bad database URL")
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed pool configuration, for callers that set
// fields a URL cannot carry.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := indexPending(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Now: time.Now, pool: pool}, nil
}

// OpenReadOnly connects to the database at url to read it: no migration,
// so that a role that may only read can (recap get). Its schema must be
// the current one (storage.CheckCurrent).
func OpenReadOnly(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, recap.WrapError(recap.EINVALID, err, "postgres: bad database URL")
	}
	// Every transaction of this pool refuses to write.
	cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := checkCurrent(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{Now: time.Now, pool: pool}, nil
}

// checkCurrent fails unless the schema holds recap's current tables.
func checkCurrent(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return err
	}
	version := 0
	if exists {
		if err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
			return err
		}
	}
	return storage.CheckCurrent(ms, version)
}

// IsURL reports whether url names a PostgreSQL database, as
// RECAP_DATABASE_URL may.
func IsURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// now is the time to store: UTC, at the precision of timestamptz.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// utc converts a scanned timestamptz, which pgx gives in the local zone.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// classify marks an error that retrying cannot change as permanent: a
// *recap.Error with code recap.EINVALID wrapping the database's error, so
// that a job fails at once with the reason instead of retrying (and paying
// for its LLM calls) again and again. Those are data exceptions (class 22:
// a NUL or an invalid byte in text, a value out of range), integrity
// violations (class 23) other than unique violations, which callers expect
// and which can change as concurrent writers commit, and program limits
// (class 54: a value or row too large). Anything else, such as a dropped
// connection, a deadlock or a serialization failure, is returned as it is.
func classify(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return err
	}
	switch class := e.Code[:min(2, len(e.Code))]; {
	case class == "22", class == "54", class == "23" && e.Code != pgUniqueViolation:
		return recap.WrapError(recap.EINVALID, err, "the database cannot store this data")
	}
	return err
}

// pgUniqueViolation is the SQLSTATE of unique_violation.
const pgUniqueViolation = "23505"

// isUniqueViolation reports whether err is a unique_violation of the
// constraint or index named.
func isUniqueViolation(err error, constraint string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == pgUniqueViolation && e.ConstraintName == constraint
}
