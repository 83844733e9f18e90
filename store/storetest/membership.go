package storetest

import (
	"slices"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testMemberships(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"adds with the group's organization and lists in order", testListMemberships},
		{"removes", testRemoveMembership},
		{"UserPermissions unites groups and Members of organizations joined", testUserPermissions},
		{"OrganizationAdmins lists active users with admin", testOrganizationAdmins},
	})
	runErrCases(t, newStore, membershipsErrors)
}

// membershipsErrors are the writes and reads of Memberships that must fail.
var membershipsErrors = []errCase{
	{"adding twice is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		return tx.AddMembership(&gatehouse.Membership{UserID: f.SSO.ID, GroupID: f.Devs.ID, Source: gatehouse.SourceManual, CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown user is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.AddMembership(&gatehouse.Membership{UserID: f.SSO.ID + 100, GroupID: f.Devs.ID, Source: gatehouse.SourceSync, CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown group is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.AddMembership(&gatehouse.Membership{UserID: f.SSO.ID, GroupID: f.Devs.ID + 100, Source: gatehouse.SourceSync, CreatedAt: now})
	}, store.ErrConflict},
	{"removing a user who is not in the group is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.RemoveMembership(f.SSO.ID, f.Devs.ID)
	}, store.ErrNotFound},
}

func testRemoveMembership(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		check(t, "RemoveMembership", tx.RemoveMembership(f.SSO.ID, f.Devs.ID))
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: f.SSO.ID})
		check(t, "ListMemberships", err)
		if len(ms) != 0 {
			t.Errorf("ListMemberships() after RemoveMembership = %d; want 0", len(ms))
		}
	})
}

func testOrganizationAdmins(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var admins []int64
	MustTx(t, s, func(tx store.Tx) {
		gate := MustGroup(t, tx, f.Org.ID, "Gatekeepers", gatehouse.PermissionGateAdmin, gatehouse.PermissionProfileAdmin)
		chiefs := MustGroup(t, tx, f.Org.ID, "Chiefs", gatehouse.PermissionScan, gatehouse.PermissionAdmin)
		zed, gone := MustLocalUser(t, tx, "zed"), MustLocalUser(t, tx, "gone")
		MustMembership(t, tx, zed.ID, chiefs.ID, gatehouse.SourceManual)
		MustMembership(t, tx, f.Local.ID, f.Owners.ID, gatehouse.SourceManual)
		MustMembership(t, tx, f.Local.ID, chiefs.ID, gatehouse.SourceManual)
		MustMembership(t, tx, f.SSO.ID, gate.ID, gatehouse.SourceSync)
		MustMembership(t, tx, gone.ID, f.Owners.ID, gatehouse.SourceManual)
		gone.Active = false
		check(t, "UpdateUser", tx.UpdateUser(gone))
		admins = []int64{f.Local.ID, zed.ID}
	})
	wantOrganizationAdmins(t, s, f.Org.ID, admins)
	MustTx(t, s, func(tx store.Tx) {
		members := *f.Members
		members.Permissions = []gatehouse.Permission{gatehouse.PermissionAdmin}
		check(t, "UpdateGroup", tx.UpdateGroup(&members))
	})
	wantOrganizationAdmins(t, s, f.Org.ID, []int64{f.Local.ID, f.SSO.ID, admins[1]})
}

func testListMemberships(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var devs, local, apiOps, otherDevs *gatehouse.Membership
	var other *gatehouse.Enterprise
	MustTx(t, s, func(tx store.Tx) {
		api := MustOrganization(t, tx, "acme-api", f.Enterprise.ID)
		ops := MustGroup(t, tx, api.ID, "Ops")
		other = MustEnterprise(t, tx, "other")
		od := MustGroup(t, tx, MustOrganization(t, tx, "other-web", other.ID).ID, "Devs")
		// The organization given is wrong on purpose: the store takes the group's.
		apiOps = &gatehouse.Membership{UserID: f.SSO.ID, GroupID: ops.ID, OrganizationID: f.Org.ID, Source: gatehouse.SourceSync, CreatedAt: now}
		check(t, "AddMembership", tx.AddMembership(apiOps))
		devs = MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		local = MustMembership(t, tx, f.Local.ID, f.Devs.ID, gatehouse.SourceManual)
		otherDevs = MustMembership(t, tx, f.Local.ID, od.ID, gatehouse.SourceSCIM)
	})
	if apiOps.OrganizationID == f.Org.ID {
		t.Errorf("AddMembership kept OrganizationID %d; want the group's organization", apiOps.OrganizationID)
	}
	tests := []struct {
		name   string
		filter store.MembershipFilter
		want   []*gatehouse.Membership
	}{
		{"a user's, by organization then group", store.MembershipFilter{UserID: f.SSO.ID}, []*gatehouse.Membership{devs, apiOps}},
		// The fixture creates its local user before its SSO user.
		{"a group's, by user", store.MembershipFilter{GroupID: f.Devs.ID}, []*gatehouse.Membership{local, devs}},
		{"an organization's", store.MembershipFilter{OrganizationID: apiOps.OrganizationID}, []*gatehouse.Membership{apiOps}},
		{"an enterprise's", store.MembershipFilter{EnterpriseID: f.Enterprise.ID}, []*gatehouse.Membership{local, devs, apiOps}},
		{"a user's in an enterprise", store.MembershipFilter{UserID: f.Local.ID, EnterpriseID: other.ID}, []*gatehouse.Membership{otherDevs}},
		{"a user's in a group", store.MembershipFilter{UserID: f.Local.ID, GroupID: f.Owners.ID}, nil},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.ListMemberships(tt.filter)
			check(t, "ListMemberships", err)
			if diff := cmp.Diff(tt.want, got, diffOpts...); diff != "" {
				t.Errorf("%s: ListMemberships(%+v) (-want +got):\n%s", tt.name, tt.filter, diff)
			}
		}
	})
}

func testUserPermissions(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var api, solo *gatehouse.Organization
	MustTx(t, s, func(tx store.Tx) {
		members := *f.Members
		members.Permissions = []gatehouse.Permission{gatehouse.PermissionProvisioning}
		check(t, "UpdateGroup", tx.UpdateGroup(&members))
		api = MustOrganization(t, tx, "acme-api", f.Enterprise.ID)
		apiMembers := MustBuiltinGroup(t, tx, api.ID, gatehouse.BuiltinMembers)
		apiMembers.Permissions = []gatehouse.Permission{gatehouse.PermissionScan}
		check(t, "UpdateGroup", tx.UpdateGroup(apiMembers))
		MustMembership(t, tx, f.SSO.ID, MustGroup(t, tx, api.ID, "Gates", gatehouse.PermissionGateAdmin, gatehouse.PermissionScan).ID, gatehouse.SourceSync)
		MustMembership(t, tx, f.SSO.ID, f.Owners.ID, gatehouse.SourceSync)
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		solo = MustOrganization(t, tx, "solo", 0)
		soloMembers := MustBuiltinGroup(t, tx, solo.ID, gatehouse.BuiltinMembers)
		soloMembers.Permissions = []gatehouse.Permission{gatehouse.PermissionScan}
		check(t, "UpdateGroup", tx.UpdateGroup(soloMembers))
	})
	grant := func(org *gatehouse.Organization, p gatehouse.Permission) store.PermissionGrant {
		return store.PermissionGrant{OrganizationID: org.ID, Permission: p}
	}
	web := []store.PermissionGrant{grant(f.Org, gatehouse.PermissionAdmin), grant(f.Org, gatehouse.PermissionScan), grant(f.Org, gatehouse.PermissionProvisioning)}
	apiGrants := []store.PermissionGrant{grant(api, gatehouse.PermissionScan), grant(api, gatehouse.PermissionGateAdmin)}
	tests := []struct {
		name          string
		userID, orgID int64
		want          []store.PermissionGrant
	}{
		{"every organization, sorted", f.SSO.ID, 0, append(append([]store.PermissionGrant{}, web...), apiGrants...)},
		{"one organization", f.SSO.ID, api.ID, apiGrants},
		{"an organization the user is not in", f.SSO.ID, solo.ID, nil},
		{"a user in no group", f.Local.ID, 0, nil},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.UserPermissions(tt.userID, tt.orgID)
			check(t, "UserPermissions", err)
			if diff := cmp.Diff(tt.want, got, diffOpts...); diff != "" {
				t.Errorf("%s: UserPermissions(%d, %d) (-want +got):\n%s", tt.name, tt.userID, tt.orgID, diff)
			}
		}
	})
}

func wantOrganizationAdmins(t *testing.T, s store.Store, orgID int64, want []int64) {
	t.Helper()
	want = append([]int64(nil), want...)
	slices.Sort(want)
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.OrganizationAdmins(orgID)
		check(t, "OrganizationAdmins", err)
		if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
			t.Errorf("OrganizationAdmins(%d) (-want +got):\n%s", orgID, diff)
		}
	})
}
