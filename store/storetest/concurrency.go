package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

// workers is how many goroutines each concurrency test runs at once.
const workers = 50

// RunConcurrencyTests runs transactions from many goroutines at once
// against the stores newStore returns, one per subtest, and checks that
// the outcome is one a serial order would give.
func RunConcurrencyTests(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"simultaneous first logins of one identity create one user", testFirstLogins},
		{"simultaneous group syncs of one user leave one target set", testConcurrentSyncs},
		{"an assertion recorded simultaneously is accepted once", testConcurrentAssertions},
		{"a request consumed simultaneously is consumed once", testConcurrentConsumes},
	})
}

func testConcurrentAssertions(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	errs := parallel(workers, func(int) error {
		return s.Tx(t.Context(), func(tx store.Tx) error {
			return tx.RecordAssertion(f.Enterprise.ID, "assertion-1", now)
		})
	})
	wantOneSuccess(t, errs, store.ErrConflict)
}

func testConcurrentConsumes(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID, "id")))
	})
	errs := parallel(workers, func(int) error {
		return s.Tx(t.Context(), func(tx store.Tx) error { return tx.ConsumeAuthnRequest("id") })
	})
	wantOneSuccess(t, errs, store.ErrNotFound)
}

func testFirstLogins(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	const externalID = "carol@acme.example"
	ids := make([]int64, workers)
	errs := parallel(workers, func(i int) error {
		return s.Tx(t.Context(), func(tx store.Tx) error {
			u, err := tx.SSOUser(f.Enterprise.ID, externalID)
			if errors.Is(err, store.ErrNotFound) {
				u = &gatehouse.User{Login: fmt.Sprintf("carol-%04d", i), Name: "Carol", Kind: gatehouse.UserSSO,
					EnterpriseID: f.Enterprise.ID, ExternalID: externalID, Active: true, CreatedAt: now}
				err = tx.CreateUser(u)
				if errors.Is(err, store.ErrConflict) {
					u, err = tx.SSOUser(f.Enterprise.ID, externalID)
				}
			}
			if err != nil {
				return err
			}
			ids[i] = u.ID
			return tx.SetLastLogin(u.ID, now)
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("login %d: %v", i, err)
		}
	}
	MustView(t, s, func(tx store.Tx) {
		us, err := tx.ListUsers(store.UserFilter{EnterpriseID: f.Enterprise.ID})
		check(t, "ListUsers", err)
		if len(us) != 2 {
			t.Fatalf("ListUsers(enterprise) = %d users; want 2, the fixture's and Carol", len(us))
		}
		carol, err := tx.SSOUser(f.Enterprise.ID, externalID)
		check(t, "SSOUser", err)
		for i, id := range ids {
			if id != carol.ID {
				t.Errorf("login %d signed in user %d; want %d", i, id, carol.ID)
			}
		}
	})
}

func testConcurrentSyncs(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var groups []int64
	MustTx(t, s, func(tx store.Tx) {
		for i := range 6 {
			groups = append(groups, MustGroup(t, tx, f.Org.ID, fmt.Sprintf("g%d", i)).ID)
		}
	})
	// Worker i wants a window of three groups, so that targets overlap.
	target := func(i int) []int64 { return []int64{groups[i%4], groups[i%4+1], groups[i%4+2]} }
	errs := parallel(workers, func(i int) error {
		return s.Tx(t.Context(), func(tx store.Tx) error { return syncTo(tx, f.SSO.ID, f.Enterprise.ID, target(i)) })
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("sync %d: %v", i, err)
		}
	}
	MustView(t, s, func(tx store.Tx) {
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: f.SSO.ID})
		check(t, "ListMemberships", err)
		got := pluck(ms, membershipGroup)
		for i := range 4 {
			if cmp.Equal(target(i), got) {
				return
			}
		}
		t.Errorf("memberships after concurrent syncs = groups %v; want one worker's target", got)
	})
}

// syncTo makes the user's memberships in the enterprise exactly groups, as
// group sync does at login.
func syncTo(tx store.Tx, userID, enterpriseID int64, groups []int64) error {
	if err := tx.LockUser(userID); err != nil {
		return err
	}
	ms, err := tx.ListMemberships(store.MembershipFilter{UserID: userID, EnterpriseID: enterpriseID})
	if err != nil {
		return err
	}
	have := pluck(ms, membershipGroup)
	for _, g := range have {
		if !slices.Contains(groups, g) {
			if err := tx.RemoveMembership(userID, g); err != nil {
				return err
			}
		}
	}
	for _, g := range groups {
		if !slices.Contains(have, g) {
			m := &gatehouse.Membership{UserID: userID, GroupID: g, Source: gatehouse.SourceSync, CreatedAt: now}
			if err := tx.AddMembership(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func membershipGroup(m *gatehouse.Membership) int64 { return m.GroupID }

// parallel runs fn(0) to fn(n-1) in n goroutines released at once, and
// returns their errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = fn(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}

// wantOneSuccess reports unless exactly one of errs is nil and every other
// one is, or wraps, want.
func wantOneSuccess(t *testing.T, errs []error, want error) {
	t.Helper()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, want):
			t.Errorf("worker %d: %v; want nil or %v", i, err, want)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d workers succeeded; want 1", ok, len(errs))
	}
}
