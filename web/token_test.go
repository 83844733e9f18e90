package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
	"github.com/gatehouse-sso/gatehouse/token"
)

// MustUser returns the user with login.
func (ts *testServer) MustUser(tb testing.TB, login string) *gatehouse.User {
	tb.Helper()
	var u *gatehouse.User
	storetest.MustView(tb, ts.Store, func(tx store.Tx) {
		var err error
		if u, err = tx.UserByLogin(login); err != nil {
			tb.Fatal(err)
		}
	})
	return u
}

// MustSSOUser creates an SSO user of the enterprise with key, as JIT
// provisioning would, and returns them.
func (ts *testServer) MustSSOUser(tb testing.TB, enterprise, externalID string) *gatehouse.User {
	tb.Helper()
	var u *gatehouse.User
	storetest.MustTx(tb, ts.Store, func(tx store.Tx) {
		e, err := tx.Enterprise(enterprise)
		if err != nil {
			tb.Fatal(err)
		}
		u = storetest.MustSSOUser(tb, tx, e.ID, externalID)
	})
	return u
}

// MustToken creates a personal token of the user with login, as the
// console does for a user's first token, and returns its secret.
func (ts *testServer) MustToken(tb testing.TB, login string, expiresAt time.Time) string {
	tb.Helper()
	return ts.MustCreateToken(tb, login, expiresAt).Secret
}

// MustCreateToken is MustToken returning the whole new token.
func (ts *testServer) MustCreateToken(tb testing.TB, login string, expiresAt time.Time) *token.Created {
	tb.Helper()
	c, err := ts.Tokens.CreatePersonalToken(context.Background(), gatehouse.UserActor(ts.MustUser(tb, login)), "first", expiresAt)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// mustCallAs is callAs that fails the test unless the status is want.
func (ts *testServer) mustCallAs(tb testing.TB, tok string, want int, method, path string, body any) response {
	tb.Helper()
	r := ts.callAs(tb, tok, method, path, body)
	if r.Status != want {
		tb.Fatalf("%s %s = %d %v; want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

func TestPersonalTokensThroughTheAPI(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	first := ts.MustToken(t, "lena", time.Time{})
	if got := ts.mustCallAs(t, first, 200, "GET", "/api/v1/me", nil).Body.(map[string]any)["user"].(map[string]any)["login"]; got != "lena" {
		t.Errorf("GET /me with lena's token = %v; want lena", got)
	}
	created := ts.mustCallAs(t, first, 201, "POST", "/api/v1/me/tokens", map[string]any{"name": "ci", "expires_at": "2026-12-01T00:00:00Z"})
	secret, _ := created.field("token").(string)
	if _, err := token.Parse(secret); err != nil || !strings.HasPrefix(secret, "gat_") {
		t.Errorf("created token secret %q does not parse as a personal token: %v", secret, err)
	}
	if got := created.field("status"); got != gatehouse.TokenAboutToExpire {
		t.Errorf("status of a token expiring in 4 days = %v; want about_to_expire", got)
	}
	list := ts.mustCallAs(t, secret, 200, "GET", "/api/v1/me/tokens", nil).Body.([]any)
	var names []string
	for _, k := range list {
		m := k.(map[string]any)
		if _, shown := m["token"]; shown {
			t.Errorf("listed token %v shows its secret", m)
		}
		names = append(names, fmt.Sprint(m["name"], " used:", m["last_used_at"] != nil))
	}
	if got := strings.Join(names, ", "); got != "ci used:true, first used:true" {
		t.Errorf("GET /me/tokens = %s; want ci and first, both used", got)
	}
	id := int64(created.field("id").(float64))
	ts.mustCallAs(t, first, 204, "DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", id), nil)
	if r := ts.callAs(t, secret, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Errorf("GET /me with a revoked token = %d; want 401", r.Status)
	}
	if r := ts.call(t, "GET", "/api/v1/me/tokens", nil); r.Status != 403 {
		t.Errorf("GET /me/tokens as the operator = %d %v; want 403", r.Status, r.Body)
	}
}

func TestUserTokensCarryTheUsersRoles(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	tok := ts.MustToken(t, "lena", time.Time{})
	steps := []struct {
		name   string
		before func()
		method string
		path   string
		body   any
		want   int
	}{
		{"a user who administers nothing cannot create groups", func() {}, "POST", "/api/v1/organizations/acme-web/groups",
			map[string]any{"name": "Ops"}, 403},
		{"once an owner, the same token can", func() {
			ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "acme-web", "Owners")), map[string]any{"login": "lena"})
		}, "POST", "/api/v1/organizations/acme-web/groups", map[string]any{"name": "Ops"}, 201},
		{"but not in another organization", func() {}, "POST", "/api/v1/organizations/acme-data/groups", map[string]any{"name": "Ops"}, 403},
		{"nor the enterprise", func() {}, "GET", "/api/v1/enterprises/acme", nil, 403},
		{"until an enterprise admin", func() {
			ts.mustCall(t, 204, "POST", "/api/v1/enterprises/acme/admins", map[string]any{"login": "lena"})
		}, "GET", "/api/v1/enterprises/acme", nil, 200},
		{"an enterprise admin administers its organizations", func() {}, "POST", "/api/v1/organizations/acme-data/groups", map[string]any{"name": "Ops"}, 201},
		{"but creates no enterprise, which only the operator does", func() {}, "POST", "/api/v1/enterprises", map[string]any{"key": "beta", "name": "Beta"}, 403},
	}
	for _, st := range steps {
		st.before()
		if r := ts.callAs(t, tok, st.method, st.path, st.body); r.Status != st.want {
			t.Errorf("%s: %s %s = %d %v; want %d", st.name, st.method, st.path, r.Status, r.Body, st.want)
		}
	}
}

// groupID returns the ID of the organization's group called name.
func (ts *testServer) groupID(tb testing.TB, org, name string) int64 {
	tb.Helper()
	for _, g := range ts.mustCall(tb, 200, "GET", "/api/v1/organizations/"+org+"/groups", nil).Body.([]any) {
		if m := g.(map[string]any); m["name"] == name {
			return int64(m["id"].(float64))
		}
	}
	tb.Fatalf("organization %s has no group %s", org, name)
	return 0
}

func TestOrganizationTokensThroughTheAPI(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "acme-web", "Owners")), map[string]any{"login": "lena"})
	owner := ts.MustToken(t, "lena", time.Time{})
	created := ts.mustCallAs(t, owner, 201, "POST", "/api/v1/organizations/acme-web/tokens",
		map[string]any{"name": "nightly", "projects": []string{"acme-web-app"}})
	secret, _ := created.field("token").(string)
	if !strings.HasPrefix(secret, "gsot_") || created.field("permission") != "scan" || fmt.Sprint(created.field("projects")) != "[acme-web-app]" ||
		created.field("organization") != "acme-web" || created.field("created_by") != "lena" {
		t.Errorf("created organization token = %v; want a gsot_ token to scan acme-web-app, by lena", created.Body)
	}
	list := ts.mustCall(t, 200, "GET", "/api/v1/organizations/acme-web/tokens", nil).Body.([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "nightly" {
		t.Errorf("GET /organizations/acme-web/tokens as the operator = %v; want nightly", list)
	}
	for _, p := range []struct{ method, path string }{
		{"GET", "/api/v1/me"}, {"GET", "/api/v1/organizations/acme-web/tokens"}, {"GET", "/api/v1/me/tokens"},
		{"POST", "/api/v1/organizations/acme-web/projects"},
	} {
		r := ts.callAs(t, secret, p.method, p.path, map[string]any{"key": "x", "name": "x"})
		if r.Status != 403 || !strings.Contains(r.errorMessage(), "authz/check") {
			t.Errorf("%s %s with an organization token = %d %q; want 403 pointing at authz/check", p.method, p.path, r.Status, r.errorMessage())
		}
	}
	ts.mustCallAs(t, owner, 204, "DELETE", fmt.Sprintf("/api/v1/organizations/acme-web/tokens/%d", int64(created.field("id").(float64))), nil)
	if r := ts.callAs(t, secret, "GET", "/api/v1/authz/check?organization=acme-web&permission=scan", nil); r.Status != 401 {
		t.Errorf("access check with a revoked organization token = %d; want 401", r.Status)
	}
}

func TestTokenRefusals(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "acme-web", "Owners")), map[string]any{"login": "lena"})
	lena := ts.MustToken(t, "lena", time.Time{})
	earlier := token.NewService(ts.Store)
	earlier.Now = func() time.Time { return testNow.Add(-2 * time.Hour) }
	expired, err := earlier.CreatePersonalToken(context.Background(), gatehouse.UserActor(ts.MustUser(t, "lena")), "expired", testNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sam := ts.MustCreateToken(t, ts.MustSSOUser(t, "acme", "sam@acme.example").Login, time.Time{})
	ts.mustCall(t, 200, "PATCH", "/api/v1/enterprises/acme", map[string]any{"ip_allow_list": []string{"203.0.113.0/24"}})
	tests := []struct {
		name       string
		tok        string
		method     string
		path       string
		body       any
		wantStatus int
		wantField  string
		wantInMsg  string
	}{
		{"an expired token says when it expired", expired.Secret, "GET", "/api/v1/me", nil, 401, "", "expired on 2026-11-27T09:00:00Z"},
		{"an unknown token", token.New(gatehouse.TokenPersonal), "GET", "/api/v1/me", nil, 401, "", "not valid"},
		{"a malformed token", "gat_nope", "GET", "/api/v1/me", nil, 401, "", "gat_ or gsot_"},
		{"a mistyped token", sam.Secret[:len(sam.Secret)-2] + "00", "GET", "/api/v1/me", nil, 401, "", "checksum"},
		{"an SSO user's token from outside the allow list names the address", sam.Secret, "GET", "/api/v1/me", nil, 403, "", "127.0.0.1"},
		{"a malformed expiry", lena, "POST", "/api/v1/organizations/acme-web/tokens", map[string]any{"name": "x", "expires_at": "tomorrow"},
			400, "expires_at", "RFC 3339"},
		{"an expiry in the past", lena, "POST", "/api/v1/me/tokens", map[string]any{"name": "x", "expires_at": "2026-11-27T09:59:59Z"},
			400, "expires_at", "future"},
		{"an unknown project in the scope", lena, "POST", "/api/v1/organizations/acme-web/tokens", map[string]any{"name": "x", "projects": []string{"nope"}},
			400, "projects", "nope"},
		{"a taken name", lena, "POST", "/api/v1/me/tokens", map[string]any{"name": "first"}, 409, "", "first"},
		{"an unknown field", lena, "POST", "/api/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"all"}}, 400, "scopes", "scopes"},
		{"a member creating an organization token", lena, "POST", "/api/v1/organizations/acme-data/tokens", map[string]any{"name": "x"}, 403, "", "acme-data"},
		{"the operator creating an organization token", operatorToken, "POST", "/api/v1/organizations/acme-web/tokens", map[string]any{"name": "x"}, 403, "", "operator"},
		{"revoking someone else's token", lena, "DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", sam.Token.ID), nil, 404, "", fmt.Sprint(sam.Token.ID)},
		{"revoking a token of another organization", lena, "DELETE", "/api/v1/organizations/acme-data/tokens/1", nil, 403, "", "acme-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.snapshot(t)
			r := ts.callAs(t, tt.tok, tt.method, tt.path, tt.body)
			if r.Status != tt.wantStatus || !strings.Contains(r.errorMessage(), tt.wantInMsg) {
				t.Errorf("%s %s = %d %q; want %d mentioning %q", tt.method, tt.path, r.Status, r.errorMessage(), tt.wantStatus, tt.wantInMsg)
			}
			if tt.wantField != "" && r.errorField() != tt.wantField {
				t.Errorf("error field = %q; want %q", r.errorField(), tt.wantField)
			}
			if after := ts.snapshot(t); after != before {
				t.Errorf("a refused request changed the data")
			}
		})
	}
}

// TestDeleteMe deletes an account with its own token (SPEC §6), after the
// refusal for the last admin of an organization.
func TestDeleteMe(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/users", map[string]any{"login": "lena", "name": "Lena", "password": "a long enough password"})
	tok := ts.MustToken(t, "lena", time.Time{})
	ts.mustCall(t, 201, "POST", "/api/v1/organizations", map[string]any{"key": "lenas", "name": "Lena's"})
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "lenas", "Owners")), map[string]any{"login": "lena"})
	before := ts.snapshot(t)
	r := ts.callAs(t, tok, "DELETE", "/api/v1/me", nil)
	if r.Status != 409 || !strings.Contains(r.errorMessage(), "last administrator") {
		t.Errorf("DELETE /api/v1/me as the last admin = %d %q; want 409 saying why", r.Status, r.errorMessage())
	}
	if ts.snapshot(t) != before {
		t.Errorf("a refused deletion changed the data")
	}
	if r := ts.call(t, "DELETE", "/api/v1/me", nil); r.Status != 400 {
		t.Errorf("DELETE /api/v1/me with the operator token = %d; want 400", r.Status)
	}
	ts.mustCall(t, 201, "POST", "/api/v1/users", map[string]any{"login": "otto", "name": "Otto", "password": "a long enough password"})
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "lenas", "Owners")), map[string]any{"login": "otto"})
	ts.mustCallAs(t, tok, 204, "DELETE", "/api/v1/me", nil)
	ts.mustCall(t, 404, "GET", "/api/v1/users/lena", nil)
	if r := ts.callAs(t, tok, "GET", "/api/v1/me", nil); r.Status != 401 {
		t.Errorf("the deleted account's token still answers: %d", r.Status)
	}
}
