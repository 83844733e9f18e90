package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestGroupPages(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")

	p := c.mustPost(t, "/organizations/acme-web/groups", url.Values{"name": {"Ops"}, "description": {"On call."}, "permissions": {"scan", "gateadmin"}})
	if !strings.Contains(p.Body, `data-group="Ops"`) || !strings.Contains(noticeOf(p.Body), `exactly "Ops"`) {
		t.Errorf("after creating Ops: the group is not listed, or the notice %q does not explain matching", noticeOf(p.Body))
	}
	ops := s.MustGroupID(t, "acme-web", "Ops")
	base := "/organizations/acme-web/groups/" + strconv.FormatInt(ops, 10)

	refusals := []struct {
		name, path string
		form       url.Values
		status     int
		want       string
	}{
		{"refuses a name taken in the organization", "/organizations/acme-web/groups", url.Values{"form": {"create-group"}, "name": {"Developers"}}, 409,
			`Organization "acme-web" already has a group named "Developers".`},
		{"refuses renaming to a taken name", base, url.Values{"form": {"edit-group"}, "name": {"Admins"}, "description": {""}}, 409,
			`Organization "acme-web" already has a group named "Admins".`},
		{"refuses to delete the last admins' group", "/organizations/acme-web/groups/" + strconv.FormatInt(s.MustGroupID(t, "acme-web", "Admins"), 10) + "/delete", url.Values{"form": {"delete-group"}}, 409,
			`Deleting group "Admins" would leave organization "acme-web" without any administrator. Give another user the Administer Organization permission first.`},
		{"refuses a group of another organization", "/organizations/acme-data/groups/" + strconv.FormatInt(ops, 10) + "/delete", url.Values{}, 404, ""},
		{"refuses an unknown user", base + "/members", url.Values{"form": {"add-member"}, "login": {"nobody"}}, 404, `User "nobody" does not exist.`},
	}
	if err := s.Admin.AddGroupMember(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", "Admins"), "root"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := s.snapshot(t)
			p := c.post(t, tt.path, tt.form)
			if p.Status != tt.status || (tt.want != "" && refusalOf(p.Body) != tt.want) {
				t.Errorf("POST %s = %d %q; want %d %q", tt.path, p.Status, refusalOf(p.Body), tt.status, tt.want)
			}
			if s.snapshot(t) != before {
				t.Errorf("the refused form changed the state")
			}
		})
	}

	p = c.mustPost(t, base, url.Values{"name": {"Operations"}, "description": {"Keeps it running."}})
	if !strings.Contains(p.Body, `value="Operations"`) || !strings.Contains(noticeOf(p.Body), "is now called Operations") {
		t.Errorf("after renaming: notice %q", noticeOf(p.Body))
	}
	p = c.mustPost(t, base+"/delete", url.Values{})
	if strings.Contains(p.Body, `data-group="Operations"`) || noticeOf(p.Body) != "Group Operations was deleted." {
		t.Errorf("after deleting: notice %q", noticeOf(p.Body))
	}
}

func TestGroupMembersShowTheirSource(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	alice := s.MustSSOUser(t, "alice-x1y2")
	s.MustLocalUser(t, "carol")
	c := s.MustSignIn(t, "root")
	dev := "/organizations/acme-web/groups/" + strconv.FormatInt(s.MustGroupID(t, "acme-web", "Developers"), 10)

	p := c.mustPost(t, dev+"/members", url.Values{"login": {alice.Login}})
	if want := "signs in with SSO, so their next login removes them from Developers"; !strings.Contains(noticeOf(p.Body), want) || !strings.Contains(p.Body, `class="notice warn" role="status"`) {
		t.Errorf("adding an SSO user by hand: notice %q; want it as a warning: %q", noticeOf(p.Body), want)
	}
	p = c.mustPost(t, dev+"/members", url.Values{"login": {"carol"}})
	if strings.Contains(noticeOf(p.Body), "Beware") {
		t.Errorf("adding a local user warns: %q", noticeOf(p.Body))
	}
	if !regexp.MustCompile(`data-member="alice-x1y2">(?s:.*?)data-source="manual">added by hand</span> <span class="small muted">until their next SSO login`).MatchString(p.Body) {
		t.Errorf("alice is not shown as added by hand until her next login")
	}
	syncTo(t, s, alice, "acme-web", "Admins")
	p = c.get(t, "/organizations/acme-web/groups/"+strconv.FormatInt(s.MustGroupID(t, "acme-web", "Admins"), 10))
	if !strings.Contains(p.Body, `data-source="sync">managed by the identity provider`) {
		t.Errorf("a synced member is not marked as managed by the identity provider")
	}
	p = c.mustPost(t, dev+"/members/carol/remove", url.Values{})
	if strings.Contains(p.Body, `data-member="carol"`) {
		t.Errorf("carol is still listed after her removal")
	}
}

// syncTo puts u in the organization's group as group sync would.
func syncTo(tb testing.TB, s *consoleSite, u *gatehouse.User, org, group string) {
	tb.Helper()
	if err := s.Store.Tx(context.Background(), func(tx store.Tx) error {
		o, err := tx.Organization(org)
		if err != nil {
			return err
		}
		return tx.AddMembership(&gatehouse.Membership{UserID: u.ID, GroupID: s.MustGroupID(tb, org, group), OrganizationID: o.ID,
			Source: gatehouse.SourceSync, CreatedAt: testNow})
	}); err != nil {
		tb.Fatal(err)
	}
}

func TestPermissionsGrid(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	if err := s.Admin.AddGroupMember(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", "Owners"), "root"); err != nil {
		t.Fatal(err)
	}
	c := s.MustSignIn(t, "root")
	ids := map[string]string{}
	for _, g := range []string{"Members", "Owners", "Admins", "Developers"} {
		ids[g] = strconv.FormatInt(s.MustGroupID(t, "acme-web", g), 10)
	}
	grid := func(cells ...string) url.Values {
		f := url.Values{"form": {"permissions"}, "group": {ids["Owners"], ids["Admins"], ids["Developers"]}}
		for _, cell := range cells {
			g, p, _ := strings.Cut(cell, ":")
			f.Add("perm", ids[g]+":"+p)
		}
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   map[string][]gatehouse.Permission
	}{
		{"saves every change at once", grid("Owners:admin", "Admins:admin", "Developers:scan", "Developers:provisioning", "Developers:gateadmin"), 303,
			map[string][]gatehouse.Permission{"Owners": {"admin"}, "Admins": {"admin"}, "Developers": {"scan", "provisioning", "gateadmin"}}},
		{"refuses a grid without administrator and keeps the ticks", grid("Developers:scan"), 409,
			map[string][]gatehouse.Permission{"Owners": {"admin"}, "Admins": {"admin"}, "Developers": {"scan", "provisioning", "gateadmin"}}},
		{"refuses a tick for a group the form does not list", func() url.Values {
			f := grid("Owners:admin", "Admins:admin")
			f.Add("perm", ids["Members"]+":scan")
			return f
		}(), 400,
			map[string][]gatehouse.Permission{"Owners": {"admin"}, "Admins": {"admin"}, "Developers": {"scan", "provisioning", "gateadmin"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.post(t, "/organizations/acme-web/permissions", tt.form)
			if p.Status != tt.status {
				t.Fatalf("POST permissions = %d %q; want %d", p.Status, refusalOf(p.Body), tt.status)
			}
			for g, want := range tt.want {
				got, _, err := s.Admin.Group(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", g))
				if err != nil || !cmp.Equal(got.Permissions, want, cmpopts.EquateEmpty()) {
					t.Errorf("%s has %v (%v); want %v", g, got.Permissions, err, want)
				}
			}
			if tt.status == http.StatusConflict && !strings.Contains(p.Body, `value="`+ids["Developers"]+`:scan" id="perm-`+ids["Developers"]+`-scan" aria-label="Developers: Execute Analysis" checked`) {
				t.Errorf("the refused grid does not show the ticks as sent")
			}
		})
	}
}

func TestMembersAndProjectsPages(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "carol")
	alice := s.MustSSOUser(t, "alice-x1y2")
	c := s.MustSignIn(t, "root")

	p := c.mustPost(t, "/organizations/acme-web/members", url.Values{"login": {"carol"}})
	if !strings.Contains(p.Body, `data-member="carol"`) {
		t.Errorf("carol is not listed after being added")
	}
	if p := c.post(t, "/organizations/acme-web/members", url.Values{"form": {"add-local"}, "login": {alice.Login}}); p.Status != http.StatusBadRequest || !strings.Contains(refusalOf(p.Body), "signs in with SSO") {
		t.Errorf("adding an SSO user to Members = %d %q; want 400 explaining groups", p.Status, refusalOf(p.Body))
	}
	p = c.mustPost(t, "/organizations/acme-web/members/carol/remove", url.Values{})
	if strings.Contains(p.Body, `data-member="carol"`) {
		t.Errorf("carol is still listed after her removal")
	}

	p = c.mustPost(t, "/organizations/acme-web/projects", url.Values{"key": {"billing"}, "name": {"Billing"}})
	if !strings.Contains(p.Body, `data-project="billing"`) {
		t.Errorf("billing is not listed after its creation")
	}
	if p := c.post(t, "/organizations/acme-web/projects", url.Values{"form": {"create-project"}, "key": {"billing"}, "name": {"Again"}}); p.Status != http.StatusConflict || !strings.Contains(p.Body, `value="Again"`) {
		t.Errorf("a taken project key = %d; want 409 with the typed name kept", p.Status)
	}
	p = c.mustPost(t, "/organizations/acme-web/projects/billing/delete", url.Values{})
	if strings.Contains(p.Body, `data-project="billing"`) {
		t.Errorf("billing is still listed after its deletion")
	}
}

var orgTokenSecret = regexp.MustCompile(`gsot_[A-Za-z0-9_]+`)

func TestOrganizationTokens(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	tests := []struct {
		name      string
		form      url.Values
		status    int
		wantScope string
		// wantRefusal is the message of a refused form.
		wantRefusal string
	}{
		{"creates a token for every project", url.Values{"name": {"ci-all"}, "scope": {"all"}, "expires": {""}}, 200, "All projects", ""},
		{"creates a token scoped to projects, expiring on a date", url.Values{"name": {"ci-main"}, "scope": {"projects"}, "projects": {"acme-web-main"},
			"expires": {"date"}, "expires_on": {"2027-01-31"}}, 200, "<code>acme-web-main</code>", ""},
		{"refuses a scope without projects", url.Values{"name": {"ci-none"}, "scope": {"projects"}}, 400, "",
			"Tick the projects the token may analyse, or choose all projects."},
		{"refuses a date in the past", url.Values{"name": {"ci-old"}, "expires": {"date"}, "expires_on": {"2020-01-01"}}, 400, "",
			"The expiry date must be in the future."},
		{"refuses a date missing", url.Values{"name": {"ci-old"}, "expires": {"date"}}, 400, "",
			"Choose the date the token expires on, such as 2027-01-31."},
		{"refuses a name taken", url.Values{"name": {"ci-all"}, "scope": {"all"}}, 409, "",
			`Organization "acme-web" already has a token named "ci-all": choose another name.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("form", "create-token")
			p := c.post(t, "/organizations/acme-web/tokens", tt.form)
			secret := orgTokenSecret.FindString(p.Body)
			if p.Status != tt.status || (tt.status == 200) != (secret != "") || refusalOf(p.Body) != tt.wantRefusal {
				t.Fatalf("POST tokens = %d %q, secret shown %v; want %d %q", p.Status, refusalOf(p.Body), secret != "", tt.status, tt.wantRefusal)
			}
			if tt.status != 200 {
				return
			}
			row := regexp.MustCompile(`(?s)data-token="` + tt.form.Get("name") + `">.*?</tr>`).FindString(c.get(t, "/organizations/acme-web/tokens").Body)
			if !strings.Contains(row, tt.wantScope) || !strings.Contains(row, "Active") || orgTokenSecret.MatchString(row) {
				t.Errorf("the token's row = %s; want scope %q, Active, and no secret", row, tt.wantScope)
			}
			ok, err := s.Tokens.CheckToken(context.Background(), secret, testClient(), "acme-web", gatehouse.PermissionScan, "acme-web-main")
			if err != nil || !ok {
				t.Errorf("the new token may not scan acme-web-main: %v, %v", ok, err)
			}
		})
	}
	p := c.get(t, "/organizations/acme-web/tokens")
	id := regexp.MustCompile(`/organizations/acme-web/tokens/(\d+)/revoke`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no revoke form")
	}
	if p := c.mustPost(t, "/organizations/acme-web/tokens/"+id[1]+"/revoke", url.Values{}); noticeOf(p.Body) != "The token was revoked: it no longer works." {
		t.Errorf("after revoking: notice %q", noticeOf(p.Body))
	}
}
