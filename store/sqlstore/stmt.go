package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a statement cache. Queries are fixed strings but
// for the lengths of IN lists, so the bound is never reached in practice.
const maxCachedStmts = 1000

// A stmtCache keeps the prepared statements of one SQLite pool by query
// text, so that each query is parsed once per connection rather than once
// per call: parsing is a quarter of the time of a login transaction.
//
// A query seen for the first time runs unprepared, and is prepared once
// its transaction has released its connection; on the writer pool, that
// connection is the only one, so preparing earlier would wait for itself.
// PostgreSQL needs no cache: pgx keeps one per connection.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt // guarded by mu
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: make(map[string]*sql.Stmt)}
}

// get returns the prepared statement of query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// prepare prepares queries that are not in the cache yet. It must not run
// inside a transaction of the pool. A query that fails to prepare is left
// out: it keeps running unprepared, and reports its error there.
func (c *stmtCache) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		c.mu.Lock()
		_, ok := c.stmts[q]
		full := len(c.stmts) >= maxCachedStmts
		c.mu.Unlock()
		if ok || full {
			continue
		}
		s, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[q]; ok {
			s.Close()
		} else {
			c.stmts[q] = s
		}
		c.mu.Unlock()
	}
}

// stmt returns query's prepared statement bound to t, or nil if it has
// none yet, in which case t remembers to prepare it.
func (t *tx) stmt(query string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	if s := t.cache.get(query); s != nil {
		return t.tx.StmtContext(t.ctx, s)
	}
	t.unprepared = append(t.unprepared, query)
	return nil
}

// execContext, queryRowContext and queryContext run query on t, prepared
// if it can be.
func (t *tx) execContext(query string, args ...any) (sql.Result, error) {
	if s := t.stmt(query); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *tx) queryRowContext(query string, args ...any) *sql.Row {
	if s := t.stmt(query); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

func (t *tx) queryContext(query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(query); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}
