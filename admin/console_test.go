package admin_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

func TestAdministered(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	MustEnterprise(t, s, "globex")
	MustOrganization(t, s, "acme-web", "acme")
	MustOrganization(t, s, "acme-data", "acme")
	MustOrganization(t, s, "globex-main", "globex")
	MustOrganization(t, s, "solo", "")
	entAdmin := MustLocalUser(t, s, "root")
	if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", "root"); err != nil {
		t.Fatal(err)
	}
	owner := MustLocalUser(t, s, "owner")
	if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "globex-main", "Owners").ID, "owner"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "solo", "Owners").ID, "root"); err != nil {
		t.Fatal(err)
	}
	member := MustSSOUser(t, st, acme.ID, "alice")
	if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "acme-web", "Owners").ID, member.Login); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		actor    gatehouse.Actor
		wantEnts []string
		wantOrgs []string
	}{
		{"lists an enterprise admin's enterprise with its organizations and the others they administer", gatehouse.UserActor(entAdmin),
			[]string{"acme"}, []string{"acme-data", "acme-web", "solo"}},
		{"lists an organization admin's organizations", gatehouse.UserActor(owner), nil, []string{"globex-main"}},
		{"lists an SSO owner's organization", gatehouse.UserActor(member), nil, []string{"acme-web"}},
		{"lists nothing for the operator, who uses no console", gatehouse.Operator, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Administered(ctx, tt.actor)
			if err != nil {
				t.Fatal(err)
			}
			var ents, orgs []string
			for _, e := range got.Enterprises {
				ents = append(ents, e.Key)
			}
			for _, o := range got.Organizations {
				orgs = append(orgs, o.Key)
			}
			if !cmp.Equal(ents, tt.wantEnts) || !cmp.Equal(orgs, tt.wantOrgs) {
				t.Errorf("Administered(%s) = %v, %v; want %v, %v", tt.actor, ents, orgs, tt.wantEnts, tt.wantOrgs)
			}
		})
	}
}

func TestSSOSetupBeforeAndAfterAConnection(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")

	before, err := s.SSOSetup(ctx, gatehouse.Operator, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if before.View != nil || before.EntityID != "http://gatehouse.test/saml/acme" || before.LoginURL != "http://gatehouse.test/login/sso?enterprise_key=acme" {
		t.Errorf("SSOSetup before a connection = %+v; want the SP values and no view", before)
	}
	view, err := s.PutSSO(ctx, gatehouse.Operator, "acme", manual(MustIdPCert(t, testNow)))
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.SSOSetup(ctx, gatehouse.Operator, "acme")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{before.EntityID, before.ACSURL, before.MetadataURL, before.LoginURL}
	want := []string{view.EntityID, view.ACSURL, view.MetadataURL, view.LoginURL}
	if !cmp.Equal(got, want) {
		t.Errorf("SP values before a connection = %v; want those of the connection, %v", got, want)
	}
	if after.View == nil || after.View.Connection.IdPEntityID != "https://idp.example.com" {
		t.Errorf("SSOSetup after PutSSO has view %+v; want the connection", after.View)
	}
	if _, err := s.SSOSetup(ctx, gatehouse.UserActor(MustLocalUser(t, s, "bob")), "acme"); gatehouse.ErrorCode(err) != gatehouse.EFORBIDDEN {
		t.Errorf("SSOSetup by a stranger = %v; want EFORBIDDEN", err)
	}
}

func TestSetPermissions(t *testing.T) {
	ctx := context.Background()
	perms := func(ps ...gatehouse.Permission) []gatehouse.Permission { return ps }
	tests := []struct {
		name string
		// grid names groups; the test turns names into IDs.
		grid     map[string][]gatehouse.Permission
		wantCode string
		// want are the permissions of each group afterwards.
		want map[string][]gatehouse.Permission
	}{
		{"sets every listed group at once",
			map[string][]gatehouse.Permission{"Developers": perms("scan", "provisioning"), "Owners": perms("admin", "gateadmin")}, "",
			map[string][]gatehouse.Permission{"Developers": perms("scan", "provisioning"), "Owners": perms("admin", "gateadmin"), "Members": nil}},
		{"leaves groups the grid does not list",
			map[string][]gatehouse.Permission{"Developers": nil}, "",
			map[string][]gatehouse.Permission{"Developers": nil, "Owners": perms("admin"), "Members": nil}},
		{"refuses a grid that leaves no administrator, writing nothing",
			map[string][]gatehouse.Permission{"Developers": perms("gateadmin"), "Owners": nil}, gatehouse.ECONFLICT,
			map[string][]gatehouse.Permission{"Developers": perms("scan"), "Owners": perms("admin"), "Members": nil}},
		{"refuses a change of Members, writing nothing",
			map[string][]gatehouse.Permission{"Developers": nil, "Members": perms("scan")}, gatehouse.ECONFLICT,
			map[string][]gatehouse.Permission{"Developers": perms("scan"), "Owners": perms("admin"), "Members": nil}},
		{"refuses an unknown permission",
			map[string][]gatehouse.Permission{"Developers": perms("root")}, gatehouse.EINVALID,
			map[string][]gatehouse.Permission{"Developers": perms("scan"), "Owners": perms("admin"), "Members": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st := MustService(t)
			MustEnterprise(t, s, "acme")
			MustOrganization(t, s, "acme-web", "acme")
			MustGroup(t, s, "acme-web", "Developers", gatehouse.PermissionScan)
			MustLocalUser(t, s, "root")
			if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "acme-web", "Owners").ID, "root"); err != nil {
				t.Fatal(err)
			}
			if err := s.AddGroupMember(ctx, gatehouse.Operator, MustGroupNamed(t, s, "acme-web", "Developers").ID, "root"); err != nil {
				t.Fatal(err)
			}
			events := auditCount(t, st)
			grid := map[int64][]gatehouse.Permission{}
			for name, ps := range tt.grid {
				grid[MustGroupNamed(t, s, "acme-web", name).ID] = ps
			}
			wantCode(t, s.SetPermissions(ctx, gatehouse.Operator, "acme-web", grid), tt.wantCode)
			for name, want := range tt.want {
				if got := MustGroupNamed(t, s, "acme-web", name).Permissions; !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
					t.Errorf("permissions of %s = %v; want %v", name, got, want)
				}
			}
			if tt.wantCode != "" && auditCount(t, st) != events {
				t.Errorf("a refused grid recorded %d audit events; want none", auditCount(t, st)-events)
			}
		})
	}
}

func TestSetPermissionsAuditsEachChange(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "acme-web", "acme")
	dev := MustGroup(t, s, "acme-web", "Developers", gatehouse.PermissionScan)
	before := auditCount(t, st)
	err := s.SetPermissions(ctx, gatehouse.Operator, "acme-web", map[int64][]gatehouse.Permission{
		dev.ID: {gatehouse.PermissionProvisioning, gatehouse.PermissionGateAdmin},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := auditCount(t, st) - before; got != 3 {
		t.Errorf("SetPermissions recorded %d events; want 3 (scan removed, provisioning and gateadmin added)", got)
	}
	wantCode(t, s.SetPermissions(ctx, gatehouse.Operator, "acme-web", map[int64][]gatehouse.Permission{999: nil}), gatehouse.ENOTFOUND)
}

func TestPutSSOCustomPresetTakesTheNamesAsGiven(t *testing.T) {
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	in := manual(MustIdPCert(t, testNow))
	in.Preset, in.Attributes = admin.PresetCustom, gatehouse.AttributeNames{Login: "uid", Name: "cn"}
	v, err := s.PutSSO(context.Background(), gatehouse.Operator, "acme", in)
	if err != nil {
		t.Fatal(err)
	}
	if want := (gatehouse.AttributeNames{Login: "uid", Name: "cn"}); v.Connection.Attributes != want {
		t.Errorf("attributes with the custom preset = %+v; want %+v, no email or groups", v.Connection.Attributes, want)
	}
	in.Attributes.Login = ""
	_, err = s.PutSSO(context.Background(), gatehouse.Operator, "acme", in)
	wantField(t, err, "attributes.login")
}
