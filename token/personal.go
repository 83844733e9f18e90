package token

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MaxPersonalTokens is how many personal tokens one user may hold.
const MaxPersonalTokens = 100

// errNoUser refuses personal tokens to actors that are not a user.
var errNoUser = gatehouse.Errorf(gatehouse.EFORBIDDEN, "Only a user has personal tokens: use your own token or session, not the operator token.")

// holder returns the acting user, whose personal tokens a call manages.
func holder(a gatehouse.Actor) (*gatehouse.User, error) {
	if a.Kind != gatehouse.ActorUser || a.User == nil || !a.User.Active {
		return nil, errNoUser
	}
	return a.User, nil
}

// CreatePersonalToken creates a personal access token for the acting user,
// named name, expiring at expiresAt (zero: never; otherwise in the
// future), and records token.create. The token carries the user's
// permissions at each use. The returned secret is shown once.
func (s *Service) CreatePersonalToken(ctx context.Context, a gatehouse.Actor, name string, expiresAt time.Time) (*Created, error) {
	u, err := holder(a)
	if err != nil {
		return nil, err
	}
	k, secret, err := newToken(gatehouse.TokenPersonal, name, s.Now().UTC(), expiresAt)
	if err != nil {
		return nil, err
	}
	k.UserID = u.ID
	if err := k.Validate(); err != nil {
		return nil, err
	}
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		mine, err := tx.ListTokens(store.TokenFilter{UserID: u.ID})
		if err != nil {
			return err
		}
		if len(mine) >= MaxPersonalTokens {
			return gatehouse.Errorf(gatehouse.ECONFLICT, "You hold %d personal tokens, the most one user may: revoke one first.", len(mine))
		}
		if err := refuseTakenName(mine, name, "You"); err != nil {
			return err
		}
		if err := tx.CreateToken(k); err != nil {
			return err
		}
		return audit.Record(tx, s.Now(), a, personalEvent(gatehouse.AuditTokenCreate, u, k))
	})
	if err != nil {
		return nil, err
	}
	return &Created{Summary: Summary{Token: k, Status: k.Status(s.Now())}, Secret: secret}, nil
}

// personalEvent is the audit event of type typ about u's token k.
func personalEvent(typ string, u *gatehouse.User, k *gatehouse.Token) audit.Event {
	details := map[string]any{"token_id": k.ID, "name": k.Name, "kind": k.Kind}
	if !k.ExpiresAt.IsZero() {
		details["expires_at"] = k.ExpiresAt
	}
	return audit.Event{Type: typ, EnterpriseID: u.EnterpriseID, Target: "user:" + u.Login, Details: details}
}

// PersonalTokens returns the acting user's personal tokens, newest first,
// with their last use.
func (s *Service) PersonalTokens(ctx context.Context, a gatehouse.Actor) ([]*Summary, error) {
	u, err := holder(a)
	if err != nil {
		return nil, err
	}
	var out []*Summary
	err = s.Store.View(ctx, func(tx store.Tx) error {
		ks, err := tx.ListTokens(store.TokenFilter{UserID: u.ID})
		for _, k := range ks {
			out = append(out, &Summary{Token: k, Status: k.Status(s.Now())})
		}
		return err
	})
	return out, err
}

// RevokePersonalToken deletes the acting user's personal token with id and
// records token.revoke. Another user's token, or an organization token, is
// ENOTFOUND, as an unknown one is.
func (s *Service) RevokePersonalToken(ctx context.Context, a gatehouse.Actor, id int64) error {
	u, err := holder(a)
	if err != nil {
		return err
	}
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		k, err := tx.Token(id)
		if errors.Is(err, store.ErrNotFound) || err == nil && (k.Kind != gatehouse.TokenPersonal || k.UserID != u.ID) {
			return gatehouse.Errorf(gatehouse.ENOTFOUND, "You have no personal token %d.", id)
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteToken(k.ID); err != nil {
			return err
		}
		return audit.Record(tx, s.Now(), a, personalEvent(gatehouse.AuditTokenRevoke, u, k))
	})
}
