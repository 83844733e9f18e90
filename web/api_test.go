package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// seed builds an enterprise with two organizations, groups and projects
// through the API, as the README walks a newcomer through it.
func seed(t testing.TB, ts *testServer) {
	t.Helper()
	ts.mustCall(t, 201, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"})
	for _, org := range []string{"acme-web", "acme-data"} {
		ts.mustCall(t, 201, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": org, "name": org})
		ts.mustCall(t, 201, "POST", "/api/v1/organizations/"+org+"/groups",
			map[string]any{"name": "Developers", "permissions": []string{"scan", "provisioning"}})
		ts.mustCall(t, 201, "POST", "/api/v1/organizations/"+org+"/projects", map[string]any{"key": org + "-app", "name": "App"})
	}
	ts.mustCall(t, 201, "POST", "/api/v1/users", map[string]any{"login": "lena", "name": "Lena Local", "email": "lena@example.com", "password": "a long enough password"})
}

func TestNewcomerBuildsAnEnterprise(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	orgs := ts.mustCall(t, 200, "GET", "/api/v1/enterprises/acme/organizations", nil).Body.([]any)
	if len(orgs) != 2 {
		t.Fatalf("organizations = %v; want 2", orgs)
	}
	for _, o := range orgs {
		if e := o.(map[string]any)["enterprise"]; e != "acme" {
			t.Errorf("organization %v: enterprise = %v; want acme", o, e)
		}
	}
	groups := ts.mustCall(t, 200, "GET", "/api/v1/organizations/acme-web/groups", nil).Body.([]any)
	var names []string
	for _, g := range groups {
		names = append(names, g.(map[string]any)["name"].(string))
	}
	if got := strings.Join(names, ","); got != "Members,Owners,Developers" {
		t.Errorf("groups = %s; want Members,Owners,Developers", got)
	}
	dev := groups[2].(map[string]any)
	id := int64(dev["id"].(float64))
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", id), map[string]any{"login": "lena"})
	members := ts.mustCall(t, 200, "GET", "/api/v1/organizations/acme-web/members", nil).Body.([]any)
	if len(members) != 1 {
		t.Errorf("members = %v; want lena", members)
	}
	got := ts.mustCall(t, 200, "PATCH", fmt.Sprintf("/api/v1/groups/%d", id), map[string]any{"permissions": []string{"scan"}})
	if p := fmt.Sprint(got.field("permissions")); p != "[scan]" {
		t.Errorf("permissions after PATCH = %s; want [scan]", p)
	}
	evs := ts.mustCall(t, 200, "GET", "/api/v1/audit-events?enterprise=acme&type=org.remove_permission", nil).Body.([]any)
	if len(evs) != 1 {
		t.Errorf("org.remove_permission events = %v; want 1", evs)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	groups := ts.mustCall(t, 200, "GET", "/api/v1/organizations/acme-web/groups", nil).Body.([]any)
	membersID := int64(groups[0].(map[string]any)["id"].(float64))
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
		wantInMsg  string
	}{
		{"malformed JSON", "POST", "/api/v1/enterprises", `{"key": "x",`, 400, "invalid", "", "not valid JSON"},
		{"not an object", "POST", "/api/v1/enterprises", `["acme"]`, 400, "invalid", "", "JSON object"},
		{"two objects", "POST", "/api/v1/enterprises", `{"key":"a1","name":"A"}{}`, 400, "invalid", "", "single JSON object"},
		{"empty body", "POST", "/api/v1/enterprises", ``, 400, "invalid", "", "empty"},
		{"unknown field", "POST", "/api/v1/enterprises", `{"key":"beta","name":"B","colour":"red"}`, 400, "invalid", "colour", "colour"},
		{"wrong type", "POST", "/api/v1/enterprises", `{"key":42,"name":"B"}`, 400, "invalid", "key", "string"},
		{"invalid key", "POST", "/api/v1/enterprises", map[string]any{"key": "Not A Slug", "name": "B"}, 400, "invalid", "key", "Not A Slug"},
		{"invalid permission", "POST", "/api/v1/organizations/acme-web/groups", map[string]any{"name": "X", "permissions": []string{"root"}}, 400, "invalid", "permissions", "root"},
		{"invalid CIDR", "PATCH", "/api/v1/enterprises/acme", map[string]any{"ip_allow_list": []string{"300.1.1.1/8"}}, 400, "invalid", "ip_allow_list", "300.1.1.1/8"},
		{"short password", "POST", "/api/v1/users", map[string]any{"login": "pia", "name": "Pia", "password": "short"}, 400, "invalid", "password", "12"},
		{"duplicate enterprise", "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Again"}, 409, "conflict", "", "acme"},
		{"duplicate group name", "POST", "/api/v1/organizations/acme-web/groups", map[string]any{"name": "Developers"}, 409, "conflict", "", "Developers"},
		{"duplicate project", "POST", "/api/v1/organizations/acme-web/projects", map[string]any{"key": "acme-web-app", "name": "Again"}, 409, "conflict", "", "acme-web-app"},
		{"unknown enterprise", "GET", "/api/v1/enterprises/nope", nil, 404, "not_found", "", "nope"},
		{"unknown organization", "POST", "/api/v1/organizations/nope/groups", map[string]any{"name": "X"}, 404, "not_found", "", "nope"},
		{"unknown group", "GET", "/api/v1/groups/999999", nil, 404, "not_found", "", "999999"},
		{"non-numeric group", "GET", "/api/v1/groups/abc", nil, 404, "not_found", "", "abc"},
		{"unknown user", "POST", "/api/v1/organizations/acme-web/members", map[string]any{"login": "ghost"}, 404, "not_found", "", "ghost"},
		{"renaming Members", "PATCH", fmt.Sprintf("/api/v1/groups/%d", membersID), map[string]any{"name": "Everyone"}, 409, "conflict", "", "Members"},
		{"deleting Members", "DELETE", fmt.Sprintf("/api/v1/groups/%d", membersID), nil, 409, "conflict", "", "Members"},
		{"body too large", "POST", "/api/v1/enterprises", `{"key":"big","name":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", "", "larger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.snapshot(t)
			r := ts.call(t, tt.method, tt.path, tt.body)
			if r.Status != tt.wantStatus || r.errorCode() != tt.wantCode {
				t.Errorf("%s %s = %d %q; want %d %q (%v)", tt.method, tt.path, r.Status, r.errorCode(), tt.wantStatus, tt.wantCode, r.Body)
			}
			if tt.wantField != "" && tt.wantStatus == 400 && r.errorField() != tt.wantField {
				t.Errorf("error field = %q; want %q", r.errorField(), tt.wantField)
			}
			if !strings.Contains(r.errorMessage(), tt.wantInMsg) {
				t.Errorf("message %q does not mention %q", r.errorMessage(), tt.wantInMsg)
			}
			if after := ts.snapshot(t); after != before {
				t.Errorf("a refused request changed the data")
			}
		})
	}
}

func TestLastAdminIsKept(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	groups := ts.mustCall(t, 200, "GET", "/api/v1/organizations/acme-web/groups", nil).Body.([]any)
	ownersID := int64(groups[1].(map[string]any)["id"].(float64))
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ownersID), map[string]any{"login": "lena"})
	before := ts.snapshot(t)
	for _, req := range []struct{ method, path string }{
		{"DELETE", fmt.Sprintf("/api/v1/groups/%d/members/lena", ownersID)},
		{"DELETE", fmt.Sprintf("/api/v1/groups/%d", ownersID)},
		{"DELETE", "/api/v1/organizations/acme-web/members/lena"},
		{"DELETE", "/api/v1/users/lena"},
	} {
		r := ts.call(t, req.method, req.path, nil)
		if r.Status != 409 || !strings.Contains(r.errorMessage(), "acme-web") {
			t.Errorf("%s %s = %d %q; want 409 naming the organization", req.method, req.path, r.Status, r.errorMessage())
		}
	}
	if ts.snapshot(t) != before {
		t.Errorf("refused requests changed the data")
	}
}

func TestAuthentication(t *testing.T) {
	ts := MustServer(t)
	for _, tok := range []string{"", "wrong"} {
		r := ts.callAs(t, tok, "GET", "/api/v1/enterprises", nil)
		if r.Status != 401 || r.errorCode() != "unauthorized" || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("token %q: %d %v; want 401 unauthorized with WWW-Authenticate", tok, r.Status, r.Body)
		}
	}
}
