package storetest

import (
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testOrganizations(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field", testOrganizationRoundTrip},
		{"lists by key, filtered by enterprise and member", testListOrganizations},
		{"updates name and enterprise, not key", testUpdateOrganization},
		{"deletes with groups, memberships, projects and organization tokens", testDeleteOrganization},
	})
	runErrCases(t, newStore, organizationsErrors)
}

// organizationsErrors are the writes and reads of Organizations that must fail.
var organizationsErrors = []errCase{
	{"a taken key is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateOrganization(&gatehouse.Organization{Key: f.Org.Key, Name: "x", CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateOrganization(&gatehouse.Organization{Key: "new", Name: "x", EnterpriseID: f.Enterprise.ID + 100, CreatedAt: now})
	}, store.ErrConflict},
	{"moving to an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		o := *f.Org
		o.EnterpriseID += 100
		return tx.UpdateOrganization(&o)
	}, store.ErrConflict},
	{"an unknown key is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Organization("nope")
		return err
	}, store.ErrNotFound},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.OrganizationByID(f.Org.ID + 100)
		return err
	}, store.ErrNotFound},
	{"updating an unknown organization is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.UpdateOrganization(&gatehouse.Organization{ID: f.Org.ID + 100, Name: "x"})
	}, store.ErrNotFound},
	{"deleting an unknown organization is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteOrganization(f.Org.ID + 100)
	}, store.ErrNotFound},
}

func testOrganizationRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var solo *gatehouse.Organization
	MustTx(t, s, func(tx store.Tx) { solo = MustOrganization(t, tx, "solo", 0) })
	MustView(t, s, func(tx store.Tx) {
		for _, want := range []*gatehouse.Organization{f.Org, solo} {
			byKey, err := tx.Organization(want.Key)
			check(t, "Organization", err)
			byID, err := tx.OrganizationByID(want.ID)
			check(t, "OrganizationByID", err)
			for _, got := range []*gatehouse.Organization{byKey, byID} {
				if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
					t.Errorf("read back organization (-want +got):\n%s", diff)
				}
			}
		}
	})
}

func testListOrganizations(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		a := MustOrganization(t, tx, "acme-api", f.Enterprise.ID)
		MustOrganization(t, tx, "solo", 0)
		other := MustEnterprise(t, tx, "other")
		MustOrganization(t, tx, "other-web", other.ID)
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		MustMembership(t, tx, f.SSO.ID, MustGroup(t, tx, a.ID, "Ops").ID, gatehouse.SourceSync)
		MustMembership(t, tx, f.SSO.ID, MustGroup(t, tx, a.ID, "Devs").ID, gatehouse.SourceSync)
		MustMembership(t, tx, f.Local.ID, f.Members.ID, gatehouse.SourceManual)
	})
	tests := []struct {
		name   string
		filter store.OrganizationFilter
		want   []string
	}{
		{"every organization", store.OrganizationFilter{}, []string{"acme-api", "acme-web", "other-web", "solo"}},
		{"the enterprise's", store.OrganizationFilter{EnterpriseID: f.Enterprise.ID}, []string{"acme-api", "acme-web"}},
		{"the member's, once each", store.OrganizationFilter{MemberID: f.SSO.ID}, []string{"acme-api", "acme-web"}},
		{"a member through Members", store.OrganizationFilter{MemberID: f.Local.ID}, []string{"acme-web"}},
		{"the member's in the enterprise", store.OrganizationFilter{EnterpriseID: f.Enterprise.ID, MemberID: f.Local.ID}, []string{"acme-web"}},
		{"a user with no membership", store.OrganizationFilter{MemberID: f.SSO.ID + 100}, nil},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.ListOrganizations(tt.filter)
			check(t, "ListOrganizations", err)
			if diff := cmp.Diff(tt.want, pluck(got, organizationKey), diffOpts...); diff != "" {
				t.Errorf("%s: ListOrganizations(%+v) (-want +got):\n%s", tt.name, tt.filter, diff)
			}
		}
		n, err := tx.CountOrganizations(f.Enterprise.ID)
		check(t, "CountOrganizations", err)
		if n != 2 {
			t.Errorf("CountOrganizations(%d) = %d; want 2", f.Enterprise.ID, n)
		}
	})
}

func testUpdateOrganization(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	o := *f.Org
	o.Key, o.Name, o.EnterpriseID = "other", "Renamed", 0
	MustTx(t, s, func(tx store.Tx) { check(t, "UpdateOrganization", tx.UpdateOrganization(&o)) })
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.OrganizationByID(o.ID)
		check(t, "OrganizationByID", err)
		want := o
		want.Key = f.Org.Key
		if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
			t.Errorf("after UpdateOrganization (-want +got):\n%s", diff)
		}
	})
}

func testDeleteOrganization(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var personal, orgToken *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		personal = MustPersonalToken(t, tx, f.Local.ID, "personal", now)
		orgToken = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "org", f.Project.ID)
		check(t, "DeleteOrganization", tx.DeleteOrganization(f.Org.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.OrganizationByID(f.Org.ID)
		wantErr(t, "OrganizationByID", err, store.ErrNotFound)
		_, err = tx.Group(f.Devs.ID)
		wantErr(t, "Group", err, store.ErrNotFound)
		_, err = tx.Project(f.Org.ID, f.Project.Key)
		wantErr(t, "Project", err, store.ErrNotFound)
		_, err = tx.Token(orgToken.ID)
		wantErr(t, "Token(organization token)", err, store.ErrNotFound)
		_, err = tx.Token(personal.ID)
		check(t, "Token(personal token)", err)
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: f.SSO.ID})
		check(t, "ListMemberships", err)
		if len(ms) != 0 {
			t.Errorf("ListMemberships(user) = %d memberships after the organization was deleted; want 0", len(ms))
		}
	})
}
