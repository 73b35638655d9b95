package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/recap-dev/recap/storage"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// loadMigrations returns the embedded migrations, checked and in order.
func loadMigrations() ([]storage.Migration, error) {
	return storage.LoadMigrations(migrationFS, "migrations")
}

// lockNamespace is the first key of recap's advisory lock ("reca"); the
// second is a hash of the schema, so that databases in different schemas
// (tests, tenants) migrate independently.
const lockNamespace = 0x72656361

const lockKey = `$1::int4, hashtext(coalesce(current_schema(), ''))`

// migrate applies the migrations the schema lacks, each in its own
// transaction with its row in schema_migrations. A session advisory lock
// held across them keeps two processes starting at once from applying the
// same file twice: the second waits, then finds nothing left to do.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return applyMigrations(ctx, pool, ms)
}

// applyMigrations brings the schema to the last of ms, which are numbered
// from 1 without gaps.
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, ms []storage.Migration) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()

	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`, lockNamespace); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; a connection that may still hold
		// the lock must not go back to the pool.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`, lockNamespace); uerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
			if err == nil {
				err = fmt.Errorf("migrate: unlock: %w", uerr)
			}
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var newest int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	pending, err := storage.PendingMigrations(ms, newest)
	if err != nil {
		return err
	}
	for _, m := range pending {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}
