package login

import (
	"context"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/password"
	"github.com/gatehouse-sso/gatehouse/store"
)

// ChangePassword sets the password of the local user u to next, once u
// has given their current one. It ends every session of u and opens a
// new one, whose secret it returns for the browser that asked, so that
// whoever knew the old password is signed out everywhere else. It is one
// transaction, audited as user.update; a wrong current password writes
// nothing.
func (s *Service) ChangePassword(ctx context.Context, u *gatehouse.User, current, next string) (*Result, error) {
	if u.Kind != gatehouse.UserLocal {
		return nil, gatehouse.Errorf(gatehouse.ECONFLICT, "You sign in with SSO: your password is managed by your identity provider.")
	}
	if err := password.Validate(next); err != nil {
		return nil, gatehouse.Invalidf("new_password", "%s", gatehouse.ErrorMessage(err))
	}
	var stored string
	err := s.Store.View(ctx, func(tx store.Tx) error {
		fresh, err := tx.User(u.ID)
		if err == nil {
			stored = fresh.PasswordHash
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !password.Verify(stored, current) {
		return nil, gatehouse.Invalidf("current_password", "Your current password is not the one you typed. Nothing was changed.")
	}
	// Hash outside the transaction: argon2id takes tens of milliseconds
	// that must not hold the database's write lock.
	hashed, err := password.Hash(next)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	sec := secret()
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		fresh, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		if fresh.PasswordHash != stored {
			return gatehouse.Errorf(gatehouse.ECONFLICT, "Your password was changed meanwhile, from another session. Nothing was changed.")
		}
		fresh.PasswordHash = hashed
		if err := tx.UpdateUser(fresh); err != nil {
			return err
		}
		ended, err := tx.DeleteUserSessions(u.ID)
		if err != nil {
			return err
		}
		sess := &gatehouse.Session{ID: hash(sec), UserID: u.ID, CSRF: secret(), CreatedAt: now, LastSeenAt: now}
		if err := tx.CreateSession(sess); err != nil {
			return err
		}
		return audit.Record(tx, now, gatehouse.UserActor(u), audit.Event{Type: gatehouse.AuditUserUpdate, Target: "user:" + u.Login,
			Details: map[string]any{"password": "changed", "sessions_ended": ended}})
	})
	if err != nil {
		return nil, err
	}
	return &Result{User: u, SessionSecret: sec, ReturnTo: "/account/security"}, nil
}
