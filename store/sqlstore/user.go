package sqlstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const userColumnList = "id, login, name, email, kind, enterprise_id, external_id, password_hash, active, created_at, last_login_at"

var userColumns = userColumnsOf("")

// userColumnsOf returns the user columns, qualified by alias if not "".
func userColumnsOf(alias string) string {
	if alias == "" {
		return userColumnList
	}
	return alias + "." + strings.ReplaceAll(userColumnList, ", ", ", "+alias+".")
}

func scanUser(s scanner) (*gatehouse.User, error) {
	var u gatehouse.User
	err := s.Scan(userFields(&u)...)
	return &u, err
}

// userFields returns the scan destinations of the user columns, so that a
// query joining users can scan them beside other columns.
func userFields(u *gatehouse.User) []any {
	return []any{&u.ID, &u.Login, &u.Name, &u.Email, &u.Kind, idCol{&u.EnterpriseID},
		stringCol{&u.ExternalID}, &u.PasswordHash, &u.Active, timeCol{&u.CreatedAt}, timeCol{&u.LastLoginAt}}
}

// CreateUser implements [store.Users].
func (t *tx) CreateUser(u *gatehouse.User) error {
	id, err := t.insertID(`INSERT INTO users (login, name, email, kind, enterprise_id, external_id,
			password_hash, active, created_at, last_login_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
		u.Login, u.Name, u.Email, u.Kind, nullID(u.EnterpriseID), nullString(u.ExternalID),
		u.PasswordHash, u.Active, millis(u.CreatedAt), millis(u.LastLoginAt))
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Login, err)
	}
	u.ID = id
	return nil
}

// User implements [store.Users].
func (t *tx) User(id int64) (*gatehouse.User, error) {
	u, err := get(t, scanUser, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// UserByLogin implements [store.Users].
func (t *tx) UserByLogin(login string) (*gatehouse.User, error) {
	u, err := get(t, scanUser, `SELECT `+userColumns+` FROM users WHERE login = $1`, login)
	if err != nil {
		return nil, fmt.Errorf("get user %q: %w", login, err)
	}
	return u, nil
}

// SSOUser implements [store.Users].
func (t *tx) SSOUser(enterpriseID int64, externalID string) (*gatehouse.User, error) {
	u, err := get(t, scanUser, `SELECT `+userColumns+` FROM users WHERE enterprise_id = $1 AND external_id = $2`,
		enterpriseID, externalID)
	if err != nil {
		return nil, fmt.Errorf("get sso user %q of enterprise %d: %w", externalID, enterpriseID, err)
	}
	return u, nil
}

// LockUser implements [store.Users].
func (t *tx) LockUser(id int64) error {
	_, err := get(t, scanInt64, `SELECT id FROM users WHERE id = $1`+t.d.forUpdate, id)
	if err != nil {
		return fmt.Errorf("lock user %d: %w", id, err)
	}
	return nil
}

// ListUsers implements [store.Users].
func (t *tx) ListUsers(f store.UserFilter) ([]*gatehouse.User, error) {
	q := `SELECT ` + userColumns + ` FROM users WHERE 1 = 1`
	var args []any
	if f.EnterpriseID != 0 {
		args = append(args, f.EnterpriseID)
		q += fmt.Sprintf(" AND enterprise_id = $%d", len(args))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += fmt.Sprintf(" AND kind = $%d", len(args))
	}
	if f.Email != "" {
		args = append(args, f.Email)
		q += fmt.Sprintf(" AND lower(email) = lower($%d)", len(args))
	}
	us, err := list(t, scanUser, q+" ORDER BY login", args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// UpdateUser implements [store.Users].
func (t *tx) UpdateUser(u *gatehouse.User) error {
	err := t.execOne(`UPDATE users SET name = $2, email = $3, password_hash = $4, active = $5 WHERE id = $1`,
		u.ID, u.Name, u.Email, u.PasswordHash, u.Active)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

// SetLastLogin implements [store.Users].
func (t *tx) SetLastLogin(id int64, at time.Time) error {
	if err := t.execOne(`UPDATE users SET last_login_at = $2 WHERE id = $1`, id, millis(at)); err != nil {
		return fmt.Errorf("set last login of user %d: %w", id, err)
	}
	return nil
}

// DeleteUser implements [store.Users]. The schema removes the user's
// memberships, administrator roles and sessions.
func (t *tx) DeleteUser(id int64) error {
	// Personal tokens go with their user, deleted here since the foreign
	// key only sets user_id to NULL, which the tokens' CHECK refuses for a
	// personal token; organization tokens stay with their organization,
	// their creator set to NULL.
	if _, err := t.exec(`DELETE FROM tokens WHERE user_id = $1 AND kind = 'personal'`, id); err != nil {
		return fmt.Errorf("delete tokens of user %d: %w", id, err)
	}
	if err := t.execOne(`DELETE FROM users WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return nil
}
