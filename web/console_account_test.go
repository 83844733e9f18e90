package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
)

func TestAccountShowsGroupsPerOrganization(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	if err := s.Admin.AddGroupMember(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", "Developers"), "root"); err != nil {
		t.Fatal(err)
	}
	p := s.MustSignIn(t, "root").get(t, "/account")
	for _, want := range []string{`root@acme.example`, `data-org="acme-web"`, `data-group="Developers"`, "Execute Analysis", `href="/enterprises/acme/users"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("/account lacks %s", want)
		}
	}
}

func TestAccountProfile(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	tests := []struct {
		name, email, wantNotice, wantRefusal string
	}{
		{"Root Admin", "root@new.example", "Your profile was saved.", ""},
		{"Root Admin", "not an address", "", `"not an address" is not an email address.`},
		{"", "root@new.example", "", "The name is required."},
	}
	for _, tt := range tests {
		p := c.post(t, "/account/profile", url.Values{"form": {"profile"}, "name": {tt.name}, "email": {tt.email}})
		if tt.wantRefusal != "" {
			if p.Status != http.StatusBadRequest || refusalOf(p.Body) != tt.wantRefusal || !strings.Contains(p.Body, `value="`+tt.email+`"`) {
				t.Errorf("profile %q, %q = %d %q; want 400 %q with the typed email kept", tt.name, tt.email, p.Status, refusalOf(p.Body), tt.wantRefusal)
			}
			continue
		}
		if got := noticeOf(c.get(t, p.Location).Body); p.Status != http.StatusSeeOther || got != tt.wantNotice {
			t.Errorf("profile %q, %q = %d, notice %q; want 303 and %q", tt.name, tt.email, p.Status, got, tt.wantNotice)
		}
	}
	u, err := s.Admin.User(context.Background(), gatehouse.Operator, "root")
	if err != nil || u.Name != "Root Admin" || u.Email != "root@new.example" {
		t.Errorf("root after the profile forms = %+v, %v; want the first form's values only", u, err)
	}
}

func TestChangePasswordPage(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	other := s.MustSignIn(t, "root")
	const next = "a brand new passphrase"
	refusals := []struct {
		name                string
		current, new, again string
		want                string
	}{
		{"refuses a wrong current password", "wrong", next, next, "Your current password is not the one you typed. Nothing was changed."},
		{"refuses a confirmation that differs", rootPassword, next, next + "!", "The new password and its confirmation differ. Nothing was changed."},
		{"refuses a short password", rootPassword, "short", "short", "The password must be at least 12 characters long."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			p := c.post(t, "/account/password", url.Values{"form": {"password"}, "current_password": {tt.current}, "new_password": {tt.new}, "confirm_password": {tt.again}})
			if p.Status != http.StatusBadRequest || refusalOf(p.Body) != tt.want {
				t.Errorf("POST /account/password = %d %q; want 400 %q", p.Status, refusalOf(p.Body), tt.want)
			}
			if strings.Contains(p.Body, tt.current) || strings.Contains(p.Body, tt.new) {
				t.Errorf("the refused form shows a password it was sent")
			}
		})
	}
	p := c.mustPost(t, "/account/password", url.Values{"current_password": {rootPassword}, "new_password": {next}, "confirm_password": {next}})
	if got := noticeOf(p.Body); got != "Your password was changed. Your other sessions have ended." {
		t.Errorf("notice after the change = %q", got)
	}
	if p := other.get(t, "/account"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Errorf("the other session after the change: GET /account = %d %q; want sent to login", p.Status, p.Location)
	}
	if p := c.get(t, "/account"); p.Status != http.StatusOK {
		t.Errorf("this session after the change: GET /account = %d; want 200 (a new session)", p.Status)
	}
}

func TestDeleteAccount(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "owner")
	s.MustLocalUser(t, "leaver")
	ctx := context.Background()
	for _, login := range []string{"owner", "leaver"} {
		if err := s.Admin.AddGroupMember(ctx, gatehouse.Operator, s.MustGroupID(t, "acme-data", "Analysts"), login); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Admin.AddGroupMember(ctx, gatehouse.Operator, s.MustGroupID(t, "acme-data", "Owners"), "owner"); err != nil {
		t.Fatal(err)
	}

	owner := s.MustSignIn(t, "owner")
	before := s.snapshot(t)
	p := owner.post(t, "/account/delete", url.Values{"form": {"delete"}, "confirm": {"yes"}})
	if want := `User "owner" is the last administrator of organization "acme-data": give another user the Administer Organization permission first.`; p.Status != http.StatusConflict || refusalOf(p.Body) != want {
		t.Errorf("deleting the last admin = %d %q; want 409 %q", p.Status, refusalOf(p.Body), want)
	}
	p = owner.post(t, "/account/delete", url.Values{"form": {"delete"}})
	if want := "Tick the box to confirm that you want to delete your account."; p.Status != http.StatusBadRequest || refusalOf(p.Body) != want {
		t.Errorf("deleting without ticking the confirmation = %d %q; want 400 %q", p.Status, refusalOf(p.Body), want)
	}
	if s.snapshot(t) != before {
		t.Errorf("refused deletions changed the state")
	}

	leaver := s.MustSignIn(t, "leaver")
	p = leaver.post(t, "/account/delete", url.Values{"confirm": {"yes"}})
	if p.Status != http.StatusSeeOther || p.Location != "/account/deleted" {
		t.Fatalf("deleting leaver = %d to %q; want 303 to /account/deleted", p.Status, p.Location)
	}
	if p := leaver.get(t, "/account/deleted"); !strings.Contains(p.Body, "Your account was deleted") {
		t.Errorf("the page after deletion does not say so:\n%s", p.Body)
	}
	if p := leaver.get(t, "/account"); p.Status != http.StatusSeeOther {
		t.Errorf("GET /account after deletion = %d; want sent to login", p.Status)
	}
	if _, err := s.Admin.User(ctx, gatehouse.Operator, "leaver"); gatehouse.ErrorCode(err) != gatehouse.ENOTFOUND {
		t.Errorf("leaver after deletion = %v; want not found", err)
	}
}

var tokenSecret = regexp.MustCompile(`gat_[A-Za-z0-9_]+`)

func TestPersonalTokenIsShownOnce(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")

	p := c.post(t, "/account/tokens", url.Values{"form": {"create-token"}, "name": {"laptop CLI"}, "expires": {"30"}})
	secret := tokenSecret.FindString(p.Body)
	if p.Status != http.StatusOK || secret == "" || !strings.Contains(p.Body, `data-copy="new-token"`) {
		t.Fatalf("POST /account/tokens = %d; want the page with the new secret and a copy button", p.Status)
	}
	if _, err := s.Tokens.Authenticate(context.Background(), secret, testClient()); err != nil {
		t.Errorf("the secret shown does not authenticate: %v", err)
	}
	p = c.get(t, "/account/security")
	if !strings.Contains(p.Body, `data-token="laptop CLI"`) || tokenSecret.MatchString(p.Body) {
		t.Errorf("the Security page after creation: want the name only, no secret")
	}
	if p := c.post(t, "/account/tokens", url.Values{"form": {"create-token"}, "name": {"laptop CLI"}}); p.Status != http.StatusConflict {
		t.Errorf("a second token of the same name = %d; want 409", p.Status)
	}
	id := regexp.MustCompile(`/account/tokens/(\d+)/revoke`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no revoke form")
	}
	p = c.mustPost(t, "/account/tokens/"+id[1]+"/revoke", url.Values{})
	if strings.Contains(p.Body, `data-token="laptop CLI"`) {
		t.Errorf("the revoked token is still listed")
	}
	if _, err := s.Tokens.Authenticate(context.Background(), secret, testClient()); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("the revoked secret authenticates: %v", err)
	}
}
