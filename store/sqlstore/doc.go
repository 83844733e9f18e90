// Package sqlstore implements [store.Store] once, over database/sql, for
// embedded SQLite (modernc.org/sqlite, pure Go) and PostgreSQL (pgx).
//
// Every query is written once with $N placeholders; what truly differs
// between the engines (row locks, error codes, retryable errors, the
// migrations folder) lives in a dialect value. The schema is embedded and
// applied by [Open] with goose.
//
// On SQLite, [DB.Tx] runs on a single writer connection whose transactions
// begin IMMEDIATE, so writers queue in Go instead of failing with
// SQLITE_BUSY, and [DB.View] runs on a pool of query_only readers that WAL
// lets run beside the writer. On PostgreSQL, Tx is READ COMMITTED with row
// locks where the contract asks for them, and View is a read-only
// REPEATABLE READ snapshot.
//
// Inserts that may break a unique key use ON CONFLICT DO NOTHING, so that
// ErrConflict leaves a PostgreSQL transaction usable (the caller can try
// another login, say). Other constraint violations, such as a foreign key
// naming a missing row, abort a PostgreSQL transaction: after such an
// ErrConflict the function given to Tx should return.
//
// A function given to Tx must not call Tx: on SQLite the inner call would
// wait forever for the one writer connection.
//
// The package owns storage only: the rules of the domain (the last admin
// of an organization, the enterprise of an SSO user's groups) belong to
// the services.
package sqlstore
