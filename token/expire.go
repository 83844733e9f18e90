package token

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// UnusedLifetime is how long a token may go unused before Expire removes
// it: personal tokens, and organization tokens without expiry (SPEC §6).
const UnusedLifetime = 60 * 24 * time.Hour

// Expire removes the tokens unused for [UnusedLifetime] (last used, or
// created if never used, before then) and records token.revoke for each,
// in one transaction. It returns them. Every node may run it at any time:
// a token is removed, and its removal recorded, once.
func (s *Service) Expire(ctx context.Context) ([]*gatehouse.Token, error) {
	now := s.Now().UTC()
	var removed []*gatehouse.Token
	err := s.Store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if removed, err = tx.DeleteUnusedTokens(now.Add(-UnusedLifetime)); err != nil {
			return err
		}
		for _, k := range removed {
			ev, err := expiredEvent(tx, k)
			if err != nil {
				return err
			}
			if err := audit.Record(tx, now, gatehouse.System, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remove unused tokens: %w", err)
	}
	return removed, nil
}

// expiredEvent is the token.revoke event of k, removed for lack of use.
// The owner or organization it names still exists: the token was deleted,
// not them.
func expiredEvent(tx store.Tx, k *gatehouse.Token) (audit.Event, error) {
	var ev audit.Event
	if k.Kind == gatehouse.TokenPersonal {
		u, err := tx.User(k.UserID)
		if err != nil {
			return ev, err
		}
		ev = personalEvent(gatehouse.AuditTokenRevoke, u, k)
	} else {
		o, err := tx.OrganizationByID(k.OrganizationID)
		if err != nil {
			return ev, err
		}
		ev = organizationEvent(gatehouse.AuditTokenRevoke, o, &Summary{Token: k})
	}
	ev.Details["reason"] = fmt.Sprintf("unused for %d days", int(UnusedLifetime.Hours()/24))
	return ev, nil
}
