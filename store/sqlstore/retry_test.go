package sqlstore_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// TestTxRetriesADeadlock makes two PostgreSQL transactions lock two users
// in opposite orders. The server aborts one of them with a deadlock, and
// Tx must run that one's function again, so that both succeed.
func TestTxRetriesADeadlock(t *testing.T) {
	s := mustOpen(t, pgtest.URL(t))
	f := storetest.MustFixture(t, s)
	var attempts atomic.Int32
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	lock := func(first, second int64) func(store.Tx) error {
		return func(tx store.Tx) error {
			n := attempts.Add(1)
			if err := tx.LockUser(first); err != nil {
				return err
			}
			if n <= 2 {
				bothLocked.Done()
				bothLocked.Wait()
			}
			return tx.LockUser(second)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { errs[0] = s.Tx(t.Context(), lock(f.Local.ID, f.SSO.ID)) })
	wg.Go(func() { errs[1] = s.Tx(t.Context(), lock(f.SSO.ID, f.Local.ID)) })
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Tx %d = %v; want nil after a retry", i, err)
		}
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("the functions ran %d times; want 3, one of them twice", n)
	}
}
