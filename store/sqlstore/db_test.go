package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
)

func TestMigrateIsIdempotent(t *testing.T) {
	tests := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "gatehouse.db") }},
		{"sqlite file URI", func(t *testing.T) string {
			return "file:" + filepath.Join(t.TempDir(), "gatehouse.db") + "?cache=private"
		}},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := tt.dsn(t)
			for range 2 {
				v, err := sqlstore.Migrate(t.Context(), dsn)
				if err != nil {
					t.Fatalf("Migrate(%q): %v", dsn, err)
				}
				if v != 1 {
					t.Errorf("Migrate(%q) = version %d; want 1", dsn, v)
				}
			}
			mustOpen(t, dsn)
		})
	}
}

func TestSQLiteFileIsInWALMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	mustOpen(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q; want wal", mode)
	}
}

func TestOpenReportsABadDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want []string // in the error
		not  string   // never in the error
	}{
		{"an SQLite file in a missing directory", "/nonexistent/dir/gatehouse.db", []string{"open sqlite database", "/nonexistent/dir/gatehouse.db"}, ""},
		{"an in-memory SQLite database", ":memory:", []string{"give a file path"}, ""},
		{"a PostgreSQL server that does not answer", "postgres://gatehouse:hunter2@127.0.0.1:1/gatehouse?connect_timeout=2",
			[]string{"open postgres database", "gatehouse:xxxxx@127.0.0.1:1"}, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), tt.dsn)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) = nil error; want one", tt.dsn)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) = %q; want it to contain %q", tt.dsn, err, w)
				}
			}
			if tt.not != "" && strings.Contains(err.Error(), tt.not) {
				t.Errorf("Open(%q) = %q; it shows %q", tt.dsn, err, tt.not)
			}
		})
	}
}
