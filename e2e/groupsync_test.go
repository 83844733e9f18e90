package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// The SSO issue, item 7: JIT provisioning and group sync, with
// SimpleSAMLphp as the IdP and Chromium as the user's browser.

func TestFirstSSOLoginCreatesTheUserWithTheirGroups(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			a := MustAcme(t, eng.db(t))
			ctx := browsertest.New(t)
			a.MustLogIn(t, ctx, "alice", "alicepass")
			browsertest.Screenshot(t, ctx, "organizations")

			if diff := cmp.Diff(aliceOrgs, mustOrganizations(t, ctx)); diff != "" {
				t.Errorf("alice's organizations (-want +got):\n%s", diff)
			}
			me := mustBrowserMe(t, ctx)
			u := me.User
			if !strings.HasPrefix(u.Login, "alice-") || u.Name != "Alice Liddell" || u.Email != "alice@example.com" || u.Kind != "sso" || me.Enterprise != "acme" {
				t.Errorf("GET /api/v1/me user = %+v in %q; want login alice-XXXX, Alice Liddell, alice@example.com, sso, in acme", u, me.Enterprise)
			}

			user := "user:" + u.Login
			want := []string{
				"saml-sync user.create",
				"saml-sync group.add_member Admins", "saml-sync group.add_member Developers", "saml-sync group.add_member Developers",
				"saml-sync org.add_user", "saml-sync org.add_user",
				user + " authentication.user_login",
			}
			evs := a.MustAudit(t, user)
			if diff := cmp.Diff(want, eventSummaries(evs), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("audit events about %s (-want +got):\n%s", user, diff)
			}
			// The IdP group that matched nothing is recorded for troubleshooting.
			if login := findEvent(evs, "authentication.user_login"); login == nil || fmt.Sprint(login.Details["unmatched_groups"]) != "[Cloud Users]" {
				t.Errorf("authentication.user_login event = %+v; want unmatched_groups [Cloud Users]", login)
			}
		})
	}
}

func TestGroupSyncIsCaseSensitive(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t))
	ctx := browsertest.New(t)

	// bob's IdP sends "developers"; acme has only "Developers".
	a.MustLogIn(t, ctx, "bob", "bobpass")
	browsertest.Screenshot(t, ctx, "no-group-matched")
	if got := mustOrganizations(t, ctx); len(got) != 0 {
		t.Fatalf("bob's organizations with no lowercase group = %v; want none", got)
	}
	if got := pageText(t, ctx, "#idp-groups"); got != "developers" {
		t.Errorf("IdP groups listed on the empty state = %q; want developers", got)
	}
	if got := a.MustWarning(t, "unmatched_groups"); !strings.Contains(got, "developers") {
		t.Errorf("unmatched_groups warning = %q; want it to name developers", got)
	}

	// Once acme-data has a lowercase "developers", bob's next login finds it, and only it.
	a.MustAPI(t, "POST", "/api/v1/organizations/acme-data/groups", map[string]any{"name": "developers", "permissions": []string{"scan"}}, 201, nil)
	MustLogOut(t, ctx)
	a.MustLogIn(t, ctx, "bob", "bobpass")
	browsertest.Screenshot(t, ctx, "lowercase-group")
	want := map[string]string{"acme-data": "groups Members,developers; permissions scan"}
	if diff := cmp.Diff(want, mustOrganizations(t, ctx)); diff != "" {
		t.Errorf("bob's organizations with a lowercase group (-want +got):\n%s", diff)
	}
	if got := a.MustWarning(t, "unmatched_groups"); got != "" {
		t.Errorf("unmatched_groups warning once developers matches = %q; want none", got)
	}
}

func TestOneGroupNameInTwoOrganizationsGivesBoth(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t), idptest.NewUser("frank", "Frank Twofold", "frank@example.com", "Developers"))
	ctx := browsertest.New(t)
	a.MustLogIn(t, ctx, "frank", "frank")
	// Each organization's Developers group carries its own permissions.
	want := map[string]string{
		"acme-web":  "groups Developers,Members; permissions scan",
		"acme-data": "groups Developers,Members; permissions provisioning,scan",
	}
	if diff := cmp.Diff(want, mustOrganizations(t, ctx)); diff != "" {
		t.Errorf("frank's organizations (-want +got):\n%s", diff)
	}
}

func TestLoginRemovesMembershipsAnAdminAddedByHand(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t))
	a.MustAPI(t, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": "acme-ops", "name": "Acme Ops"}, 201, nil)
	a.MustAPI(t, "POST", "/api/v1/organizations/acme-ops/groups", map[string]any{"name": "On Call", "permissions": []string{"scan"}}, 201, nil)
	first := browsertest.New(t)
	a.MustLogIn(t, first, "alice", "alicepass")
	login := mustBrowserMe(t, first).User.Login

	// An admin adds alice by hand to a group of one of her organizations and to another organization.
	for _, g := range []struct{ org, name string }{{"acme-web", "QA"}, {"acme-ops", "On Call"}} {
		a.MustAPI(t, "POST", fmt.Sprintf("/api/v1/groups/%d/members", apiGroupID(t, a.Server, g.org, g.name)), map[string]any{"login": login}, 204, nil)
	}
	var members []struct {
		User   struct{ Login string }
		Source string
	}
	a.MustAPI(t, "GET", fmt.Sprintf("/api/v1/groups/%d/members", apiGroupID(t, a.Server, "acme-web", "QA")), nil, 200, &members)
	if len(members) != 1 || members[0].User.Login != login || members[0].Source != "manual" {
		t.Errorf("members of QA = %+v; want %s, manual", members, login)
	}
	browsertest.Do(t, first, chromedp.Navigate(a.URL+"/organizations"), chromedp.WaitVisible(chromedp.CSS(gatehousePage)))
	byHand := map[string]string{
		"acme-web":  "groups Admins,Developers,Members,QA; permissions admin,scan",
		"acme-data": aliceOrgs["acme-data"],
		"acme-ops":  "groups Members,On Call; permissions scan",
	}
	if diff := cmp.Diff(byHand, mustOrganizations(t, first)); diff != "" {
		t.Errorf("alice's organizations after the manual additions (-want +got):\n%s", diff)
	}

	// Her next login, in another browser, resets her groups to the IdP's.
	second := browsertest.New(t)
	a.MustLogIn(t, second, "alice", "alicepass")
	browsertest.Screenshot(t, second, "organizations-after-sync")
	if diff := cmp.Diff(aliceOrgs, mustOrganizations(t, second)); diff != "" {
		t.Errorf("alice's organizations after her next login (-want +got):\n%s", diff)
	}
	var removed []string
	for _, e := range a.MustAudit(t, "user:"+login) {
		if e.Type == "group.remove_member" || e.Type == "org.remove_user" {
			removed = append(removed, fmt.Sprintf("%s %s %v %v", e.Actor, e.Type, e.Details["group"], e.Details["source"]))
		}
	}
	want := []string{"saml-sync group.remove_member On Call manual", "saml-sync group.remove_member QA manual", "saml-sync org.remove_user <nil> <nil>"}
	if diff := cmp.Diff(want, removed, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("removals in the audit log (-want +got):\n%s", diff)
	}
}

func TestIdPGroupNamedMembersChangesNothing(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t), idptest.NewUser("mia", "Mia Members", "mia@example.com", "Members"))
	ctx := browsertest.New(t)
	a.MustLogIn(t, ctx, "mia", "mia")
	browsertest.Screenshot(t, ctx, "members-only")
	if got := mustOrganizations(t, ctx); len(got) != 0 {
		t.Fatalf("mia's organizations = %v; want none: group sync never targets Members", got)
	}
	if got := pageText(t, ctx, "#idp-groups"); got != "Members" {
		t.Errorf("IdP groups listed on the empty state = %q; want Members", got)
	}
	me := mustBrowserMe(t, ctx)
	for _, e := range a.MustAudit(t, "user:"+me.User.Login) {
		if e.Type == "group.add_member" || e.Type == "org.add_user" {
			t.Errorf("audit event %s %s %v; want no membership for an IdP group named Members", e.Actor, e.Type, e.Details)
		}
	}
}

func TestUserWithoutGroupsSeesTheEmptyState(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t))
	ctx := browsertest.New(t)
	a.MustLogIn(t, ctx, "carol", "carolpass")
	browsertest.Screenshot(t, ctx, "empty-state")
	if got := pageText(t, ctx, "#empty-state h2"); got != "You are not in any organization yet" {
		t.Errorf("empty state heading = %q", got)
	}
	if got := pageText(t, ctx, "#no-idp-groups"); !strings.Contains(got, "sent no groups at all") {
		t.Errorf("empty state says %q; want that the IdP sent no groups at all", got)
	}
	me := mustBrowserMe(t, ctx)
	if len(me.Organizations) != 0 || me.User.Name != "Carol Nogroups" || me.User.Kind != "sso" {
		t.Errorf("GET /api/v1/me = %+v; want the SSO user Carol Nogroups in no organization", me)
	}
}

func TestGroupsOverageIsRefusedAndKeepsMemberships(t *testing.T) {
	t.Parallel()
	// dave-before is dave before he joined more than 150 groups: the same
	// UPN, with a groups claim. SimpleSAMLphp's dave sends the overage claim.
	daveBefore := idptest.User{Username: "dave-before", Password: "dave-before", Attributes: map[string][]string{
		idptest.EntraAttrLogin: {"dave@contoso.example"},
		idptest.EntraAttrName:  {"Dave Overage"},
		idptest.EntraAttrEmail: {"dave@contoso.example"},
		idptest.AttrEmail:      {"dave@contoso.example"},
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": {"Developers"},
	}}
	a := MustAcme(t, sqliteDB(t), daveBefore)
	a.MustPutSSO(t, "entra")
	first := browsertest.New(t)
	a.MustLogIn(t, first, "dave-before", "dave-before")
	wantBefore := map[string]string{
		"acme-web":  "groups Developers,Members; permissions scan",
		"acme-data": "groups Developers,Members; permissions provisioning,scan",
	}
	if diff := cmp.Diff(wantBefore, mustOrganizations(t, first)); diff != "" {
		t.Fatalf("dave's organizations before the overage (-want +got):\n%s", diff)
	}

	second := browsertest.New(t)
	a.MustLogIn(t, second, "dave", "davepass")
	browsertest.Screenshot(t, second, "groups-overage")
	if got := refusalReason(t, second); got != "groups_overage" {
		t.Fatalf("refusal page reason = %q; want groups_overage", got)
	}
	if got := pageText(t, second, "[data-reason]"); !strings.Contains(got, "150 groups") {
		t.Errorf("refusal page says %q; want it to explain the 150-group limit", got)
	}
	if status, _ := browserMe(t, second); status != 401 {
		t.Errorf("GET /api/v1/me after the refusal = %d; want 401: no session", status)
	}
	browsertest.Do(t, first, chromedp.Navigate(a.URL+"/organizations"), chromedp.WaitVisible(chromedp.CSS(gatehousePage)))
	if diff := cmp.Diff(wantBefore, mustOrganizations(t, first)); diff != "" {
		t.Errorf("dave's organizations after the refused login (-want +got):\n%s", diff)
	}
	if got := a.MustAttempts(t); len(got) == 0 || got[0] != "groups_overage" {
		t.Errorf("refused SSO attempts, newest first = %v; want groups_overage first", got)
	}
	if got := a.MustWarning(t, "groups_overage"); got == "" {
		t.Errorf("SSO warnings have no groups_overage; want one")
	}
}

// eventSummaries returns "actor type [group]" for each event.
func eventSummaries(evs []auditEvent) []string {
	var out []string
	for _, e := range evs {
		s := e.Actor + " " + e.Type
		if g, ok := e.Details["group"]; ok {
			s += fmt.Sprintf(" %v", g)
		}
		out = append(out, s)
	}
	return out
}

// findEvent returns the newest event of type typ, or nil.
func findEvent(evs []auditEvent, typ string) *auditEvent {
	for i := range evs {
		if evs[i].Type == typ {
			return &evs[i]
		}
	}
	return nil
}

func TestNextLoginUpdatesTheSameAccount(t *testing.T) {
	t.Parallel()
	// erin-renamed is erin after HR changed her name and address: the same
	// login attribute, new name and email.
	renamed := idptest.NewUser("erin-renamed", "Erin Newname", "erin.newname@example.com", "QA")
	renamed.Attributes[idptest.AttrLogin] = []string{"erin"}
	a := MustAcme(t, sqliteDB(t), idptest.NewUser("erin", "Erin Oldname", "erin@example.com", "Developers"), renamed)
	first := browsertest.New(t)
	a.MustLogIn(t, first, "erin", "erin")
	before := mustBrowserMe(t, first).User

	second := browsertest.New(t)
	a.MustLogIn(t, second, "erin-renamed", "erin-renamed")
	after := mustBrowserMe(t, second).User
	if after.Login != before.Login || after.Name != "Erin Newname" || after.Email != "erin.newname@example.com" {
		t.Errorf("erin after her next login = %+v; want %s renamed Erin Newname, erin.newname@example.com", after, before.Login)
	}
	if diff := cmp.Diff(map[string]string{"acme-web": "groups Members,QA; permissions scan"}, mustOrganizations(t, second)); diff != "" {
		t.Errorf("erin's organizations after her next login (-want +got):\n%s", diff)
	}
	var users []struct{ Login string }
	a.MustAPI(t, "GET", "/api/v1/users?enterprise=acme", nil, 200, &users)
	if len(users) != 1 {
		t.Errorf("SSO users of acme = %+v; want erin's one account", users)
	}
}
