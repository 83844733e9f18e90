package token_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/token"
)

func TestCheck(t *testing.T) {
	forEachEngine(t, testCheck)
}

func testCheck(t *testing.T, e *env) {
	ctx := context.Background()
	lena := e.MustPersonal(t, e.Lena, "laptop", time.Time{}).Secret
	olga := e.MustPersonal(t, e.Olga, "laptop", time.Time{}).Secret
	all := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "all"}).Secret
	scoped := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "app", Projects: []string{"web-app"}}).Secret
	scan, adm := gatehouse.PermissionScan, gatehouse.PermissionAdmin
	tests := []struct {
		name    string
		secret  string
		org     string
		perm    gatehouse.Permission
		project string
		want    bool
	}{
		{"a user's token has the user's permission", lena, "acme-web", scan, "", true},
		{"a user's token has it on every project of the organization", lena, "acme-web", scan, "web-api", true},
		{"a user's token lacks a permission the user lacks", lena, "acme-web", adm, "", false},
		{"a user's token has nothing in another organization", lena, "acme-data", scan, "", false},
		{"an organization owner's token has admin there", olga, "acme-web", adm, "", true},
		{"an owner's token lacks what none of the owner's groups gives", olga, "acme-web", gatehouse.PermissionGateAdmin, "", false},
		{"a user's token on a project that does not exist is false", lena, "acme-web", scan, "nope", false},
		{"a user's token on another organization's project is false", lena, "acme-web", scan, "data-etl", false},
		{"a user's token on an organization that does not exist is false", lena, "nope", scan, "", false},
		{"an organization token scans its organization", all, "acme-web", scan, "", true},
		{"an organization token scans every project of its organization", all, "acme-web", scan, "web-api", true},
		{"an organization token has no other permission", all, "acme-web", adm, "", false},
		{"an organization token cannot administer quality gates either", all, "acme-web", gatehouse.PermissionGateAdmin, "web-app", false},
		{"an organization token has nothing in another organization", all, "acme-data", scan, "", false},
		{"an organization token on a project that does not exist is false", all, "acme-web", scan, "nope", false},
		{"a scoped token scans its project", scoped, "acme-web", scan, "web-app", true},
		{"a scoped token does not scan a project outside its scope", scoped, "acme-web", scan, "web-api", false},
		{"a scoped token does not act on the organization at large", scoped, "acme-web", scan, "", false},
		{"a scoped token on a project that does not exist is false", scoped, "acme-web", scan, "nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.Tokens.Authenticate(ctx, tt.secret, inside)
			must(t, err)
			got, err := e.Tokens.Check(ctx, p, tt.org, tt.perm, tt.project)
			if err != nil || got != tt.want {
				t.Errorf("Check(%s, %s, %q) = %v, %v; want %v", tt.org, tt.perm, tt.project, got, err, tt.want)
			}
			got, err = e.Tokens.CheckToken(ctx, tt.secret, inside, tt.org, tt.perm, tt.project)
			if err != nil || got != tt.want {
				t.Errorf("CheckToken(%s, %s, %q) = %v, %v; want %v", tt.org, tt.perm, tt.project, got, err, tt.want)
			}
		})
	}
}

func TestCheckRefusesBadQuestions(t *testing.T) {
	e := MustEnv(t, t.TempDir()+"/gatehouse.db")
	ctx := context.Background()
	secret := e.MustPersonal(t, e.Lena, "laptop", time.Time{}).Secret
	p, err := e.Tokens.Authenticate(ctx, secret, inside)
	must(t, err)
	tests := []struct {
		name      string
		org       string
		perm      gatehouse.Permission
		wantField string
	}{
		{"an unknown permission", "acme-web", "root", "permission"},
		{"an empty permission", "acme-web", "", "permission"},
		{"no organization", "", gatehouse.PermissionScan, "organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Tokens.Check(ctx, p, tt.org, tt.perm, "")
			if gatehouse.ErrorCode(err) != gatehouse.EINVALID || fieldOf(err) != tt.wantField {
				t.Errorf("Check(%q, %q) = %v; want invalid %s", tt.org, tt.perm, err, tt.wantField)
			}
			_, err = e.Tokens.CheckToken(ctx, secret, inside, tt.org, tt.perm, "")
			if gatehouse.ErrorCode(err) != gatehouse.EINVALID || fieldOf(err) != tt.wantField {
				t.Errorf("CheckToken(%q, %q) = %v; want invalid %s", tt.org, tt.perm, err, tt.wantField)
			}
		})
	}
}

// fieldOf returns the field an *gatehouse.Error names.
func fieldOf(err error) string {
	var ge *gatehouse.Error
	if errors.As(err, &ge) {
		return ge.Field
	}
	return fmt.Sprintf("not a *gatehouse.Error: %v", err)
}

// TestPermissionLostAtSyncTakesEffectOnNextRequest follows a personal
// token through group sync: the IdP drops the user's group, and the
// token's very next check is refused.
func TestPermissionLostAtSyncTakesEffectOnNextRequest(t *testing.T) {
	forEachEngine(t, testPermissionLostAtSync)
}

func testPermissionLostAtSync(t *testing.T, e *env) {
	ctx := context.Background()
	alice := e.MustSSOLogin(t, "alice@acme.example", "Devs", "Gates")
	secret := e.MustPersonal(t, alice, "ci", time.Time{}).Secret
	p, err := e.Tokens.Authenticate(ctx, secret, inside)
	must(t, err)
	steps := []struct {
		name   string
		change func()
		want   map[gatehouse.Permission]bool // in acme-web
	}{
		{"after the first login", func() {}, map[gatehouse.Permission]bool{gatehouse.PermissionScan: true, gatehouse.PermissionGateAdmin: true}},
		{"after a login whose IdP groups dropped Devs", func() { e.MustSSOLogin(t, "alice@acme.example", "Gates") },
			map[gatehouse.Permission]bool{gatehouse.PermissionScan: false, gatehouse.PermissionGateAdmin: true}},
		{"after an admin removed Gates' permission", func() {
			none := []gatehouse.Permission{}
			_, err := e.Admin.UpdateGroup(ctx, gatehouse.Operator, e.MustGroupID(t, "acme-web", "Gates"), admin.GroupUpdate{Permissions: &none})
			must(t, err)
		}, map[gatehouse.Permission]bool{gatehouse.PermissionScan: false, gatehouse.PermissionGateAdmin: false}},
		{"after a login that gave Devs back", func() { e.MustSSOLogin(t, "alice@acme.example", "Devs") },
			map[gatehouse.Permission]bool{gatehouse.PermissionScan: true, gatehouse.PermissionGateAdmin: false}},
	}
	for _, st := range steps {
		st.change()
		for perm, want := range st.want {
			// The principal authenticated before the change, and a fresh
			// request with the token, both see the permissions of now.
			got, err := e.Tokens.Check(ctx, p, "acme-web", perm, "")
			if err != nil || got != want {
				t.Errorf("%s: Check(%s) = %v, %v; want %v", st.name, perm, got, err, want)
			}
			got, err = e.Tokens.CheckToken(ctx, secret, inside, "acme-web", perm, "")
			if err != nil || got != want {
				t.Errorf("%s: CheckToken(%s) = %v, %v; want %v", st.name, perm, got, err, want)
			}
		}
	}
}
