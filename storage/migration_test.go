package storage

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/recap-dev/recap"
)

func TestLoadMigrations(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_index.sql": {Data: []byte("CREATE INDEX i ON t (x);")},
		"m/0001_init.sql":  {Data: []byte("CREATE TABLE t (x int);")},
		"m/README.md":      {Data: []byte("not a migration")},
		"other/0003_x.sql": {Data: []byte("not in the folder")},
	}
	ms, err := LoadMigrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	want := []Migration{
		{Version: 1, Name: "0001_init.sql", SQL: "CREATE TABLE t (x int);"},
		{Version: 2, Name: "0002_index.sql", SQL: "CREATE INDEX i ON t (x);"},
	}
	if len(ms) != len(want) {
		t.Fatalf("LoadMigrations = %+v; want %+v", ms, want)
	}
	for i := range want {
		if ms[i] != want[i] {
			t.Errorf("migration %d = %+v; want %+v", i, ms[i], want[i])
		}
	}
}

func TestLoadMigrationsRefusesBadNumbering(t *testing.T) {
	for name, files := range map[string][]string{
		"gap":          {"0001_a.sql", "0003_c.sql"},
		"not from one": {"0002_b.sql"},
		"twice":        {"0001_a.sql", "0001_b.sql"},
		"no number":    {"init.sql"},
		"no name":      {"0001.sql"},
	} {
		fsys := fstest.MapFS{}
		for _, f := range files {
			fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
		}
		if ms, err := LoadMigrations(fsys, "migrations"); err == nil {
			t.Errorf("%s: LoadMigrations(%v) = %+v; want an error", name, files, ms)
		}
	}
}

func TestPendingMigrations(t *testing.T) {
	ms := []Migration{{Version: 1, Name: "0001_a.sql"}, {Version: 2, Name: "0002_b.sql"}, {Version: 3, Name: "0003_c.sql"}}
	for newest, want := range map[int][]int{-1: {1, 2, 3}, 0: {1, 2, 3}, 1: {2, 3}, 3: nil} {
		got, err := PendingMigrations(ms, newest)
		if err != nil {
			t.Errorf("PendingMigrations at version %d: %v", newest, err)
			continue
		}
		var versions []int
		for _, m := range got {
			versions = append(versions, m.Version)
		}
		if !slices.Equal(versions, want) {
			t.Errorf("PendingMigrations at version %d = %v; want %v", newest, versions, want)
		}
	}
	if _, err := PendingMigrations(ms, 4); recap.ErrorCode(err) != recap.ECONFLICT {
		t.Errorf("PendingMigrations of a newer database: %v; want a conflict", err)
	}
}
