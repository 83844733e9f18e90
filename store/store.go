// Package store defines how the services read and write Gatehouse's state.
// It holds interfaces and errors only; sqlstore implements them for SQLite
// and PostgreSQL, and storetest holds the conformance suite both pass.
package store

import (
	"context"
	"errors"
)

var (
	// ErrNotFound is returned when the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned when a write breaks a unique key, or names a
	// row that a foreign key requires and that does not exist.
	ErrConflict = errors.New("store: conflict")
)

// A Store holds every piece of Gatehouse state, so that several nodes on
// one database form a cluster.
type Store interface {
	// Tx runs fn in a read-write transaction and commits if fn returns nil.
	// It rolls back if fn returns an error or panics (and re-panics). When
	// the database reports a serialization conflict or a deadlock, Tx rolls
	// back and runs fn again, so fn must be safe to repeat and must keep no
	// state outside the transaction. It returns fn's error unchanged.
	//
	// fn must not call Tx or View itself: on SQLite the single writer
	// connection would wait for itself. An ErrConflict from a create whose
	// unique key is taken leaves the transaction usable. After any other
	// ErrConflict (a row the write names does not exist, an update to a
	// taken name) PostgreSQL has aborted the transaction and fn must return.
	Tx(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction: every read sees one snapshot.
	// Writes through the Tx fail.
	View(ctx context.Context, fn func(Tx) error) error
	// TokenChecker answers the access check, the hot path, with one
	// statement outside any transaction.
	TokenChecker
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// A Tx reads and writes inside one transaction. It is bound to the context
// the transaction started with, and is not safe for concurrent use. Unless a
// method says otherwise, a write that breaks a unique key returns
// ErrConflict, and a read, update or delete of a row that does not exist
// returns ErrNotFound.
type Tx interface {
	Enterprises
	Organizations
	Groups
	Projects
	Users
	Memberships
	Tokens
	Sessions
	AuditEvents
	SSOConnections
	AuthnRequests
}
