package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// A tx is a [store.Tx] bound to one database transaction and its context.
type tx struct {
	ctx context.Context
	tx  *sql.Tx
	d   *dialect
	// cache holds the pool's prepared statements; nil on PostgreSQL.
	cache *stmtCache
	// unprepared lists the queries that ran without a prepared statement.
	unprepared []string
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// exec runs a statement and returns how many rows it changed.
func (t *tx) exec(query string, args ...any) (int64, error) {
	res, err := t.execContext(query, args...)
	if err != nil {
		return 0, t.d.wrap(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.d.wrap(err)
	}
	return n, nil
}

// execOne runs a statement that must change a row: ErrNotFound otherwise.
func (t *tx) execOne(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return err
}

// insertID runs an INSERT ... ON CONFLICT DO NOTHING RETURNING id and
// returns the new ID; ErrConflict if a unique key kept the row out. Using
// DO NOTHING rather than an error keeps a PostgreSQL transaction usable
// after the conflict, so the caller may try another key.
func (t *tx) insertID(query string, args ...any) (int64, error) {
	var id int64
	err := t.queryRowContext(query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrConflict
	}
	if err != nil {
		return 0, t.d.wrap(err)
	}
	return id, nil
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING; ErrConflict if a unique
// key kept the row out.
func (t *tx) insert(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err == nil && n == 0 {
		err = store.ErrConflict
	}
	return err
}

// get runs a query that returns at most one row and scans it with scan.
func get[T any](t *tx, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(t.queryRowContext(query, args...))
	if err != nil {
		var zero T
		return zero, t.d.wrap(err)
	}
	return v, nil
}

// list runs a query and scans every row with scan.
func list[T any](t *tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.queryContext(query, args...)
	if err != nil {
		return nil, t.d.wrap(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.d.wrap(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.d.wrap(err)
	}
	return out, nil
}

// scanInt64 scans a single integer column.
func scanInt64(s scanner) (int64, error) {
	var v int64
	err := s.Scan(&v)
	return v, err
}

// wrap turns driver errors into the store's: sql.ErrNoRows into
// ErrNotFound, constraint violations into ErrConflict. The driver error
// stays in the chain, so that Tx can tell whether to retry.
func (d *dialect) wrap(err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case d.isConflict(err):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// placeholders returns "$from, $from+1, ..." for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// Column encodings. Times are BIGINT Unix milliseconds, and the zero time
// is NULL; IDs of 0 and empty strings in optional columns are NULL; slices
// and maps are JSON text.

// millis encodes t for a time column.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// nullID encodes an optional reference.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString encodes an optional string column.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonList encodes a slice for a JSON column; nil is stored as [].
func jsonList[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json column: %w", err)
	}
	return string(b), nil
}

// jsonMap encodes a map for a JSON column; nil is stored as {}.
func jsonMap(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode json column: %w", err)
	}
	return string(b), nil
}

// timeCol scans a time column; NULL is the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("scan time column: unexpected %T", src)
	}
	return nil
}

// idCol scans an optional reference; NULL is 0.
type idCol struct{ id *int64 }

func (c idCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.id = 0
	case int64:
		*c.id = v
	default:
		return fmt.Errorf("scan id column: unexpected %T", src)
	}
	return nil
}

// stringCol scans an optional string column; NULL is "".
type stringCol struct{ s *string }

func (c stringCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("scan text column: unexpected %T", src)
	}
	return nil
}

// jsonCol scans a JSON column into *v. An empty array or object leaves
// *v nil.
type jsonCol[T any] struct{ v *T }

func (c jsonCol[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan json column: unexpected %T", src)
	}
	if string(b) == "[]" || string(b) == "{}" {
		var zero T
		*c.v = zero
		return nil
	}
	switch v := any(c.v).(type) {
	case *[]string:
		if s, ok := stringArray(b); ok {
			*v = s
			return nil
		}
	case *[]gatehouse.Permission:
		if s, ok := stringArray(b); ok {
			*v = make([]gatehouse.Permission, len(s))
			for i := range s {
				(*v)[i] = gatehouse.Permission(s[i])
			}
			return nil
		}
	}
	return json.Unmarshal(b, c.v)
}

// stringArray decodes b, a JSON array of strings as encoding/json writes
// it, without reflection: a login reads a dozen such columns (the
// connection's certificates, the groups' permissions), and encoding/json
// spent more time on them than the queries took. ok is false for
// anything else, spaces, \u escapes and invalid UTF-8 included, which
// the caller then leaves to encoding/json.
func stringArray(b []byte) (out []string, ok bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' || !utf8.Valid(b) {
		return nil, false
	}
	rest := b[1 : len(b)-1]
	for len(rest) > 0 {
		s, n, ok := jsonString(rest)
		if !ok {
			return nil, false
		}
		out = append(out, s)
		switch rest = rest[n:]; {
		case len(rest) == 0:
		case len(rest) > 1 && rest[0] == ',':
			rest = rest[1:]
		default:
			return nil, false
		}
	}
	return out, true
}

// jsonUnescape maps the character after a backslash in a JSON string to
// what it stands for, for every escape but \u.
var jsonUnescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// jsonString decodes the JSON string at the start of b and returns it
// with the number of bytes it took; ok is false if b does not start with
// one, or if it holds a \u escape.
func jsonString(b []byte) (s string, n int, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", 0, false
	}
	var buf []byte // nil until the first escape
	start := 1
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			if buf == nil {
				return string(b[start:i]), i + 1, true
			}
			return string(append(buf, b[start:i]...)), i + 1, true
		case c < 0x20:
			return "", 0, false
		case c == '\\':
			if i+1 == len(b) || jsonUnescape[b[i+1]] == 0 {
				return "", 0, false
			}
			buf = append(append(buf, b[start:i]...), jsonUnescape[b[i+1]])
			i++
			start = i + 1
		}
	}
	return "", 0, false
}
