package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAuthzCheck(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "acme-web", "Developers")), map[string]any{"login": "lena"})
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(t, "acme-web", "Owners")), map[string]any{"login": "lena"})
	lena := ts.MustToken(t, "lena", time.Time{})
	org := ts.mustCallAs(t, lena, 201, "POST", "/api/v1/organizations/acme-web/tokens",
		map[string]any{"name": "app", "projects": []string{"acme-web-app"}}).field("token").(string)
	tests := []struct {
		name       string
		tok        string
		query      string
		wantStatus int
		want       bool // allowed, when wantStatus is 200
		wantInMsg  string
	}{
		{"a user's token has the user's permission", lena, "organization=acme-web&permission=provisioning", 200, true, ""},
		{"and on a project", lena, "organization=acme-web&permission=scan&project=acme-web-app", 200, true, ""},
		{"a user's token lacks what the user lacks", lena, "organization=acme-data&permission=scan", 200, false, ""},
		{"an organization that does not exist is false", lena, "organization=nope&permission=scan", 200, false, ""},
		{"a project that does not exist is false", lena, "organization=acme-web&permission=scan&project=nope", 200, false, ""},
		{"an organization token scans its project", org, "organization=acme-web&permission=scan&project=acme-web-app", 200, true, ""},
		{"an organization token has nothing but scan", org, "organization=acme-web&permission=admin&project=acme-web-app", 200, false, ""},
		{"a scoped organization token does not act on the organization at large", org, "organization=acme-web&permission=scan", 200, false, ""},
		{"an organization token has nothing in another organization", org, "organization=acme-data&permission=scan&project=acme-data-app", 200, false, ""},
		{"an unknown permission is refused", lena, "organization=acme-web&permission=root", 400, false, "root"},
		{"a missing organization is refused", lena, "permission=scan", 400, false, "organization"},
		{"the operator token is refused", operatorToken, "organization=acme-web&permission=scan", 403, false, "operator"},
		{"no token is refused", "", "organization=acme-web&permission=scan", 401, false, "Authorization"},
		{"an unknown token is refused", "gat_x", "organization=acme-web&permission=scan", 401, false, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.callAs(t, tt.tok, "GET", "/api/v1/authz/check?"+tt.query, nil)
			if r.Status != tt.wantStatus {
				t.Fatalf("GET /authz/check?%s = %d %v; want %d", tt.query, r.Status, r.Body, tt.wantStatus)
			}
			if tt.wantStatus == 200 && r.field("allowed") != tt.want {
				t.Errorf("GET /authz/check?%s = %v; want allowed %v", tt.query, r.Body, tt.want)
			}
			if !strings.Contains(r.errorMessage(), tt.wantInMsg) {
				t.Errorf("message %q does not mention %q", r.errorMessage(), tt.wantInMsg)
			}
		})
	}
}

// TestAuthzCheckSeesPermissionChangesAtOnce changes a group's permissions
// between two checks with the same token.
func TestAuthzCheckSeesPermissionChangesAtOnce(t *testing.T) {
	ts := MustServer(t)
	seed(t, ts)
	devs := ts.groupID(t, "acme-web", "Developers")
	ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", devs), map[string]any{"login": "lena"})
	lena := ts.MustToken(t, "lena", time.Time{})
	const check = "/api/v1/authz/check?organization=acme-web&permission=scan"
	steps := []struct {
		name   string
		change func()
		want   bool
	}{
		{"while Developers has scan", func() {}, true},
		{"once scan is removed from Developers", func() {
			ts.mustCall(t, 200, "PATCH", fmt.Sprintf("/api/v1/groups/%d", devs), map[string]any{"permissions": []string{"provisioning"}})
		}, false},
		{"once lena is out of Developers and scan is back", func() {
			ts.mustCall(t, 204, "DELETE", fmt.Sprintf("/api/v1/groups/%d/members/lena", devs), nil)
			ts.mustCall(t, 200, "PATCH", fmt.Sprintf("/api/v1/groups/%d", devs), map[string]any{"permissions": []string{"scan"}})
		}, false},
		{"once lena is back in Developers", func() {
			ts.mustCall(t, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", devs), map[string]any{"login": "lena"})
		}, true},
	}
	for _, st := range steps {
		st.change()
		if got := ts.mustCallAs(t, lena, 200, "GET", check, nil).field("allowed"); got != st.want {
			t.Errorf("%s: allowed = %v; want %v", st.name, got, st.want)
		}
	}
}
