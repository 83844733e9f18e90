package login

import (
	"context"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Purged counts what Purge removed.
type Purged struct {
	Sessions, AuthnRequests, Assertions int
}

// Purge removes ended sessions, expired pending requests and replay
// records that can no longer matter. Every node may run it at any time.
func (s *Service) Purge(ctx context.Context) (Purged, error) {
	now := s.Now().UTC()
	var p Purged
	err := s.Store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if p.Sessions, err = tx.DeleteExpiredSessions(now.Add(-gatehouse.SessionLifetime), now.Add(-gatehouse.SessionIdleTimeout)); err != nil {
			return err
		}
		if p.AuthnRequests, err = tx.DeleteExpiredAuthnRequests(now); err != nil {
			return err
		}
		p.Assertions, err = tx.DeleteExpiredAssertions(now.Add(-time.Minute))
		return err
	})
	return p, err
}
