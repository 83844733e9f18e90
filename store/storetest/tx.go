package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse-sso/gatehouse/store"
)

func testTx(t *testing.T, newStore NewStore) {
	t.Run("commits when the function returns nil", func(t *testing.T) {
		s := newStore(t)
		MustTx(t, s, func(tx store.Tx) { MustEnterprise(t, tx, "acme") })
		MustView(t, s, func(tx store.Tx) {
			_, err := tx.Enterprise("acme")
			check(t, "Enterprise", err)
		})
	})
	t.Run("rolls back and returns the function's error", func(t *testing.T) {
		s := newStore(t)
		errBoom := errors.New("boom")
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			MustEnterprise(t, tx, "acme")
			return errBoom
		})
		wantErr(t, "Tx", err, errBoom)
		wantNoEnterprise(t, s, "acme")
	})
	t.Run("rolls back and panics again when the function panics", func(t *testing.T) {
		s := newStore(t)
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
	})
	t.Run("View reads what Tx committed", func(t *testing.T) {
		s := newStore(t)
		f := MustFixture(t, s)
		MustView(t, s, func(tx store.Tx) {
			u, err := tx.User(f.Local.ID)
			check(t, "User", err)
			if u.Login != f.Local.Login {
				t.Errorf("User(%d).Login = %q; want %q", f.Local.ID, u.Login, f.Local.Login)
			}
		})
	})
	t.Run("View rejects writes", func(t *testing.T) {
		s := newStore(t)
		err := s.View(t.Context(), func(tx store.Tx) error {
			e := newEnterprise("acme")
			return tx.CreateEnterprise(e)
		})
		if err == nil {
			t.Errorf("CreateEnterprise in View = nil; want an error")
		}
		wantNoEnterprise(t, s, "acme")
	})
	t.Run("View sees one snapshot while Tx commits", func(t *testing.T) {
		s := newStore(t)
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
	})
	t.Run("a unique conflict leaves the transaction usable", func(t *testing.T) {
		s := newStore(t)
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
	})
	t.Run("Ping answers", func(t *testing.T) {
		if err := newStore(t).Ping(t.Context()); err != nil {
			t.Errorf("Ping() = %v", err)
		}
	})
}

func wantNoEnterprise(t *testing.T, s store.Store, key string) {
	t.Helper()
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.Enterprise(key)
		wantErr(t, "Enterprise after rollback", err, store.ErrNotFound)
	})
}
