package login

import (
	"context"
	"errors"
	"net/netip"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/password"
	"github.com/gatehouse-sso/gatehouse/store"
)

// errBadCredentials refuses a local login without saying which half was wrong.
var errBadCredentials = gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "Wrong login or password.")

// LocalLogin signs in a local user with their password. The answer takes
// as long whether the login exists or not. SSO users have no password and
// are told to use SSO.
func (s *Service) LocalLogin(ctx context.Context, login, pw, returnTo string, client netip.Addr) (*Result, error) {
	var u *gatehouse.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.UserByLogin(login)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var stored string
	if u != nil && u.Kind == gatehouse.UserLocal {
		stored = u.PasswordHash
	}
	if !password.Verify(stored, pw) {
		return nil, s.localRefused(ctx, login, client, u)
	}
	if !u.Active {
		return nil, gatehouse.Errorf(gatehouse.EFORBIDDEN, "Your account is deactivated. Ask an administrator to reactivate it.")
	}
	now := s.Now().UTC()
	var res *Result
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		var err error
		res, err = s.openSession(tx, u, nil, now, audit.Event{Type: gatehouse.AuditUserLogin,
			Details: map[string]any{"method": "password", "client": client.String()}}, LocalPath(returnTo))
		return err
	})
	return res, err
}

// localRefused records a failed local login and returns its refusal. An
// SSO user is told to log in with SSO.
func (s *Service) localRefused(ctx context.Context, login string, client netip.Addr, u *gatehouse.User) error {
	err := s.Store.Tx(ctx, func(tx store.Tx) error {
		return audit.Record(tx, s.Now(), gatehouse.Actor{Kind: gatehouse.ActorSystem}, audit.Event{Type: gatehouse.AuditLoginFailed,
			Target: "login:" + login, Details: map[string]any{"method": "password", "client": client.String(), "reason": "bad_credentials"}})
	})
	if err != nil {
		return err
	}
	if u != nil && u.Kind == gatehouse.UserSSO {
		return gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "This account signs in with SSO: use \"Log in with SSO\" and your enterprise key.")
	}
	return errBadCredentials
}
