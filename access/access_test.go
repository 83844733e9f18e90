package access_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// roles is what an actor may administer, as [access.Roles] answers.
type roles struct {
	Operator, Enterprise bool
	// Web, Data and Solo: acme-web and acme-data of the enterprise, and
	// solo, outside any enterprise.
	Web, Data, Solo bool
}

func TestOf(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := storetest.MustFixture(t, st)
	var data, solo *gatehouse.Organization
	var entAdmin, orgAdmin, member, gone, soloAdmin *gatehouse.User
	storetest.MustTx(t, st, func(tx store.Tx) {
		entAdmin = storetest.MustLocalUser(t, tx, "ent-admin")
		if err := tx.AddEnterpriseAdmin(f.Enterprise.ID, entAdmin.ID); err != nil {
			t.Fatal(err)
		}
		orgAdmin = storetest.MustLocalUser(t, tx, "org-admin")
		storetest.MustMembership(t, tx, orgAdmin.ID, f.Owners.ID, gatehouse.SourceManual)
		member = storetest.MustLocalUser(t, tx, "member")
		storetest.MustMembership(t, tx, member.ID, f.Devs.ID, gatehouse.SourceManual)
		gone = storetest.MustLocalUser(t, tx, "gone")
		storetest.MustMembership(t, tx, gone.ID, f.Owners.ID, gatehouse.SourceManual)
		gone.Active = false
		if err := tx.UpdateUser(gone); err != nil {
			t.Fatal(err)
		}
		// In acme-data, Members holds admin: every member administers it.
		data = storetest.MustOrganization(t, tx, "acme-data", f.Enterprise.ID)
		dataMembers := storetest.MustBuiltinGroup(t, tx, data.ID, gatehouse.BuiltinMembers)
		dataMembers.Permissions = []gatehouse.Permission{gatehouse.PermissionAdmin}
		if err := tx.UpdateGroup(dataMembers); err != nil {
			t.Fatal(err)
		}
		storetest.MustMembership(t, tx, member.ID, storetest.MustGroup(t, tx, data.ID, "Readers").ID, gatehouse.SourceManual)
		solo = storetest.MustOrganization(t, tx, "solo", 0)
		soloAdmin = storetest.MustLocalUser(t, tx, "solo-admin")
		storetest.MustMembership(t, tx, soloAdmin.ID, storetest.MustGroup(t, tx, solo.ID, "Admins", gatehouse.PermissionAdmin).ID,
			gatehouse.SourceManual)
	})
	tests := []struct {
		name  string
		actor gatehouse.Actor
		want  roles
	}{
		{"the operator administers everything", gatehouse.Operator, roles{true, true, true, true, true}},
		{"an enterprise admin administers its organizations, not others", gatehouse.UserActor(entAdmin), roles{Enterprise: true, Web: true, Data: true}},
		{"an organization admin administers that organization alone", gatehouse.UserActor(orgAdmin), roles{Web: true}},
		{"admin held through Members counts", gatehouse.UserActor(member), roles{Data: true}},
		{"an admin outside any enterprise", gatehouse.UserActor(soloAdmin), roles{Solo: true}},
		{"a deactivated admin administers nothing", gatehouse.UserActor(gone), roles{}},
		{"group sync administers nothing, whoever it signs in", gatehouse.Actor{Kind: gatehouse.ActorSAMLSync, User: orgAdmin}, roles{}},
		{"a user actor without a user administers nothing", gatehouse.Actor{Kind: gatehouse.ActorUser}, roles{}},
	}
	for _, tt := range tests {
		storetest.MustView(t, st, func(tx store.Tx) {
			r, err := access.Of(tx, tt.actor)
			if err != nil {
				t.Fatalf("%s: Of: %v", tt.name, err)
			}
			got := roles{r.Operator(), r.EnterpriseAdmin(f.Enterprise.ID), r.OrganizationAdmin(f.Org), r.OrganizationAdmin(data), r.OrganizationAdmin(solo)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: Of(%v) (-want +got):\n%s", tt.name, tt.actor, diff)
			}
		})
	}
}
