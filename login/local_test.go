package login_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

const rootPassword = "correct horse battery staple"

// MustLocalUser creates the local user root with rootPassword.
func (e *env) MustLocalUser(tb testing.TB) *gatehouse.User {
	tb.Helper()
	u := &gatehouse.User{Login: "root", Name: "Root", Email: "root@example.com"}
	if err := e.Admin.CreateLocalUser(context.Background(), gatehouse.Operator, u, rootPassword); err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestLocalLogin(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	root := e.MustLocalUser(t)
	sso := e.MustLogin(t, alice).User
	after := e.lastEventID(t)

	res, err := e.Login.LocalLogin(ctx, "root", rootPassword, "/organizations/acme-web", testClient)
	if err != nil {
		t.Fatalf("LocalLogin(root, right password) = %v", err)
	}
	if res.User.ID != root.ID || res.ReturnTo != "/organizations/acme-web" || !res.User.LastLoginAt.Equal(testNow) {
		t.Errorf("LocalLogin(root) = user %d, return to %q, last login %v; want user %d, the local path, now",
			res.User.ID, res.ReturnTo, res.User.LastLoginAt, root.ID)
	}
	if _, u, err := e.Login.Session(ctx, res.SessionSecret); err != nil || u.ID != root.ID {
		t.Errorf("Session(root's secret) = %v, %v; want root", u, err)
	}

	refusals := []struct {
		name, login, password, wantMessage string
	}{
		{"refuses a wrong password", "root", "wrong password", "Wrong login or password."},
		{"refuses an unknown login with the same message", "nobody", rootPassword, "Wrong login or password."},
		{"tells an SSO user to use SSO", sso.Login, rootPassword, `This account signs in with SSO: use "Log in with SSO" and your enterprise key.`},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Login.LocalLogin(ctx, tt.login, tt.password, "", testClient)
			if gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED || gatehouse.ErrorMessage(err) != tt.wantMessage {
				t.Errorf("LocalLogin(%q) = %v, %v; want EUNAUTHORIZED %q", tt.login, res, err, tt.wantMessage)
			}
		})
	}

	t.Run("records each login and each failure", func(t *testing.T) {
		want := []event{
			{Type: gatehouse.AuditUserLogin, Actor: "user:root", Target: "user:root"},
			{Type: gatehouse.AuditLoginFailed, Actor: gatehouse.ActorSystem, Target: "login:root"},
			{Type: gatehouse.AuditLoginFailed, Actor: gatehouse.ActorSystem, Target: "login:nobody"},
			{Type: gatehouse.AuditLoginFailed, Actor: gatehouse.ActorSystem, Target: "login:" + sso.Login},
		}
		got, _ := e.events(t, after)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("audit events of local logins (-want +got):\n%s", diff)
		}
	})
}

func TestLocalLoginRefusesADeactivatedUser(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	e.MustLocalUser(t)
	inactive := false
	if _, err := e.Admin.UpdateUser(ctx, gatehouse.Operator, "root", admin.UserUpdate{Active: &inactive}); err != nil {
		t.Fatal(err)
	}
	before := e.MustDump(t)
	after := e.lastEventID(t)
	res, err := e.Login.LocalLogin(ctx, "root", rootPassword, "", testClient)
	if gatehouse.ErrorCode(err) != gatehouse.EFORBIDDEN {
		t.Errorf("LocalLogin(deactivated root) = %v, %v; want EFORBIDDEN", res, err)
	}
	if diff := cmp.Diff([]string{"audit_events +1 -0"}, changedTables(changes(before, e.MustDump(t)))); diff != "" {
		t.Errorf("rows changed by a refused login (-want +got):\n%s", diff)
	}
	evs, raw := e.events(t, after)
	want := []event{{Type: gatehouse.AuditLoginFailed, Actor: gatehouse.ActorSystem, Target: "login:root"}}
	if diff := cmp.Diff(want, evs); diff != "" || raw[0].Details["reason"] != string(gatehouse.RefusalUserDeactivated) {
		t.Errorf("audit events of the refused login = %+v %v; want %+v with reason %s", evs, raw, want, gatehouse.RefusalUserDeactivated)
	}
}

func TestLocalLoginReturnsToLocalPathsOnly(t *testing.T) {
	e := MustEnv(t)
	e.MustLocalUser(t)
	res, err := e.Login.LocalLogin(context.Background(), "root", rootPassword, "https://evil.example/", testClient)
	if err != nil || res.ReturnTo != login.DefaultReturnTo {
		t.Errorf("LocalLogin(return to another site) = %v, %v; want %s", res, err, login.DefaultReturnTo)
	}
}
