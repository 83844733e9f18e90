package login_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

func TestFinishSSOCreatesTheUserOnFirstLogin(t *testing.T) {
	e := MustEnv(t)
	res := e.MustLogin(t, alice)
	u := e.MustUser(t, "acme", alice.Login)
	if !regexp.MustCompile(`^alice-[a-z0-9]{4}$`).MatchString(u.Login) {
		t.Errorf("JIT login = %q; want alice- and 4 random characters", u.Login)
	}
	want := &gatehouse.User{ID: u.ID, Login: u.Login, Name: alice.Name, Email: alice.Email, Kind: gatehouse.UserSSO,
		EnterpriseID: u.EnterpriseID, ExternalID: alice.Login, Active: true, CreatedAt: testNow, LastLoginAt: testNow}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("JIT user (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, res.User); diff != "" {
		t.Errorf("FinishSSO user (-want +got):\n%s", diff)
	}
	if res.ReturnTo != login.DefaultReturnTo {
		t.Errorf("ReturnTo = %q; want %q", res.ReturnTo, login.DefaultReturnTo)
	}
	_, su, err := e.Login.Session(context.Background(), res.SessionSecret)
	if err != nil || su.ID != u.ID {
		t.Errorf("Session(the login's secret) = %v, %v; want user %d", su, err, u.ID)
	}
}

func TestFinishSSOSlugsTheLoginAttribute(t *testing.T) {
	tests := []struct {
		name, login string
		want        *regexp.Regexp
	}{
		{"keeps the part before @", "alice@acme.example", regexp.MustCompile(`^alice-[a-z0-9]{4}$`)},
		{"lowercases and dashes other characters", `ACME\Bob.O'Brien`, regexp.MustCompile(`^acme-bob-o-brien-[a-z0-9]{4}$`)},
		{"falls back to user when nothing is left", "ÉÈ@acme.example", regexp.MustCompile(`^user-[a-z0-9]{4}$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			u := idpUser{Login: tt.login, Name: "Someone"}
			e.MustLogin(t, u)
			if got := e.MustUser(t, "acme", tt.login); !tt.want.MatchString(got.Login) || got.ExternalID != tt.login {
				t.Errorf("login attribute %q gave login %q, external ID %q; want %v and the attribute unchanged", tt.login, got.Login, got.ExternalID, tt.want)
			}
		})
	}
}

func TestFinishSSOKeysUsersByTheExactLoginAttribute(t *testing.T) {
	e := MustEnv(t)
	first := e.MustLogin(t, alice).User
	again := e.MustLogin(t, alice).User
	other := alice
	other.Login = "Alice@acme.example"
	otherUser := e.MustLogin(t, other).User
	if again.ID != first.ID || again.Login != first.Login {
		t.Errorf("second login signed in user %d %q; want the first login's %d %q", again.ID, again.Login, first.ID, first.Login)
	}
	if otherUser.ID == first.ID {
		t.Errorf("login attribute %q signed in the user of %q; want a user of its own", other.Login, alice.Login)
	}
}

func TestFinishSSORefreshesNameAndEmail(t *testing.T) {
	tests := []struct {
		name              string
		newName, newEmail string
		wantEmail         string
	}{
		{"takes the new name and email", "Alice Kingsleigh", "alice.k@acme.example", "alice.k@acme.example"},
		{"clears an email the IdP no longer sends", "Alice Liddell", "", ""},
		{"drops an email that is not an address", "Alice Liddell", "not an address", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			first := e.MustLogin(t, alice).User
			e.Now = e.Now.Add(time.Hour)
			changed := alice
			changed.Name, changed.Email = tt.newName, tt.newEmail
			res := e.MustLogin(t, changed)
			got := e.MustUser(t, "acme", alice.Login)
			want := *first
			want.Name, want.Email, want.LastLoginAt = tt.newName, tt.wantEmail, e.Now
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("user after the second login (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(&want, res.User); diff != "" {
				t.Errorf("FinishSSO user (-want +got):\n%s", diff)
			}
			if evs, _ := e.events(t, 0, gatehouse.AuditUserCreate); len(evs) != 1 {
				t.Errorf("%d user.create events; want 1", len(evs))
			}
		})
	}
}

func TestFinishSSOSyncsGroups(t *testing.T) {
	tests := []struct {
		name string
		// before are the groups of a first login, when not nil.
		before []string
		// handAdded are groups ("org/name") an admin puts the user in
		// after the first login.
		handAdded []string
		groups    []string
		want      []string
	}{
		{name: "joins the group of that name in every organization", groups: []string{"Devs"},
			want: []string{"acme-data/Devs", "acme-web/Devs"}},
		{name: "matches names case-sensitively", groups: []string{"devs", "OPS"},
			want: []string{"acme-data/devs"}},
		{name: "never targets Members", groups: []string{"Members", "Ops"},
			want: []string{"acme-web/Ops"}},
		{name: "ignores unknown groups", groups: []string{"Finance", "Analysts"},
			want: []string{"acme-data/Analysts"}},
		{name: "replaces the previous login's groups", before: []string{"Devs", "Analysts"}, groups: []string{"Ops"},
			want: []string{"acme-web/Ops"}},
		{name: "removes every group when the attribute is absent", before: []string{"Devs", "Ops"}, groups: nil,
			want: []string{}},
		{name: "removes every group when the attribute is empty", before: []string{"Devs"}, groups: []string{},
			want: []string{}},
		{name: "removes a membership an admin added by hand", before: []string{"Devs"}, handAdded: []string{"acme-web/Admins"},
			groups: []string{"Devs"}, want: []string{"acme-data/Devs", "acme-web/Devs"}},
		{name: "keeps a hand-added membership the IdP also names", before: []string{}, handAdded: []string{"acme-web/Admins"},
			groups: []string{"Admins"}, want: []string{"acme-web/Admins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			if tt.before != nil {
				e.MustLogin(t, alice.withGroups(tt.before...))
			}
			for _, g := range tt.handAdded {
				e.MustAddGroupMember(t, g, alice)
			}
			res := e.MustLogin(t, alice.withGroups(tt.groups...))
			if diff := cmp.Diff(tt.want, e.groupsOf(t, res.User)); diff != "" {
				t.Errorf("groups after a login with %q (-want +got):\n%s", tt.groups, diff)
			}
		})
	}
}

// MustAddGroupMember adds the SSO user u of acme to group ("org/name") by
// hand, as the operator.
func (e *env) MustAddGroupMember(tb testing.TB, group string, u idpUser) {
	tb.Helper()
	org, name, _ := strings.Cut(group, "/")
	for _, g := range e.mustGroups(tb, org) {
		if g.Name == name {
			if err := e.Admin.AddGroupMember(context.Background(), gatehouse.Operator, g.ID, e.MustUser(tb, "acme", u.Login).Login); err != nil {
				tb.Fatal(err)
			}
			return
		}
	}
	tb.Fatalf("no group %q", group)
}

func (e *env) mustGroups(tb testing.TB, org string) []*gatehouse.Group {
	tb.Helper()
	gs, err := e.Admin.ListGroups(context.Background(), gatehouse.Operator, org)
	if err != nil {
		tb.Fatal(err)
	}
	return gs
}

func TestFinishSSOMakesTheUserAMemberOfMatchedOrganizationsOnly(t *testing.T) {
	e := MustEnv(t)
	u := e.MustLogin(t, alice.withGroups("Ops")).User
	for org, want := range map[string]bool{"acme-web": true, "acme-data": false} {
		members, err := e.Admin.Members(context.Background(), gatehouse.Operator, org)
		if err != nil {
			t.Fatal(err)
		}
		if got := hasMember(members, u.ID); got != want {
			t.Errorf("user in members of %s = %v; want %v", org, got, want)
		}
	}
}

func hasMember(members []*admin.Member, userID int64) bool {
	for _, m := range members {
		if m.User.ID == userID {
			return true
		}
	}
	return false
}

func TestFinishSSOAuditsTheFirstLogin(t *testing.T) {
	e := MustEnv(t)
	after := e.lastEventID(t)
	u := e.MustLogin(t, alice.withGroups("Devs", "Unknown")).User
	target := "user:" + u.Login
	want := []event{
		{Type: gatehouse.AuditUserCreate, Actor: gatehouse.ActorSAMLSync, Target: target},
		{Type: gatehouse.AuditGroupAddMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-web", Group: "Devs"},
		{Type: gatehouse.AuditGroupAddMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-data", Group: "Devs"},
		{Type: gatehouse.AuditOrgAddUser, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-web"},
		{Type: gatehouse.AuditOrgAddUser, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-data"},
		{Type: gatehouse.AuditUserLogin, Actor: "user:" + u.Login, Target: target},
	}
	got, raw := e.events(t, after)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("audit events of a first login (-want +got):\n%s", diff)
	}
	wantLogin := map[string]any{"method": "sso", "client": testClient.String(), "groups_received": float64(2),
		"groups_matched": float64(2), "unmatched_groups": []any{"Unknown"}}
	if diff := cmp.Diff(wantLogin, raw[len(raw)-1].Details); diff != "" {
		t.Errorf("user_login details (-want +got):\n%s", diff)
	}
}

func TestFinishSSOAuditsEachSyncChange(t *testing.T) {
	e := MustEnv(t)
	u := e.MustLogin(t, alice.withGroups("Devs", "Analysts")).User
	e.MustAddGroupMember(t, "acme-web/Admins", alice)
	after := e.lastEventID(t)
	e.MustLogin(t, alice.withGroups("Ops"))
	target := "user:" + u.Login
	want := []event{
		{Type: gatehouse.AuditGroupRemoveMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-web", Group: "Devs"},
		{Type: gatehouse.AuditGroupRemoveMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-web", Group: "Admins"},
		{Type: gatehouse.AuditGroupRemoveMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-data", Group: "Devs"},
		{Type: gatehouse.AuditGroupRemoveMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-data", Group: "Analysts"},
		{Type: gatehouse.AuditGroupAddMember, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-web", Group: "Ops"},
		{Type: gatehouse.AuditOrgRemoveUser, Actor: gatehouse.ActorSAMLSync, Target: target, Org: "acme-data"},
		{Type: gatehouse.AuditUserLogin, Actor: target, Target: target},
	}
	got, raw := e.events(t, after)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("audit events of a login that changes groups (-want +got):\n%s", diff)
	}
	if src := raw[1].Details["source"]; src != gatehouse.SourceManual {
		t.Errorf("removal of the hand-added membership has source %v; want %q", src, gatehouse.SourceManual)
	}
}

func TestFinishSSOAuditsNothingButTheLoginWhenNothingChanged(t *testing.T) {
	e := MustEnv(t)
	u := e.MustLogin(t, alice).User
	after := e.lastEventID(t)
	e.MustLogin(t, alice)
	want := []event{{Type: gatehouse.AuditUserLogin, Actor: "user:" + u.Login, Target: "user:" + u.Login}}
	got, _ := e.events(t, after)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit events of a repeated login (-want +got):\n%s", diff)
	}
}

func TestFinishSSOReturnsTo(t *testing.T) {
	tests := []struct {
		name, returnTo, want string
	}{
		{"the local path the login started with", "/organizations/acme-web?tab=groups", "/organizations/acme-web?tab=groups"},
		{"the organizations page without one", "", login.DefaultReturnTo},
		{"the organizations page instead of another site", "//evil.example/", login.DefaultReturnTo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			s := e.MustStart(t, "acme", tt.returnTo)
			res, err := e.Login.FinishSSO(context.Background(), s.acs(e.MustResponse(t, s, alice)))
			if err != nil {
				t.Fatal(err)
			}
			if res.ReturnTo != tt.want {
				t.Errorf("ReturnTo = %q; want %q", res.ReturnTo, tt.want)
			}
		})
	}
}

func TestStartSSO(t *testing.T) {
	ctx := context.Background()
	t.Run("refuses an unknown enterprise naming it", func(t *testing.T) {
		e := MustEnv(t)
		_, err := e.Login.StartSSO(ctx, "initech", "", "", testClient)
		if gatehouse.ErrorCode(err) != gatehouse.ENOTFOUND || !strings.Contains(gatehouse.ErrorMessage(err), `"initech"`) {
			t.Errorf("StartSSO(initech) = %v; want ENOTFOUND naming the key", err)
		}
	})
	t.Run("refuses an enterprise without SSO connection, in the SSO attempts too", func(t *testing.T) {
		e := MustEnv(t)
		after := e.lastEventID(t)
		_, err := e.Login.StartSSO(ctx, "globex", "", "", testClient)
		if r := refusal(err); r == nil || r.Reason != gatehouse.RefusalNoConnection {
			t.Errorf("StartSSO(globex) = %v; want refusal %s", err, gatehouse.RefusalNoConnection)
		}
		evs, raw := e.events(t, after)
		if len(evs) != 1 || evs[0].Type != gatehouse.AuditLoginFailed || raw[0].Details["reason"] != string(gatehouse.RefusalNoConnection) {
			t.Errorf("audit events of the refused start = %+v; want one %s with reason %s", evs, gatehouse.AuditLoginFailed, gatehouse.RefusalNoConnection)
		}
	})
	t.Run("refuses an address outside the allow list naming it, in the SSO attempts too", func(t *testing.T) {
		e := MustEnv(t)
		e.MustAllow(t, "198.51.100.0/24")
		after := e.lastEventID(t)
		_, err := e.Login.StartSSO(ctx, "acme", "", "", testClient)
		if r := refusal(err); r == nil || r.Reason != gatehouse.RefusalIPNotAllowed || r.Detail != testClient.String() {
			t.Errorf("StartSSO from %s = %v; want refusal %s naming the address", testClient, err, gatehouse.RefusalIPNotAllowed)
		}
		evs, raw := e.events(t, after)
		if len(evs) != 1 || evs[0].Type != gatehouse.AuditLoginFailed || raw[0].Details["reason"] != string(gatehouse.RefusalIPNotAllowed) {
			t.Errorf("audit events of the refused start = %+v; want one %s with reason %s", evs, gatehouse.AuditLoginFailed, gatehouse.RefusalIPNotAllowed)
		}
	})
	t.Run("keeps the browser's binding secret", func(t *testing.T) {
		e := MustEnv(t)
		s, err := e.Login.StartSSO(ctx, "acme", "", "browser-secret", testClient)
		if err != nil || s.BrowserSecret != "browser-secret" {
			t.Errorf("StartSSO with a binding secret = %+v, %v; want it kept", s, err)
		}
	})
	t.Run("binds each new browser to its own secret", func(t *testing.T) {
		e := MustEnv(t)
		a, b := e.MustStart(t, "acme", ""), e.MustStart(t, "acme", "")
		if a.BrowserSecret == "" || a.BrowserSecret == b.BrowserSecret || a.RequestID == b.RequestID || a.RelayState == b.RelayState {
			t.Errorf("two logins = %+v and %+v; want different secrets, request IDs and relay states", a, b)
		}
	})
}

// MustAllow sets acme's IP allow list.
func (e *env) MustAllow(tb testing.TB, cidrs ...string) {
	tb.Helper()
	if _, err := e.Admin.UpdateEnterprise(context.Background(), gatehouse.Operator, "acme", admin.EnterpriseUpdate{IPAllowList: &cidrs}); err != nil {
		tb.Fatal(err)
	}
}
