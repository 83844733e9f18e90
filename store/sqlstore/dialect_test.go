package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestDialectClassifiesErrors(t *testing.T) {
	sqliteErr := sqliteErrors(t)
	tests := []struct {
		name                    string
		d                       *dialect
		err                     error
		wantConflict, wantRetry bool
	}{
		{"postgres unique violation", postgresDialect, &pgconn.PgError{Code: "23505"}, true, false},
		{"postgres foreign key violation, wrapped", postgresDialect, fmt.Errorf("add: %w", &pgconn.PgError{Code: "23503"}), true, false},
		{"postgres not-null violation", postgresDialect, &pgconn.PgError{Code: "23502"}, false, false},
		{"postgres serialization failure", postgresDialect, &pgconn.PgError{Code: "40001"}, false, true},
		{"postgres deadlock", postgresDialect, fmt.Errorf("tx: %w", &pgconn.PgError{Code: "40P01"}), false, true},
		{"postgres code seen by sqlite", sqliteDialect, &pgconn.PgError{Code: "23505"}, false, false},
		{"sqlite unique violation", sqliteDialect, sqliteErr["unique"], true, false},
		{"sqlite primary key violation", sqliteDialect, sqliteErr["primary key"], true, false},
		{"sqlite foreign key violation", sqliteDialect, sqliteErr["foreign key"], true, false},
		{"sqlite not-null violation", sqliteDialect, sqliteErr["not null"], false, false},
		{"sqlite busy", sqliteDialect, sqliteErr["busy"], false, true},
		{"sqlite code seen by postgres", postgresDialect, sqliteErr["unique"], false, false},
		{"a plain error", sqliteDialect, errors.New("disk full"), false, false},
		{"nil", postgresDialect, nil, false, false},
	}
	for _, tt := range tests {
		if got := tt.d.isConflict(tt.err); got != tt.wantConflict {
			t.Errorf("%s: isConflict(%v) = %v; want %v", tt.name, tt.err, got, tt.wantConflict)
		}
		if got := tt.d.isRetryable(tt.err); got != tt.wantRetry {
			t.Errorf("%s: isRetryable(%v) = %v; want %v", tt.name, tt.err, got, tt.wantRetry)
		}
	}
}

// sqliteErrors provokes real SQLite errors, since the driver's error type
// cannot be built outside it.
func sqliteErrors(t *testing.T) map[string]error {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "errors.db") + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(0)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE p (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n TEXT NOT NULL)",
		"CREATE TABLE c (p_id INTEGER REFERENCES p (id))",
		"INSERT INTO p VALUES (1, 'a', 'x')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	errs := map[string]error{}
	for name, q := range map[string]string{
		"unique":      "INSERT INTO p VALUES (2, 'a', 'x')",
		"primary key": "INSERT INTO p VALUES (1, 'b', 'x')",
		"foreign key": "INSERT INTO c VALUES (2)",
		"not null":    "INSERT INTO p VALUES (3, 'c', NULL)",
	} {
		_, errs[name] = db.ExecContext(ctx, q)
	}
	holder, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer holder.ExecContext(ctx, "ROLLBACK")
	_, errs["busy"] = db.ExecContext(ctx, "INSERT INTO p VALUES (4, 'd', 'x')")
	for name, err := range errs {
		if err == nil {
			t.Fatalf("provoking a %s error: no error", name)
		}
	}
	return errs
}
