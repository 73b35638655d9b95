package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
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
//
// A fresh file opened by two processes at once can still answer
// SQLITE_BUSY without waiting (while the first one switches it to WAL, its
// lock is not one busy_timeout waits for): migrate then tries again, for up
// to busyTimeout, as busy_timeout would have.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	deadline := time.Now().Add(busyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := applyMigrations(ctx, db, ms)
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// applyMigrations brings the schema to the last of ms, which are numbered
// from 1 without gaps.
//
// Every step runs in a transaction of db, whose connections begin them
// IMMEDIATE: the write lock is taken first, waiting for another process
// (busy_timeout), rather than upgraded from a read later, which SQLite
// refuses at once with "database is locked" when another writer got in
// between.
func applyMigrations(ctx context.Context, db *sql.DB, ms []storage.Migration) error {
	newest, err := schemaVersion(ctx, db)
	if err != nil {
		return err
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

// schemaVersion creates schema_migrations when it is missing and returns
// the newest version it records.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return 0, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var newest int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("migrate: read schema version: %w", err)
	}
	return newest, tx.Commit()
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
