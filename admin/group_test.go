package admin_test

import (
	"context"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestGroupNamesAreCaseSensitive(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustOrganization(t, s, "org-a", "")
	MustGroup(t, s, "org-a", "Devs")
	if err := s.CreateGroup(ctx, gatehouse.Operator, "org-a", &gatehouse.Group{Name: "devs"}); err != nil {
		t.Errorf("CreateGroup(devs) beside Devs = %v; want success", err)
	}
	wantCode(t, s.CreateGroup(ctx, gatehouse.Operator, "org-a", &gatehouse.Group{Name: "Devs"}), gatehouse.ECONFLICT)
}

func TestMembersGroupIsImmutable(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustOrganization(t, s, "org-a", "")
	members := MustGroupNamed(t, s, "org-a", "Members")
	lena := MustLocalUser(t, s, "lena")
	name := "Everyone"
	perms := []gatehouse.Permission{gatehouse.PermissionScan}
	desc := "x"
	tests := []struct {
		name string
		do   func() error
	}{
		{"cannot be renamed", func() error {
			_, err := s.UpdateGroup(ctx, gatehouse.Operator, members.ID, admin.GroupUpdate{Name: &name})
			return err
		}},
		{"cannot be described", func() error {
			_, err := s.UpdateGroup(ctx, gatehouse.Operator, members.ID, admin.GroupUpdate{Description: &desc})
			return err
		}},
		{"cannot change permissions", func() error {
			_, err := s.UpdateGroup(ctx, gatehouse.Operator, members.ID, admin.GroupUpdate{Permissions: &perms})
			return err
		}},
		{"cannot be deleted", func() error { return s.DeleteGroup(ctx, gatehouse.Operator, members.ID) }},
		{"takes no member by hand", func() error { return s.AddGroupMember(ctx, gatehouse.Operator, members.ID, lena.Login) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auditCount(t, st)
			wantCode(t, tt.do(), gatehouse.ECONFLICT)
			if got := auditCount(t, st); got != before {
				t.Errorf("refusal wrote %d audit events", got-before)
			}
		})
	}
	g, _, err := s.Group(ctx, gatehouse.Operator, members.ID)
	if err != nil || g.Name != "Members" || len(g.Permissions) != 0 {
		t.Errorf("Members after refusals = %+v, %v; want unchanged", g, err)
	}
}

func TestUpdateGroupRecordsPermissions(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustOrganization(t, s, "org-a", "")
	g := MustGroup(t, s, "org-a", "Devs", gatehouse.PermissionScan)
	perms := []gatehouse.Permission{gatehouse.PermissionProvisioning, gatehouse.PermissionProvisioning}
	got, err := s.UpdateGroup(ctx, gatehouse.Operator, g.ID, admin.GroupUpdate{Permissions: &perms})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Permissions) != 1 || got.Permissions[0] != gatehouse.PermissionProvisioning {
		t.Errorf("Permissions = %v; want [provisioning]", got.Permissions)
	}
	var types []string
	err = st.View(ctx, func(tx store.Tx) error {
		evs, err := tx.ListAuditEvents(store.AuditFilter{Types: []string{gatehouse.AuditAddPermission, gatehouse.AuditRemovePermission}})
		for _, e := range evs {
			types = append(types, e.Type+":"+e.Details["permission"].(string))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"org.add_permission:scan": true, "org.add_permission:provisioning": true, "org.remove_permission:scan": true}
	if len(types) != len(want) {
		t.Errorf("permission events = %v; want %v", types, want)
	}
	for _, ty := range types {
		if !want[ty] {
			t.Errorf("unexpected event %s", ty)
		}
	}
}

func TestUnknownPermissionIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustOrganization(t, s, "org-a", "")
	err := s.CreateGroup(ctx, gatehouse.Operator, "org-a", &gatehouse.Group{Name: "X", Permissions: []gatehouse.Permission{"scan", "root"}})
	wantCode(t, err, gatehouse.EINVALID)
	wantField(t, err, "permissions")
}

func TestOrganizationKeepsAnAdmin(t *testing.T) {
	ctx := context.Background()
	noAdmin := []gatehouse.Permission{gatehouse.PermissionScan}
	tests := []struct {
		name string
		do   func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error
	}{
		{"removing the last admin from Owners", func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error {
			return s.RemoveGroupMember(ctx, gatehouse.Operator, owners.ID, lena.Login)
		}},
		{"deleting Owners", func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error {
			return s.DeleteGroup(ctx, gatehouse.Operator, owners.ID)
		}},
		{"taking admin away from Owners", func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error {
			_, err := s.UpdateGroup(ctx, gatehouse.Operator, owners.ID, admin.GroupUpdate{Permissions: &noAdmin})
			return err
		}},
		{"removing the last admin from the organization", func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error {
			return s.RemoveMember(ctx, gatehouse.Operator, "org-a", lena.Login)
		}},
		{"deleting the last admin's account", func(s *admin.Service, owners *gatehouse.Group, lena *gatehouse.User) error {
			return s.DeleteUser(ctx, gatehouse.UserActor(lena), lena.Login)
		}},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			s, st := MustService(t)
			MustOrganization(t, s, "org-a", "")
			owners := MustGroupNamed(t, s, "org-a", "Owners")
			lena := MustLocalUser(t, s, "lena")
			if err := s.AddGroupMember(ctx, gatehouse.Operator, owners.ID, lena.Login); err != nil {
				t.Fatal(err)
			}
			before := auditCount(t, st)
			wantCode(t, tt.do(s, owners, lena), gatehouse.ECONFLICT)
			if got := auditCount(t, st); got != before {
				t.Errorf("refusal wrote %d audit events", got-before)
			}
			ms, err := s.GroupMembers(ctx, gatehouse.Operator, owners.ID)
			if err != nil || len(ms) != 1 {
				t.Errorf("Owners after refusal = %v, %v; want lena still there", ms, err)
			}
		})
		t.Run("allows "+tt.name+" when another admin remains", func(t *testing.T) {
			s, _ := MustService(t)
			MustOrganization(t, s, "org-a", "")
			owners := MustGroupNamed(t, s, "org-a", "Owners")
			lena := MustLocalUser(t, s, "lena")
			other := MustLocalUser(t, s, "otto")
			admins := MustGroup(t, s, "org-a", "Admins", gatehouse.PermissionAdmin)
			for _, add := range []struct {
				g *gatehouse.Group
				u *gatehouse.User
			}{{owners, lena}, {admins, other}} {
				if err := s.AddGroupMember(ctx, gatehouse.Operator, add.g.ID, add.u.Login); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.do(s, owners, lena); err != nil {
				t.Errorf("with another admin: %v", err)
			}
		})
	}
}

func TestSCIMManagedGroupRefusesManualMembers(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustOrganization(t, s, "org-a", "")
	g := MustGroup(t, s, "org-a", "Devs")
	g.ManagedBy = gatehouse.ManagedSCIM
	if err := st.Tx(ctx, func(tx store.Tx) error { return tx.UpdateGroup(g) }); err != nil {
		t.Fatal(err)
	}
	lena := MustLocalUser(t, s, "lena")
	wantCode(t, s.AddGroupMember(ctx, gatehouse.Operator, g.ID, lena.Login), gatehouse.ECONFLICT)
}
