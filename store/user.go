package store

import (
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// UserFilter narrows ListUsers. Zero fields match everything.
type UserFilter struct {
	EnterpriseID int64
	Kind         string
	// Email matches case-insensitively.
	Email string
}

// Users stores users.
type Users interface {
	// CreateUser inserts u and sets u.ID. A taken login, or a second SSO
	// user with the same enterprise and external ID, is ErrConflict.
	CreateUser(u *gatehouse.User) error
	// User returns the user with id.
	User(id int64) (*gatehouse.User, error)
	// UserByLogin returns the user with login.
	UserByLogin(login string) (*gatehouse.User, error)
	// SSOUser returns the enterprise's SSO user whose identity key is
	// exactly externalID.
	SSOUser(enterpriseID int64, externalID string) (*gatehouse.User, error)
	// LockUser takes the user's row lock until the transaction ends, so
	// that concurrent logins of one user apply their changes one after the
	// other. On SQLite every write transaction already holds the database
	// lock, and LockUser only checks that the user exists.
	LockUser(id int64) error
	// ListUsers returns the matching users, by login.
	ListUsers(f UserFilter) ([]*gatehouse.User, error)
	// UpdateUser writes u's name, email, password hash and active flag.
	UpdateUser(u *gatehouse.User) error
	// SetLastLogin records a login at t.
	SetLastLogin(id int64, t time.Time) error
	// DeleteUser removes the user with their memberships, enterprise
	// administrator roles, personal tokens and sessions. The organization
	// tokens they created stay, with UserID 0: they belong to their
	// organization.
	DeleteUser(id int64) error
}
