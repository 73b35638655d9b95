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

// isUniqueViolation reports whether err is a unique_violation of the
// constraint or index named.
func isUniqueViolation(err error, constraint string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" && e.ConstraintName == constraint
}
