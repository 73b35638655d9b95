package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/recap-dev/recap/storage"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// loadMigrations returns the embedded migrations, checked and in order.
func loadMigrations() ([]storage.Migration, error) {
	return storage.LoadMigrations(migrationFS, "migrations")
}

// migrate applies the migrations db lacks, each in its own transaction with
// its row in schema_migrations. The write pool begins IMMEDIATE
// transactions, so two processes opening one file at once take turns, and
// the second sees the first's row and skips the file.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return applyMigrations(ctx, db, ms)
}

// applyMigrations brings the schema to the last of ms, which are numbered
// from 1 without gaps.
func applyMigrations(ctx context.Context, db *sql.DB, ms []storage.Migration) error {
	if err := createMigrationsTable(ctx, db); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	pending, err := storage.PendingMigrations(ms, newest)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if err := migrateFile(ctx, db, m); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// createMigrationsTable creates schema_migrations inside a transaction,
// which the write pool begins IMMEDIATE: run bare, the statement reads
// first and then asks for the write lock, and SQLite answers SQLITE_BUSY
// at once, without waiting, when another process migrated in between.
// The first connection to a new file also switches it to WAL, which
// answers SQLITE_BUSY at once while other processes open it too; that is
// tried again for up to busyTimeout.
func createMigrationsTable(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := createMigrationsTableOnce(ctx, db)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10+rand.IntN(40)) * time.Millisecond):
		}
	}
}

func createMigrationsTableOnce(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return err
	}
	return tx.Commit()
}

func migrateFile(ctx context.Context, db *sql.DB, m storage.Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Another process may have applied it since we read the version.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
		m.Version, m.Name); err != nil {
		return err
	}
	return tx.Commit()
}
