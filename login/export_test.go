package login

import (
	"context"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/provision"
	"github.com/gatehouse-sso/gatehouse/store"
)

// ErrRetry lets the tests see the login transaction ask to run again.
var ErrRetry = errRetry

// SyncUser runs the JIT provisioning and group sync of a login of id to
// enterprise e in one transaction, as FinishSSO does, and returns the
// diff it applied: BenchmarkSync measures sync apart from the rest.
func (s *Service) SyncUser(ctx context.Context, e *gatehouse.Enterprise, id *gatehouse.Identity, now time.Time) (*provision.Diff, error) {
	var d *provision.Diff
	err := s.Store.Tx(ctx, func(tx store.Tx) error {
		u, err := s.jitUser(tx, e, id, now)
		if err != nil {
			return err
		}
		d, err = syncGroups(tx, u, id, now)
		return err
	})
	return d, err
}
