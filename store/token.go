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

// A TokenAuth is a token with the rows that decide whether it may be used.
type TokenAuth struct {
	Token *gatehouse.Token
	// User is the token's user: the owner of a personal token, the
	// creator of an organization token. Never nil.
	User *gatehouse.User
	// Organization is an organization token's organization; nil for a
	// personal token.
	Organization *gatehouse.Organization
	// Enterprise is the enterprise whose IP allow list may apply: an SSO
	// user's for a personal token, the organization's for an organization
	// token. Nil when there is none (a local user's token, an organization
	// outside any enterprise).
	Enterprise *gatehouse.Enterprise
}

// Tokens stores tokens by the hash of their secret.
type Tokens interface {
	// CreateToken inserts t and sets t.ID.
	CreateToken(t *gatehouse.Token) error
	// Token returns the token with id.
	Token(id int64) (*gatehouse.Token, error)
	// TokenByHash returns the token whose hash is hash: one indexed look-up.
	TokenByHash(hash []byte) (*gatehouse.Token, error)
	// TokenAuth returns the token whose hash is hash with everything
	// authenticating it needs, in one query on the hash's index: the read
	// behind every request that presents a token.
	TokenAuth(hash []byte) (*TokenAuth, error)
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
