package admin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestCreateOrganizationMakesBuiltinGroups(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	o := MustOrganization(t, s, "org-a", "acme")
	gs, err := s.ListGroups(ctx, gatehouse.Operator, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	type g struct {
		Name    string
		Builtin string
		Perms   []gatehouse.Permission
	}
	var got []g
	for _, x := range gs {
		got = append(got, g{x.Name, x.Builtin, x.Permissions})
	}
	want := []g{{"Members", gatehouse.BuiltinMembers, nil}, {"Owners", gatehouse.BuiltinOwners, []gatehouse.Permission{gatehouse.PermissionAdmin}}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b []gatehouse.Permission) bool { return fmt.Sprint(a) == fmt.Sprint(b) })); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestCreatorJoinsOwners(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	u := MustLocalUser(t, s, "lena")
	o := &gatehouse.Organization{Key: "lenas", Name: "Lena's"}
	if err := s.CreateOrganization(ctx, gatehouse.UserActor(u), o, ""); err != nil {
		t.Fatal(err)
	}
	owners := MustGroupNamed(t, s, "lenas", "Owners")
	ms, err := s.GroupMembers(ctx, gatehouse.UserActor(u), owners.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].User.Login != "lena" || ms[0].Membership.Source != gatehouse.SourceManual {
		t.Errorf("Owners members = %+v; want lena (manual)", ms)
	}
}

func TestCreateOrganizationRefusals(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustEnterprise(t, s, "acme")
	MustEnterprise(t, s, "other")
	MustOrganization(t, s, "taken", "")
	lena := MustLocalUser(t, s, "lena")
	tests := []struct {
		name       string
		actor      gatehouse.Actor
		key        string
		enterprise string
		want       string
	}{
		{"refuses a taken key", gatehouse.Operator, "taken", "", gatehouse.ECONFLICT},
		{"refuses an unknown enterprise", gatehouse.Operator, "new-a", "nope", gatehouse.ENOTFOUND},
		{"refuses an invalid key", gatehouse.Operator, "-bad", "acme", gatehouse.EINVALID},
		{"refuses a user creating in an enterprise they do not administer", gatehouse.UserActor(lena), "new-b", "other", gatehouse.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auditCount(t, st)
			err := s.CreateOrganization(ctx, tt.actor, &gatehouse.Organization{Key: tt.key, Name: "N"}, tt.enterprise)
			wantCode(t, err, tt.want)
			if got := auditCount(t, st); got != before {
				t.Errorf("a refused creation wrote %d audit events", got-before)
			}
		})
	}
}

func TestEnterpriseHoldsAtMost200Organizations(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 200 organizations")
	}
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	for i := range gatehouse.MaxOrganizationsPerEnterprise {
		MustOrganization(t, s, fmt.Sprintf("org-%03d", i), "acme")
	}
	err := s.CreateOrganization(ctx, gatehouse.Operator, &gatehouse.Organization{Key: "one-too-many", Name: "N"}, "acme")
	wantCode(t, err, gatehouse.ECONFLICT)
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "org-a", "acme")
	lena := MustLocalUser(t, s, "lena")
	sam := MustSSOUser(t, st, acme.ID, "sam")

	t.Run("a local user joins through Members", func(t *testing.T) {
		if err := s.AddMember(ctx, gatehouse.Operator, "org-a", lena.Login); err != nil {
			t.Fatal(err)
		}
		ms, err := s.Members(ctx, gatehouse.Operator, "org-a")
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].User.Login != "lena" {
			t.Errorf("Members = %+v; want lena", ms)
		}
	})
	t.Run("an SSO user joins through a group, not Members", func(t *testing.T) {
		err := s.AddMember(ctx, gatehouse.Operator, "org-a", sam.Login)
		wantCode(t, err, gatehouse.EINVALID)
	})
	t.Run("Members lists every member", func(t *testing.T) {
		devs := MustGroup(t, s, "org-a", "Developers", gatehouse.PermissionScan)
		if err := s.AddGroupMember(ctx, gatehouse.Operator, devs.ID, sam.Login); err != nil {
			t.Fatal(err)
		}
		members := MustGroupNamed(t, s, "org-a", "Members")
		ms, err := s.GroupMembers(ctx, gatehouse.Operator, members.ID)
		if err != nil {
			t.Fatal(err)
		}
		var logins []string
		for _, m := range ms {
			logins = append(logins, m.User.Login)
		}
		if diff := cmp.Diff([]string{"lena", "sam"}, logins); diff != "" {
			t.Errorf("Members members (-want +got):\n%s", diff)
		}
	})
	t.Run("removing a member removes every membership", func(t *testing.T) {
		if err := s.RemoveMember(ctx, gatehouse.Operator, "org-a", sam.Login); err != nil {
			t.Fatal(err)
		}
		ms, _ := s.Members(ctx, gatehouse.Operator, "org-a")
		if len(ms) != 1 {
			t.Errorf("Members after removal = %d; want 1", len(ms))
		}
		wantCode(t, s.RemoveMember(ctx, gatehouse.Operator, "org-a", sam.Login), gatehouse.ENOTFOUND)
	})
}

func TestSSOUserJoinsOnlyItsEnterprise(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustEnterprise(t, s, "acme")
	other := MustEnterprise(t, s, "other")
	MustOrganization(t, s, "org-a", "acme")
	devs := MustGroup(t, s, "org-a", "Developers")
	stranger := MustSSOUser(t, st, other.ID, "stranger")
	wantCode(t, s.AddGroupMember(ctx, gatehouse.Operator, devs.ID, stranger.Login), gatehouse.EINVALID)
}

// TestDeletionsRecordTheTokensTheyRemove checks that deleting a project
// or an organization leaves a token.revoke event for each organization
// token that goes with it.
func TestDeletionsRecordTheTokensTheyRemove(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	o := MustOrganization(t, s, "org-a", "")
	lena := MustLocalUser(t, s, "lena")
	for _, key := range []string{"web", "api"} {
		if err := s.CreateProject(ctx, gatehouse.Operator, "org-a", &gatehouse.Project{Key: key, Name: key}); err != nil {
			t.Fatal(err)
		}
	}
	web, err := s.Project(ctx, gatehouse.Operator, "org-a", "web")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(ctx, func(tx store.Tx) error {
		for i, scope := range [][]int64{{web.ID}, nil} {
			k := &gatehouse.Token{Kind: gatehouse.TokenOrganization, Name: fmt.Sprintf("t%d", i), Hash: []byte(fmt.Sprintf("hash-%d-0123456789abcdef0123456789", i)),
				UserID: lena.ID, OrganizationID: o.ID, ProjectIDs: scope, CreatedAt: testNow}
			if err := tx.CreateToken(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	revoked := func() []string {
		evs, err := s.AuditEvents(ctx, gatehouse.Operator, admin.AuditQuery{Types: []string{gatehouse.AuditTokenRevoke}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, fmt.Sprint(e.Details["name"], ": ", e.Details["reason"]))
		}
		return out
	}
	if err := s.DeleteProject(ctx, gatehouse.Operator, "org-a", "web"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"t0: its only project was deleted"}, revoked()); diff != "" {
		t.Errorf("after deleting the project (-want +got):\n%s", diff)
	}
	if err := s.DeleteOrganization(ctx, gatehouse.Operator, "org-a"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"t1: the organization was deleted", "t0: its only project was deleted"}, revoked()); diff != "" {
		t.Errorf("after deleting the organization (-want +got):\n%s", diff)
	}
}
