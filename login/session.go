package login

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// touchInterval is how stale a session's last-seen time may get before a
// request writes it again: the idle timeout is 8 hours, so a minute of
// imprecision saves a write on nearly every request.
const touchInterval = time.Minute

// lastLoginPrecision is how stale a user's last login time may get before
// a login writes it again. As SonarQube does for its last connection
// date, an hour's precision spares the user's row a write on every login
// of a busy user: a login then writes only what it creates (issue SSO,
// item 8). The login events of the audit log keep the exact times.
const lastLoginPrecision = time.Hour

// openSession creates u's session and records the login event ev, inside tx.
func (s *Service) openSession(tx store.Tx, u *gatehouse.User, idpGroups []string, now time.Time, ev audit.Event, returnTo string) (*Result, error) {
	if now.Sub(u.LastLoginAt) >= lastLoginPrecision {
		if err := tx.SetLastLogin(u.ID, now); err != nil {
			return nil, err
		}
		u.LastLoginAt = now
	}
	sec := secret()
	sess := &gatehouse.Session{ID: hash(sec), UserID: u.ID, CSRF: secret(), IdPGroups: idpGroups, CreatedAt: now, LastSeenAt: now}
	if err := tx.CreateSession(sess); err != nil {
		return nil, err
	}
	ev.Target = "user:" + u.Login
	if err := audit.Record(tx, now, gatehouse.UserActor(u), ev); err != nil {
		return nil, err
	}
	if returnTo == "" {
		returnTo = DefaultReturnTo
	}
	return &Result{User: u, SessionSecret: sec, ReturnTo: returnTo}, nil
}

// errNoSession refuses a missing, unknown or ended session.
var errNoSession = gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "Your session has ended. Please log in again.")

// Session returns the session whose cookie holds sec and its user. It
// refuses ended sessions (SPEC §1: 24 h after login, 8 h idle) and
// sessions of deactivated users, and records the request time.
func (s *Service) Session(ctx context.Context, sec string) (*gatehouse.Session, *gatehouse.User, error) {
	if sec == "" {
		return nil, nil, errNoSession
	}
	now := s.Now().UTC()
	var sess *gatehouse.Session
	var u *gatehouse.User
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if sess, err = tx.Session(hash(sec)); err != nil {
			return err
		}
		u, err = tx.User(sess.UserID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	if sess.Expired(now) || !u.Active {
		if err := s.Logout(ctx, sec); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSession
	}
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		if err := s.Store.Tx(ctx, func(tx store.Tx) error { return tx.TouchSession(sess.ID, now) }); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// Logout ends the session whose cookie holds sec. Ending a session that
// does not exist is not an error.
func (s *Service) Logout(ctx context.Context, sec string) error {
	err := s.Store.Tx(ctx, func(tx store.Tx) error { return tx.DeleteSession(hash(sec)) })
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
