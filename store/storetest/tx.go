package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse-sso/gatehouse/store"
)

func testTx(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"commits when the function returns nil", testTxCommits},
		{"rolls back and returns the function's error", testTxRollsBackOnError},
		{"rolls back and panics again when the function panics", testTxRollsBackOnPanic},
		{"View reads what Tx committed", testViewReads},
		{"View rejects writes", testViewRejectsWrites},
		{"View sees one snapshot while Tx commits", testViewSnapshot},
		{"a unique conflict leaves the transaction usable", testConflictKeepsTx},
		{"Ping answers", testPing},
	})
}

func testTxCommits(t *testing.T, s store.Store) {
	MustTx(t, s, func(tx store.Tx) { MustEnterprise(t, tx, "acme") })
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.Enterprise("acme")
		check(t, "Enterprise", err)
	})
}

func testTxRollsBackOnError(t *testing.T, s store.Store) {
	errBoom := errors.New("boom")
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		MustEnterprise(t, tx, "acme")
		return errBoom
	})
	wantErr(t, "Tx", err, errBoom)
	wantNoEnterprise(t, s, "acme")
}

func testTxRollsBackOnPanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v; want the function's panic", p)
			}
		}()
		s.Tx(t.Context(), func(tx store.Tx) error {
			MustEnterprise(t, tx, "acme")
			panic("boom")
		})
	}()
	wantNoEnterprise(t, s, "acme")
	MustTx(t, s, func(tx store.Tx) { MustEnterprise(t, tx, "after") })
}

func testViewReads(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustView(t, s, func(tx store.Tx) {
		u, err := tx.User(f.Local.ID)
		check(t, "User", err)
		if u.Login != f.Local.Login {
			t.Errorf("User(%d).Login = %q; want %q", f.Local.ID, u.Login, f.Local.Login)
		}
	})
}

func testViewRejectsWrites(t *testing.T, s store.Store) {
	err := s.View(t.Context(), func(tx store.Tx) error {
		e := newEnterprise("acme")
		return tx.CreateEnterprise(e)
	})
	if err == nil {
		t.Errorf("CreateEnterprise in View = nil; want an error")
	}
	wantNoEnterprise(t, s, "acme")
}

func testViewSnapshot(t *testing.T, s store.Store) {
	MustTx(t, s, func(tx store.Tx) { MustEnterprise(t, tx, "one") })
	MustView(t, s, func(tx store.Tx) {
		before, err := tx.ListEnterprises()
		check(t, "ListEnterprises", err)
		MustTx(t, s, func(tx store.Tx) { MustEnterprise(t, tx, "two") })
		after, err := tx.ListEnterprises()
		check(t, "ListEnterprises", err)
		if len(before) != 1 || len(after) != 1 {
			t.Errorf("ListEnterprises in one View found %d, then %d after a commit; want 1 both times", len(before), len(after))
		}
	})
}

func testConflictKeepsTx(t *testing.T, s store.Store) {
	MustTx(t, s, func(tx store.Tx) {
		MustEnterprise(t, tx, "acme")
		wantErr(t, "CreateEnterprise(taken key)", tx.CreateEnterprise(newEnterprise("acme")), store.ErrConflict)
		MustEnterprise(t, tx, "acme-2")
	})
	MustView(t, s, func(tx store.Tx) {
		es, err := tx.ListEnterprises()
		check(t, "ListEnterprises", err)
		if len(es) != 2 {
			t.Errorf("ListEnterprises() found %d; want 2", len(es))
		}
	})
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping() = %v", err)
	}
}

func wantNoEnterprise(t *testing.T, s store.Store, key string) {
	t.Helper()
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.Enterprise(key)
		wantErr(t, "Enterprise after rollback", err, store.ErrNotFound)
	})
}
