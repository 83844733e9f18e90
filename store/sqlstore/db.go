package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse/store"

	// The two database/sql drivers: "pgx" and "sqlite".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

var _ store.Store = (*DB)(nil)

// maxAttempts bounds how many times Tx runs its function when the database
// reports a serialization conflict, a deadlock or a busy lock.
const maxAttempts = 5

// postgresConns is how many connections a node opens to PostgreSQL at most.
const postgresConns = 25

// A DB is a Gatehouse store on SQLite or PostgreSQL.
type DB struct {
	d *dialect
	// writer runs Tx. On SQLite it has a single connection, so write
	// transactions queue in Go instead of failing with SQLITE_BUSY.
	writer *sql.DB
	// reader runs View. On SQLite it is a pool of query_only connections;
	// on PostgreSQL it is writer.
	reader *sql.DB
	// writerStmts and readerStmts cache prepared statements on SQLite;
	// nil on PostgreSQL.
	writerStmts, readerStmts *stmtCache
	// checks remembers TokenCheck's answers on SQLite; nil on PostgreSQL.
	checks *checkCache
}

// Open opens the database named by dsn, applies the embedded migrations and
// returns the store. dsn is a postgres:// or postgresql:// URL, or else an
// SQLite file path or file: URI.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Migrate applies the embedded migrations to the database named by dsn, as
// [Open] does, and returns the schema version it is at.
func Migrate(ctx context.Context, dsn string) (int64, error) {
	db, err := open(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.migrate(ctx)
}

func open(ctx context.Context, dsn string) (*DB, error) {
	if isPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open(postgresDialect.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	// Bounded, so that a busy node cannot take every connection the
	// server allows from the other nodes of the cluster. As many may stay
	// idle: with fewer, a node serving more concurrent requests than that
	// closes and reopens connections all the time (each a new server
	// process), and its p99 latency goes from milliseconds to a tenth of a
	// second. Idle ones close after five minutes.
	pool.SetMaxOpenConns(postgresConns)
	pool.SetMaxIdleConns(postgresConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres database %s: %w", Redact(dsn), err)
	}
	return &DB{d: postgresDialect, writer: pool, reader: pool}, nil
}

// SQLite settings of every connection: WAL lets readers run beside the
// writer, and synchronous=NORMAL is durable in WAL mode except against a
// power loss in the last moments.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" || strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return nil, fmt.Errorf("open sqlite database %q: give a file path; an in-memory database cannot be shared by the reader and writer pools", dsn)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	writer, err := sqlitePool(ctx, dsn+sep+sqlitePragmas+"&_txlock=immediate", 1)
	if err != nil {
		return nil, err
	}
	reader, err := sqlitePool(ctx, dsn+sep+sqlitePragmas+"&_pragma=query_only(1)", max(4, runtime.NumCPU()))
	if err != nil {
		writer.Close()
		return nil, err
	}
	return &DB{d: sqliteDialect, writer: writer, reader: reader,
		writerStmts: newStmtCache(writer), readerStmts: newStmtCache(reader), checks: newCheckCache(reader)}, nil
}

func sqlitePool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	pool, err := sql.Open(sqliteDialect.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %q: %w", dsn, err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open sqlite database %q: %w", strings.SplitN(dsn, "?", 2)[0], err)
	}
	return pool, nil
}

// Redact hides the password of a database URL, for logs and error messages.
func Redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":xxxxx" + dsn[at:]
	}
	return dsn
}

// Tx implements [store.Store].
func (db *DB) Tx(ctx context.Context, fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.run(ctx, db.writer, db.writerStmts, db.d.txOptions, fn)
		if err == nil || attempt == maxAttempts || !db.d.isRetryable(err) {
			return err
		}
		// Jitter keeps the transactions that collided from colliding again.
		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(10)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// View implements [store.Store].
func (db *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, db.reader, db.readerStmts, db.d.viewOptions, fn)
}

// run runs fn in one transaction on pool, committing if fn returns nil and
// rolling back if it returns an error or panics. Then, with the connection
// released, it prepares the queries fn ran that cache did not hold.
func (db *DB) run(ctx context.Context, pool *sql.DB, cache *stmtCache, opts *sql.TxOptions, fn func(store.Tx) error) error {
	t := &tx{ctx: ctx, d: db.d, cache: cache}
	err := t.run(pool, opts, fn)
	if len(t.unprepared) > 0 {
		cache.prepare(ctx, t.unprepared)
	}
	return err
}

func (t *tx) run(pool *sql.DB, opts *sql.TxOptions, fn func(store.Tx) error) error {
	sqlTx, err := pool.BeginTx(t.ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t.tx = sqlTx
	done := false
	defer func() {
		if !done {
			sqlTx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", t.d.wrap(err))
	}
	return nil
}

// Ping implements [store.Store].
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", db.d.name, err)
	}
	return nil
}

// Close implements [store.Store].
func (db *DB) Close() error {
	if db.checks != nil {
		db.checks.close()
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}
