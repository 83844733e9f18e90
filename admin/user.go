package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/password"
	"github.com/gatehouse-sso/gatehouse/store"
)

// CreateLocalUser creates the local user u with password pw and sets its
// ID. Only the operator creates local users.
func (s *Service) CreateLocalUser(ctx context.Context, a gatehouse.Actor, u *gatehouse.User, pw string) error {
	u.Kind = gatehouse.UserLocal
	u.Active = true
	if err := u.Validate(); err != nil {
		return err
	}
	if err := password.Validate(pw); err != nil {
		return err
	}
	if a.Kind != gatehouse.ActorOperator {
		return access.Forbidden("create local users")
	}
	// Hash outside the transaction: argon2id takes tens of milliseconds
	// that must not hold the database's write lock.
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		u.CreatedAt = s.Now().UTC()
		if err := tx.CreateUser(u); err != nil {
			return conflict(err, "Login %q is taken.", u.Login)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditUserCreate, Target: "user:" + u.Login,
			Details: map[string]any{"kind": u.Kind}})
	})
}

// User returns the user with login, to the operator, to the user, and to
// the admins of an SSO user's enterprise.
func (s *Service) User(ctx context.Context, a gatehouse.Actor, login string) (*gatehouse.User, error) {
	var u *gatehouse.User
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		u, err = visibleUser(tx, r, a, login)
		return err
	})
	return u, err
}

// visibleUser reads the user with login and checks that a may see it.
func visibleUser(tx store.Tx, r *access.Roles, a gatehouse.Actor, login string) (*gatehouse.User, error) {
	u, err := userByLogin(tx, login)
	if err != nil {
		return nil, err
	}
	if r.Operator() || a.UserID() == u.ID || (u.EnterpriseID != 0 && r.EnterpriseAdmin(u.EnterpriseID)) {
		return u, nil
	}
	return nil, access.Forbidden(fmt.Sprintf("see user %q", login))
}

// A UserQuery narrows ListUsers. Zero fields match everything.
type UserQuery struct {
	// Enterprise keeps the SSO users of the enterprise with this key.
	Enterprise string
	Email      string
}

// ListUsers returns the matching users. The operator sees every user; an
// enterprise admin the SSO users of their enterprise, and must name it.
func (s *Service) ListUsers(ctx context.Context, a gatehouse.Actor, q UserQuery) ([]*gatehouse.User, error) {
	var out []*gatehouse.User
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		f := store.UserFilter{Email: strings.TrimSpace(q.Email)}
		if q.Enterprise != "" {
			e, err := adminEnterprise(tx, r, q.Enterprise)
			if err != nil {
				return err
			}
			f.EnterpriseID = e.ID
		} else if !r.Operator() {
			return access.Forbidden("list users outside an enterprise you administer")
		}
		var err error
		out, err = tx.ListUsers(f)
		return err
	})
	return out, err
}

// A UserUpdate holds the fields to change; nil fields stay as they are.
type UserUpdate struct {
	Name     *string
	Email    *string
	Password *string
	// Active false deactivates the user: they cannot log in, and their
	// sessions and tokens end at once. True reactivates them.
	Active *bool
}

// UpdateUser applies up to the user with login, in one transaction. A
// local user's name, email and password may be changed by the operator and
// by the user. SSO users' name and email come from their identity provider
// at each login. The operator may (de)activate anyone, an enterprise admin
// the SSO users of their enterprise.
func (s *Service) UpdateUser(ctx context.Context, a gatehouse.Actor, login string, up UserUpdate) (*gatehouse.User, error) {
	hash, err := newPasswordHash(up.Password)
	if err != nil {
		return nil, err
	}
	var u *gatehouse.User
	err = s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		if u, err = visibleUser(tx, r, a, login); err != nil {
			return err
		}
		if err := s.updateProfile(tx, r, a, u, up, hash); err != nil {
			return err
		}
		if up.Active == nil || *up.Active == u.Active {
			return nil
		}
		return s.setActive(tx, r, a, u, *up.Active)
	})
	return u, err
}

// updateProfile changes u's name, email and password as up asks.
func (s *Service) updateProfile(tx store.Tx, r *access.Roles, a gatehouse.Actor, u *gatehouse.User, up UserUpdate, hash string) error {
	if up.Name == nil && up.Email == nil && up.Password == nil {
		return nil
	}
	if !r.Operator() && a.UserID() != u.ID {
		return access.Forbidden(fmt.Sprintf("change user %q", u.Login))
	}
	if u.Kind == gatehouse.UserSSO {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "User %q signs in with SSO: their name and email come from the identity provider, and they have no password.", u.Login)
	}
	details := applyUserUpdate(u, up, hash)
	if err := u.Validate(); err != nil {
		return err
	}
	if len(details) == 0 {
		return nil
	}
	if err := tx.UpdateUser(u); err != nil {
		return err
	}
	return s.record(tx, a, audit.Event{Type: gatehouse.AuditUserUpdate, Target: "user:" + u.Login, Details: details})
}

// newPasswordHash validates and hashes pw, if given.
func newPasswordHash(pw *string) (string, error) {
	if pw == nil {
		return "", nil
	}
	if err := password.Validate(*pw); err != nil {
		return "", err
	}
	return password.Hash(*pw)
}

// applyUserUpdate applies up to u and returns what changed, for the audit
// log (never the password itself).
func applyUserUpdate(u *gatehouse.User, up UserUpdate, hash string) map[string]any {
	details := map[string]any{}
	if up.Name != nil && *up.Name != u.Name {
		u.Name = *up.Name
		details["name"] = u.Name
	}
	if up.Email != nil && *up.Email != u.Email {
		u.Email = *up.Email
		details["email"] = u.Email
	}
	if hash != "" {
		u.PasswordHash = hash
		details["password"] = "changed"
	}
	return details
}

// DeleteUser deletes the user with login, with their memberships, tokens
// and sessions. The operator may delete anyone, and every user themself
// (SPEC §6); it is refused while the user is the last admin of an
// organization.
func (s *Service) DeleteUser(ctx context.Context, a gatehouse.Actor, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		if !r.Operator() && a.UserID() != u.ID {
			return access.Forbidden(fmt.Sprintf("delete user %q", login))
		}
		orgs, err := tx.ListOrganizations(store.OrganizationFilter{MemberID: u.ID})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if err := refuseLastAdmin(tx, o, u); err != nil {
				return err
			}
		}
		// SPEC §6: sessions end and tokens are revoked, each on the record.
		if err := s.endAccess(tx, a, u); err != nil {
			return err
		}
		if err := tx.DeleteUser(u.ID); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditUserRemove, EnterpriseID: u.EnterpriseID, Target: "user:" + u.Login,
			Details: map[string]any{"kind": u.Kind}})
	})
}

// refuseLastAdmin refuses when u is the only admin of o.
func refuseLastAdmin(tx store.Tx, o *gatehouse.Organization, u *gatehouse.User) error {
	admins, err := tx.OrganizationAdmins(o.ID)
	if err != nil {
		return err
	}
	if len(admins) == 1 && admins[0] == u.ID {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "User %q is the last administrator of organization %q: give another user the Administer Organization permission first.", u.Login, o.Key)
	}
	return nil
}

// setActive deactivates or reactivates u.
func (s *Service) setActive(tx store.Tx, r *access.Roles, a gatehouse.Actor, u *gatehouse.User, active bool) error {
	if !r.Operator() && (u.EnterpriseID == 0 || !r.EnterpriseAdmin(u.EnterpriseID)) {
		return access.Forbidden(fmt.Sprintf("deactivate or reactivate user %q", u.Login))
	}
	if a.UserID() == u.ID {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "You cannot deactivate yourself.")
	}
	u.Active = active
	if err := tx.UpdateUser(u); err != nil {
		return err
	}
	typ := gatehouse.AuditUserReactivate
	if !active {
		typ = gatehouse.AuditUserDeactivate
		if err := s.endAccess(tx, a, u); err != nil {
			return err
		}
	}
	return s.record(tx, a, audit.Event{Type: typ, EnterpriseID: u.EnterpriseID, Target: "user:" + u.Login})
}

// endAccess ends u's sessions and revokes u's personal tokens.
func (s *Service) endAccess(tx store.Tx, a gatehouse.Actor, u *gatehouse.User) error {
	if _, err := tx.DeleteUserSessions(u.ID); err != nil {
		return err
	}
	tokens, err := tx.ListTokens(store.TokenFilter{UserID: u.ID})
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if err := tx.DeleteToken(t.ID); err != nil {
			return err
		}
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditTokenRevoke, EnterpriseID: u.EnterpriseID, Target: "user:" + u.Login,
			Details: map[string]any{"token_id": t.ID, "name": t.Name, "kind": t.Kind}}); err != nil {
			return err
		}
	}
	return nil
}
