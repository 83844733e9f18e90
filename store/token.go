package store

import (
	"context"
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
	// User is the token's user: the owner of a personal token (never nil
	// then), or the creator of an organization token (nil once the
	// creator's account is deleted).
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

// A TokenChecker answers the read of an access check asked with a token.
type TokenChecker interface {
	// TokenCheck returns what an access check needs to answer whether the
	// holder of the token whose hash is hash may act with perm in the
	// organization with key organization and, if project is not "", on its
	// project with that key, as the database is at the call. It runs at
	// most one statement, outside any transaction (one statement sees one
	// snapshot, and on the hot path a transaction's BEGIN and COMMIT would
	// cost more than the query); it may answer from memory only while
	// nothing was committed since. A hash that names no token is
	// ErrNotFound; an organization or project that does not exist is not
	// an error. The answer must not be modified.
	TokenCheck(ctx context.Context, hash []byte, organization string, perm gatehouse.Permission, project string) (*TokenCheck, error)
}

// A TokenCheck is what one access check asked with a token needs, and no
// more: the token, whether its user may still use it, the IP allow list
// that applies (as for [TokenAuth]), and the facts the check decides on.
type TokenCheck struct {
	Token *gatehouse.Token
	// UserActive is the Active flag of the token's user.
	UserActive bool
	// EnterpriseKey and IPAllowList are those of the enterprise whose
	// allow list applies, as [TokenAuth.Enterprise]; "" and nil when none.
	EnterpriseKey string
	IPAllowList   []string
	// OrganizationID is the ID of the organization asked about; 0 if no
	// organization has its key.
	OrganizationID int64
	// ProjectID is the ID of the project asked about in that organization;
	// 0 if none was asked, or none of the organization has its key.
	ProjectID int64
	// Holds reports whether the token's user holds the permission asked
	// about in that organization, exactly as [Memberships.UserPermissions]
	// would list it: through a group they are in, or through Members. It
	// is about the user, whatever the kind of token.
	Holds bool
}

// Tokens stores tokens by the hash of their secret.
type Tokens interface {
	// CreateToken inserts t and sets t.ID.
	CreateToken(t *gatehouse.Token) error
	// Token returns the token with id.
	Token(id int64) (*gatehouse.Token, error)
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
