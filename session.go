package gatehouse

import "time"

// Session lifetimes (SPEC §1).
const (
	SessionLifetime    = 24 * time.Hour // from login
	SessionIdleTimeout = 8 * time.Hour  // from the last request
)

// A Session is a signed-in browser. The cookie holds a random secret; only
// its SHA-256 hash is stored, as ID.
type Session struct {
	ID     []byte // SHA-256 of the cookie value
	UserID int64
	// CSRF is the secret the console's forms echo back. Never empty.
	CSRF string
	// IdPGroups are the groups the identity provider sent at login, kept
	// so that a user who matched no group sees what was received.
	IdPGroups  []string
	CreatedAt  time.Time // UTC
	LastSeenAt time.Time // UTC
}

// Expired reports whether s has ended at now, by age or by idleness.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.CreatedAt.Add(SessionLifetime)) || !now.Before(s.LastSeenAt.Add(SessionIdleTimeout))
}
