package token_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/token"
)

func TestOrganizationTokenLifeCycle(t *testing.T) {
	forEachEngine(t, testOrganizationLifeCycle)
}

func testOrganizationLifeCycle(t *testing.T, e *env) {
	ctx := context.Background()
	olga := gatehouse.UserActor(e.Olga)
	ent := e.MustLocalUser(t, "erin")
	must(t, e.Admin.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", "erin"))
	all := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "all"})
	e.Now = testNow.Add(time.Second)
	scoped := e.MustOrganizationToken(t, ent, "acme-web", token.OrganizationTokenInput{Name: "apps",
		Projects: []string{"web-api", "web-app", "web-api"}, ExpiresAt: testNow.Add(30 * 24 * time.Hour)})
	e.MustOrganizationToken(t, e.Root, "solo", token.OrganizationTokenInput{Name: "all"})
	if kind, err := token.Parse(scoped.Secret); kind != gatehouse.TokenOrganization || err != nil {
		t.Errorf("Parse(secret) = %q, %v; want an organization token", kind, err)
	}
	if diff := cmp.Diff([]string{"web-api", "web-app"}, scoped.Projects); diff != "" {
		t.Errorf("scope of the created token, in order and without repeats (-want +got):\n%s", diff)
	}
	want := []string{
		"apps active never used, expires 2026-12-27T10:00:00Z, projects web-api+web-app, by erin",
		"all active never used, by olga",
	}
	for _, a := range []gatehouse.Actor{olga, gatehouse.UserActor(ent), gatehouse.Operator} {
		list, err := e.Tokens.OrganizationTokens(ctx, a, "acme-web")
		must(t, err)
		if diff := cmp.Diff(want, describe(list)); diff != "" {
			t.Errorf("OrganizationTokens as %s, newest first (-want +got):\n%s", a, diff)
		}
	}
	must(t, e.Tokens.RevokeOrganizationToken(ctx, gatehouse.Operator, "acme-web", all.Token.ID))
	must(t, e.Tokens.RevokeOrganizationToken(ctx, olga, "acme-web", scoped.Token.ID))
	for _, secret := range []string{all.Secret, scoped.Secret} {
		if _, err := e.Tokens.Authenticate(ctx, secret, inside); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
			t.Errorf("Authenticate(revoked token) = %v; want unauthorized", err)
		}
	}
	wantEvents := map[string][]string{
		gatehouse.AuditTokenCreate: {"user:olga organization:acme-web all", "user:erin organization:acme-web apps", "user:root organization:solo all"},
		gatehouse.AuditTokenRevoke: {"operator organization:acme-web all", "user:olga organization:acme-web apps"},
	}
	for typ, want := range wantEvents {
		if diff := cmp.Diff(want, e.events(t, typ)); diff != "" {
			t.Errorf("%s events (-want +got):\n%s", typ, diff)
		}
	}
}

func TestOrganizationTokenRefusals(t *testing.T) {
	forEachEngine(t, testOrganizationRefusals)
}

func testOrganizationRefusals(t *testing.T, e *env) {
	ctx := context.Background()
	olga, lena := gatehouse.UserActor(e.Olga), gatehouse.UserActor(e.Lena)
	alice := gatehouse.UserActor(e.MustSSOLogin(t, "alice@acme.example", "Devs"))
	e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "scanner"})
	solo := e.MustOrganizationToken(t, e.Root, "solo", token.OrganizationTokenInput{Name: "scanner"})
	personal := e.MustPersonal(t, e.Olga, "laptop", time.Time{})
	create := func(a gatehouse.Actor, org string, in token.OrganizationTokenInput) func() error {
		return func() error { _, err := e.Tokens.CreateOrganizationToken(ctx, a, org, in); return err }
	}
	named := token.OrganizationTokenInput{Name: "new"}
	tests := []struct {
		name      string
		call      func() error
		wantCode  string
		wantField string
		wantMsg   string
	}{
		{"a member who is not an admin creating one", create(lena, "acme-web", named), gatehouse.EFORBIDDEN, "", "acme-web"},
		{"an SSO member creating one", create(alice, "acme-web", named), gatehouse.EFORBIDDEN, "", "acme-web"},
		{"an admin of another organization creating one", create(gatehouse.UserActor(e.Root), "acme-web", named), gatehouse.EFORBIDDEN, "", "acme-web"},
		{"the operator creating one", create(gatehouse.Operator, "acme-web", named), gatehouse.EFORBIDDEN, "", "operator"},
		{"an unknown organization", create(olga, "nope", named), gatehouse.ENOTFOUND, "", "nope"},
		{"a taken name", create(olga, "acme-web", token.OrganizationTokenInput{Name: "scanner"}), gatehouse.ECONFLICT, "", `"scanner"`},
		{"an empty name", create(olga, "acme-web", token.OrganizationTokenInput{}), gatehouse.EINVALID, "name", ""},
		{"an unknown project", create(olga, "acme-web", token.OrganizationTokenInput{Name: "x", Projects: []string{"web-app", "nope"}}),
			gatehouse.EINVALID, "projects", `"nope"`},
		{"another organization's project", create(olga, "acme-web", token.OrganizationTokenInput{Name: "x", Projects: []string{"data-etl"}}),
			gatehouse.EINVALID, "projects", `"data-etl"`},
		{"an expiry in the past", create(olga, "acme-web", token.OrganizationTokenInput{Name: "x", ExpiresAt: testNow.Add(-time.Second)}),
			gatehouse.EINVALID, "expires_at", "future"},
		{"a member listing them", func() error { _, err := e.Tokens.OrganizationTokens(ctx, lena, "acme-web"); return err },
			gatehouse.EFORBIDDEN, "", "acme-web"},
		{"a member revoking one", func() error { return e.Tokens.RevokeOrganizationToken(ctx, lena, "solo", solo.Token.ID) },
			gatehouse.EFORBIDDEN, "", "solo"},
		{"revoking another organization's token", func() error { return e.Tokens.RevokeOrganizationToken(ctx, olga, "acme-web", solo.Token.ID) },
			gatehouse.ENOTFOUND, "", fmt.Sprint(solo.Token.ID)},
		{"revoking a personal token as an organization's", func() error {
			return e.Tokens.RevokeOrganizationToken(ctx, olga, "acme-web", personal.Token.ID)
		}, gatehouse.ENOTFOUND, "", fmt.Sprint(personal.Token.ID)},
	}
	before := e.snapshot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if gatehouse.ErrorCode(err) != tt.wantCode || !strings.Contains(gatehouse.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("got %v; want %s mentioning %q", err, tt.wantCode, tt.wantMsg)
			}
			if tt.wantField != "" && fieldOf(err) != tt.wantField {
				t.Errorf("field = %q; want %q", fieldOf(err), tt.wantField)
			}
		})
	}
	if after := e.snapshot(t); after != before {
		t.Errorf("refused calls changed tokens or the audit log:\nbefore %s\nafter  %s", before, after)
	}
}
