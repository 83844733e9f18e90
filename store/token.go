package store

import (
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// TokenFilter narrows ListTokens. At least one field must be set.
type TokenFilter struct {
	// UserID keeps the user's personal tokens.
	UserID int64
	// OrganizationID keeps the organization's tokens.
	OrganizationID int64
}

// Tokens stores tokens by the hash of their secret.
type Tokens interface {
	// CreateToken inserts t and sets t.ID.
	CreateToken(t *gatehouse.Token) error
	// Token returns the token with id.
	Token(id int64) (*gatehouse.Token, error)
	// TokenByHash returns the token whose hash is hash: one indexed look-up.
	TokenByHash(hash []byte) (*gatehouse.Token, error)
	// ListTokens returns the matching tokens, newest first.
	ListTokens(f TokenFilter) ([]*gatehouse.Token, error)
	// TouchToken sets the token's last use to t, if t is later.
	TouchToken(id int64, t time.Time) error
	// DeleteToken removes the token with id.
	DeleteToken(id int64) error
	// DeleteUnusedTokens removes personal tokens and organization tokens
	// without expiry that were last used (or, if never used, created)
	// before cutoff, and returns them.
	DeleteUnusedTokens(cutoff time.Time) ([]*gatehouse.Token, error)
}
