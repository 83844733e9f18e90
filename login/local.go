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

// Refusals of a local login. The first does not say which half was wrong.
var (
	errBadCredentials = gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "Wrong login or password.")
	errUseSSO         = gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "This account signs in with SSO: use \"Log in with SSO\" and your enterprise key.")
	errDeactivated    = gatehouse.Errorf(gatehouse.EFORBIDDEN, "Your account is deactivated. Ask an administrator to reactivate it.")
)

// LocalLogin signs in a local user with their password. The answer takes
// as long whether the login exists or not. SSO users have no password and
// are told to use SSO. Each refusal is recorded as an
// authentication.login_failed event.
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
		refusal := errBadCredentials
		if u != nil && u.Kind == gatehouse.UserSSO {
			refusal = errUseSSO
		}
		return nil, s.localRefused(ctx, login, client, "bad_credentials", refusal)
	}
	if !u.Active {
		return nil, s.localRefused(ctx, login, client, string(gatehouse.RefusalUserDeactivated), errDeactivated)
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

// localRefused records a refused local login of login, for reason, and
// returns refusal.
func (s *Service) localRefused(ctx context.Context, login string, client netip.Addr, reason string, refusal error) error {
	err := s.Store.Tx(ctx, func(tx store.Tx) error {
		return audit.Record(tx, s.Now(), gatehouse.System, audit.Event{Type: gatehouse.AuditLoginFailed,
			Target: "login:" + login, Details: map[string]any{"method": "password", "client": client.String(), "reason": reason}})
	})
	if err != nil {
		return err
	}
	return refusal
}
