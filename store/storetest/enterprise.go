package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testEnterprises(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field, times in UTC to the millisecond", testEnterpriseRoundTrip},
		{"lists by key", testListEnterprises},
		{"updates name and IP allow list, not key", testUpdateEnterprise},
		{"deletes with SSO connection, pending requests, replay cache and admins", testDeleteEnterprise},
		{"administrators", testEnterpriseAdmins},
	})
	runErrCases(t, newStore, enterprisesErrors)
}

// enterprisesErrors are the writes and reads of Enterprises that must fail.
var enterprisesErrors = []errCase{
	{"a taken key is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateEnterprise(newEnterprise("acme"))
	}, store.ErrConflict},
	{"an unknown key is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Enterprise("nope")
		return err
	}, store.ErrNotFound},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.EnterpriseByID(f.Enterprise.ID + 100)
		return err
	}, store.ErrNotFound},
	{"updating an unknown enterprise is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.UpdateEnterprise(&gatehouse.Enterprise{ID: f.Enterprise.ID + 100, Name: "x"})
	}, store.ErrNotFound},
	{"deleting an unknown enterprise is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteEnterprise(f.Enterprise.ID + 100)
	}, store.ErrNotFound},
	{"deleting an enterprise that holds organizations is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "DeleteUser", tx.DeleteUser(f.SSO.ID))
		return tx.DeleteEnterprise(f.Enterprise.ID)
	}, store.ErrConflict},
	{"deleting an enterprise that holds users is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "DeleteOrganization", tx.DeleteOrganization(f.Org.ID))
		return tx.DeleteEnterprise(f.Enterprise.ID)
	}, store.ErrConflict},
	{"adding an admin twice is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(f.Enterprise.ID, f.Local.ID))
		return tx.AddEnterpriseAdmin(f.Enterprise.ID, f.Local.ID)
	}, store.ErrConflict},
	{"adding an unknown user as admin is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.AddEnterpriseAdmin(f.Enterprise.ID, f.SSO.ID+100)
	}, store.ErrConflict},
	{"adding an admin to an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.AddEnterpriseAdmin(f.Enterprise.ID+100, f.Local.ID)
	}, store.ErrConflict},
	{"removing a user who is not admin is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.RemoveEnterpriseAdmin(f.Enterprise.ID, f.Local.ID)
	}, store.ErrNotFound},
}

func testEnterpriseRoundTrip(t *testing.T, s store.Store) {
	paris := time.FixedZone("Paris", 3600)
	e := &gatehouse.Enterprise{Key: "acme", Name: "Acme Corp", IPAllowList: []string{"203.0.113.0/24", "2001:db8::/32"},
		CreatedAt: now.Add(987654 * time.Nanosecond).In(paris)}
	MustTx(t, s, func(tx store.Tx) { check(t, "CreateEnterprise", tx.CreateEnterprise(e)) })
	if e.ID == 0 {
		t.Fatal("CreateEnterprise left ID 0")
	}
	want := *e
	want.CreatedAt = now
	MustView(t, s, func(tx store.Tx) {
		byKey, err := tx.Enterprise("acme")
		check(t, "Enterprise", err)
		byID, err := tx.EnterpriseByID(e.ID)
		check(t, "EnterpriseByID", err)
		for _, got := range []*gatehouse.Enterprise{byKey, byID} {
			if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
				t.Errorf("read back enterprise (-want +got):\n%s", diff)
			}
			if got.CreatedAt.Location() != time.UTC {
				t.Errorf("CreatedAt is in %v; want UTC", got.CreatedAt.Location())
			}
		}
	})
}

func testListEnterprises(t *testing.T, s store.Store) {
	MustTx(t, s, func(tx store.Tx) {
		for _, k := range []string{"zeta", "acme", "m-corp"} {
			MustEnterprise(t, tx, k)
		}
	})
	MustView(t, s, func(tx store.Tx) {
		es, err := tx.ListEnterprises()
		check(t, "ListEnterprises", err)
		if diff := cmp.Diff([]string{"acme", "m-corp", "zeta"}, pluck(es, enterpriseKey)); diff != "" {
			t.Errorf("ListEnterprises() keys (-want +got):\n%s", diff)
		}
	})
}

func testUpdateEnterprise(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	e := *f.Enterprise
	e.Key, e.Name, e.IPAllowList = "other", "Renamed", []string{"198.51.100.7/32"}
	MustTx(t, s, func(tx store.Tx) { check(t, "UpdateEnterprise", tx.UpdateEnterprise(&e)) })
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.EnterpriseByID(e.ID)
		check(t, "EnterpriseByID", err)
		want := e
		want.Key = "acme"
		if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
			t.Errorf("after UpdateEnterprise (-want +got):\n%s", diff)
		}
	})
}

func testDeleteEnterprise(t *testing.T, s store.Store) {
	var e *gatehouse.Enterprise
	var u *gatehouse.User
	MustTx(t, s, func(tx store.Tx) {
		e = MustEnterprise(t, tx, "acme")
		u = MustLocalUser(t, tx, "root")
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(e.ID, u.ID))
		check(t, "PutSSOConnection", tx.PutSSOConnection(newSSOConnection(e.ID)))
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(e.ID, "id-1")))
		check(t, "RecordAssertion", tx.RecordAssertion(e.ID, "assertion-1", now.Add(time.Hour)))
		check(t, "DeleteEnterprise", tx.DeleteEnterprise(e.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.EnterpriseByID(e.ID)
		wantErr(t, "EnterpriseByID", err, store.ErrNotFound)
		_, err = tx.SSOConnection(e.ID)
		wantErr(t, "SSOConnection", err, store.ErrNotFound)
		_, err = tx.AuthnRequestByRelayState("relay-id-1")
		wantErr(t, "AuthnRequestByRelayState", err, store.ErrNotFound)
		ids, err := tx.AdminEnterpriseIDs(u.ID)
		check(t, "AdminEnterpriseIDs", err)
		if len(ids) != 0 {
			t.Errorf("AdminEnterpriseIDs(%d) = %v after the enterprise was deleted; want none", u.ID, ids)
		}
	})
	// The replay cache has no read: had the assertion stayed, purging
	// every assertion would count it.
	MustTx(t, s, func(tx store.Tx) {
		n, err := tx.DeleteExpiredAssertions(now.Add(2 * time.Hour))
		check(t, "DeleteExpiredAssertions", err)
		if n != 0 {
			t.Errorf("DeleteExpiredAssertions() = %d after the enterprise was deleted; want 0", n)
		}
	})
}

func testEnterpriseAdmins(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		other := MustEnterprise(t, tx, "other")
		zed := MustLocalUser(t, tx, "zed")
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(f.Enterprise.ID, zed.ID))
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(f.Enterprise.ID, f.Local.ID))
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(other.ID, f.Local.ID))
		admins, err := tx.EnterpriseAdmins(f.Enterprise.ID)
		check(t, "EnterpriseAdmins", err)
		if diff := cmp.Diff([]string{"root", "zed"}, pluck(admins, userLogin)); diff != "" {
			t.Errorf("EnterpriseAdmins() logins, by login (-want +got):\n%s", diff)
		}
		ids, err := tx.AdminEnterpriseIDs(f.Local.ID)
		check(t, "AdminEnterpriseIDs", err)
		if diff := cmp.Diff([]int64{f.Enterprise.ID, other.ID}, ids); diff != "" {
			t.Errorf("AdminEnterpriseIDs() ascending (-want +got):\n%s", diff)
		}
		check(t, "RemoveEnterpriseAdmin", tx.RemoveEnterpriseAdmin(f.Enterprise.ID, zed.ID))
		admins, err = tx.EnterpriseAdmins(f.Enterprise.ID)
		check(t, "EnterpriseAdmins", err)
		if diff := cmp.Diff([]string{"root"}, pluck(admins, userLogin)); diff != "" {
			t.Errorf("EnterpriseAdmins() after removal (-want +got):\n%s", diff)
		}
	})
}
