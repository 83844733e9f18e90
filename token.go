package gatehouse

import "time"

// Kinds of token.
const (
	TokenPersonal     = "personal"     // gat_: carries its user's permissions
	TokenOrganization = "organization" // gsot_: scan on an organization's projects
)

// A Token authenticates API calls. Only the SHA-256 hash of its secret is
// kept; the secret is shown once, at creation.
type Token struct {
	ID   int64
	Kind string // TokenPersonal or TokenOrganization
	Name string
	// Hash is the SHA-256 of the whole token string. Never empty.
	Hash []byte
	// UserID is the owner of a personal token and the creator of an
	// organization token; 0 once an organization token's creator's account
	// is deleted, since the token belongs to its organization.
	UserID int64
	// OrganizationID is the organization of an organization token; 0 otherwise.
	OrganizationID int64
	// ProjectIDs is the scope of an organization token: empty means every
	// project of the organization.
	ProjectIDs []int64
	CreatedAt  time.Time // UTC
	LastUsedAt time.Time // UTC; zero if never used
	ExpiresAt  time.Time // UTC; zero if it never expires
}

// Token statuses, as shown for organization tokens.
const (
	TokenActive        = "active"
	TokenAboutToExpire = "about_to_expire" // expires within 7 days
	TokenExpired       = "expired"
)

// Status returns the status of t at now.
func (t *Token) Status(now time.Time) string {
	switch {
	case t.ExpiresAt.IsZero():
		return TokenActive
	case !now.Before(t.ExpiresAt):
		return TokenExpired
	case t.ExpiresAt.Sub(now) < 7*24*time.Hour:
		return TokenAboutToExpire
	}
	return TokenActive
}

// Validate reports the first field of t that breaks a rule.
func (t *Token) Validate() error {
	if err := validName("name", t.Name); err != nil {
		return err
	}
	switch t.Kind {
	case TokenPersonal:
		if t.UserID == 0 || t.OrganizationID != 0 || len(t.ProjectIDs) > 0 {
			return Invalidf("kind", "A personal token belongs to one user and has no scope.")
		}
	case TokenOrganization:
		if t.OrganizationID == 0 {
			return Invalidf("organization", "An organization token needs an organization.")
		}
	default:
		return Invalidf("kind", "kind must be %q or %q.", TokenPersonal, TokenOrganization)
	}
	if len(t.Hash) == 0 {
		return Invalidf("hash", "A token needs a hash.")
	}
	return nil
}
