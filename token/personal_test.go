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

func TestPersonalTokenLifeCycle(t *testing.T) {
	forEachEngine(t, testPersonalLifeCycle)
}

func testPersonalLifeCycle(t *testing.T, e *env) {
	ctx := context.Background()
	lena := gatehouse.UserActor(e.Lena)
	laptop := e.MustPersonal(t, e.Lena, "laptop", time.Time{})
	e.Now = testNow.Add(time.Second)
	ci := e.MustPersonal(t, e.Lena, "ci", testNow.Add(3*24*time.Hour+1500*time.Microsecond))
	e.MustPersonal(t, e.Olga, "laptop", time.Time{})
	if kind, err := token.Parse(laptop.Secret); kind != gatehouse.TokenPersonal || err != nil {
		t.Errorf("Parse(secret) = %q, %v; want a personal token", kind, err)
	}
	if string(laptop.Token.Hash) != string(token.Hash(laptop.Secret)) {
		t.Errorf("the token keeps a hash other than the secret's SHA-256")
	}
	e.Now = testNow.Add(time.Hour)
	if _, err := e.Tokens.Authenticate(ctx, laptop.Secret, inside); err != nil {
		t.Fatalf("Authenticate(laptop) = %v", err)
	}
	list, err := e.Tokens.PersonalTokens(ctx, lena)
	must(t, err)
	want := []string{
		fmt.Sprintf("ci %s never used, expires 2026-11-30T10:00:00Z", gatehouse.TokenAboutToExpire),
		fmt.Sprintf("laptop %s used 2026-11-27T11:00:00Z", gatehouse.TokenActive),
	}
	if diff := cmp.Diff(want, describe(list)); diff != "" {
		t.Errorf("PersonalTokens, newest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ci.Token, list[0].Token); diff != "" {
		t.Errorf("the token as created and as listed differ (-created +listed):\n%s", diff)
	}
	must(t, e.Tokens.RevokePersonalToken(ctx, lena, laptop.Token.ID))
	if _, err := e.Tokens.Authenticate(ctx, laptop.Secret, inside); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("Authenticate(revoked token) = %v; want unauthorized", err)
	}
	if _, err := e.Tokens.Authenticate(ctx, ci.Secret, inside); err != nil {
		t.Errorf("Authenticate(the other token) = %v; revoking one token touched another", err)
	}
	wantEvents := map[string][]string{
		gatehouse.AuditTokenCreate: {"user:lena user:lena laptop", "user:lena user:lena ci", "user:olga user:olga laptop"},
		gatehouse.AuditTokenRevoke: {"user:lena user:lena laptop"},
	}
	for typ, want := range wantEvents {
		if diff := cmp.Diff(want, e.events(t, typ)); diff != "" {
			t.Errorf("%s events (-want +got):\n%s", typ, diff)
		}
	}
}

// describe renders summaries as "name status last-use[, expiry]".
func describe(list []*token.Summary) []string {
	var out []string
	for _, s := range list {
		line := s.Token.Name + " " + s.Status + " never used"
		if !s.Token.LastUsedAt.IsZero() {
			line = s.Token.Name + " " + s.Status + " used " + s.Token.LastUsedAt.Format(time.RFC3339)
		}
		if !s.Token.ExpiresAt.IsZero() {
			line += ", expires " + s.Token.ExpiresAt.Format(time.RFC3339)
		}
		if len(s.Projects) > 0 {
			line += ", projects " + strings.Join(s.Projects, "+")
		}
		if s.CreatedBy != "" {
			line += ", by " + s.CreatedBy
		}
		out = append(out, line)
	}
	return out
}

func TestPersonalTokenRefusals(t *testing.T) {
	forEachEngine(t, testPersonalRefusals)
}

func testPersonalRefusals(t *testing.T, e *env) {
	ctx := context.Background()
	lena, olga := gatehouse.UserActor(e.Lena), gatehouse.UserActor(e.Olga)
	mine := e.MustPersonal(t, e.Lena, "laptop", time.Time{})
	olgas := e.MustPersonal(t, e.Olga, "laptop", time.Time{})
	orgToken := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "scanner"})
	inactive := *e.Root
	inactive.Active = false
	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantMsg  string
	}{
		{"a taken name", func() error { _, err := e.Tokens.CreatePersonalToken(ctx, lena, "laptop", time.Time{}); return err },
			gatehouse.ECONFLICT, `"laptop"`},
		{"an empty name", func() error { _, err := e.Tokens.CreatePersonalToken(ctx, lena, "", time.Time{}); return err },
			gatehouse.EINVALID, "name"},
		{"a name with a control character", func() error { _, err := e.Tokens.CreatePersonalToken(ctx, lena, "a\nb", time.Time{}); return err },
			gatehouse.EINVALID, "control"},
		{"an expiry in the past", func() error {
			_, err := e.Tokens.CreatePersonalToken(ctx, lena, "old", testNow.Add(-time.Hour))
			return err
		},
			gatehouse.EINVALID, "future"},
		{"an expiry of right now", func() error { _, err := e.Tokens.CreatePersonalToken(ctx, lena, "now", testNow); return err },
			gatehouse.EINVALID, "future"},
		{"the operator creating one", func() error {
			_, err := e.Tokens.CreatePersonalToken(ctx, gatehouse.Operator, "op", time.Time{})
			return err
		}, gatehouse.EFORBIDDEN, "operator"},
		{"the operator listing its own", func() error { _, err := e.Tokens.PersonalTokens(ctx, gatehouse.Operator); return err },
			gatehouse.EFORBIDDEN, "operator"},
		{"a deactivated user creating one", func() error {
			_, err := e.Tokens.CreatePersonalToken(ctx, gatehouse.UserActor(&inactive), "x", time.Time{})
			return err
		}, gatehouse.EFORBIDDEN, ""},
		{"revoking another user's token", func() error { return e.Tokens.RevokePersonalToken(ctx, lena, olgas.Token.ID) },
			gatehouse.ENOTFOUND, fmt.Sprint(olgas.Token.ID)},
		{"revoking an organization token as a personal one", func() error { return e.Tokens.RevokePersonalToken(ctx, olga, orgToken.Token.ID) },
			gatehouse.ENOTFOUND, fmt.Sprint(orgToken.Token.ID)},
		{"revoking an unknown token", func() error { return e.Tokens.RevokePersonalToken(ctx, lena, 999999) },
			gatehouse.ENOTFOUND, "999999"},
	}
	before := e.snapshot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if gatehouse.ErrorCode(err) != tt.wantCode || !strings.Contains(gatehouse.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("got %v; want %s mentioning %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
	if after := e.snapshot(t); after != before {
		t.Errorf("refused calls changed tokens or the audit log:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := e.Tokens.Authenticate(ctx, mine.Secret, inside); err != nil {
		t.Errorf("Authenticate(lena's token) = %v after refused calls", err)
	}
}

func TestPersonalTokensAreBounded(t *testing.T) {
	e := MustEnv(t, t.TempDir()+"/gatehouse.db")
	for i := range token.MaxPersonalTokens {
		e.MustPersonal(t, e.Lena, fmt.Sprint("token ", i), time.Time{})
	}
	_, err := e.Tokens.CreatePersonalToken(context.Background(), gatehouse.UserActor(e.Lena), "one more", time.Time{})
	if gatehouse.ErrorCode(err) != gatehouse.ECONFLICT || !strings.Contains(gatehouse.ErrorMessage(err), "revoke") {
		t.Errorf("CreatePersonalToken past the bound = %v; want a conflict asking to revoke one", err)
	}
	e.MustPersonal(t, e.Olga, "another user's", time.Time{})
}
