package admin_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
)

// TestActingOutsideOnesRightsIsForbidden calls every method of the
// service that reads or changes acme, its organization acme-web or its
// users, as each user who has no right there, and wants EFORBIDDEN and an
// unchanged database from each call.
func TestActingOutsideOnesRightsIsForbidden(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	MustEnterprise(t, s, "globex")
	MustOrganization(t, s, "acme-web", "acme")
	MustOrganization(t, s, "solo", "")
	devs := MustGroup(t, s, "acme-web", "Devs", gatehouse.PermissionScan)
	members := MustGroupNamed(t, s, "acme-web", "Members")
	if err := s.CreateProject(ctx, gatehouse.Operator, "acme-web", &gatehouse.Project{Key: "app", Name: "App"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(MustIdPCert(t, testNow))); err != nil {
		t.Fatal(err)
	}
	lena, otto := MustLocalUser(t, s, "lena"), MustLocalUser(t, s, "otto")
	sam, sue := MustSSOUser(t, st, acme.ID, "sam"), MustSSOUser(t, st, acme.ID, "sue")
	for _, login := range []string{lena.Login, sam.Login, sue.Login} {
		if err := s.AddGroupMember(ctx, gatehouse.Operator, devs.ID, login); err != nil {
			t.Fatal(err)
		}
	}
	globexAdmin, soloOwner, ada := MustLocalUser(t, s, "gus"), MustLocalUser(t, s, "solo-owner"), MustLocalUser(t, s, "ada")
	for _, add := range []struct{ enterprise, login string }{{"globex", globexAdmin.Login}, {"acme", ada.Login}} {
		if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, add.enterprise, add.login); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "solo", "Owners").ID, soloOwner.Login); err != nil {
		t.Fatal(err)
	}
	deactivated := *ada
	deactivated.Active = false

	actors := []struct {
		name  string
		actor gatehouse.Actor
	}{
		{"a local member of acme-web who is no admin", gatehouse.UserActor(lena)},
		{"an SSO user of acme who administers nothing", gatehouse.UserActor(sue)},
		{"another enterprise's admin", gatehouse.UserActor(globexAdmin)},
		{"another organization's owner", gatehouse.UserActor(soloOwner)},
		{"a deactivated admin of acme", gatehouse.UserActor(&deactivated)},
	}
	name, active := "New name", false
	perms := []gatehouse.Permission{gatehouse.PermissionAdmin}
	calls := []struct {
		name string
		call func(a gatehouse.Actor) error
	}{
		{"CreateEnterprise", func(a gatehouse.Actor) error {
			return s.CreateEnterprise(ctx, a, &gatehouse.Enterprise{Key: "initech", Name: "Initech"})
		}},
		{"Enterprise", func(a gatehouse.Actor) error { _, err := s.Enterprise(ctx, a, "acme"); return err }},
		{"UpdateEnterprise", func(a gatehouse.Actor) error {
			_, err := s.UpdateEnterprise(ctx, a, "acme", admin.EnterpriseUpdate{Name: &name})
			return err
		}},
		{"DeleteEnterprise", func(a gatehouse.Actor) error { return s.DeleteEnterprise(ctx, a, "globex") }},
		{"AddEnterpriseAdmin", func(a gatehouse.Actor) error { return s.AddEnterpriseAdmin(ctx, a, "acme", otto.Login) }},
		{"RemoveEnterpriseAdmin", func(a gatehouse.Actor) error { return s.RemoveEnterpriseAdmin(ctx, a, "acme", ada.Login) }},
		{"EnterpriseAdmins", func(a gatehouse.Actor) error { _, err := s.EnterpriseAdmins(ctx, a, "acme"); return err }},
		{"CreateOrganization in acme", func(a gatehouse.Actor) error {
			return s.CreateOrganization(ctx, a, &gatehouse.Organization{Key: "acme-new", Name: "New"}, "acme")
		}},
		{"Organization", func(a gatehouse.Actor) error { _, err := s.Organization(ctx, a, "acme-web"); return err }},
		{"UpdateOrganization", func(a gatehouse.Actor) error {
			_, err := s.UpdateOrganization(ctx, a, "acme-web", &name)
			return err
		}},
		{"DeleteOrganization", func(a gatehouse.Actor) error { return s.DeleteOrganization(ctx, a, "acme-web") }},
		{"Members", func(a gatehouse.Actor) error { _, err := s.Members(ctx, a, "acme-web"); return err }},
		{"AddMember", func(a gatehouse.Actor) error { return s.AddMember(ctx, a, "acme-web", otto.Login) }},
		{"RemoveMember", func(a gatehouse.Actor) error { return s.RemoveMember(ctx, a, "acme-web", sam.Login) }},
		{"CreateGroup", func(a gatehouse.Actor) error {
			return s.CreateGroup(ctx, a, "acme-web", &gatehouse.Group{Name: "Ops", Permissions: perms})
		}},
		{"Group", func(a gatehouse.Actor) error { _, _, err := s.Group(ctx, a, devs.ID); return err }},
		{"ListGroups", func(a gatehouse.Actor) error { _, err := s.ListGroups(ctx, a, "acme-web"); return err }},
		{"UpdateGroup", func(a gatehouse.Actor) error {
			_, err := s.UpdateGroup(ctx, a, devs.ID, admin.GroupUpdate{Permissions: &perms})
			return err
		}},
		{"DeleteGroup", func(a gatehouse.Actor) error { return s.DeleteGroup(ctx, a, devs.ID) }},
		{"GroupMembers", func(a gatehouse.Actor) error { _, err := s.GroupMembers(ctx, a, members.ID); return err }},
		{"AddGroupMember", func(a gatehouse.Actor) error { return s.AddGroupMember(ctx, a, devs.ID, otto.Login) }},
		{"RemoveGroupMember", func(a gatehouse.Actor) error { return s.RemoveGroupMember(ctx, a, devs.ID, sam.Login) }},
		{"SetPermissions", func(a gatehouse.Actor) error {
			return s.SetPermissions(ctx, a, "acme-web", map[int64][]gatehouse.Permission{devs.ID: perms})
		}},
		{"CreateProject", func(a gatehouse.Actor) error {
			return s.CreateProject(ctx, a, "acme-web", &gatehouse.Project{Key: "api", Name: "API"})
		}},
		{"Project", func(a gatehouse.Actor) error { _, err := s.Project(ctx, a, "acme-web", "app"); return err }},
		{"ListProjects", func(a gatehouse.Actor) error { _, err := s.ListProjects(ctx, a, "acme-web"); return err }},
		{"UpdateProject", func(a gatehouse.Actor) error {
			_, err := s.UpdateProject(ctx, a, "acme-web", "app", &name)
			return err
		}},
		{"DeleteProject", func(a gatehouse.Actor) error { return s.DeleteProject(ctx, a, "acme-web", "app") }},
		{"CreateLocalUser", func(a gatehouse.Actor) error {
			return s.CreateLocalUser(ctx, a, &gatehouse.User{Login: "mallory", Name: "Mallory"}, "a long enough password")
		}},
		{"User", func(a gatehouse.Actor) error { _, err := s.User(ctx, a, sam.Login); return err }},
		{"ListUsers of acme", func(a gatehouse.Actor) error {
			_, err := s.ListUsers(ctx, a, admin.UserQuery{Enterprise: "acme"})
			return err
		}},
		{"ListUsers of everyone", func(a gatehouse.Actor) error { _, err := s.ListUsers(ctx, a, admin.UserQuery{}); return err }},
		{"UpdateUser deactivating an SSO user", func(a gatehouse.Actor) error {
			_, err := s.UpdateUser(ctx, a, sam.Login, admin.UserUpdate{Active: &active})
			return err
		}},
		{"UpdateUser renaming a local user", func(a gatehouse.Actor) error {
			_, err := s.UpdateUser(ctx, a, otto.Login, admin.UserUpdate{Name: &name})
			return err
		}},
		{"DeleteUser", func(a gatehouse.Actor) error { return s.DeleteUser(ctx, a, otto.Login) }},
		{"PutSSO", func(a gatehouse.Actor) error {
			_, err := s.PutSSO(ctx, a, "acme", manual(MustIdPCert(t, testNow)))
			return err
		}},
		{"SSO", func(a gatehouse.Actor) error { _, err := s.SSO(ctx, a, "acme"); return err }},
		{"SSOSetup", func(a gatehouse.Actor) error { _, err := s.SSOSetup(ctx, a, "acme"); return err }},
		{"RefreshSSOMetadata", func(a gatehouse.Actor) error { _, err := s.RefreshSSOMetadata(ctx, a, "acme"); return err }},
		{"SSOAttempts", func(a gatehouse.Actor) error { _, err := s.SSOAttempts(ctx, a, "acme", 10); return err }},
		{"DeleteSSO", func(a gatehouse.Actor) error { return s.DeleteSSO(ctx, a, "acme", true) }},
		{"AuditEvents of acme", func(a gatehouse.Actor) error {
			_, err := s.AuditEvents(ctx, a, admin.AuditQuery{Enterprise: "acme"})
			return err
		}},
		{"AuditEvents of acme-web", func(a gatehouse.Actor) error {
			_, err := s.AuditEvents(ctx, a, admin.AuditQuery{Organization: "acme-web"})
			return err
		}},
		{"AuditEvents of everything", func(a gatehouse.Actor) error { _, err := s.AuditEvents(ctx, a, admin.AuditQuery{}); return err }},
	}
	before := snapshot(t, st)
	for _, ac := range actors {
		for _, c := range calls {
			t.Run(ac.name+"/"+c.name, func(t *testing.T) {
				wantCode(t, c.call(ac.actor), gatehouse.EFORBIDDEN)
			})
		}
		t.Run(ac.name+"/lists nothing of acme", func(t *testing.T) {
			es, err := s.ListEnterprises(ctx, ac.actor)
			if err != nil || slices.ContainsFunc(es, func(e *gatehouse.Enterprise) bool { return e.Key == "acme" }) {
				t.Errorf("ListEnterprises = %v, %v; want no acme", es, err)
			}
			orgs, err := s.ListOrganizations(ctx, ac.actor, "acme")
			if err != nil || len(orgs) != 0 {
				t.Errorf("ListOrganizations(acme) = %v, %v; want none", orgs, err)
			}
		})
	}
	t.Run("an SSO user creating an organization outside enterprises", func(t *testing.T) {
		err := s.CreateOrganization(ctx, gatehouse.UserActor(sue), &gatehouse.Organization{Key: "sues", Name: "Sue's"}, "")
		wantCode(t, err, gatehouse.EFORBIDDEN)
	})
	if after := snapshot(t, st); after != before {
		t.Errorf("forbidden calls changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// snapshot renders the enterprises with their admins and SSO connections,
// the organizations with their groups, memberships and projects, the
// users and the number of audit events, so that a test can prove a call
// wrote nothing.
func snapshot(tb testing.TB, st store.Store) string {
	tb.Helper()
	var b strings.Builder
	err := st.View(context.Background(), func(tx store.Tx) error {
		es, err := tx.ListEnterprises()
		if err != nil {
			return err
		}
		for _, e := range es {
			admins, err := tx.EnterpriseAdmins(e.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "enterprise %+v admins %d\n", *e, len(admins))
			if conn, err := tx.SSOConnection(e.ID); err == nil {
				fmt.Fprintf(&b, "  sso %s %s updated %v\n", conn.IdPEntityID, conn.SSOURL, conn.UpdatedAt)
			}
		}
		orgs, err := tx.ListOrganizations(store.OrganizationFilter{})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			fmt.Fprintf(&b, "organization %+v\n", *o)
			gs, err := tx.ListGroups(o.ID)
			if err != nil {
				return err
			}
			for _, g := range gs {
				fmt.Fprintf(&b, "  group %+v\n", *g)
			}
			ms, err := tx.ListMemberships(store.MembershipFilter{OrganizationID: o.ID})
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(&b, "  membership %+v\n", *m)
			}
			ps, err := tx.ListProjects(o.ID)
			if err != nil {
				return err
			}
			for _, p := range ps {
				fmt.Fprintf(&b, "  project %+v\n", *p)
			}
		}
		us, err := tx.ListUsers(store.UserFilter{})
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(&b, "user %+v\n", *u)
		}
		evs, err := tx.ListAuditEvents(store.AuditFilter{Limit: 10000})
		fmt.Fprintf(&b, "%d audit events\n", len(evs))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b.String()
}
