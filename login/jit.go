package login

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/provision"
	"github.com/gatehouse-sso/gatehouse/store"
)

// jitUser returns the enterprise's SSO user with id's login, creating it
// on first login (JIT provisioning, SPEC §3.6) and refreshing its name and
// email otherwise. It takes the user's row lock, so that concurrent logins
// of one user apply their group sync one after the other.
func (s *Service) jitUser(tx store.Tx, e *gatehouse.Enterprise, id *gatehouse.Identity, now time.Time) (*gatehouse.User, error) {
	u, err := tx.SSOUser(e.ID, id.Login)
	if errors.Is(err, store.ErrNotFound) {
		return createUser(tx, e, id, now)
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, gatehouse.Refusef(gatehouse.RefusalUserDeactivated, "%s", u.Login)
	}
	if err := tx.LockUser(u.ID); err != nil {
		return nil, err
	}
	email := validEmail(id.Email)
	if u.Name == id.Name && u.Email == email {
		return u, nil
	}
	u.Name, u.Email = id.Name, email
	if err := u.Validate(); err != nil {
		return nil, gatehouse.Refusef(gatehouse.RefusalInvalid, "%s", gatehouse.ErrorMessage(err))
	}
	return u, tx.UpdateUser(u)
}

// createUser creates the SSO user for id. Its public login is the login
// attribute, slugged, with a random suffix, so that two enterprises never
// collide (SPEC §1).
func createUser(tx store.Tx, e *gatehouse.Enterprise, id *gatehouse.Identity, now time.Time) (*gatehouse.User, error) {
	u := &gatehouse.User{Login: gatehouse.LoginSlug(id.Login) + "-" + suffix(), Name: id.Name, Email: validEmail(id.Email),
		Kind: gatehouse.UserSSO, EnterpriseID: e.ID, ExternalID: id.Login, Active: true, CreatedAt: now, LastLoginAt: now}
	if err := u.Validate(); err != nil {
		return nil, gatehouse.Refusef(gatehouse.RefusalInvalid, "%s", gatehouse.ErrorMessage(err))
	}
	if err := tx.CreateUser(u); errors.Is(err, store.ErrConflict) {
		// A concurrent first login created the user, or the suffix was
		// taken: start the transaction again.
		return nil, errRetry
	} else if err != nil {
		return nil, err
	}
	return u, audit.Record(tx, now, provision.SyncActor, audit.Event{Type: gatehouse.AuditUserCreate, EnterpriseID: e.ID,
		Target: "user:" + u.Login, Details: map[string]any{"kind": u.Kind}})
}

// validEmail returns email if it is an address, and "" otherwise: a
// malformed email attribute is dropped rather than refusing the login,
// since the email is optional.
func validEmail(email string) string {
	if gatehouse.ValidateEmail("email", email) != nil {
		return ""
	}
	return email
}

// syncGroups applies group sync for u (SPEC §3.7).
func syncGroups(tx store.Tx, u *gatehouse.User, id *gatehouse.Identity, now time.Time) (*provision.Diff, error) {
	var named []*gatehouse.Group
	if len(id.Groups) > 0 {
		var err error
		if named, err = tx.GroupsNamed(u.EnterpriseID, id.Groups); err != nil {
			return nil, fmt.Errorf("find groups named by the IdP: %w", err)
		}
	}
	current, err := provision.CurrentMemberships(tx, u, named)
	if err != nil {
		return nil, fmt.Errorf("read memberships of %q: %w", u.Login, err)
	}
	d := provision.Plan(id.Groups, named, current)
	return d, provision.Apply(tx, now, u, d)
}

const suffixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// suffix returns 4 random lowercase letters and digits.
func suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = suffixAlphabet[int(b[i])%len(suffixAlphabet)]
	}
	return string(b)
}
