package store

import (
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// Sessions stores browser sessions by the hash of their cookie.
type Sessions interface {
	// CreateSession inserts s.
	CreateSession(s *gatehouse.Session) error
	// Session returns the session whose ID is id.
	Session(id []byte) (*gatehouse.Session, error)
	// TouchSession sets the session's last request time to t.
	TouchSession(id []byte, t time.Time) error
	// DeleteSession removes the session.
	DeleteSession(id []byte) error
	// DeleteUserSessions removes every session of the user and returns how many.
	DeleteUserSessions(userID int64) (int, error)
	// DeleteExpiredSessions removes sessions created before createdBefore or
	// idle since before seenBefore, and returns how many.
	DeleteExpiredSessions(createdBefore, seenBefore time.Time) (int, error)
}
