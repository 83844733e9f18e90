package storetest

import (
	"fmt"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testGroups(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field", testGroupRoundTrip},
		{"names differing only by case are two groups", testGroupNamesAreCaseSensitive},
		{"lists Members and Owners first, then by name", testListGroups},
		{"GroupsNamed finds exact names in every organization of the enterprise", testGroupsNamed},
		{"GroupsNamed follows an organization into and out of the enterprise", testGroupsNamedFollowsOrganization},
		{"GroupsByID leaves out unknown IDs", testGroupsByID},
		{"updates name, description, permissions and managed_by", testUpdateGroup},
		{"deletes with its memberships", testDeleteGroup},
	})
	runErrCases(t, newStore, groupsErrors)
}

// groupsErrors are the writes and reads of Groups that must fail.
var groupsErrors = []errCase{
	{"a taken name in the organization is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateGroup(&gatehouse.Group{OrganizationID: f.Org.ID, Name: "Devs", ManagedBy: gatehouse.ManagedLocal, CreatedAt: now})
	}, store.ErrConflict},
	{"a name taken in another organization is allowed", func(t *testing.T, tx store.Tx, f *Fixture) error {
		o := MustOrganization(t, tx, "other", f.Enterprise.ID)
		return tx.CreateGroup(&gatehouse.Group{OrganizationID: o.ID, Name: "Devs", ManagedBy: gatehouse.ManagedLocal, CreatedAt: now})
	}, nil},
	{"an unknown organization is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateGroup(&gatehouse.Group{OrganizationID: f.Org.ID + 100, Name: "x", ManagedBy: gatehouse.ManagedLocal, CreatedAt: now})
	}, store.ErrConflict},
	{"renaming to a taken name is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		g := *f.Devs
		g.Name = gatehouse.OwnersGroupName
		return tx.UpdateGroup(&g)
	}, store.ErrConflict},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Group(f.Devs.ID + 100)
		return err
	}, store.ErrNotFound},
	{"an unknown name is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.GroupByName(f.Org.ID, "Nope")
		return err
	}, store.ErrNotFound},
	{"updating an unknown group is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		g := *f.Devs
		g.ID += 100
		return tx.UpdateGroup(&g)
	}, store.ErrNotFound},
	{"deleting an unknown group is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteGroup(f.Devs.ID + 100)
	}, store.ErrNotFound},
}

func testGroupRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	g := &gatehouse.Group{OrganizationID: f.Org.ID, Name: "Platform", Description: "Runs the platform.",
		Permissions: []gatehouse.Permission{gatehouse.PermissionAdmin, gatehouse.PermissionGateAdmin},
		ManagedBy:   gatehouse.ManagedSCIM, CreatedAt: now}
	MustTx(t, s, func(tx store.Tx) { check(t, "CreateGroup", tx.CreateGroup(g)) })
	MustView(t, s, func(tx store.Tx) {
		byID, err := tx.Group(g.ID)
		check(t, "Group", err)
		byName, err := tx.GroupByName(f.Org.ID, "Platform")
		check(t, "GroupByName", err)
		members, err := tx.Group(f.Members.ID)
		check(t, "Group(Members)", err)
		for _, tt := range []struct{ want, got *gatehouse.Group }{{g, byID}, {g, byName}, {f.Members, members}} {
			if diff := cmp.Diff(tt.want, tt.got, diffOpts...); diff != "" {
				t.Errorf("read back group (-want +got):\n%s", diff)
			}
		}
	})
}

func testGroupNamesAreCaseSensitive(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var devs *gatehouse.Group
	MustTx(t, s, func(tx store.Tx) { devs = MustGroup(t, tx, f.Org.ID, "devs") })
	MustView(t, s, func(tx store.Tx) {
		for _, want := range []*gatehouse.Group{f.Devs, devs} {
			got, err := tx.GroupByName(f.Org.ID, want.Name)
			check(t, "GroupByName", err)
			if got.ID != want.ID {
				t.Errorf("GroupByName(%q) = group %d; want %d", want.Name, got.ID, want.ID)
			}
		}
		_, err := tx.GroupByName(f.Org.ID, "DEVS")
		wantErr(t, `GroupByName("DEVS")`, err, store.ErrNotFound)
	})
}

func testListGroups(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		for _, name := range []string{"beta", "Alpha", "alpha", "Zeta"} {
			MustGroup(t, tx, f.Org.ID, name)
		}
		MustGroup(t, tx, MustOrganization(t, tx, "elsewhere", 0).ID, "Aardvark")
	})
	MustView(t, s, func(tx store.Tx) {
		gs, err := tx.ListGroups(f.Org.ID)
		check(t, "ListGroups", err)
		want := []string{"Members", "Owners", "Alpha", "Devs", "Zeta", "alpha", "beta"}
		if diff := cmp.Diff(want, pluck(gs, groupName)); diff != "" {
			t.Errorf("ListGroups() names (-want +got):\n%s", diff)
		}
	})
}

func testGroupsNamedFollowsOrganization(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var solo *gatehouse.Organization
	var g *gatehouse.Group
	MustTx(t, s, func(tx store.Tx) {
		solo = MustOrganization(t, tx, "solo", 0)
		g = MustGroup(t, tx, solo.ID, "Devs")
		solo.EnterpriseID = f.Enterprise.ID
		check(t, "UpdateOrganization", tx.UpdateOrganization(solo))
	})
	wantGroupsNamed(t, s, f.Enterprise.ID, []string{"Devs"}, []int64{f.Devs.ID, g.ID})
	MustTx(t, s, func(tx store.Tx) {
		solo.EnterpriseID = 0
		check(t, "UpdateOrganization", tx.UpdateOrganization(solo))
	})
	wantGroupsNamed(t, s, f.Enterprise.ID, []string{"Devs"}, []int64{f.Devs.ID})
}

func testGroupsByID(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustView(t, s, func(tx store.Tx) {
		gs, err := tx.GroupsByID([]int64{f.Devs.ID, f.Devs.ID + 100, f.Members.ID})
		check(t, "GroupsByID", err)
		got := map[int64]bool{}
		for _, g := range gs {
			got[g.ID] = true
		}
		if diff := cmp.Diff(map[int64]bool{f.Devs.ID: true, f.Members.ID: true}, got); diff != "" {
			t.Errorf("GroupsByID() IDs (-want +got):\n%s", diff)
		}
		gs, err = tx.GroupsByID(nil)
		check(t, "GroupsByID(nil)", err)
		if len(gs) != 0 {
			t.Errorf("GroupsByID(nil) = %d groups; want 0", len(gs))
		}
	})
}

func testUpdateGroup(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	g := *f.Devs
	g.Name, g.Description, g.ManagedBy = "Developers", "Write code.", gatehouse.ManagedSCIM
	g.Permissions = []gatehouse.Permission{gatehouse.PermissionScan, gatehouse.PermissionProvisioning}
	MustTx(t, s, func(tx store.Tx) { check(t, "UpdateGroup", tx.UpdateGroup(&g)) })
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Group(g.ID)
		check(t, "Group", err)
		if diff := cmp.Diff(&g, got, diffOpts...); diff != "" {
			t.Errorf("after UpdateGroup (-want +got):\n%s", diff)
		}
	})
}

func testDeleteGroup(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceSync)
		check(t, "DeleteGroup", tx.DeleteGroup(f.Devs.ID))
		_, err := tx.Group(f.Devs.ID)
		wantErr(t, "Group", err, store.ErrNotFound)
		ms, err := tx.ListMemberships(store.MembershipFilter{GroupID: f.Devs.ID})
		check(t, "ListMemberships", err)
		if len(ms) != 0 {
			t.Errorf("ListMemberships(deleted group) = %d; want 0", len(ms))
		}
	})
}

func testGroupsNamed(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var api, apiDevs, apiLower, otherDevs *gatehouse.Group
	var other *gatehouse.Enterprise
	MustTx(t, s, func(tx store.Tx) {
		o := MustOrganization(t, tx, "acme-api", f.Enterprise.ID)
		api = MustGroup(t, tx, o.ID, "API")
		apiDevs = MustGroup(t, tx, o.ID, "Devs")
		apiLower = MustGroup(t, tx, o.ID, "devs")
		other = MustEnterprise(t, tx, "other")
		otherDevs = MustGroup(t, tx, MustOrganization(t, tx, "other-web", other.ID).ID, "Devs")
		for i := range 150 {
			MustGroup(t, tx, o.ID, fmt.Sprintf("team-%03d", i))
		}
	})
	many := []string{"Devs"}
	for i := range 149 {
		many = append(many, fmt.Sprintf("team-%03d", i+1))
	}
	tests := []struct {
		name  string
		names []string
		want  []int64
	}{
		{"no names, no groups", nil, nil},
		{"by organization then name", []string{"Devs", "API", "Owners"}, []int64{f.Devs.ID, f.Owners.ID, api.ID, apiDevs.ID}},
		{"case matters", []string{"devs"}, []int64{apiLower.ID}},
		{"unknown names match nothing", []string{"DEVS", "nope", ""}, nil},
	}
	for _, tt := range tests {
		wantGroupsNamed(t, s, f.Enterprise.ID, tt.names, tt.want)
	}
	wantGroupsNamed(t, s, other.ID, []string{"Devs"}, []int64{otherDevs.ID})
	MustView(t, s, func(tx store.Tx) {
		gs, err := tx.GroupsNamed(f.Enterprise.ID, many)
		check(t, "GroupsNamed(150 names)", err)
		if len(gs) != 151 {
			t.Errorf("GroupsNamed(150 names) = %d groups; want 151", len(gs))
		}
	})
}

func wantGroupsNamed(t *testing.T, s store.Store, enterpriseID int64, names []string, want []int64) {
	t.Helper()
	MustView(t, s, func(tx store.Tx) {
		gs, err := tx.GroupsNamed(enterpriseID, names)
		check(t, "GroupsNamed", err)
		if diff := cmp.Diff(want, pluck(gs, groupID), diffOpts...); diff != "" {
			t.Errorf("GroupsNamed(%d, %q) IDs (-want +got):\n%s", enterpriseID, names, diff)
		}
	})
}

func groupID(g *gatehouse.Group) int64 { return g.ID }
