package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A dialect holds everything that differs between SQLite and PostgreSQL.
// Queries do not: they are written once, with $N placeholders.
type dialect struct {
	name string // "sqlite" or "postgres": also the migrations folder
	// driver is the database/sql driver name.
	driver string
	goose  goose.Dialect
	// forUpdate ends a SELECT that takes row locks; "" where the write
	// transaction already holds the database lock.
	forUpdate string
	// jsonStrings returns a SELECT of the strings of the JSON array that
	// param, a placeholder, holds.
	jsonStrings func(param string) string
	// txOptions start Store.Tx transactions, viewOptions Store.View ones.
	txOptions, viewOptions *sql.TxOptions
	// code extracts the driver's error code from err, or "" if err carries none.
	code func(err error) string
	// conflict holds the codes of unique and foreign key violations.
	conflict map[string]bool
	// retryable holds the codes after which the whole transaction is run again.
	retryable map[string]bool
}

var sqliteDialect = &dialect{
	name:      "sqlite",
	driver:    "sqlite",
	goose:     goose.DialectSQLite3,
	forUpdate: "",
	jsonStrings: func(param string) string {
		return "SELECT value FROM json_each(" + param + ")"
	},
	// The writer pool's DSN makes every transaction BEGIN IMMEDIATE, and a
	// read-only transaction on the reader pool sees one WAL snapshot.
	txOptions:   &sql.TxOptions{},
	viewOptions: &sql.TxOptions{ReadOnly: true},
	code:        sqliteCode,
	conflict: codeSet(
		sqlite3.SQLITE_CONSTRAINT_UNIQUE,
		sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
		sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY,
	),
	// BEGIN IMMEDIATE waits busy_timeout for another process's writer;
	// past that the whole transaction is worth another try.
	retryable: codeSet(
		sqlite3.SQLITE_BUSY,
		sqlite3.SQLITE_BUSY_SNAPSHOT,
		sqlite3.SQLITE_BUSY_RECOVERY,
		sqlite3.SQLITE_BUSY_TIMEOUT,
	),
}

var postgresDialect = &dialect{
	name:      "postgres",
	driver:    "pgx",
	goose:     goose.DialectPostgres,
	forUpdate: " FOR UPDATE",
	jsonStrings: func(param string) string {
		return "SELECT json_array_elements_text(CAST(" + param + " AS json))"
	},
	txOptions:   &sql.TxOptions{Isolation: sql.LevelReadCommitted},
	viewOptions: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	code:        postgresCode,
	conflict: map[string]bool{
		"23505": true, // unique_violation
		"23503": true, // foreign_key_violation
	},
	retryable: map[string]bool{
		"40001": true, // serialization_failure
		"40P01": true, // deadlock_detected
	},
}

// isConflict reports whether err is a unique or foreign key violation.
func (d *dialect) isConflict(err error) bool { return d.conflict[d.code(err)] }

// isRetryable reports whether the transaction that failed with err may
// succeed if run again.
func (d *dialect) isRetryable(err error) bool { return d.retryable[d.code(err)] }

func sqliteCode(err error) string {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return strconv.Itoa(e.Code())
	}
	return ""
}

func postgresCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func codeSet(codes ...int) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[strconv.Itoa(c)] = true
	}
	return m
}
